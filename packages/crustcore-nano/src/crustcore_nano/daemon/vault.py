"""The encrypted secrets vault: ``$CRUSTCORE_HOME/vault``.

One file holds every secret the user added with ``crustcore secrets add``: their values and, per
secret, the hosts and header the net sidecar may inject it into. The file is AES-256-GCM encrypted
under a key stretched from a passphrase with scrypt. The fixed header (magic, format version, KDF
parameters, salt, nonce) is authenticated as associated data, so an edit anywhere in the file,
a truncation, or a wrong passphrase all end in the same refusal and no partial data is returned.

Layout (all integers unsigned, big-endian)::

    magic   8 bytes  b"CCVAULT\\x00"
    version 1 byte   1
    kdf     1 byte   1 = scrypt
    log2_n  1 byte   scrypt cost N = 2**log2_n (15 when written)
    r       1 byte   8
    p       1 byte   1
    salt    16 bytes random per vault, kept across saves
    nonce   12 bytes random per save
    body    AES-256-GCM(key, nonce, plaintext JSON, aad = everything above) incl. 16-byte tag

The KDF parameters are bounded before any work is done, so a doctored header cannot make the
reader spend gigabytes of memory. ``cryptography`` is imported only inside this module's functions
(the ``crustcore-nano[crypto]`` extra); ``crustcore_nano`` stays importable without it.

Passphrases come from a file descriptor (``--passphrase-fd``, for automation), the OS keyring
(``secret-tool`` on Linux, when installed) or the terminal. An environment variable is deliberately
not read: every process the kernel or a sidecar starts would inherit it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import struct
import subprocess
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from crustcore_nano.errors import SecretError, UsageError

MAGIC = b"CCVAULT\x00"
FORMAT_VERSION = 1
KDF_SCRYPT = 1
LOG2_N = 15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
_HEAD = struct.Struct(">8sBBBBB16s12s")
HEADER_BYTES = _HEAD.size
MAX_VAULT_BYTES = 8 * 1024 * 1024
MAX_SECRETS = 4096
MAX_VALUE_BYTES = 64 * 1024
MAX_PASSPHRASE_BYTES = 4096
_MAX_LOG2_N = 20
_MIN_LOG2_N = 14
_INSTALL_HINT = "install the extra: pip install 'crustcore-nano[crypto]'"
KEYRING_SERVICE = "crustcore-vault"


class VaultError(SecretError):
    """The vault cannot be read or written; the message says why and what to do."""


class _Aead(Protocol):
    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...
    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


def crypto_available() -> bool:
    """Whether the ``cryptography`` extra is importable (doctor reports it)."""
    import importlib.util

    return importlib.util.find_spec("cryptography") is not None


def _aead(key: bytes) -> _Aead:
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise VaultError(
            f"the secrets vault needs the 'cryptography' package; {_INSTALL_HINT}"
        ) from None
    return cast(_Aead, AESGCM(key))


@dataclass(frozen=True, slots=True)
class VaultHeader:
    """The authenticated, unencrypted prefix of a vault file."""

    version: int
    kdf: int
    log2_n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes

    def pack(self) -> bytes:
        return _HEAD.pack(
            MAGIC, self.version, self.kdf, self.log2_n, self.r, self.p, self.salt, self.nonce
        )

    @classmethod
    def parse(cls, data: bytes, *, source: str) -> VaultHeader:
        """Parse and bound the header; raises VaultError for anything not written by us."""
        if len(data) < HEADER_BYTES + TAG_BYTES:
            raise VaultError(f"{source}: too short to be a vault (truncated?); nothing was read")
        magic, version, kdf, log2_n, r, p, salt, nonce = _HEAD.unpack_from(data)
        if magic != MAGIC:
            raise VaultError(f"{source}: not a CrustCore vault (bad magic); nothing was read")
        if version != FORMAT_VERSION:
            raise VaultError(
                f"{source}: vault format version {version} is not supported (this build reads "
                f"version {FORMAT_VERSION}); upgrade crustcore-nano"
            )
        if kdf != KDF_SCRYPT or not (
            _MIN_LOG2_N <= log2_n <= _MAX_LOG2_N and 1 <= r <= 32 and 1 <= p <= 4
        ):
            raise VaultError(
                f"{source}: vault key-derivation parameters are out of range (the header was "
                "modified); nothing was read"
            )
        return cls(version, kdf, log2_n, r, p, salt, nonce)


def derive_key(passphrase: bytes, header: VaultHeader) -> bytes:
    """scrypt(passphrase, salt, N, r, p) -> 32-byte AES key. Costs ~0.1 s and 32 MiB at N=2**15."""
    n = 1 << header.log2_n
    return hashlib.scrypt(
        passphrase,
        salt=header.salt,
        n=n,
        r=header.r,
        p=header.p,
        maxmem=256 * header.r * (n + header.p + 2),
        dklen=32,
    )


@dataclass(frozen=True, slots=True)
class VaultEntry:
    """One stored secret: its value and where the net sidecar may send it."""

    name: str
    value: str
    hosts: tuple[str, ...] = ()
    header: str = "Authorization"

    def __repr__(self) -> str:
        return f"VaultEntry({self.name!r}, <redacted>, hosts={self.hosts!r})"

    def to_json(self) -> dict[str, object]:
        return {"value": self.value, "hosts": list(self.hosts), "header": self.header}


def check_name(name: str) -> str:
    """Secret names are the public labels of ``secret://NAME`` handles (the broker's rules)."""
    from crustcore_nano.secrets.material import check_label

    try:
        return check_label(name)
    except SecretError as exc:
        raise UsageError(f"invalid secret name {name[:80]!r}: {exc}") from None


def encode_plaintext(entries: Mapping[str, VaultEntry]) -> bytes:
    doc = {"v": 1, "secrets": {n: e.to_json() for n, e in sorted(entries.items())}}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")


def decode_plaintext(data: bytes, *, source: str) -> dict[str, VaultEntry]:
    """Decode authenticated plaintext. Still strict: a bug or an old writer must not half-load."""
    bad = VaultError(f"{source}: the decrypted vault is malformed; nothing was read")
    try:
        doc: object = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad from None
    if not isinstance(doc, dict):
        raise bad
    doc_map = cast("dict[str, object]", doc)
    raw = doc_map.get("secrets")
    if doc_map.get("v") != 1 or not isinstance(raw, dict):
        raise bad
    table = cast("dict[str, object]", raw)
    if len(table) > MAX_SECRETS:
        raise bad
    out: dict[str, VaultEntry] = {}
    for name, item in table.items():
        if not isinstance(item, dict):
            raise bad
        fields = cast("dict[str, object]", item)
        value, hosts, header = fields.get("value"), fields.get("hosts"), fields.get("header")
        if not isinstance(value, str) or not isinstance(header, str) or not isinstance(hosts, list):
            raise bad
        host_list = cast("list[object]", hosts)
        if not all(isinstance(h, str) for h in host_list):
            raise bad
        try:
            check_name(name)
        except UsageError:
            raise bad from None
        out[name] = VaultEntry(name, value, tuple(cast("list[str]", host_list)), header)
    return out


def seal(entries: Mapping[str, VaultEntry], passphrase: bytes, *, salt: bytes | None) -> bytes:
    """Encrypt ``entries`` into vault-file bytes (new nonce every time; salt kept if given)."""
    header = VaultHeader(
        FORMAT_VERSION,
        KDF_SCRYPT,
        LOG2_N,
        SCRYPT_R,
        SCRYPT_P,
        salt if salt is not None else os.urandom(SALT_BYTES),
        os.urandom(NONCE_BYTES),
    )
    aad = header.pack()
    body = _aead(derive_key(passphrase, header)).encrypt(
        header.nonce, encode_plaintext(entries), aad
    )
    return aad + body


def unseal(
    data: bytes, passphrase: bytes, *, source: str
) -> tuple[VaultHeader, dict[str, VaultEntry]]:
    """Decrypt vault-file bytes. Any modification, truncation or wrong passphrase -> VaultError."""
    if len(data) > MAX_VAULT_BYTES:
        raise VaultError(f"{source}: larger than {MAX_VAULT_BYTES} bytes; not a vault we wrote")
    header = VaultHeader.parse(data, source=source)
    aead = _aead(derive_key(passphrase, header))
    try:
        plain = aead.decrypt(header.nonce, data[HEADER_BYTES:], data[:HEADER_BYTES])
    except Exception:  # cryptography's InvalidTag is a plain Exception subclass
        raise VaultError(
            f"{source}: the vault does not decrypt: wrong passphrase, or the file was modified "
            "or truncated; nothing was read"
        ) from None
    return header, decode_plaintext(plain, source=source)


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same directory (0600) + fsync + rename + directory fsync."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class Vault:
    """The vault file of one home. Every mutation re-reads, edits and rewrites under a lock."""

    def __init__(self, path: Path, passphrase: bytes) -> None:
        if not passphrase:
            raise VaultError("the vault passphrase is empty; choose a non-empty passphrase")
        self.path = path
        self._passphrase = passphrase

    def __repr__(self) -> str:
        return f"Vault({str(self.path)!r})"

    @classmethod
    def for_home(cls, home: Path, passphrase: bytes) -> Vault:
        return cls(home / "vault", passphrase)

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @contextlib.contextmanager
    def _locked(self) -> Generator[None]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path.with_name("vault.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read(self) -> tuple[bytes | None, dict[str, VaultEntry]]:
        try:
            with open(self.path, "rb") as f:
                data = f.read(MAX_VAULT_BYTES + 1)
        except FileNotFoundError:
            return None, {}
        except OSError as exc:
            raise VaultError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        header, entries = unseal(data, self._passphrase, source=str(self.path))
        return header.salt, entries

    def load(self) -> dict[str, VaultEntry]:
        """Every entry (an absent vault is empty)."""
        with self._locked():
            return self._read()[1]

    def put(self, entry: VaultEntry) -> None:
        """Add or replace one secret."""
        check_name(entry.name)
        if not entry.value:
            raise UsageError(f"the value for secret '{entry.name}' is empty; nothing was stored")
        if len(entry.value.encode("utf-8")) > MAX_VALUE_BYTES:
            raise UsageError(f"the value for secret '{entry.name}' is over {MAX_VALUE_BYTES} bytes")
        with self._locked():
            salt, entries = self._read()
            entries[entry.name] = entry
            if len(entries) > MAX_SECRETS:
                raise VaultError(f"the vault holds at most {MAX_SECRETS} secrets")
            write_atomic(self.path, seal(entries, self._passphrase, salt=salt))

    def remove(self, name: str) -> bool:
        """Remove one secret; False when it was not there (the file is then left untouched)."""
        with self._locked():
            salt, entries = self._read()
            if entries.pop(name, None) is None:
                return False
            write_atomic(self.path, seal(entries, self._passphrase, salt=salt))
            return True


# --------------------------------------------------------------------------- passphrases


def read_passphrase_fd(fd: int) -> bytes:
    """Read a passphrase from an inherited descriptor (to EOF; one trailing newline dropped)."""
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_PASSPHRASE_BYTES:
                raise VaultError(f"the passphrase on fd {fd} is over {MAX_PASSPHRASE_BYTES} bytes")
            chunks.append(chunk)
    except OSError as exc:
        raise UsageError(
            f"cannot read the passphrase from fd {fd}: {exc.strerror or exc}"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    data = b"".join(chunks)
    if data.endswith(b"\n"):
        data = data[:-1]
        if data.endswith(b"\r"):
            data = data[:-1]
    if not data:
        raise VaultError(f"the passphrase read from fd {fd} is empty")
    return data


def keyring_lookup(home: Path) -> bytes | None:
    """The passphrase stored in the OS keyring for this home, if a keyring tool is available.

    Linux: ``secret-tool lookup service crustcore-vault home HOME``. Anything going wrong
    (no tool, no session bus, no entry) is a quiet None: the caller falls back to the terminal.
    """
    tool = shutil.which("secret-tool")
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [tool, "lookup", "service", KEYRING_SERVICE, "home", str(home)],
            capture_output=True,
            timeout=5,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or not done.stdout:
        return None
    return done.stdout.rstrip(b"\n")


def prompt_passphrase(*, confirm: bool) -> bytes:
    """Ask on the controlling terminal, without echo (twice for a new vault)."""
    import getpass

    try:
        with open("/dev/tty", "rb"):
            pass
    except OSError:
        raise UsageError(
            "the vault passphrase is needed but there is no terminal to ask on; pass it with "
            "--passphrase-fd N (a descriptor opened by the caller) or store it in the keyring"
        ) from None
    first = getpass.getpass("vault passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise UsageError("the two passphrases differ; nothing was changed")
    if not first:
        raise UsageError("the vault passphrase is empty; nothing was changed")
    return first.encode("utf-8")


def obtain_passphrase(home: Path, *, passphrase_fd: int | None, creating: bool) -> bytes:
    """--passphrase-fd, else the keyring, else the terminal."""
    if passphrase_fd is not None:
        return read_passphrase_fd(passphrase_fd)
    stored = keyring_lookup(home)
    if stored:
        return stored
    return prompt_passphrase(confirm=creating)
