"""The kernel daemon's socket server: one asyncio loop, one kernel, many clients.

Why asyncio (the ``Protocol`` API under ``loop.create_unix_server``) rather than threads: every
kernel call is short, synchronous and serialized by the kernel's lock anyway, so threads would
add context switches and GIL contention without any parallelism. One loop running the calls
inline keeps per-request cost low, and the only op that waits for long (``approval.wait``)
becomes a suspended task that holds back its own connection and nobody else's.

Per connection: a bounded frame decoder; requests answered strictly in order (a queue, drained
one at a time); a write buffer high-water mark (a peer that stops reading is paused, then closed
after ``write_timeout_s``); a read timeout for a frame left half-sent; a cap on queued requests.
Peers are checked with ``SO_PEERCRED`` before anything is read.

Hot path, measured (``benchmarks/daemon_roundtrip.py``): a connection reads into one buffer of its
own (``asyncio.BufferedProtocol``), because the plain ``Protocol`` makes asyncio allocate a fresh
256 KiB ``bytes`` for every read: about 15 us of system time per read on the 2-core benchmark
machine, as much as the rest of the daemon's own work on a request. Every complete frame of one
read is answered inline in that callback and the answers leave in one ``transport.write``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
import stat
import struct
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from crustcore_nano.errors import CrustCoreError
from crustcore_nano.ids import ApprovalId

from .frames import DEFAULT_MAX_FRAME, FrameDecoder, FrameError, FrameFault, encode_frame
from .protocol import (
    CLOSING_CODES,
    ErrorCode,
    ProtocolError,
    error_reply,
    ok_reply,
    parse_request,
)
from .roles import Role, TokenStore, new_token, write_admin_token
from .service import KernelService, ServiceError

SOCKET_NAME = "kernel.sock"
PID_NAME = "kernel.pid"
_CRED = struct.Struct("3i")
# Bytes one read may bring in; a larger frame simply takes several reads.
READ_CHUNK = 16 * 1024
# Answers of one read are joined into one write up to this size; past it they are written at
# once, so the write buffer's high-water mark still stops a pipelining peer in time.
_OUT_BATCH = 64 * 1024
# Approval events kept for waiters before the ones of ended approvals are dropped.
_PRUNE_WAITERS_AT = 256


class DaemonError(CrustCoreError):
    """The daemon cannot start or run (another kernel serves the home, unsafe directory, ...)."""


@dataclass(frozen=True, slots=True)
class ServerConfig:
    max_frame: int = DEFAULT_MAX_FRAME
    write_high_water: int = 4 * 1024 * 1024
    write_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_queued: int = 256
    max_connections: int = 1024
    backlog: int = 512
    # A peer that has not finished ``hello`` by then is closed: an idle socket must not hold one
    # of the limited connection slots forever.
    hello_timeout_s: float = 10.0


def run_dir(home: Path) -> Path:
    return home / "run"


def socket_path(home: Path) -> Path:
    return run_dir(home) / SOCKET_NAME


def ensure_run_dir(home: Path) -> Path:
    """``home/run`` as a real directory of ours with mode 0700 (created so, or tightened)."""
    path = run_dir(home)
    old = os.umask(0o077)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    finally:
        os.umask(old)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode):
        raise DaemonError(f"{path} is not a directory")
    if st.st_uid != os.getuid():
        raise DaemonError(f"{path} belongs to uid {st.st_uid}, not to this user")
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def probe(path: Path, timeout: float = 1.0) -> bool:
    """True when something accepts connections on the socket at ``path``."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError:
        return False
    finally:
        sock.close()
    return True


def bind_socket(path: Path, backlog: int) -> socket.socket:
    """Bind with umask 0177 so the socket is never, even briefly, reachable by others."""
    if probe(path):
        raise DaemonError(
            f"a CrustCore kernel already serves {path}; stop it with `crustcore down`"
        )
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(os.lstat(path).st_mode):
            path.unlink()  # a stale socket of a kernel that did not exit cleanly
        else:
            raise DaemonError(f"{path} exists and is not a socket; move it away")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        sock.bind(str(path))
    except OSError as exc:
        sock.close()
        raise DaemonError(f"cannot listen on {path}: {exc.strerror}") from None
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


class _Connection(asyncio.BufferedProtocol):
    """One client. All methods run on the loop thread."""

    def __init__(self, server: KernelServer) -> None:
        self._server = server
        self._cfg = server.config
        self._decoder = FrameDecoder(max_frame=server.config.max_frame)
        self._queue: deque[bytes] = deque()
        self._transport: asyncio.Transport | None = None
        self.role: Role | None = None
        self._busy = False
        self._closing = False
        self._eof = False
        self._write_paused = False
        self._read_paused = False
        self._read_timer: asyncio.TimerHandle | None = None
        self._write_timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._hello_timer: asyncio.TimerHandle | None = None
        self._rbuf = memoryview(bytearray(READ_CHUNK))
        # Answers produced while a read is handled, written together when it is done.
        self._out: list[bytes] = []
        self._out_size = 0
        self._pumping = False

    # --- transport callbacks ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        server = self._server
        sock = transport.get_extra_info("socket")
        pid = uid = -1
        try:
            raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CRED.size)
            pid, uid, _gid = _CRED.unpack(raw)
        except (OSError, AttributeError):
            uid = -1
        if uid != os.getuid():
            server.service.refusal("daemon.peer_refused", {"peer_uid": uid, "peer_pid": pid})
            self._closing = True
            transport.abort()
            return
        if len(server.connections) >= server.max_connections and not server.make_room():
            self._closing = True
            transport.abort()
            return
        server.connections[self] = None
        self._hello_timer = asyncio.get_running_loop().call_later(
            self._cfg.hello_timeout_s, self._hello_stuck
        )
        server.service.connections = len(server.connections)
        transport.set_write_buffer_limits(high=self._cfg.write_high_water)

    @property
    def evictable(self) -> bool:
        """Only peers without a token (no hello yet, or the plain client role) may be closed to
        make room: a flood of same-user connections must never lock out the user's CLI or a
        sidecar, whose roles are proven by a token."""
        return not self._closing and (self.role is None or self.role is Role.CLIENT)

    def evict(self) -> None:
        self._closing = True
        self._cancel_timers()
        if self._task is not None:
            self._task.cancel()
        if self._transport is not None:
            self._transport.abort()

    def _hello_stuck(self) -> None:
        self._hello_timer = None
        if self.role is None and not self._closing:
            self._fail(
                None,
                ErrorCode.BAD_REQUEST,
                f"no hello within {self._cfg.hello_timeout_s:g} s; closing",
            )

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        self._cancel_timers()
        if self._task is not None:
            self._task.cancel()
        self._server.connections.pop(self, None)
        self._server.service.connections = len(self._server.connections)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._rbuf

    def buffer_updated(self, nbytes: int) -> None:
        if self._closing:
            return
        decoder = self._decoder
        frames = decoder.feed(self._rbuf[:nbytes])  # copies out what it keeps
        if frames:
            self._queue.extend(frames)
        self._pump()
        if self._read_timer is not None or decoder.mid_frame:
            self._arm_read_timer()

    def eof_received(self) -> bool:
        self._eof = True
        self._pump()
        return True  # keep writing the answers still queued; closed once they are sent

    def pause_writing(self) -> None:
        self._write_paused = True
        self._set_reading(False)
        if self._write_timer is None:
            loop = asyncio.get_running_loop()
            self._write_timer = loop.call_later(self._cfg.write_timeout_s, self._write_stuck)

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None
        self._pump()

    # --- the request loop ------------------------------------------------------------------------
    def _pump(self) -> None:
        if self._pumping:
            return
        self._pumping = True
        try:
            queue = self._queue
            while queue and not self._busy and not self._closing and not self._write_paused:
                self._handle(queue.popleft())
        finally:
            self._pumping = False
            self._flush()
        if self._closing:
            return
        violation = self._decoder.violation
        if violation is not None and not self._queue and not self._busy:
            code = (
                ErrorCode.TOO_LARGE
                if violation.fault is FrameFault.TOO_LARGE
                else ErrorCode.BAD_FRAME
            )
            self._fail(None, code, violation.message)
            return
        if self._eof and not self._queue and not self._busy:
            self._close()
            return
        self._set_reading(len(self._queue) < self._cfg.max_queued and not self._write_paused)

    def _handle(self, frame: bytes) -> None:
        try:
            req = parse_request(frame)
        except ProtocolError as exc:
            self._reply_error(exc.req_id, exc.code, exc.message)
            return
        service = self._server.service
        if req.op == "hello":
            self._hello(req.req_id, req.args)
            return
        if self.role is None:
            self._reply_error(req.req_id, ErrorCode.BAD_REQUEST, "the first op must be 'hello'")
            return
        if req.op == "approval.wait":
            try:
                service.authorize(self.role, req.op)
                approval_id, timeout = service.wait_args(req.args)
            except ServiceError as exc:
                self._reply_error(req.req_id, exc.code, exc.message)
                return
            self._busy = True
            self._task = asyncio.get_running_loop().create_task(
                self._wait(req.req_id, approval_id, timeout)
            )
            return
        try:
            result = service.call(self.role, req.op, req.args)
        except ServiceError as exc:
            self._reply_error(req.req_id, exc.code, exc.message)
            return
        except Exception as exc:  # a bug must cost one request, not the daemon
            self._reply_error(
                req.req_id, ErrorCode.INTERNAL, f"internal error: {type(exc).__name__}"
            )
            return
        try:
            reply = ok_reply(req.req_id, result)
        # E.g. a string no UTF-8 encoder accepts.
        except (ValueError, TypeError, RecursionError) as exc:
            self._reply_error(
                req.req_id, ErrorCode.INTERNAL, f"internal error: {type(exc).__name__}"
            )
            return
        self._send(reply)
        if service.stop_requested:
            self._server.request_stop()

    def _hello(self, req_id: int, args: dict[str, object]) -> None:
        service = self._server.service
        if self.role is not None:
            self._reply_error(req_id, ErrorCode.BAD_REQUEST, "hello was already sent")
            return
        try:
            role = Role.parse(args.get("role", "client"))
        except CrustCoreError as exc:
            self._reply_error(req_id, ErrorCode.BAD_REQUEST, str(exc))
            return
        if role.needs_token and not self._server.tokens.check(role, args.get("token")):
            name = args.get("client")
            service.refusal(
                "daemon.hello_refused",
                {"role": role.value, "client": name[:80] if isinstance(name, str) else None},
            )
            self._fail(req_id, ErrorCode.FORBIDDEN, f"the token for role {role.value} is not valid")
            return
        self.role = role
        if self._hello_timer is not None:
            self._hello_timer.cancel()
            self._hello_timer = None
        self._send(ok_reply(req_id, service.hello_result(role)))

    async def _wait(self, req_id: int, approval_id: str, timeout: float) -> None:
        service = self._server.service
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                state = service.approval_state(approval_id)
                remaining = deadline - loop.time()
                if state != "pending" or remaining <= 0:
                    break
                event = self._server.waiter(approval_id)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, 1.0))
            self._send(ok_reply(req_id, {"approval_id": approval_id, "state": state}))
        except ServiceError as exc:
            self._reply_error(req_id, exc.code, exc.message)
        except asyncio.CancelledError:
            if not self._closing:
                self._reply_error(req_id, ErrorCode.REFUSED, "the kernel is shutting down")
            raise
        finally:
            self._busy = False
            self._task = None
            if not self._closing:
                loop.call_soon(self._pump)

    # --- output and closing -----------------------------------------------------------------------
    def _send(self, payload: bytes) -> None:
        if self._closing or self._transport is None:
            return
        try:
            frame = encode_frame(payload, max_frame=self._cfg.max_frame)
        except FrameError:
            frame = encode_frame(
                error_reply(None, ErrorCode.TOO_LARGE, "the reply exceeds the maximum frame size")
            )
        if not self._pumping:
            self._transport.write(frame)
            return
        self._out.append(frame)
        self._out_size += len(frame)
        if self._out_size >= _OUT_BATCH:
            self._flush()  # may pause writing, which stops the pump before the next request

    def _flush(self) -> None:
        """Write the answers held back while a read was handled, in order, in one write."""
        out = self._out
        if not out:
            return
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        self._out_size = 0
        if self._transport is not None and not self._closing:
            self._transport.write(data)

    def _reply_error(self, req_id: int | None, code: ErrorCode, message: str) -> None:
        message = self._server.service.scrub(message)
        if code in CLOSING_CODES:
            self._fail(req_id, code, message)
        else:
            self._send(error_reply(req_id, code, message))

    def _fail(self, req_id: int | None, code: ErrorCode, message: str) -> None:
        """Answer with an error and close: the stream cannot be trusted any further."""
        self._send(error_reply(req_id, code, message))
        self._close()

    def _close(self) -> None:
        if self._closing:
            return
        self._flush()  # answers already produced (an error reply last) go out before the close
        self._closing = True
        self._queue.clear()
        self._cancel_timers()
        if self._transport is not None:
            self._transport.close()

    def shutdown(self) -> None:
        """The daemon stops: drop queued requests, answer a pending wait, close."""
        self._queue.clear()
        self._eof = True
        if self._task is not None:
            self._task.cancel()
        else:
            self._close()

    def _set_reading(self, on: bool) -> None:
        if self._transport is None or self._closing or on != self._read_paused:
            return
        if on:
            self._transport.resume_reading()
        else:
            self._transport.pause_reading()
        self._read_paused = not on

    def _arm_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        if self._decoder.mid_frame and not self._closing:
            loop = asyncio.get_running_loop()
            self._read_timer = loop.call_later(self._cfg.read_timeout_s, self._read_stuck)

    def _read_stuck(self) -> None:
        self._read_timer = None
        if self._decoder.mid_frame:
            self._fail(None, ErrorCode.BAD_FRAME, "a frame was left incomplete; closing")

    def _write_stuck(self) -> None:
        self._write_timer = None
        if self._write_paused and self._transport is not None:
            self._closing = True
            self._transport.abort()  # it does not read its answers; drop them

    def _cancel_timers(self) -> None:
        for timer in (self._read_timer, self._write_timer, self._hello_timer):
            if timer is not None:
                timer.cancel()
        self._read_timer = self._write_timer = self._hello_timer = None


class KernelServer:
    """Serves one :class:`KernelService` on ``home/run/kernel.sock`` until asked to stop."""

    def __init__(
        self,
        service: KernelService,
        *,
        tokens: TokenStore | None = None,
        config: ServerConfig | None = None,
    ) -> None:
        self.service = service
        self.tokens = tokens if tokens is not None else TokenStore()
        self.config = config if config is not None else ServerConfig()
        self.home = service.kernel.home
        # Insertion-ordered (a dict used as an ordered set): the oldest peer comes first.
        self.connections: dict[_Connection, None] = {}
        self.max_connections = connection_cap(self.config.max_connections)
        self._waiters: dict[str, asyncio.Event] = {}
        self._server: asyncio.AbstractServer | None = None
        self._stopped: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_early = False
        self.admin_token = new_token()
        self.tokens.add(Role.ADMIN, self.admin_token)
        service.on_resolved = self._resolved

    @property
    def socket_path(self) -> Path:
        return socket_path(self.home)

    def make_room(self) -> bool:
        """At the connection cap: close the oldest peer that holds no token. False when every
        slot belongs to a token role (then the new peer is refused)."""
        for conn in self.connections:
            if conn.evictable:
                self.connections.pop(conn, None)
                conn.evict()
                self.service.connections = len(self.connections)
                return True
        return False

    def waiter(self, approval_id: str) -> asyncio.Event:
        event = self._waiters.get(approval_id)
        if event is None:
            if len(self._waiters) >= _PRUNE_WAITERS_AT:
                self._prune_waiters()
            event = self._waiters[approval_id] = asyncio.Event()
        return event

    def _prune_waiters(self) -> None:
        """Forget the events of approvals that ended without a resolution (expired, withdrawn,
        forgotten): nothing would ever pop them. Setting one only makes a waiter look again."""
        for approval_id in list(self._waiters):
            try:
                ended = self.service.approval_state(approval_id) != "pending"
            except ServiceError:
                ended = True
            if ended:
                self._waiters.pop(approval_id).set()

    def _resolved(self, approval_id: ApprovalId) -> None:
        event = self._waiters.pop(approval_id, None)
        if event is not None:
            event.set()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        rdir = ensure_run_dir(self.home)
        if probe(self.socket_path):
            raise DaemonError(f"a CrustCore kernel is already running for {self.home}")
        # The token and pid files exist before the socket does: whoever can connect can use them.
        write_admin_token(rdir, self.admin_token)
        _write_pid(rdir / PID_NAME)
        try:
            sock = bind_socket(self.socket_path, self.config.backlog)
        except BaseException:
            self._cleanup_files()
            raise
        try:
            self._server = await loop.create_unix_server(lambda: _Connection(self), sock=sock)
        except BaseException:
            sock.close()
            self._cleanup_files()
            raise
        self._loop = loop
        if self._stop_early:
            self._stopped.set()

    def request_stop(self) -> None:
        """Stop accepting and close every connection; safe from any thread or signal handler."""
        loop = self._loop
        if loop is None or self._stopped is None:
            self._stop_early = True  # a signal before the server was up: stop right after start
            return
        if loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._stopped.set()
        else:
            loop.call_soon_threadsafe(self._stopped.set)

    async def serve_until_stopped(self) -> None:
        assert self._stopped is not None
        await self._stopped.wait()
        await self.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            conn.shutdown()
        await asyncio.sleep(0)  # let cancelled waits send their last answer
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5.0)
            self._server = None
        self._cleanup_files()

    def _cleanup_files(self) -> None:
        rdir = run_dir(self.home)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
        with contextlib.suppress(FileNotFoundError):
            (rdir / "admin.token").unlink()
        pid_file = rdir / PID_NAME
        with contextlib.suppress(OSError, ValueError):
            if int(pid_file.read_text().strip()) == os.getpid():
                pid_file.unlink()


# Descriptors kept free for everything that is not a peer (the log, the vault, the listening
# socket, the verifier's pipes).
FD_RESERVE = 64


def connection_cap(wanted: int) -> int:
    """``wanted``, lowered so that every admitted peer also gets a file descriptor.

    Past ``RLIMIT_NOFILE`` the accept itself fails, the connection stays in the listen backlog,
    and no peer could be closed to make room; keeping the cap under the limit means a flood
    always reaches :meth:`KernelServer.make_room` instead.
    """
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return wanted
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return wanted
    return max(1, min(wanted, soft - FD_RESERVE))


def raise_fd_limit() -> None:
    """Raise the soft ``RLIMIT_NOFILE`` to the hard limit (called once by the daemon process)."""
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
            target = 65536 if hard == resource.RLIM_INFINITY else hard
            if target > soft:
                resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _write_pid(path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
    finally:
        os.close(fd)
    os.replace(tmp, path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True
