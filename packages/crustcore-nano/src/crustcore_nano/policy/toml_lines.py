"""Line numbers for TOML tables and keys, which `tomllib` does not report.

Error messages must name the line of the offending `[[rules]]` entry or key. `scan_lines` makes
one linear pass over the text, tracking strings (basic, literal and their multi-line forms),
comments and bracket depth, and records every table header and every key that starts a line
at the top level of its table. It never raises: for text `tomllib` accepted it finds the right
lines; for anything else it may find fewer, and callers fall back to the nearest known line.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TomlLines", "scan_lines"]


@dataclass(frozen=True, slots=True)
class _Header:
    line: int
    name: tuple[str, ...]
    array: bool


@dataclass(frozen=True, slots=True)
class _Key:
    line: int
    header: int  # index into TomlLines.headers, -1 for the root table
    name: tuple[str, ...]  # a dotted key, split


@dataclass(frozen=True, slots=True)
class TomlLines:
    headers: tuple[_Header, ...]
    keys: tuple[_Key, ...]

    def _scope(self, table: tuple[str, ...], occurrence: int) -> tuple[int, int, int] | None:
        """(header index, first header index after the scope, header line) of the n-th header
        named `table`; sub-tables that follow it belong to the scope."""
        seen = 0
        for index, header in enumerate(self.headers):
            if header.name == table:
                if seen == occurrence:
                    end = index + 1
                    while end < len(self.headers) and self.headers[end].name[: len(table)] == (
                        table
                    ):
                        if self.headers[end].name == table:
                            break
                        end += 1
                    return index, end, header.line
                seen += 1
        return None

    def table_line(self, table: tuple[str, ...], occurrence: int = 0) -> int | None:
        """The line of the n-th `[table]` / `[[table]]` header, else of the root key that
        holds the table inline (`policy = {...}`), else None."""
        scope = self._scope(table, occurrence)
        if scope is not None:
            return scope[2]
        return self._root_key(table[0]) if table else None

    def key_line(self, table: tuple[str, ...], occurrence: int, key: str) -> int | None:
        """The line of `key` inside the n-th `[table]` (a dotted key or a sub-table header
        starting with `key` counts), else the table's line, else None."""
        if not table:
            return self._root_key(key)
        scope = self._scope(table, occurrence)
        if scope is None:
            return self._root_key(table[0])
        first, end, line = scope
        for k in self.keys:
            if k.header == first and k.name[:1] == (key,):
                return k.line
        for index in range(first + 1, end):
            if self.headers[index].name[: len(table) + 1] == (*table, key):
                return self.headers[index].line
        return line

    def _root_key(self, key: str) -> int | None:
        for k in self.keys:
            if k.header == -1 and k.name[:1] == (key,):
                return k.line
        for header in self.headers:
            if header.name[:1] == (key,):
                return header.line
        return None


def _split_dotted(text: str) -> tuple[str, ...]:
    """Split `a."b.c".d` into parts, unquoting; tolerant of junk."""
    parts: list[str] = []
    cur: list[str] = []
    quote = ""
    for ch in text:
        if quote:
            if ch == quote:
                quote = ""
            else:
                cur.append(ch)
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return tuple(parts)


def _key_text(line: str) -> str | None:
    """The key at the start of a `key = value` line, or None."""
    quote = ""
    for index, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "=":
            return line[:index].strip() or None
        elif not (ch.isalnum() or ch in "_-. \t"):
            return None
    return None


def scan_lines(text: str) -> TomlLines:
    headers: list[_Header] = []
    keys: list[_Key] = []
    state = ""  # "", '"', "'", '"""', "'''"
    depth = 0
    for lineno, line in enumerate(text.split("\n"), start=1):
        i = 0
        if not state and depth == 0:
            stripped = line.strip()
            if stripped.startswith("["):
                array = stripped.startswith("[[")
                close = stripped.find("]]" if array else "]")
                inner = stripped[2 if array else 1 : close if close > 0 else len(stripped)]
                headers.append(_Header(lineno, _split_dotted(inner), array))
                continue
            key = _key_text(line)
            if key is not None:
                keys.append(_Key(lineno, len(headers) - 1, _split_dotted(key)))
                i = line.find("=") + 1
        while i < len(line):
            ch = line[i]
            if state in ('"""', "'''"):
                if line.startswith(state, i):
                    state = ""
                    i += 3
                    continue
                i += 2 if (ch == "\\" and state == '"""') else 1
                continue
            if state == '"':
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    state = ""
                i += 1
                continue
            if state == "'":
                if ch == "'":
                    state = ""
                i += 1
                continue
            if ch == "#":
                break
            if line.startswith('"""', i) or line.startswith("'''", i):
                state = line[i : i + 3]
                i += 3
                continue
            if ch in "\"'":
                state = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth = max(0, depth - 1)
            i += 1
        if state in ('"', "'"):  # a single-line string cannot span lines; recover
            state = ""
    return TomlLines(tuple(headers), tuple(keys))
