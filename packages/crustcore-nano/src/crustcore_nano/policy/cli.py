"""`crustcore check`, `crustcore hook claude-code` and `crustcore replay`: thin adapters around
`PolicyEngine` (they read, call the engine, print; every decision is the engine's).

* `crustcore check [--root DIR] [--policy FILE] [--json] [--text] [--batch]` reads one tool call
  as JSON on stdin (`{"tool": ..., "args": {...}, "origin"?: ..., "mcp_server"?: ...}`), or JSON
  Lines with `--batch`, and prints one decision JSON per call. Exit 0 when evaluated (whatever
  the decision), 2 on bad input or options, with the reason on stderr.
* `crustcore hook claude-code` answers Claude Code's PreToolUse hook (JSON on stdin, a
  `hookSpecificOutput` permission decision on stdout, exit 0). It fails closed: unreadable
  input or a broken policy file is answered with `deny` and the reason.
  `crustcore hook install|uninstall claude-code [--project DIR]` edits `.claude/settings.json`.
* `crustcore replay LOG --policy FILE [--baseline FILE] [--root DIR] [--json]` re-evaluates
  every recorded tool call and reports the calls whose decision would change.

`~` and `$HOME` mean the caller's `HOME`; CrustCore's home is `$CRUSTCORE_HOME` or
`~/.crustcore`; the default policy is `crustcore.toml` there (absent means the defaults).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, cast

from crustcore_nano.cliparse import StreamParser, parse_or_status
from crustcore_nano.dlp import redact as dlp_redact
from crustcore_nano.errors import CrustCoreError
from crustcore_nano.eventlog import EventLog, iter_records, verify_log
from crustcore_nano.policy.config import UserPolicy, load_home_policy, load_policy
from crustcore_nano.policy.engine import PolicyEngine
from crustcore_nano.policy.types import Decision, Origin, ToolCall

__all__ = [
    "HOOK_COMMAND",
    "HOOK_EVENTS",
    "check_main",
    "hook_main",
    "install_claude_hook",
    "read_tool_requests",
    "replay_main",
    "uninstall_claude_hook",
]

HOOK_COMMAND = "crustcore hook claude-code"
HOOK_EVENTS = ("PreToolUse", "PostToolUse")
MAX_INPUT_CHARS = 8 * 1024 * 1024
_POLICY_SECTIONS = ("version", "policy", "rules")
_ORIGINS = {o.value: o for o in Origin}


class InputError(CrustCoreError):
    """A tool call on stdin (or a log line) is not what the command expects."""


# --------------------------------------------------------------------------- shared set-up


@dataclass(frozen=True, slots=True)
class _Env:
    home: str
    crustcore_home: str
    environ: dict[str, str]


def _env(environ: Mapping[str, str] | None) -> _Env:
    env = dict(os.environ if environ is None else environ)
    home = env.get("HOME") or str(Path.home())
    cc = env.get("CRUSTCORE_HOME") or os.path.join(home, ".crustcore")
    if not os.path.isabs(cc):
        cc = os.path.abspath(cc)
    return _Env(os.path.abspath(home), cc, env)


def _load(policy: str | None, env: _Env) -> UserPolicy:
    """An explicit policy file, or `crustcore.toml` in CrustCore's home (other components'
    sections of that file are accepted and ignored here)."""
    if policy is not None:
        return load_policy(Path(policy), home=env.home)
    return load_home_policy(Path(env.crustcore_home), home=env.home)


def _engine(policy: UserPolicy, root: str, env: _Env, cwd: str | None = None) -> PolicyEngine:
    return PolicyEngine(
        policy,
        crustcore_home=env.crustcore_home,
        workspace=os.path.abspath(root),
        home=env.home,
        env=env.environ,
        cwd=cwd,
    )


def _read_all(stream: TextIO) -> str:
    text = stream.read(MAX_INPUT_CHARS + 1)
    if len(text) > MAX_INPUT_CHARS:
        raise InputError(f"input is larger than {MAX_INPUT_CHARS} characters")
    return text


def _object(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InputError(f"{what} must be a JSON object, got {type(value).__name__}")
    return cast("Mapping[str, object]", value)


def _opt_str(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f'"{key}" must be a string')
    return value


def tool_call_from_json(value: object, *, default_origin: Origin = Origin.API) -> ToolCall:
    """A `ToolCall` from `{"tool", "args", "origin"?, "session"?, "task"?, "mcp_server"?}`."""
    data = _object(value, "a tool call")
    known = {"tool", "args", "origin", "session", "task", "mcp_server"}
    extra = sorted(k for k in data if k not in known)
    if extra:
        raise InputError(f"unknown key(s) {', '.join(extra)}; a tool call has {sorted(known)}")
    tool = data.get("tool")
    if not isinstance(tool, str) or not tool.strip():
        raise InputError('"tool" must be a non-empty string')
    args = _object(data.get("args", {}), '"args"')
    origin = default_origin
    raw_origin = _opt_str(data, "origin")
    if raw_origin is not None:
        if raw_origin not in _ORIGINS:
            raise InputError(f'"origin" must be one of {", ".join(_ORIGINS)}')
        origin = _ORIGINS[raw_origin]
    return ToolCall(
        tool=tool,
        args=args,
        origin=origin,
        session=_opt_str(data, "session"),
        task=_opt_str(data, "task"),
        mcp_server=_opt_str(data, "mcp_server"),
    )


def _parse_json(text: str, what: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise InputError(f"{what}: JSON nested too deeply") from None
    except ValueError as exc:
        raise InputError(f"{what}: not valid JSON ({exc})") from None


def _dump(decision: Decision) -> str:
    return json.dumps(decision.to_json(), ensure_ascii=False, sort_keys=False)


# --------------------------------------------------------------------------- check


def check_main(
    argv: Sequence[str],
    *,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    environ: Mapping[str, str] | None = None,
) -> int:
    """`crustcore check`: exit 0 when evaluated, 2 on bad input or options."""
    parser = StreamParser(
        "crustcore check",
        "Decide a tool call (JSON on stdin) with the policy engine and print the decision.",
        stdout,
        stderr,
    )
    parser.add_argument("--root", help="the workspace directory (default: the current one)")
    parser.add_argument(
        "--policy", help="a policy file (default: crustcore.toml in CRUSTCORE_HOME)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON (the default)")
    parser.add_argument("--text", action="store_true", help="print one human-readable line")
    parser.add_argument("--batch", action="store_true", help="read JSON Lines, one call a line")
    opts = parse_or_status(parser, argv, stderr)
    if isinstance(opts, int):
        return opts
    env = _env(environ)
    try:
        engine = _engine(_load(opts.policy, env), opts.root or os.getcwd(), env)
    except (CrustCoreError, ValueError) as exc:
        stderr.write(f"crustcore check: {exc}\n")
        return 2
    text_mode = bool(opts.text) and not opts.json
    try:
        data = _read_all(stdin)
    except InputError as exc:
        stderr.write(f"crustcore check: {exc}\n")
        return 2
    if not opts.batch:
        try:
            call = tool_call_from_json(_parse_json(data, "stdin"))
        except InputError as exc:
            stderr.write(f"crustcore check: {exc}\n")
            return 2
        _print_decision(engine.evaluate(call), stdout, text_mode)
        return 0
    status = 0
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            call = tool_call_from_json(_parse_json(line, f"line {number}"))
        except InputError as exc:
            stderr.write(f"crustcore check: {exc}\n")
            stdout.write(json.dumps({"error": str(exc), "line": number}) + "\n")
            status = 2
            continue
        _print_decision(engine.evaluate(call), stdout, text_mode)
    return status


def _print_decision(decision: Decision, out: TextIO, text_mode: bool) -> None:
    if text_mode:
        out.write(f"{decision.verdict.value}\t{decision.rule}\t{decision.reason}\n")
    else:
        out.write(_dump(decision) + "\n")


# --------------------------------------------------------------------------- hook


def _hook_reply(decision: str, reason: str) -> str:
    return json.dumps(
        {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": decision,
                "permissionDecisionReason": reason,
            }
        },
        ensure_ascii=False,
    )


def hook_main(
    argv: Sequence[str],
    *,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    environ: Mapping[str, str] | None = None,
) -> int:
    """`crustcore hook claude-code` and `crustcore hook install|uninstall claude-code`."""
    args = list(argv)
    if args[:1] in (["install"], ["uninstall"]):
        return _hook_setup(args, stdout, stderr)
    parser = StreamParser(
        "crustcore hook",
        "Answer a coding agent's hook with a CrustCore decision (claude-code: PreToolUse).",
        stdout,
        stderr,
    )
    parser.add_argument("agent", choices=["claude-code"])
    parser.add_argument(
        "--policy", help="a policy file (default: crustcore.toml in CRUSTCORE_HOME)"
    )
    parser.add_argument(
        "--no-log",
        action="store_true",
        help="do not record the decision in CrustCore's event log",
    )
    parser.add_argument(
        "--no-allow",
        action="store_true",
        help="on allow, give no decision, so Claude Code's own permission prompts still apply",
    )
    opts = parse_or_status(parser, args, stderr)
    if isinstance(opts, int):
        return opts
    env = _env(environ)
    try:
        payload = _object(_parse_json(_read_all(stdin), "hook input"), "hook input")
        tool = payload.get("tool_name")
        if not isinstance(tool, str):
            raise InputError('hook input has no "tool_name" string')
        tool_input = _object(payload.get("tool_input", {}), '"tool_input"')
        event = payload.get("hook_event_name", "PreToolUse")
        if event not in HOOK_EVENTS:
            raise InputError(f"only PreToolUse and PostToolUse are handled, got {event!r}")
        cwd = _opt_str(payload, "cwd")
        session = _opt_str(payload, "session_id")
    except InputError as exc:
        stdout.write(_hook_reply("deny", f"CrustCore could not read the hook input: {exc}") + "\n")
        return 0
    root = env.environ.get("CLAUDE_PROJECT_DIR") or cwd or os.getcwd()
    if event == "PostToolUse":
        # The call ran: what it returned may put a credential in the agent's context. Only a
        # running kernel keeps sessions; without one there is nothing to remember it in.
        call = ToolCall(tool=tool, args=tool_input, origin=Origin.HOOK, session=session)
        _observe_via_kernel(env, call, _response_text(payload.get("tool_response")), root, stderr)
        stdout.write(json.dumps({"suppressOutput": True}) + "\n")
        return 0
    try:
        engine = _engine(_load(opts.policy, env), root, env, cwd if cwd else None)
    except (CrustCoreError, ValueError) as exc:
        reason = f"CrustCore policy could not be loaded ({exc}); fix it, then retry"
        stdout.write(_hook_reply("deny", reason) + "\n")
        return 0
    call = ToolCall(tool=tool, args=tool_input, origin=Origin.HOOK, session=session)
    decision = None if opts.policy or opts.no_log else _decide_via_kernel(env, call, root)
    if decision is None:
        decision = engine.evaluate(call)
        if not opts.no_log:
            _record_decision(env, call, decision, root, stderr)
    reason = f"CrustCore {decision.rule}: {decision.reason}"
    if decision.verdict.value == "allow" and opts.no_allow:
        stdout.write(json.dumps({"suppressOutput": True}) + "\n")
        return 0
    stdout.write(_hook_reply(decision.verdict.value, reason) + "\n")
    return 0


_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")


def _hook_session(raw: str | None) -> str | None:
    """The session id the kernel keeps for an agent's session id. An id the log cannot take
    as written (too long, odd characters) becomes a digest of itself: dropping it would turn
    the session flow rule off for that agent."""
    if not raw:
        return None
    if _SAFE_ID.fullmatch(raw):
        return raw
    data = raw.encode("utf-8", "surrogatepass")
    return "h-" + hashlib.blake2b(data, digest_size=16).hexdigest()


def _dlp_scrub(value: object, depth: int = 0) -> object:
    """A copy of a JSON value with every credential the DLP detector finds redacted."""
    if depth > 32:
        return "[too deep]"
    if isinstance(value, str):
        return dlp_redact(value)
    if isinstance(value, dict):
        items = cast("dict[object, object]", value).items()
        return {str(k): _dlp_scrub(v, depth + 1) for k, v in items}
    if isinstance(value, list):
        return [_dlp_scrub(v, depth + 1) for v in cast("list[object]", value)]
    return value


def _decide_via_kernel(env: _Env, call: ToolCall, workspace: str) -> Decision | None:
    """When a kernel runs for this home, it decides (and records, with its session flow state
    and its registered secrets). None when no kernel answers: the caller decides locally."""
    if not (Path(env.crustcore_home) / "run" / "kernel.sock").exists():
        return None
    from crustcore_nano.daemon.client import KernelClient  # the daemon is optional here

    session = _hook_session(call.session)
    try:
        with KernelClient(env.crustcore_home, timeout=10) as client:
            return client.check(call, session_id=session, workspace=workspace)
    except CrustCoreError:
        return None


_MAX_OBSERVED_CHARS = 512 * 1024  # with the call's arguments, within one kernel frame


def _response_text(value: object) -> str:
    """A tool's response as the text scanned for credentials (its head, when very large)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text[:_MAX_OBSERVED_CHARS]


def _observe_via_kernel(
    env: _Env, call: ToolCall, result: str, workspace: str, stderr: TextIO
) -> None:
    session = _hook_session(call.session)
    if session is None or not (Path(env.crustcore_home) / "run" / "kernel.sock").exists():
        return
    from crustcore_nano.daemon.client import KernelClient  # the daemon is optional here

    try:
        with KernelClient(env.crustcore_home, timeout=10) as client:
            client.observe(session, call, result, workspace=workspace)
    except CrustCoreError as exc:
        stderr.write(f"crustcore hook: the tool result was not reported to the kernel: {exc}\n")


def _record_decision(
    env: _Env, call: ToolCall, decision: Decision, workspace: str, stderr: TextIO
) -> None:
    """Append the decision to the event log in CrustCore's home (the same log the kernel keeps).
    A log that cannot be opened (a running kernel holds it) is reported, not fatal: the agent
    still gets the decision."""
    args = _dlp_scrub(dict(call.args))
    encoded = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    payload: dict[str, object] = {
        "tool": call.tool,
        "origin": call.origin.value,
        "rule": decision.rule,
        "reason": dlp_redact(decision.reason),
        "workspace": workspace,
    }
    if len(encoded) <= 16 * 1024:
        payload["args"] = args
    else:
        payload["args_sha256"] = hashlib.sha256(encoded.encode()).hexdigest()
    session = _hook_session(call.session)
    if call.session and session != call.session:
        payload["session"] = call.session[:128]
    try:
        with EventLog.open(Path(env.crustcore_home)) as log:
            log.append(
                f"decision.{decision.verdict.value}",
                actor="model",
                ts_ms=time.time_ns() // 1_000_000,
                payload=payload,
                session_id=session,
            )
    except (CrustCoreError, OSError) as exc:
        stderr.write(f"crustcore hook: the decision was not recorded: {exc}\n")


def _hook_setup(args: list[str], stdout: TextIO, stderr: TextIO) -> int:
    parser = StreamParser(
        f"crustcore hook {args[0]}",
        "Add (or remove) CrustCore's PreToolUse hook in a project's .claude/settings.json.",
        stdout,
        stderr,
    )
    parser.add_argument("action", choices=["install", "uninstall"])
    parser.add_argument("agent", choices=["claude-code"])
    parser.add_argument("--project", default=".", help="the project directory (default: .)")
    opts = parse_or_status(parser, args, stderr)
    if isinstance(opts, int):
        return opts
    settings = Path(opts.project) / ".claude" / "settings.json"
    try:
        if opts.action == "install":
            changed = install_claude_hook(settings)
            stdout.write(
                f"{'installed' if changed else 'already installed'}: {HOOK_COMMAND} in {settings}\n"
            )
        else:
            changed = uninstall_claude_hook(settings)
            stdout.write(f"{'removed' if changed else 'not installed'}: {settings}\n")
    except (CrustCoreError, OSError) as exc:
        stderr.write(f"crustcore hook {opts.action}: {exc}\n")
        return 2
    return 0


def _read_settings(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    value = _parse_json(text, str(path))
    if not isinstance(value, dict):
        raise InputError(f"{path} does not hold a JSON object; fix it by hand first")
    return cast("dict[str, object]", value)


def _write_settings(path: Path, data: Mapping[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        backup = path.with_name(path.name + ".crustcore-backup")
        backup.write_bytes(path.read_bytes())
    tmp = path.with_name(path.name + ".crustcore-tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _is_ours(hook: object) -> bool:
    return isinstance(hook, dict) and cast("dict[str, object]", hook).get("command") == HOOK_COMMAND


def _event_entries(data: dict[str, object], event: str, path: Path) -> list[object]:
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise InputError(f'{path}: "hooks" is not an object; fix it by hand first')
    hooks_map = cast("dict[str, object]", hooks)
    entries = hooks_map.setdefault(event, [])
    if not isinstance(entries, list):
        raise InputError(f'{path}: "hooks.{event}" is not a list; fix it by hand first')
    return cast("list[object]", entries)


def install_claude_hook(settings: Path) -> bool:
    """Add the PreToolUse hook (decisions) and the PostToolUse hook (results, for the session
    flow rule), matcher `*`, to a Claude Code settings file, keeping every other setting and
    a backup of the previous file. Returns False when both are already present."""
    data = _read_settings(settings)
    changed = False
    for event in HOOK_EVENTS:
        entries = _event_entries(data, event, settings)
        if not any(_holds_ours(entry) for entry in entries):
            hook = {"type": "command", "command": HOOK_COMMAND}
            entries.append({"matcher": "*", "hooks": [hook]})
            changed = True
    if changed:
        _write_settings(settings, data)
    return changed


def _holds_ours(entry: object) -> bool:
    if not isinstance(entry, dict):
        return False
    inner = cast("dict[str, object]", entry).get("hooks")
    return isinstance(inner, list) and any(_is_ours(h) for h in cast("list[object]", inner))


def uninstall_claude_hook(settings: Path) -> bool:
    """Remove only CrustCore's hook entries (and matcher groups they leave empty)."""
    if not settings.exists():
        return False
    data = _read_settings(settings)
    hooks = data.get("hooks")
    if not isinstance(hooks, dict):
        return False
    hooks_map = cast("dict[str, object]", hooks)
    changed = False
    for event in HOOK_EVENTS:
        changed = _drop_ours(hooks_map, event) or changed
    if not changed:
        return False
    if not hooks_map:
        del data["hooks"]
    _write_settings(settings, data)
    return True


def _drop_ours(hooks_map: dict[str, object], event: str) -> bool:
    entries = hooks_map.get(event)
    if not isinstance(entries, list):
        return False
    changed = False
    kept: list[object] = []
    for entry in cast("list[object]", entries):
        if isinstance(entry, dict):
            group = cast("dict[str, object]", entry)
            inner = group.get("hooks")
            if isinstance(inner, list):
                inner_list = cast("list[object]", inner)
                remaining = [h for h in inner_list if not _is_ours(h)]
                if len(remaining) != len(inner_list):
                    changed = True
                    if not remaining:
                        continue
                    group = {**group, "hooks": remaining}
            kept.append(group)
        else:
            kept.append(entry)
    if changed:
        if kept:
            hooks_map[event] = kept
        else:
            del hooks_map[event]
    return changed


# --------------------------------------------------------------------------- replay


@dataclass(frozen=True, slots=True)
class RecordedCall:
    line: int
    call: ToolCall


def read_logged_calls(path: Path) -> list[RecordedCall | InputError]:
    """The tool calls recorded in a CrustCore event log (a home, a log directory or a segment):
    every ``decision.*`` and ``tool.requested`` record with ``tool`` and ``args``, from the
    verified prefix only (where verification stops is reported). A plain JSON Lines file that is
    not an event log is read tolerantly with :func:`read_tool_requests`."""
    report = verify_log(path)
    if report.records == 0 and path.is_file():
        with path.open(encoding="utf-8", errors="replace") as handle:
            return list(read_tool_requests(iter(handle)))
    out: list[RecordedCall | InputError] = []
    try:
        for record in iter_records(path):
            if not (record.kind.startswith("decision.") or record.kind == "tool.requested"):
                continue
            pay = record.payload
            if "tool" not in pay or "args" not in pay:
                continue  # e.g. arguments too large to log: recorded by digest only
            subset = {k: pay[k] for k in ("tool", "args", "origin", "mcp_server") if k in pay}
            try:
                out.append(RecordedCall(record.seq, tool_call_from_json(subset)))
            except InputError as exc:
                out.append(InputError(f"record {record.seq}: {exc}"))
    except CrustCoreError as exc:
        out.append(InputError(f"the log stops verifying here, later records ignored: {exc}"))
    return out


def read_tool_requests(lines: Iterator[str]) -> Iterator[RecordedCall | InputError]:
    """The recorded tool calls of an event log: every JSON line whose `kind` is
    `tool.requested` and whose `payload` has `tool` and `args`. Tolerant on purpose (the log
    format is evolving): other records are skipped; unreadable lines are reported, not fatal.
    The only place that knows the log's shape."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            yield InputError(f"line {number}: not JSON")
            continue
        if not isinstance(record, dict):
            continue
        rec = cast("dict[str, object]", record)
        if rec.get("kind") != "tool.requested":
            continue
        payload = rec.get("payload")
        if not isinstance(payload, dict):
            yield InputError(f"line {number}: tool.requested without a payload object")
            continue
        pay = cast("dict[str, object]", payload)
        if "tool" not in pay or "args" not in pay:
            yield InputError(f"line {number}: tool.requested without tool and args")
            continue
        subset = {k: pay[k] for k in ("tool", "args", "origin", "mcp_server") if k in pay}
        try:
            yield RecordedCall(number, tool_call_from_json(subset))
        except InputError as exc:
            yield InputError(f"line {number}: {exc}")


def replay_main(
    argv: Sequence[str],
    *,
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    environ: Mapping[str, str] | None = None,
) -> int:
    """`crustcore replay LOG --policy FILE`: exit 0 when replayed, 2 on errors."""
    del stdin
    parser = StreamParser(
        "crustcore replay",
        "Re-evaluate every recorded tool call under another policy and report what changes.",
        stdout,
        stderr,
    )
    parser.add_argument("log", help="an event log (JSON Lines)")
    parser.add_argument("--policy", required=True, help="the policy to try")
    parser.add_argument("--baseline", help="compare against this policy (default: the current)")
    parser.add_argument("--root", help="the workspace directory (default: the current one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    opts = parse_or_status(parser, argv, stderr)
    if isinstance(opts, int):
        return opts
    env = _env(environ)
    root = opts.root or os.getcwd()
    try:
        before = _engine(_load(opts.baseline, env), root, env)
        after = _engine(_load(opts.policy, env), root, env)
        records = read_logged_calls(Path(opts.log))
    except (CrustCoreError, ValueError, OSError) as exc:
        stderr.write(f"crustcore replay: {exc}\n")
        return 2
    report = _replay(records, before, after)
    if opts.json:
        stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        _print_replay(report, stdout)
    return 0


def _replay(
    records: list[RecordedCall | InputError], before: PolicyEngine, after: PolicyEngine
) -> dict[str, object]:
    blocked: list[dict[str, object]] = []
    allowed: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    errors: list[str] = []
    total = 0
    for item in records:
        if isinstance(item, InputError):
            errors.append(str(item))
            continue
        total += 1
        old = before.evaluate(item.call)
        new = after.evaluate(item.call)
        if old.verdict is new.verdict:
            continue
        entry: dict[str, object] = {
            "line": item.line,
            "tool": item.call.tool,
            "before": old.to_json(),
            "after": new.to_json(),
        }
        if old.verdict.value == "allow":
            blocked.append(entry)
        elif new.verdict.value == "allow":
            allowed.append(entry)
        else:
            changed.append(entry)
    return {
        "calls": total,
        "newly_blocked": blocked,
        "newly_allowed": allowed,
        "changed": changed,
        "unreadable": errors,
    }


def _print_replay(report: Mapping[str, object], out: TextIO) -> None:
    def items(key: str) -> list[dict[str, object]]:
        return cast("list[dict[str, object]]", report[key])

    out.write(
        f"{report['calls']} recorded calls: {len(items('newly_blocked'))} newly blocked, "
        f"{len(items('newly_allowed'))} newly allowed, {len(items('changed'))} changed\n"
    )
    for key, label in (
        ("newly_blocked", "newly blocked"),
        ("newly_allowed", "newly allowed"),
        ("changed", "changed"),
    ):
        for entry in items(key):
            before = cast("dict[str, object]", entry["before"])
            after = cast("dict[str, object]", entry["after"])
            out.write(
                f"  {label}: line {entry['line']} {entry['tool']}: {before['decision']} -> "
                f"{after['decision']} ({after['rule']})\n"
            )
    unreadable = cast("list[str]", report["unreadable"])
    for error in unreadable:
        out.write(f"  skipped: {error}\n")
