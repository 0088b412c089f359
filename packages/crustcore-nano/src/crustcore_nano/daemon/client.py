"""Clients of the kernel daemon: ``KernelClient`` (blocking) and ``AsyncKernelClient``.

Both speak the socket protocol of ``docs/protocol.md`` and offer the embedded kernel's methods
(:class:`~crustcore_nano.daemon.api.KernelAPI`), so code written against ``Kernel.open(home)``
runs against a daemon by swapping the object. A connection found broken before a request
reached the kernel (for example after the kernel restarted) is re-opened once and the request
sent. A connection that breaks after the request was sent is re-opened and the request sent
again only for ops that read or merely evaluate (`RESEND_SAFE`); any other op may already have
been applied, so :class:`InFlightError` says so instead of running it twice. When no kernel
runs, :class:`NoKernelError` says so plainly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from crustcore_nano.errors import KernelError
from crustcore_nano.ids import ApprovalId, JobId, TaskId
from crustcore_nano.kernel.core import TaskView, resolve_home
from crustcore_nano.policy.types import Decision, ToolCall

from .api import decision_from_json, task_view_from_json
from .busypoll import ReplyWaiter, spin_seconds
from .frames import DEFAULT_MAX_FRAME, FrameDecoder, encode_frame
from .hardening import harden_process
from .protocol import ProtocolError, Reply, as_list, as_object, encode_request, parse_reply
from .roles import Role, read_admin_token
from .server import run_dir, socket_path

CLIENT_NAME = "crustcore-client/0.1.0"
TOKEN_FD_ENV = "CRUSTCORE_TOKEN_FD"  # noqa: S105 - an environment variable name
# Bytes one ``recv_into`` may bring in. Reading into a buffer the client keeps avoids a fresh
# 64 KiB allocation per reply; a larger reply simply takes several reads.
_RECV_CHUNK = 64 * 1024
_token_cache: dict[str, str] = {}
_token_lock = threading.Lock()


class NoKernelError(KernelError):
    """No kernel daemon listens for this home."""


class InFlightError(KernelError):
    """The connection broke after a state-changing request was sent: the kernel may or may not
    have applied it, and it was not sent again."""

    def __init__(self, op: str) -> None:
        super().__init__(
            f"the connection to the kernel broke after {op!r} was sent; the kernel may have "
            "applied it, so it was not sent again (look at `crustcore status` or the event log "
            "before repeating it)"
        )
        self.op = op


RESEND_SAFE = frozenset(
    {"hello", "status", "check", "redact", "task.get", "approvals.list", "secrets.list"}
)
"""Ops sent again when the connection breaks while they are in flight: they only read, or (for
`check`) record one more evaluation of the same call. Every other op changes state (a record, a
charge, a receipt, an approval, a secret) and is sent at most once."""


class RemoteError(KernelError):
    """The kernel answered a request with an error; ``code`` is the wire error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RemoteText:
    """Redacted text returned by the kernel daemon (the remote form of ``ModelVisibleText``)."""

    text: str
    origin: str | None
    redactions: int

    def __str__(self) -> str:
        return self.text

    def framed(self) -> str:
        if self.origin is None:
            return self.text
        import json

        return f"<untrusted-data origin={json.dumps(self.origin)}>\n{self.text}\n</untrusted-data>"


def no_kernel_message(home: Path) -> str:
    return f"no CrustCore kernel is running for {home}; start it with `crustcore up`"


def token_from_env() -> str | None:
    """The sidecar token on the pipe named by $CRUSTCORE_TOKEN_FD (read once, then cached).

    A sidecar calls this first thing at start (``KernelClient`` calls it when a token role
    connects). Reading the token also takes ``CRUSTCORE_TOKEN_FD`` out of ``os.environ``, so no
    program the sidecar starts inherits a descriptor number that is closed or, worse, reused for
    another file; and it marks the process non-dumpable (:func:`harden_process`), because from
    now on it holds a role token that other processes of the user must not read out of its
    memory or ``/proc``.
    """
    with _token_lock:
        if "token" in _token_cache:
            return _token_cache["token"]
        raw = os.environ.pop(TOKEN_FD_ENV, None)
        if not raw or not raw.isdigit():
            return None
        harden_process()  # before the token is in this process's memory
        fd = int(raw)
        chunks: list[bytes] = []
        try:
            while chunk := os.read(fd, 4096):
                chunks.append(chunk)
                if sum(map(len, chunks)) > 4096:
                    break
        finally:
            os.close(fd)
        text = b"".join(chunks).decode("ascii", errors="replace").strip()
        # Either the bare token or one 'role:token' line.
        token = text.partition(":")[2] if ":" in text else text
        _token_cache["token"] = token
        return token


def _resolve_token(home: Path, role: Role, token: str | None) -> str | None:
    if token is not None or not role.needs_token:
        return token
    if role is Role.ADMIN:
        return read_admin_token(run_dir(home))
    return token_from_env()


def _result(reply: Reply) -> object:
    if not reply.ok:
        raise RemoteError(reply.code, reply.message)
    return reply.result


def _obj(value: object) -> dict[str, object]:
    obj = as_object(value)
    if obj is None:
        raise KernelError("the kernel sent an unexpected result")
    return obj


def _objs(value: object) -> list[dict[str, object]]:
    items = as_list(value)
    if items is None:
        raise KernelError("the kernel sent an unexpected result")
    return [_obj(item) for item in items]


class _ApprovalPages:
    """Collects ``approvals.list`` pages. The list may shift between pages (an approval resolved
    or expired), so items are kept once by id, and the number of pages is bounded."""

    MAX_PAGES = 1000

    def __init__(self) -> None:
        self.items: list[dict[str, object]] = []
        self._seen: set[object] = set()
        self._offset = 0
        self._pages = 0
        self._done = False

    def next_offset(self) -> int | None:
        return None if self._done or self._pages >= self.MAX_PAGES else self._offset

    def add(self, page: list[dict[str, object]]) -> None:
        self._pages += 1
        if not page:
            self._done = True
            return
        self._offset += len(page)
        for item in page:
            key = item.get("approval_id")
            if key not in self._seen:
                self._seen.add(key)
                self.items.append(item)


def _check_args(
    call: ToolCall, session_id: str | None, workspace: str | None, task_id: str | None
) -> dict[str, object]:
    args: dict[str, object] = {
        "tool": call.tool,
        "args": dict(call.args),
        "origin": call.origin.value,
        "workspace": workspace or os.getcwd(),
    }
    session = session_id if session_id is not None else call.session
    task = task_id if task_id is not None else call.task
    if session is not None:
        args["session_id"] = session
    if task is not None:
        args["task_id"] = task
    if call.mcp_server is not None:
        args["mcp_server"] = call.mcp_server
    return args


def _observe_args(
    session_id: str, call: ToolCall, result: str, workspace: str | None
) -> dict[str, object]:
    args = _check_args(call, session_id, workspace, None)
    args["result"] = result
    return args


def _complete_body(
    task_id: str,
    tool: str,
    args: Mapping[str, object],
    result: str,
    *,
    job_id: str,
    owner: str,
    tool_call_id: str | None,
    session_id: str | None,
) -> dict[str, object]:
    body: dict[str, object] = {
        "task_id": task_id,
        "tool": tool,
        "args": dict(args),
        "result": result,
        "job_id": job_id,
        "owner": owner,
    }
    if tool_call_id is not None:
        body["tool_call_id"] = tool_call_id
    if session_id is not None:
        body["session_id"] = session_id
    return body


def _approval_body(
    tool: str, args: Mapping[str, object], task_id: str | None, reversibility: str | None
) -> dict[str, object]:
    body: dict[str, object] = {"tool": tool, "args": dict(args)}
    if task_id is not None:
        body["task_id"] = task_id
    if reversibility is not None:
        body["reversibility"] = reversibility
    return body


def _secret_body(
    name: str, value: str, hosts: list[str] | None, header: str | None, replace: bool
) -> dict[str, object]:
    body: dict[str, object] = {"name": name, "value": value}
    if replace:
        body["replace"] = True
    if hosts is not None:
        body["hosts"] = list(hosts)
        if header is not None:
            body["header"] = header
    return body


def _text(value: object) -> RemoteText:
    doc = _obj(value)
    text = doc.get("text")
    origin = doc.get("origin")
    count = doc.get("redactions")
    return RemoteText(
        text if isinstance(text, str) else "",
        origin if isinstance(origin, str) else None,
        count if type(count) is int else 0,
    )


class KernelClient:
    """Blocking client. Thread-safe (one request at a time per client); use one per thread for
    concurrency."""

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        role: str | Role = "client",
        token: str | None = None,
        *,
        timeout: float | None = None,
        name: str = CLIENT_NAME,
        max_frame: int = DEFAULT_MAX_FRAME,
    ) -> None:
        self.home = resolve_home(home)
        self.role = role if isinstance(role, Role) else Role.parse(role)
        self._token = _resolve_token(self.home, self.role, token)
        self._timeout = timeout
        self._name = name
        self._max_frame = max_frame
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._decoder = FrameDecoder(max_frame=max_frame)
        self._rbuf = memoryview(bytearray(_RECV_CHUNK))
        self._spin_s = spin_seconds()
        self._waiter: ReplyWaiter | None = None
        self._sent_at = 0.0
        self._next_id = 0
        self.server_info: dict[str, object] = {}
        with self._lock:
            self._connect()

    # --- connection ------------------------------------------------------------------------------
    def _connect(self) -> None:
        path = socket_path(self.home)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self._timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            raise NoKernelError(no_kernel_message(self.home)) from None
        except OSError as exc:
            sock.close()
            raise NoKernelError(f"{no_kernel_message(self.home)} ({exc.strerror})") from None
        self._sock = sock
        self._waiter = ReplyWaiter(sock, self._spin_s)
        self._decoder = FrameDecoder(max_frame=self._max_frame)
        hello: dict[str, object] = {"role": self.role.value, "client": self._name}
        if self._token is not None:
            hello["token"] = self._token
        self.server_info = _obj(_result(self._roundtrip("hello", hello)))

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None

    def __enter__(self) -> KernelClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _roundtrip(self, op: str, args: Mapping[str, object]) -> Reply:
        return self._receive(self._send(op, args))

    def _send(self, op: str, args: Mapping[str, object]) -> int:
        """Send one request and return its id. A failure here means the kernel did not get the
        whole frame (a partial frame is dropped when the connection closes), so it ran nothing."""
        sock = self._sock
        if sock is None:
            raise ConnectionResetError("not connected")
        self._next_id += 1
        req_id = self._next_id
        sock.sendall(encode_frame(encode_request(req_id, op, args), max_frame=self._max_frame))
        self._sent_at = time.monotonic()
        return req_id

    def _receive(self, req_id: int) -> Reply:
        sock = self._sock
        waiter = self._waiter
        if sock is None or waiter is None:
            raise ConnectionResetError("not connected")
        rbuf = self._rbuf
        waiter.wait()
        while True:
            size = sock.recv_into(rbuf)
            if not size:
                raise ConnectionResetError("the kernel closed the connection")
            frames = self._decoder.feed(rbuf[:size])  # copies out what it keeps
            if self._decoder.violation is not None:
                raise KernelError(f"bad frame from the kernel: {self._decoder.violation.message}")
            for frame in frames:
                reply = parse_reply(frame)
                if reply.req_id == req_id:
                    waiter.learn(time.monotonic() - self._sent_at)
                    return reply
                if reply.req_id is None and not reply.ok:
                    raise RemoteError(reply.code, reply.message)

    def call(self, op: str, args: Mapping[str, object] | None = None) -> object:
        """Send one request and return its result; RemoteError for an error reply."""
        body = args or {}
        with self._lock:
            try:
                if self._sock is None:
                    self._connect()
                req_id = self._send(op, body)
            except (ConnectionError, ProtocolError):
                self._drop()
                self._connect()  # reconnect once; NoKernelError if the kernel is gone
                req_id = self._send(op, body)
            try:
                reply = self._receive(req_id)
            except (ConnectionError, ProtocolError):
                self._drop()
                if op not in RESEND_SAFE:
                    raise InFlightError(op) from None
                self._connect()
                reply = self._roundtrip(op, body)
            return _result(reply)

    def _drop(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None

    # --- the KernelAPI methods -------------------------------------------------------------------
    def check(
        self,
        call: ToolCall,
        *,
        session_id: str | None = None,
        workspace: str | None = None,
        task_id: TaskId | None = None,
    ) -> Decision:
        return decision_from_json(
            self.call("check", _check_args(call, session_id, workspace, task_id))
        )

    def observe(
        self, session_id: str, call: ToolCall, result: str, *, workspace: str | None = None
    ) -> None:
        """Report what a call that ran returned, for the session flow rule."""
        self.call("session.observe", _observe_args(session_id, call, result, workspace))

    def redact(self, text: str, *, origin: str | None = None) -> RemoteText:
        args: dict[str, object] = {"text": text}
        if origin is not None:
            args["origin"] = origin
        return _text(self.call("redact", args))

    def create_task(self, title: str, *, budget: Mapping[str, int] | None = None) -> TaskId:
        args: dict[str, object] = {"title": title}
        if budget is not None:
            args["budget"] = dict(budget)
        return TaskId(str(_obj(self.call("task.create", args))["task_id"]))

    def task(self, task_id: TaskId) -> TaskView:
        return task_view_from_json(self.call("task.get", {"task_id": task_id}))

    def charge(self, task_id: TaskId, delta: Mapping[str, int]) -> TaskView:
        return task_view_from_json(
            self.call("task.charge", {"task_id": task_id, "delta": dict(delta)})
        )

    def claim_done(self, task_id: TaskId, *, claim: str = "") -> None:
        self.call("task.claim_done", {"task_id": task_id, "claim": claim})

    # --- the other ops ---------------------------------------------------------------------------
    def status(self) -> dict[str, object]:
        return _obj(self.call("status"))

    def record(
        self, kind: str, payload: Mapping[str, object], *, task_id: str | None = None
    ) -> int:
        args: dict[str, object] = {"kind": kind, "payload": dict(payload)}
        if task_id is not None:
            args["task_id"] = task_id
        seq = _obj(self.call("record", args)).get("seq")
        return seq if type(seq) is int else -1

    def start_job(self, task_id: TaskId, *, owner: str) -> JobId:
        return JobId(
            str(_obj(self.call("task.start_job", {"task_id": task_id, "owner": owner}))["job_id"])
        )

    def complete_tool(
        self,
        task_id: TaskId,
        tool_call_id: str | None,
        tool: str,
        args: Mapping[str, object],
        result: str,
        *,
        job_id: JobId,
        owner: str,
        session_id: str | None = None,
    ) -> RemoteText:
        body = _complete_body(
            task_id,
            tool,
            args,
            result,
            job_id=job_id,
            owner=owner,
            tool_call_id=tool_call_id,
            session_id=session_id,
        )
        return _text(self.call("tool.complete", body))

    def request_approval(
        self,
        tool: str,
        args: Mapping[str, object],
        *,
        task_id: TaskId | None = None,
        reversibility: str | None = None,
    ) -> dict[str, object]:
        body = _approval_body(tool, args, task_id, reversibility)
        return _obj(self.call("approval.request", body))

    def wait_approval(self, approval_id: ApprovalId | str, *, timeout_s: float = 300.0) -> str:
        """Block until the user resolves the approval or ``timeout_s`` passes; the state."""
        result = self.call("approval.wait", {"approval_id": approval_id, "timeout_s": timeout_s})
        return str(_obj(result).get("state"))

    def secret_inject(self, handle: str, host: str, header: str = "Authorization") -> str:
        """(net role) The secret's value for one allowlisted host and header."""
        result = _obj(
            self.call("secret.inject", {"handle": handle, "host": host, "header": header})
        )
        value = result.get("value")
        if not isinstance(value, str):
            raise KernelError("the kernel sent no secret value")
        return value

    # --- admin -----------------------------------------------------------------------------------
    def approvals(self) -> list[dict[str, object]]:
        """Every pending approval: the kernel answers in pages, asked for until one is empty."""
        pages = _ApprovalPages()
        while (offset := pages.next_offset()) is not None:
            pages.add(_objs(self.call("approvals.list", {"offset": offset})))
        return pages.items

    def resolve_approval(self, approval_id: str, *, approve: bool, digest: str) -> str:
        body: dict[str, object] = {"id": approval_id, "approve": approve, "digest": digest}
        return str(_obj(self.call("approval.resolve", body)).get("state"))

    def secrets_list(self) -> list[dict[str, object]]:
        return _objs(self.call("secrets.list"))

    def secrets_add(
        self,
        name: str,
        value: str,
        *,
        hosts: list[str] | None = None,
        header: str | None = None,
        replace: bool = False,
    ) -> str:
        """Store a secret in the kernel; an existing name is refused unless ``replace`` (then
        the value is swapped in one step)."""
        body = _secret_body(name, value, hosts, header, replace)
        return str(_obj(self.call("secrets.add", body))["handle"])

    def secrets_rm(self, name: str) -> None:
        self.call("secrets.rm", {"name": name})

    def shutdown(self) -> None:
        self.call("shutdown")


class _Channel(asyncio.BufferedProtocol):
    """The async client's end of one connection. It reads into one buffer it keeps (asyncio's
    streams allocate a fresh 256 KiB ``bytes`` per read, which made a ``check`` ~80 us slower)
    and hands each reply to the request waiting for its id, so any number of requests can be in
    flight on it at once. When the connection ends, every request still waiting fails with the
    reason, and the channel takes no new ones."""

    def __init__(self, max_frame: int) -> None:
        self._rbuf = memoryview(bytearray(_RECV_CHUNK))
        self._decoder = FrameDecoder(max_frame=max_frame)
        self._waiting: dict[int, asyncio.Future[Reply]] = {}
        self._transport: asyncio.Transport | None = None
        self._writable: asyncio.Future[None] | None = None
        self._lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._write_paused = False
        self._error: Exception | None = None

    @property
    def open(self) -> bool:
        return self._error is None and self._transport is not None

    # --- transport callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._rbuf

    def buffer_updated(self, nbytes: int) -> None:
        waiting = self._waiting
        for frame in self._decoder.feed(self._rbuf[:nbytes]):  # copies out what it keeps
            try:
                reply = parse_reply(frame)
            except ProtocolError as exc:
                self._end(exc)
                return
            if reply.req_id is None:  # about the connection, not one request: it is closing
                if not reply.ok:
                    self._end(RemoteError(reply.code, reply.message))
                    return
                continue
            future = waiting.pop(reply.req_id, None)
            if future is not None and not future.done():  # done: its caller gave up
                future.set_result(reply)
        violation = self._decoder.violation
        if violation is not None:
            self._end(KernelError(f"bad frame from the kernel: {violation.message}"))

    def eof_received(self) -> bool:
        self._end(ConnectionResetError("the kernel closed the connection"))
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(ConnectionResetError("the kernel closed the connection"))
        self._write_paused = False
        self._set(self._writable)
        self._set(self._lost)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._set(self._writable)

    # --- used by the client
    def request(self, req_id: int, frame: bytes) -> asyncio.Future[Reply]:
        """Send one whole frame; the future gets its reply. Raises, having sent nothing, when
        the connection has already ended."""
        transport = self._transport
        if self._error is not None or transport is None or transport.is_closing():
            raise ConnectionResetError("the kernel closed the connection")
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._waiting[req_id] = future
        transport.write(frame)
        return future

    async def drain(self) -> None:
        """Wait while the kernel is not taking what was written (shared by every writer)."""
        while self._write_paused and self._error is None:
            if self._writable is None or self._writable.done():
                self._writable = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._writable)  # one caller giving up must not wake the rest

    async def aclose(self) -> None:
        if self._transport is not None:
            self._transport.close()
        with contextlib.suppress(ConnectionError, OSError):
            await asyncio.wait_for(asyncio.shield(self._lost), 5.0)

    def _end(self, error: Exception) -> None:
        if self._error is None:
            self._error = error
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(self._error)
        if self._transport is not None:
            self._transport.close()

    @staticmethod
    def _set(future: asyncio.Future[None] | None) -> None:
        if future is not None and not future.done():
            future.set_result(None)


class AsyncKernelClient:
    """asyncio client with the same methods as :class:`KernelClient` (as coroutines).

    Create with ``await AsyncKernelClient.connect(home, role=..., token=...)``. Calls made
    concurrently (from several tasks) share one connection and are all in flight at once; the
    kernel answers them in the order they were sent. ``wait_approval`` opens a connection of
    its own for the wait, because the kernel answers nothing else on a connection that waits."""

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        role: str | Role = "client",
        token: str | None = None,
        *,
        name: str = CLIENT_NAME,
        max_frame: int = DEFAULT_MAX_FRAME,
    ) -> None:
        self.home = resolve_home(home)
        self.role = role if isinstance(role, Role) else Role.parse(role)
        self._token = _resolve_token(self.home, self.role, token)
        self._name = name
        self._max_frame = max_frame
        self._lock = asyncio.Lock()  # held while the connection is (re)opened or closed
        self._conn: _Channel | None = None
        self._next_id = 0
        self.server_info: dict[str, object] = {}

    @classmethod
    async def connect(
        cls,
        home: str | os.PathLike[str] | None = None,
        role: str | Role = "client",
        token: str | None = None,
        *,
        name: str = CLIENT_NAME,
    ) -> AsyncKernelClient:
        client = cls(home, role, token, name=name)
        await client._reopen(None)
        return client

    async def _open(self) -> tuple[_Channel, dict[str, object]]:
        """A new connection that has said hello, and the kernel's answer to it."""
        path = socket_path(self.home)
        loop = asyncio.get_running_loop()
        max_frame = self._max_frame
        try:
            _transport, conn = await loop.create_unix_connection(
                lambda: _Channel(max_frame), str(path)
            )
        except (FileNotFoundError, ConnectionRefusedError):
            raise NoKernelError(no_kernel_message(self.home)) from None
        except OSError as exc:
            raise NoKernelError(f"{no_kernel_message(self.home)} ({exc.strerror})") from None
        hello: dict[str, object] = {"role": self.role.value, "client": self._name}
        if self._token is not None:
            hello["token"] = self._token
        try:
            info = _obj(_result(await self._exchange(conn, self._send(conn, "hello", hello))))
        except BaseException:
            await conn.aclose()
            raise
        return conn, info

    async def _reopen(self, broken: _Channel | None) -> _Channel:
        """The connection to use instead of ``broken``: one another call has opened meanwhile,
        or a new one."""
        async with self._lock:
            conn = self._conn
            if conn is None or conn is broken or not conn.open:
                if conn is not None:
                    await conn.aclose()
                self._conn = None
                conn, self.server_info = await self._open()
                self._conn = conn
            return conn

    async def close(self) -> None:
        async with self._lock:
            conn = self._conn
            self._conn = None
            if conn is not None:
                await conn.aclose()

    async def __aenter__(self) -> AsyncKernelClient:
        if self._conn is None:
            await self._reopen(None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _send(self, conn: _Channel, op: str, args: Mapping[str, object]) -> asyncio.Future[Reply]:
        """Queue one request; raises (having queued nothing) when the connection is already
        known to be closed, e.g. the kernel restarted while we idled."""
        self._next_id += 1
        frame = encode_frame(encode_request(self._next_id, op, args), max_frame=self._max_frame)
        return conn.request(self._next_id, frame)

    @staticmethod
    async def _exchange(conn: _Channel, future: asyncio.Future[Reply]) -> Reply:
        await conn.drain()
        return await future

    async def call(self, op: str, args: Mapping[str, object] | None = None) -> object:
        body = args or {}
        if op == "approval.wait":
            return await self._call_alone(op, body)
        conn = self._conn
        if conn is None or not conn.open:
            conn = await self._reopen(conn)
        try:
            future = self._send(conn, op, body)
        except (ConnectionError, ProtocolError):
            conn = await self._reopen(conn)
            future = self._send(conn, op, body)
        try:
            reply = await self._exchange(conn, future)
        except (ConnectionError, ProtocolError):
            if op not in RESEND_SAFE:
                raise InFlightError(op) from None  # the next call opens a new connection
            conn = await self._reopen(conn)
            reply = await self._exchange(conn, self._send(conn, op, body))
        return _result(reply)

    async def _call_alone(self, op: str, body: Mapping[str, object]) -> object:
        """One request on a connection of its own, closed after the answer."""
        conn, _info = await self._open()
        try:
            reply = await self._exchange(conn, self._send(conn, op, body))
        except (ConnectionError, ProtocolError):
            raise InFlightError(op) from None
        finally:
            await conn.aclose()
        return _result(reply)

    async def check(
        self,
        call: ToolCall,
        *,
        session_id: str | None = None,
        workspace: str | None = None,
        task_id: TaskId | None = None,
    ) -> Decision:
        args = _check_args(call, session_id, workspace, task_id)
        return decision_from_json(await self.call("check", args))

    async def observe(
        self, session_id: str, call: ToolCall, result: str, *, workspace: str | None = None
    ) -> None:
        """Report what a call that ran returned, for the session flow rule."""
        await self.call("session.observe", _observe_args(session_id, call, result, workspace))

    async def redact(self, text: str, *, origin: str | None = None) -> RemoteText:
        args: dict[str, object] = {"text": text}
        if origin is not None:
            args["origin"] = origin
        return _text(await self.call("redact", args))

    async def create_task(self, title: str, *, budget: Mapping[str, int] | None = None) -> TaskId:
        args: dict[str, object] = {"title": title}
        if budget is not None:
            args["budget"] = dict(budget)
        return TaskId(str(_obj(await self.call("task.create", args))["task_id"]))

    async def task(self, task_id: TaskId) -> TaskView:
        return task_view_from_json(await self.call("task.get", {"task_id": task_id}))

    async def charge(self, task_id: TaskId, delta: Mapping[str, int]) -> TaskView:
        result = await self.call("task.charge", {"task_id": task_id, "delta": dict(delta)})
        return task_view_from_json(result)

    async def claim_done(self, task_id: TaskId, *, claim: str = "") -> None:
        await self.call("task.claim_done", {"task_id": task_id, "claim": claim})

    async def status(self) -> dict[str, object]:
        return _obj(await self.call("status"))

    async def record(
        self, kind: str, payload: Mapping[str, object], *, task_id: str | None = None
    ) -> int:
        args: dict[str, object] = {"kind": kind, "payload": dict(payload)}
        if task_id is not None:
            args["task_id"] = task_id
        seq = _obj(await self.call("record", args)).get("seq")
        return seq if type(seq) is int else -1

    async def start_job(self, task_id: TaskId, *, owner: str) -> JobId:
        result = await self.call("task.start_job", {"task_id": task_id, "owner": owner})
        return JobId(str(_obj(result)["job_id"]))

    async def complete_tool(
        self,
        task_id: TaskId,
        tool_call_id: str | None,
        tool: str,
        args: Mapping[str, object],
        result: str,
        *,
        job_id: JobId,
        owner: str,
        session_id: str | None = None,
    ) -> RemoteText:
        body = _complete_body(
            task_id,
            tool,
            args,
            result,
            job_id=job_id,
            owner=owner,
            tool_call_id=tool_call_id,
            session_id=session_id,
        )
        return _text(await self.call("tool.complete", body))

    async def request_approval(
        self,
        tool: str,
        args: Mapping[str, object],
        *,
        task_id: TaskId | None = None,
        reversibility: str | None = None,
    ) -> dict[str, object]:
        body = _approval_body(tool, args, task_id, reversibility)
        return _obj(await self.call("approval.request", body))

    async def wait_approval(self, approval_id: str, *, timeout_s: float = 300.0) -> str:
        result = await self.call(
            "approval.wait", {"approval_id": approval_id, "timeout_s": timeout_s}
        )
        return str(_obj(result).get("state"))

    async def secret_inject(self, handle: str, host: str, header: str = "Authorization") -> str:
        body: dict[str, object] = {"handle": handle, "host": host, "header": header}
        value = _obj(await self.call("secret.inject", body)).get("value")
        if not isinstance(value, str):
            raise KernelError("the kernel sent no secret value")
        return value

    async def approvals(self) -> list[dict[str, object]]:
        """Every pending approval, page by page (see :meth:`KernelClient.approvals`)."""
        pages = _ApprovalPages()
        while (offset := pages.next_offset()) is not None:
            pages.add(_objs(await self.call("approvals.list", {"offset": offset})))
        return pages.items

    async def resolve_approval(self, approval_id: str, *, approve: bool, digest: str) -> str:
        body: dict[str, object] = {"id": approval_id, "approve": approve, "digest": digest}
        return str(_obj(await self.call("approval.resolve", body)).get("state"))

    async def secrets_list(self) -> list[dict[str, object]]:
        return _objs(await self.call("secrets.list"))

    async def secrets_add(
        self,
        name: str,
        value: str,
        *,
        hosts: list[str] | None = None,
        header: str | None = None,
        replace: bool = False,
    ) -> str:
        """Store a secret in the kernel; an existing name is refused unless ``replace`` (then
        the value is swapped in one step)."""
        body = _secret_body(name, value, hosts, header, replace)
        return str(_obj(await self.call("secrets.add", body))["handle"])

    async def secrets_rm(self, name: str) -> None:
        await self.call("secrets.rm", {"name": name})

    async def shutdown(self) -> None:
        await self.call("shutdown")


__all__ = [
    "AsyncKernelClient",
    "KernelClient",
    "NoKernelError",
    "RemoteError",
    "RemoteText",
]
