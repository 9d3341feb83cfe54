"""Every handle a process opens on one SQLite file shares one connection, so opening a second
store on the same file (both demo stores' assistants in one process) never drops the locks
SQLite holds for the first: once they were gone, another process could checkpoint and delete
the write-ahead log this process was still writing, and the file was corrupted."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from shopassist.database import SQLiteDatabase

# SQLite (unix) marks a reader with a read lock on these bytes of the database file
_SHARED_FIRST, _SHARED_SIZE = 0x40000002, 510


def _another_process_could_take_the_file(path) -> bool:
    probe = textwrap.dedent(f"""
        import fcntl, os
        fd = os.open({str(path)!r}, os.O_RDWR)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, {_SHARED_SIZE}, {_SHARED_FIRST})
            print("free")
        except OSError:
            print("held")
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return out.strip() == "free"


def _one_row(db: SQLiteDatabase, value: int) -> SQLiteDatabase:
    with db.transaction() as tx:
        tx.execute("CREATE TABLE t (x INTEGER)")
        tx.execute("INSERT INTO t VALUES (?)", (value,))
    return db


def test_a_second_handle_on_the_same_file_keeps_the_first_ones_lock(tmp_path):
    path = tmp_path / "sessions.sqlite"
    first = _one_row(SQLiteDatabase(path), 1)
    assert not _another_process_could_take_the_file(path)
    second = SQLiteDatabase(path)
    assert not _another_process_could_take_the_file(path)
    second.close()
    assert not _another_process_could_take_the_file(path)  # closing one handle leaves the other's lock
    with first.transaction() as tx:
        tx.execute("INSERT INTO t VALUES (2)")
    assert first.query("SELECT count(*) FROM t") == [(2,)]
    first.close()
    first.close()  # a second close of the same handle does nothing
    third = SQLiteDatabase(path)  # the last handle closed the file; a new one opens it again
    assert third.query("SELECT count(*) FROM t") == [(2,)]
    third.close()


def test_handles_on_one_file_see_each_others_writes_and_share_key_locks(tmp_path):
    path = tmp_path / "events.sqlite"
    a, b = SQLiteDatabase(path), SQLiteDatabase(tmp_path / "." / "events.sqlite")
    try:
        _one_row(a, 7)
        assert b.query("SELECT x FROM t") == [(7,)]
        assert a._keys is b._keys  # one in-process queue per conversation, whichever handle holds it
    finally:
        a.close()
        b.close()


def test_an_existing_file_keeps_its_rows_and_mode_when_opened(tmp_path):
    path = tmp_path / "s.sqlite"
    _one_row(SQLiteDatabase(path), 1).close()
    path.chmod(0o644)
    db = SQLiteDatabase(path)
    try:
        assert db.query("SELECT x FROM t") == [(1,)]
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        db.close()
