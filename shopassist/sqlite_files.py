"""SQLite files that hold customer data: created readable by their owner only, and purged
for real when rows are deleted (freed pages overwritten, the write-ahead log emptied)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from shopassist.errors import ShopAssistError

PRIVATE = 0o600


def connect_private(path: Path) -> sqlite3.Connection:
    """A WAL-mode connection to ``path``; the file (and SQLite's -wal/-shm side files, which
    copy its mode) is created 0600, and an existing one is narrowed to 0600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():  # never open and close a descriptor of a live file: that drops SQLite's locks on it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, PRIVATE))
        except FileExistsError:
            pass
    for side in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if side.exists() and side.stat().st_mode & 0o077:
            side.chmod(PRIVATE)
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    _wal(conn)
    return conn


def _wal(conn: sqlite3.Connection, seconds: float = 30.0) -> None:
    """WAL mode, waiting for it: switching a new file's journal needs the file alone, and
    SQLite answers "locked" at once, without its busy wait, when another process or thread is
    opening the same new file at that moment."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def open_private(path: Path):
    """A file for byte-range locks beside a database, created 0600 (it holds no data)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE), "r+b", buffering=0)


def truncate_wal(conn: sqlite3.Connection, path: Path, attempts: int = 20, wait_s: float = 0.25) -> None:
    """Copies the write-ahead log into the database and empties it, so deleted rows survive in
    neither. A reader holding an old snapshot blocks this; retry for a while, then fail loudly
    (the caller must not report the data as gone)."""
    wal = Path(f"{path}-wal")
    for _ in range(attempts):
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy and (not wal.exists() or wal.stat().st_size == 0):
            return
        time.sleep(wait_s)
    raise ShopAssistError(
        f"the deleted rows are gone from the tables but a copy is still in {wal.name}: another process "
        f"(a running `shopassist serve`?) holds the file open. Stop it and run the command again.")
