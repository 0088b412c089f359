"""DLP: find and redact credentials in text by their structure (standard library only).

`scan(text)` returns `Finding`s (type, character offsets, 1-based line, confidence, test-key and
checksum flags) and never the secret itself; `redact(text)` replaces each finding with
`[REDACTED:<type>]`; `DETECTORS` lists every credential type with a description.

Blocking guidance for callers (the rule engine): block findings whose `blocking` property is true
(confidence HIGH or MEDIUM and not a test key). Test keys (`sk_test_`, documentation example ids,
values saying `example`/`dummy`/`fake`/`test`, local-host connection strings and commands, the
Azure storage emulator key, well-known default passwords such as `postgres`) are always LOW and
`test_key=True`, so fixtures that use them are not blocked.

Passwords written into commands (`curl -u`, `mysql -p…`, `sshpass -p`, ...) are found only when
the option belongs to a program known to take a password through it (`dlp.cmdline`), so ports
and flags spelled the same way (`ssh -p 22`, `mkdir -p`) are not mistaken for them. Commands
sent as JSON argv arrays (`["mysql","-pPASS"]`), as lists in code (`['mysql', '-pPASS']`) or
inside JSON strings are read the same way. Client configuration is read by its structure too:
`.netrc` entries, `Password=` in connection strings and `jdbc:` URLs, XML `<password>` elements,
`.pgpass` lines, `password =` in INI sections that name a user (`.pypirc`, `.my.cnf`), and
Kubernetes `Secret` manifests in YAML or JSON.

`scan` judges text alone. A caller that knows the file a text came from may pass the findings
through `fixture_paths.downgrade_fixture_keys(findings, path)`: private keys in a test or
fixture directory (which test suites must ship as real key material) become test keys.
"""

from __future__ import annotations

from crustcore_nano.dlp.detectors import DETECTORS
from crustcore_nano.dlp.finding import Confidence, Finding
from crustcore_nano.dlp.model import Category, Detector
from crustcore_nano.dlp.scanner import redact, scan

__all__ = ["DETECTORS", "Category", "Confidence", "Detector", "Finding", "redact", "scan"]
