"""Group commit's ``fsync`` in a child process, so no append waits for the disk.

An ``fsync`` of the log costs a few hundred microseconds on a fast disk and far more on a slow
one. Done by the append that finds a batch due, it lands on one call in a hundred; done by a
thread, it slows every call (the thread waits for the GIL). This child does it instead: the
parent writes the batch (the data is then in the page cache) and sends the child the last
sequence number written; the child fsyncs its own, read-only descriptor of the same file, which
makes the same data durable, and sends the number back. At most one request is outstanding
(`Syncer.submit` waits for the previous answer first), so a stalled disk still holds the
appends back, as an inline ``fsync`` would.

This file is also the child's program. It is run by path with ``python -I -S``, so it imports
nothing but the standard library.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import struct
import subprocess
import sys

_REQUEST = struct.Struct(">q")  # the highest sequence number written before this request
_ANSWER = struct.Struct(">qi")  # that number, and 0 or the errno of the failed fsync
_STOP_TIMEOUT_S = 5.0


class SyncerGone(Exception):
    """The child is gone (it exited or its socket failed); fsync inline from now on."""


class Syncer:
    """The parent's end: start the child, hand it fsyncs, collect its answers.

    Not thread-safe: the event log calls it under its I/O lock.
    """

    def __init__(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", os.path.abspath(__file__), str(child.fileno())],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                close_fds=True,
            )
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self._sock = parent
        #: A read-only descriptor of the file to fsync, to send with the next request.
        self._next_fd: int | None = None
        #: The sequence number of the request not answered yet, if any.
        self.pending: int | None = None
        self.pid = self._proc.pid

    def follow(self, path: str) -> None:
        """Make `path` (the log's new segment) the file later requests fsync. The child gets a
        read-only descriptor of it: it can make the file durable but never write to it."""
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        if self._next_fd is not None:
            os.close(self._next_fd)
        self._next_fd = fd

    def submit(self, seq: int) -> tuple[int, int] | None:
        """Ask for the followed file to be fsynced, `seq` being the last record written to it.
        First waits for the answer to the previous request, which it returns (see `answer`)."""
        previous = self.answer(None) if self.pending is not None else None
        try:
            fd = self._next_fd
            if fd is not None:
                self._sock.sendmsg([_REQUEST.pack(seq)], [_fds(fd)])
                self._next_fd = None
                os.close(fd)
            else:
                self._sock.send(_REQUEST.pack(seq))
        except OSError:
            raise SyncerGone from None
        self.pending = seq
        return previous

    def answer(self, timeout: float | None) -> tuple[int, int] | None:
        """The (seq, errno) answer to the outstanding request, waiting at most `timeout` seconds
        (None: until it comes; 0: not at all, in one system call); None if there is no request
        or no answer yet."""
        if self.pending is None:
            return None
        try:
            if timeout == 0:
                data = self._sock.recv(_ANSWER.size, socket.MSG_DONTWAIT)
            else:
                if timeout is not None:
                    ready, _, _ = select.select([self._sock], [], [], timeout)
                    if not ready:
                        return None
                data = self._sock.recv(_ANSWER.size)
        except BlockingIOError:
            return None
        except OSError:
            raise SyncerGone from None
        if len(data) != _ANSWER.size:
            raise SyncerGone
        self.pending = None
        seq, err = _ANSWER.unpack(data)
        return seq, err

    def close(self) -> None:
        """Stop the child (it exits when its socket closes) and reap it."""
        if self._next_fd is not None:
            os.close(self._next_fd)
            self._next_fd = None
        self._sock.close()
        try:
            self._proc.wait(_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def _fds(fd: int) -> tuple[int, int, bytes]:
    return (socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", fd))


def _serve(sock: socket.socket) -> None:
    """The child's loop: one request, one fsync, one answer, until the parent closes."""
    fd = -1
    room = socket.CMSG_SPACE(struct.calcsize("i"))
    while True:
        data, ancillary, _, _ = sock.recvmsg(_REQUEST.size, room)
        if not data:
            return  # the parent closed its end
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                if fd >= 0:
                    os.close(fd)
                fd = struct.unpack("i", payload[: struct.calcsize("i")])[0]
        err = 0
        try:
            os.fsync(fd)
        except OSError as exc:
            err = exc.errno or -1
        sock.send(_ANSWER.pack(_REQUEST.unpack(data)[0], err))


def main(argv: list[str]) -> int:
    # Ctrl-C reaches the whole process group: the parent shuts down cleanly and closes the
    # socket, which is what ends this loop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(argv[1]))
    try:
        _serve(sock)
    except (OSError, KeyboardInterrupt):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
