"""A plain append-only JSON Lines file of kernel events.

Temporary: the event-log issue replaces this with the hash-chained, sealed, durable log. Every
payload passed here is already redacted by the kernel.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path

FORMAT_VERSION = 1


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._file = os.fdopen(fd, "a", encoding="utf-8")
        self._lock = threading.Lock()
        self._seq = 0

    def append(
        self,
        kind: str,
        *,
        actor: str,
        ts_ms: int,
        payload: Mapping[str, object],
        task_id: str | None = None,
        job_id: str | None = None,
        session_id: str | None = None,
    ) -> int:
        with self._lock:
            self._seq += 1
            record = {
                "v": FORMAT_VERSION,
                "seq": self._seq,
                "ts": ts_ms,
                "kind": kind,
                "actor": actor,
                "task": task_id,
                "job": job_id,
                "session": session_id,
                "payload": payload,
            }
            self._file.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
            self._file.flush()
            return self._seq

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
