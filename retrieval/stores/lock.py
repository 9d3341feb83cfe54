"""An exclusive, non-blocking lock on a store folder, held for as long as it is open."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from shopassist.errors import StoreBusyError


class FolderLock:
    """``flock`` on ``<folder>.lock``: the OS releases it if the process dies."""

    def __init__(self, folder: Path):
        self.path = Path(str(folder) + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreBusyError(
                f"the store {self.path.with_suffix('')} is in use by another shopassist process "
                f"(pid {holder}); one process owns a store at a time: stop that process (e.g. a "
                "running `shopassist serve`) or use a Qdrant server with --qdrant-url"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
