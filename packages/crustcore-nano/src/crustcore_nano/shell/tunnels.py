"""Public tunnels: commands that expose a port of this machine to other hosts.

A reverse tunnel (`ssh -R`, `-o RemoteForward=...`) or a tunnel service client (`ngrok`,
`cloudflared tunnel`, `bore local`, `lt`, ...) lets anyone who reaches the far end connect *into*
this machine: to its SSH server, a debug port or a development server running with the user's
credentials. That is the same exposure as a reverse shell, so the analyser reports it with
`ShellSignal.REVERSE_SHELL` and the locked `builtin:reverse-shell` rule denies it. Local
forwarding (`ssh -L`, `-D`) only reaches out from this machine and is not reported here.

Every check here is a set lookup or a prefix test on arguments already split by the command
table; nothing scans the whole line.
"""

from __future__ import annotations

from crustcore_nano.shell.expand import Field

__all__ = ["TUNNEL_PROGRAMS", "exposes_port", "remote_forward_option", "tunnel_reason"]

# Subcommands that only manage the tool itself (configure, update, print help): no tunnel opens.
_HARMLESS = frozenset(
    {
        "version", "--version", "-v", "-V", "help", "--help", "-h", "update", "completion",
        "config", "login", "logout", "diagnose", "credits", "status", "list", "ls", "info",
    }
)  # fmt: skip

TUNNEL_PROGRAMS = frozenset(
    {
        "ngrok", "cloudflared", "bore", "lt", "localtunnel", "tailscale", "frpc", "chisel",
        "zrok", "pagekite", "pagekite.py", "loophole", "tmole", "devtunnel", "expose",
        "localxpose", "loclx", "telebit", "inlets", "sish",
    }
)  # fmt: skip
"""Programs whose purpose is to publish a local port (a few only with some subcommands)."""

# For these the tunnel opens only under one subcommand (the tool does other things too).
_NEEDS_SUBCOMMAND: dict[str, frozenset[str]] = {
    "cloudflared": frozenset({"tunnel"}),
    "bore": frozenset({"local"}),
    "tailscale": frozenset({"funnel"}),
    "chisel": frozenset({"client"}),
    "zrok": frozenset({"share", "reserve"}),
    "devtunnel": frozenset({"host"}),
    "expose": frozenset({"share", "serve"}),
    "inlets": frozenset({"client"}),
}


def _subcommand(args: list[Field]) -> str:
    for f in args:
        if not f.text.startswith("-"):
            return f.text.lower()
    return ""


def tunnel_reason(name: str, args: list[Field]) -> str | None:
    """Why `name args...` publishes a local port, or None when it does not (or may not)."""
    lowered = name.lower()
    if lowered not in TUNNEL_PROGRAMS:
        return None
    words = {f.text.lower() for f in args if f.exact}
    sub = _subcommand(args)
    if not args or sub in _HARMLESS or (not sub and words <= _HARMLESS):
        return None
    needed = _NEEDS_SUBCOMMAND.get(lowered)
    if needed is not None and sub not in needed:
        return None
    if lowered == "chisel" and not any(f.text.upper().startswith("R:") for f in args):
        return None  # a chisel client without `R:` remotes only forwards outwards
    return f"{name} {sub or args[0].text} publishes a local port through a tunnel service"


def remote_forward_option(option: str) -> bool:
    """Whether an ssh `-o Key=value` option sets up remote (reverse) port forwarding."""
    cut = min((i for i in (option.find("="), option.find(" ")) if i >= 0), default=len(option))
    return option[:cut].strip().lower() == "remoteforward"


def exposes_port(reverse_specs: list[Field], options: list[Field]) -> str | None:
    """Why an ssh invocation with these `-R` values and `-o` options exposes a local port."""
    if reverse_specs:
        return f"ssh -R {reverse_specs[0].text} forwards a port of the remote host back here"
    for option in options:
        if remote_forward_option(option.text):
            return f"ssh -o {option.text} forwards a port of the remote host back here"
    return None
