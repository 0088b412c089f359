"""The user policy in `crustcore.toml`: MCP tool policy and user rules, strictly validated.

Format (see docs/policy-file.md for the full description and examples)::

    version = 1                        # optional; only 1 is known

    [policy]
    default_mcp = "deny"               # unknown MCP tools: "deny" (default), "ask" or "allow"

    [policy.mcp.github]                # per MCP server (names compared lower-case)
    unknown_tools = "ask"
    allow_tools = ["get_*", "list_*"]  # tool-name wildcards
    deny_tools = ["delete_*"]

    [[rules]]
    name = "no-prod-kubectl"           # required, unique
    action = "deny"                    # "deny", "ask" or "allow" (an exception to user rules)
    reason = "production is deployed by CI only"
    tool = "bash"                      # wildcard(s) over the cleaned tool name
    operation = ["execute"]            # OpKind value(s)
    path = ["~/prod/**"]               # path glob(s) (crustcore_nano.globmatch)
    host = ["*.prod.example.com"]      # host wildcard(s)
    command = 'kubectl .*--context[= ]prod'   # regex(es), searched
    content = 'BEGIN PROD'             # regex(es) over written/sent content
    origin = ["model", "mcp"]          # Origin value(s)

Every mistake - an unknown key, a wrong type, a bad glob, a regex that does not compile or could
backtrack catastrophically, a duplicate name - is a `PolicyConfigError` (a `ConfigError`) whose
message names the file, the line, the rule, the key and what to do. Nothing is skipped with a
warning: a policy that loads is exactly the policy that was written.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from crustcore_nano.errors import ConfigError, UsageError
from crustcore_nano.globmatch import Glob, compile_glob
from crustcore_nano.policy.regex_check import regex_problem
from crustcore_nano.policy.toml_lines import TomlLines, scan_lines
from crustcore_nano.policy.types import OpKind, Origin, Verdict
from crustcore_nano.policy.wildcard import Wildcard, compile_wildcard

__all__ = [
    "MAX_POLICY_CHARS",
    "McpServerPolicy",
    "PolicyConfigError",
    "UserPolicy",
    "UserRule",
    "load_policy",
    "parse_policy",
]

MAX_POLICY_CHARS = 1024 * 1024
MAX_RULES = 1000
_MAX_NAME = 64
_MAX_REASON = 500
_MAX_LIST = 256
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TOP_KEYS = ("version", "policy", "rules")
_POLICY_KEYS = ("default_mcp", "mcp")
_SERVER_KEYS = ("unknown_tools", "allow_tools", "deny_tools")
_MATCH_KEYS = ("tool", "operation", "path", "host", "command", "content", "origin")
_RULE_KEYS = ("name", "action", "reason", *_MATCH_KEYS)
_VERDICTS = {v.value: v for v in Verdict}
_OPS = {op.value: op for op in OpKind}
_ORIGINS = {o.value: o for o in Origin}
_E = TypeVar("_E", OpKind, Origin)


class PolicyConfigError(ConfigError):
    """A policy file is invalid. `line`, `rule` and `key` locate the problem when known."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        line: int | None = None,
        rule: str | None = None,
        key: str | None = None,
    ) -> None:
        self.source = source
        self.line = line
        self.rule = rule
        self.key = key
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class UserRule:
    """One `[[rules]]` entry, compiled. Every key given must match (AND); inside one key, any
    of the listed patterns may match (OR). A key that is not given matches everything."""

    name: str
    action: Verdict
    reason: str
    line: int | None = None
    tools: tuple[Wildcard, ...] = ()
    operations: frozenset[OpKind] = frozenset()
    paths: tuple[Glob, ...] = ()
    hosts: tuple[Wildcard, ...] = ()
    commands: tuple[re.Pattern[str], ...] = ()
    contents: tuple[re.Pattern[str], ...] = ()
    origins: frozenset[Origin] = frozenset()

    def matches(  # noqa: PLR0917 - the engine's agreed positional call shape
        self,
        tool_name: str,
        operation: OpKind,
        paths: Sequence[str],
        hosts: Sequence[str],
        command: str | None,
        content: str | None,
        origin: Origin,
        *,
        case_insensitive_paths: bool = False,
    ) -> bool:
        """Whether this rule applies to one extracted operation.

        `tool_name` is the cleaned tool name (`Extraction.tool`); `paths` should hold every
        form the engine checks (as written and resolved); `hosts` the hosts as extracted and
        normalized. A path (host) key matches when any path (host) matches any glob; a rule
        with a path key never matches an operation without paths. Regexes are searched
        (`re.search`), case-sensitive unless they say `(?i)`."""
        if self.origins and origin not in self.origins:
            return False
        if self.operations and operation not in self.operations:
            return False
        if self.tools and not any(w.match(tool_name) for w in self.tools):
            return False
        if self.paths and not any(
            g.match(p, case_insensitive=case_insensitive_paths) for g in self.paths for p in paths
        ):
            return False
        if self.hosts:
            clean = [h.lower().rstrip(".") for h in hosts]
            if not any(w.match(h) for w in self.hosts for h in clean):
                return False
        if self.commands and (command is None or not any(r.search(command) for r in self.commands)):
            return False
        return not self.contents or (
            content is not None and any(r.search(content) for r in self.contents)
        )


@dataclass(frozen=True, slots=True)
class McpServerPolicy:
    """What to do with the tools of one MCP server. `deny_tools` wins over `allow_tools`;
    a tool in neither gets `unknown_tools`."""

    unknown_tools: Verdict = Verdict.DENY
    allow_tools: tuple[Wildcard, ...] = ()
    deny_tools: tuple[Wildcard, ...] = ()
    line: int | None = None

    def verdict(self, tool: str) -> Verdict:
        name = tool.lower()
        if any(w.match(name) for w in self.deny_tools):
            return Verdict.DENY
        if any(w.match(name) for w in self.allow_tools):
            return Verdict.ALLOW
        return self.unknown_tools


@dataclass(frozen=True, slots=True)
class UserPolicy:
    """The whole user policy: the MCP tool policy and the user rules, in file order."""

    source: str
    default_mcp: Verdict = Verdict.DENY
    servers: tuple[tuple[str, McpServerPolicy], ...] = ()
    rules: tuple[UserRule, ...] = ()

    @classmethod
    def default(cls) -> UserPolicy:
        """The policy when no `crustcore.toml` exists: no user rules, unknown MCP tools denied."""
        return cls(source="<defaults>")

    def server(self, name: str | None) -> McpServerPolicy | None:
        if name is None:
            return None
        key = name.lower()
        for server, policy in self.servers:
            if server == key:
                return policy
        return None

    def mcp_verdict(self, server: str | None, tool: str) -> Verdict:
        """The tool policy for an MCP tool (`tool` without the `mcp__server__` prefix)."""
        policy = self.server(server)
        return self.default_mcp if policy is None else policy.verdict(tool)


# --------------------------------------------------------------------------- loading


def load_policy(path: Path, *, home: str | None = None, missing_ok: bool = False) -> UserPolicy:
    """Read and validate a policy file. With `missing_ok`, an absent file gives the defaults."""
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return UserPolicy.default()
        raise PolicyConfigError(
            f"{source}: policy file not found; create it or drop --policy", source=source
        ) from None
    except OSError as exc:
        raise PolicyConfigError(
            f"{source}: cannot read the policy file ({exc.strerror}); check its permissions",
            source=source,
        ) from None
    if len(data) > MAX_POLICY_CHARS:
        raise PolicyConfigError(
            f"{source}: policy file is larger than {MAX_POLICY_CHARS} bytes; split or trim it",
            source=source,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyConfigError(
            f"{source}: not UTF-8 (bad byte at offset {exc.start}); save the file as UTF-8",
            source=source,
        ) from None
    return parse_policy(text, source=source, home=home)


def parse_policy(
    text: str,
    *,
    source: str,
    home: str | None = None,
    foreign_sections: Sequence[str] = (),
) -> UserPolicy:
    """Parse and validate policy text. `source` names the file in messages; `home` expands a
    leading `~` in path globs; `foreign_sections` are top-level tables of `crustcore.toml`
    owned by other components, accepted here without being read."""
    if len(text) > MAX_POLICY_CHARS:
        raise PolicyConfigError(
            f"{source}: policy file is longer than {MAX_POLICY_CHARS} characters; trim it",
            source=source,
        )
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyConfigError(
            f"{source}: not valid TOML: {exc}; fix the syntax at that position", source=source
        ) from None
    except (RecursionError, ValueError, MemoryError) as exc:
        raise PolicyConfigError(
            f"{source}: cannot parse ({type(exc).__name__}); simplify the nesting",
            source=source,
        ) from None
    return _Parser(source, scan_lines(text), home).document(doc, frozenset(foreign_sections))


# --------------------------------------------------------------------------- validation


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class _Parser:
    __slots__ = ("home", "lines", "source")

    def __init__(self, source: str, lines: TomlLines, home: str | None) -> None:
        self.source = source
        self.lines = lines
        self.home = home

    def fail(
        self,
        line: int | None,
        problem: str,
        *,
        rule: str | None = None,
        key: str | None = None,
        table: str | None = None,
    ) -> PolicyConfigError:
        where = f"{self.source}:{line}" if line is not None else self.source
        what: list[str] = []
        if table is not None:
            what.append(f"[{table}]")
        if rule is not None:
            what.append(f'rule "{rule}"')
        if key is not None:
            what.append(f'key "{key}"')
        head = f"{where}: {', '.join(what)}: " if what else f"{where}: "
        return PolicyConfigError(head + problem, source=self.source, line=line, rule=rule, key=key)

    # -- document and [policy]

    def document(self, doc: Mapping[str, object], foreign: frozenset[str]) -> UserPolicy:
        for key in doc:
            if key not in _TOP_KEYS and key not in foreign:
                raise self.fail(
                    self.lines.key_line((), 0, key),
                    f"unknown top-level key; the policy file knows {', '.join(_TOP_KEYS)}",
                    key=key,
                )
        version = doc.get("version", 1)
        if version != 1 or isinstance(version, bool):
            raise self.fail(
                self.lines.key_line((), 0, "version"),
                f"unknown version {version!r}; this CrustCore reads version = 1",
                key="version",
            )
        default_mcp = Verdict.DENY
        servers: tuple[tuple[str, McpServerPolicy], ...] = ()
        policy = doc.get("policy")
        if policy is not None:
            table = self.table(policy, self.lines.table_line(("policy",)), "policy", None)
            default_mcp, servers = self.policy_table(table)
        raw_rules = doc.get("rules")
        rules: tuple[UserRule, ...] = ()
        if raw_rules is not None:
            rules = self.rules(raw_rules)
        return UserPolicy(self.source, default_mcp, servers, rules)

    def table(
        self, value: object, line: int | None, what: str, rule: str | None
    ) -> Mapping[str, object]:
        if not isinstance(value, dict):
            raise self.fail(line, f"expected a table, got {_type_name(value)}", key=what, rule=rule)
        return cast("Mapping[str, object]", value)

    def verdict(
        self,
        value: object,
        line: int | None,
        key: str,
        *,
        rule: str | None = None,
        table: str | None = None,
    ) -> Verdict:
        if isinstance(value, str) and value in _VERDICTS:
            return _VERDICTS[value]
        shown = repr(value) if isinstance(value, str) else _type_name(value)
        raise self.fail(
            line,
            f'{shown} is not one of "deny", "ask", "allow"; use one of those',
            key=key,
            rule=rule,
            table=table,
        )

    def policy_table(
        self, table: Mapping[str, object]
    ) -> tuple[Verdict, tuple[tuple[str, McpServerPolicy], ...]]:
        for key in table:
            if key not in _POLICY_KEYS:
                raise self.fail(
                    self.lines.key_line(("policy",), 0, key),
                    f"unknown key; [policy] knows {', '.join(_POLICY_KEYS)}",
                    key=key,
                    table="policy",
                )
        default_mcp = Verdict.DENY
        if "default_mcp" in table:
            default_mcp = self.verdict(
                table["default_mcp"],
                self.lines.key_line(("policy",), 0, "default_mcp"),
                "default_mcp",
                table="policy",
            )
        servers: list[tuple[str, McpServerPolicy]] = []
        if "mcp" in table:
            mcp = self.table(
                table["mcp"], self.lines.key_line(("policy",), 0, "mcp"), "policy.mcp", None
            )
            seen: set[str] = set()
            for name, value in mcp.items():
                line = self.lines.table_line(("policy", "mcp", name))
                if line is None:
                    line = self.lines.key_line(("policy", "mcp"), 0, name)
                folded = name.lower()
                if not name or folded in seen:
                    raise self.fail(
                        line,
                        "server names must be non-empty and unique (compared lower-case); "
                        "merge the two tables",
                        table=f"policy.mcp.{name}",
                    )
                seen.add(folded)
                servers.append((folded, self.server(name, value, line)))
        return default_mcp, tuple(servers)

    def server(self, name: str, value: object, line: int | None) -> McpServerPolicy:
        where = f"policy.mcp.{name}"
        table = self.table(value, line, where, None)
        tpath = ("policy", "mcp", name)
        for key in table:
            if key not in _SERVER_KEYS:
                raise self.fail(
                    self.lines.key_line(tpath, 0, key),
                    f"unknown key; a server table knows {', '.join(_SERVER_KEYS)}",
                    key=key,
                    table=where,
                )
        unknown = Verdict.DENY
        if "unknown_tools" in table:
            unknown = self.verdict(
                table["unknown_tools"],
                self.lines.key_line(tpath, 0, "unknown_tools"),
                "unknown_tools",
                table=where,
            )
        lists: dict[str, tuple[Wildcard, ...]] = {}
        for key in ("allow_tools", "deny_tools"):
            kline = self.lines.key_line(tpath, 0, key)
            patterns = self.strings(table.get(key, []), kline, key, None, where)
            lists[key] = tuple(self.wildcard(p, kline, key, None, table=where) for p in patterns)
        return McpServerPolicy(unknown, lists["allow_tools"], lists["deny_tools"], line)

    # -- [[rules]]

    def rules(self, value: object) -> tuple[UserRule, ...]:
        line = self.lines.table_line(("rules",))
        if not isinstance(value, list):
            raise self.fail(
                line,
                f"`rules` must be an array of tables ([[rules]]), got {_type_name(value)}",
                key="rules",
            )
        items = cast("list[object]", value)
        if len(items) > MAX_RULES:
            raise self.fail(line, f"more than {MAX_RULES} rules; merge some", key="rules")
        out: list[UserRule] = []
        names: dict[str, int | None] = {}
        for index, item in enumerate(items):
            rline = self.lines.table_line(("rules",), index)
            rule = self.rule(item, index, rline)
            if rule.name in names:
                first = names[rule.name]
                at = f" (first used on line {first})" if first is not None else ""
                raise self.fail(
                    self.lines.key_line(("rules",), index, "name"),
                    f"duplicate rule name{at}; give each rule a unique name",
                    rule=rule.name,
                    key="name",
                )
            names[rule.name] = rline
            out.append(rule)
        return tuple(out)

    def rule(self, item: object, index: int, line: int | None) -> UserRule:
        label = f"#{index + 1}"
        if not isinstance(item, dict):
            raise self.fail(line, f"each rule must be a table, got {_type_name(item)}", rule=label)
        table = cast("Mapping[str, object]", item)

        def kline(key: str) -> int | None:
            return self.lines.key_line(("rules",), index, key)

        def opt(key: str) -> tuple[str, ...]:
            return self.strings(table[key], kline(key), key, name) if key in table else ()

        raw_name = table.get("name")
        if raw_name is None:
            raise self.fail(line, 'missing `name`; add name = "a-unique-name"', rule=label)
        if not isinstance(raw_name, str) or not _NAME_RE.fullmatch(raw_name):
            raise self.fail(
                kline("name"),
                "a rule name must be 1-64 letters, digits, '.', '_' or '-', starting with a "
                "letter or digit",
                rule=label,
                key="name",
            )
        name = raw_name
        if name.lower().startswith("builtin"):
            raise self.fail(
                kline("name"),
                "names starting with 'builtin' are reserved for locked rules; rename the rule",
                rule=name,
                key="name",
            )
        for key in table:
            if key not in _RULE_KEYS:
                raise self.fail(
                    kline(key),
                    f"unknown key; a rule knows {', '.join(_RULE_KEYS)}",
                    rule=name,
                    key=key,
                )
        if "action" not in table:
            raise self.fail(
                line, 'missing `action`; add action = "deny", "ask" or "allow"', rule=name
            )
        action = self.verdict(table["action"], kline("action"), "action", rule=name)
        reason = table.get("reason", f"matched user rule {name}")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > _MAX_REASON:
            raise self.fail(
                kline("reason"),
                f"`reason` must be a non-empty string of at most {_MAX_REASON} characters",
                rule=name,
                key="reason",
            )
        if not any(key in table for key in _MATCH_KEYS):
            raise self.fail(
                line,
                "a rule needs at least one of "
                + ", ".join(_MATCH_KEYS)
                + ' (use tool = "*" to match every call on purpose)',
                rule=name,
            )
        return UserRule(
            name=name,
            action=action,
            reason=reason,
            line=line,
            tools=tuple(self.wildcard(p, kline("tool"), "tool", name) for p in opt("tool")),
            operations=frozenset(
                self.enum_value(v, _OPS, kline("operation"), "operation", name)
                for v in opt("operation")
            ),
            paths=tuple(self.glob(p, kline("path"), name) for p in opt("path")),
            hosts=tuple(
                self.wildcard(p.lower().rstrip("."), kline("host"), "host", name, separator=".")
                for p in opt("host")
            ),
            commands=tuple(
                self.regex(p, kline("command"), "command", name) for p in opt("command")
            ),
            contents=tuple(
                self.regex(p, kline("content"), "content", name) for p in opt("content")
            ),
            origins=frozenset(
                self.enum_value(v, _ORIGINS, kline("origin"), "origin", name) for v in opt("origin")
            ),
        )

    # -- values

    def strings(
        self,
        value: object,
        line: int | None,
        key: str,
        rule: str | None,
        table: str | None = None,
    ) -> tuple[str, ...]:
        """A string or a non-empty list of non-empty strings."""
        items: list[object]
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, list):
            items = cast("list[object]", value)
            if not items and table is None:
                raise self.fail(
                    line,
                    "an empty list matches nothing; remove the key or add patterns",
                    rule=rule,
                    key=key,
                )
        else:
            raise self.fail(
                line,
                f"expected a string or a list of strings, got {_type_name(value)}",
                rule=rule,
                key=key,
                table=table,
            )
        if len(items) > _MAX_LIST:
            raise self.fail(
                line,
                f"more than {_MAX_LIST} patterns; split the rule",
                rule=rule,
                key=key,
                table=table,
            )
        out: list[str] = []
        for item in items:
            if not isinstance(item, str):
                raise self.fail(
                    line,
                    f"every entry must be a string, found {_type_name(item)}",
                    rule=rule,
                    key=key,
                    table=table,
                )
            if not item:
                raise self.fail(line, "empty pattern; remove it", rule=rule, key=key, table=table)
            out.append(item)
        return tuple(out)

    def enum_value(
        self, value: str, known: Mapping[str, _E], line: int | None, key: str, rule: str
    ) -> _E:
        if value in known:
            return known[value]
        raise self.fail(
            line,
            f"{value!r} is not one of {', '.join(known)}; use one of those",
            rule=rule,
            key=key,
        )

    def wildcard(
        self,
        pattern: str,
        line: int | None,
        key: str,
        rule: str | None,
        *,
        table: str | None = None,
        separator: str | None = None,
    ) -> Wildcard:
        try:
            return compile_wildcard(pattern, separator=separator)
        except UsageError as exc:  # WildcardError
            raise self.fail(
                line,
                f"bad pattern {pattern!r}: {exc}; fix or remove it",
                rule=rule,
                key=key,
                table=table,
            ) from None

    def glob(self, pattern: str, line: int | None, rule: str) -> Glob:
        try:
            return compile_glob(pattern, home=self.home)
        except (UsageError, ValueError, RecursionError) as exc:  # GlobError names the column
            raise self.fail(
                line, f"{exc}; fix the glob (see docs/policy-file.md)", rule=rule, key="path"
            ) from None

    def regex(self, pattern: str, line: int | None, key: str, rule: str) -> re.Pattern[str]:
        problem = regex_problem(pattern)
        if problem is not None:
            raise self.fail(line, f"regex {pattern!r}: {problem}", rule=rule, key=key)
        return re.compile(pattern)


# Top-level tables of crustcore.toml that belong to other components (the supervisor, the
# secrets vault, the log, the sidecars). The policy loader accepts them and leaves them to their
# owners; any other unknown top-level key is still an error.
OTHER_SECTIONS = ("kernel", "log", "secrets", "sidecars", "net", "mcp", "sandbox")


def load_home_policy(crustcore_home: Path, *, home: str | None = None) -> UserPolicy:
    """The policy part of ``crustcore.toml`` in CrustCore's home (defaults when absent)."""
    path = crustcore_home / "crustcore.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserPolicy.default()
    except (OSError, UnicodeDecodeError):
        return load_policy(path, home=home)  # raises the config error with the reason
    return parse_policy(text, source=str(path), home=home, foreign_sections=OTHER_SECTIONS)
