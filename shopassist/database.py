"""The SQL engines that hold customer data, behind one small interface.

SQLite (a 0600 file under the home) is the default and needs nothing running. PostgreSQL
(``database_url``) lets several app processes, on one machine or many, share events and
conversations, so any replica can continue any conversation. The stores write one portable
SQL dialect (``?`` placeholders, ``ON CONFLICT ... DO UPDATE``); only table definitions differ,
and those live in versioned migrations (``Migration``), applied in order and recorded in
``schema_versions``, never ad hoc.

Example:
    >>> db = open_database(settings, "events")
    >>> db.migrate("events", MIGRATIONS)
    >>> db.query("SELECT COUNT(*) FROM events")
    [(0,)]
"""

from __future__ import annotations

import fcntl
import re
import threading
import zlib
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Protocol, Sequence

from shopassist.errors import ConfigError, ShopAssistError
from shopassist.sqlite_files import connect_private, open_private, truncate_wal

_LOCK_BYTES = 1 << 16  # conversations hash onto this many bytes of the lock file
_TABLE = re.compile(r"[a-z_][a-z0-9_]*")


class DatabaseError(ShopAssistError):
    """The database cannot be reached, or its schema is newer than this program."""


@dataclass(frozen=True)
class Migration:
    """One schema step of one store: ``version`` counts up from 1; each engine gets its own
    DDL (statements separated by ``;``), since column types differ."""

    version: int
    sqlite: str
    postgresql: str
    note: str = ""


class Tx(Protocol):
    def execute(self, sql: str, params: Sequence = ()) -> int: ...
    def executemany(self, sql: str, rows: Sequence[Sequence]) -> int: ...
    def fetchone(self, sql: str, params: Sequence = ()) -> tuple | None: ...


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


_SECRET_PARAM = re.compile(r"([?&;](?:[^=&;]*(?:pass|secret|token|key|auth)[^=&;]*)=)[^&;#]*", re.I)


def redact_url(url: str) -> str:
    """The URL without its password, for messages and logs: the user info keeps only the user
    (the password may itself hold ``@`` or ``:``, so everything up to the host's ``@`` goes), and
    any query parameter named like a secret (``?password=``, ``sslpassword``, ``token``) is
    masked; a key=value connection string's ``password=`` likewise."""
    scheme, sep, rest = url.partition("//")
    if sep:
        end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
        authority, tail = rest[:end], rest[end:]
        at = authority.rfind("@")
        if at < 0 and "@" in rest:  # a password with "/", "?" or "#" in it: the host's "@" is later
            at = rest.rfind("@")
            host_end = next((i for i in range(at + 1, len(rest)) if rest[i] in "/?#"), len(rest))
            authority, tail = rest[:host_end], rest[host_end:]
        if at >= 0:
            user = authority[:at].split(":", 1)[0]
            authority = f"{user}:***@{authority[at + 1:]}" if ":" in authority[:at] else authority
        url = scheme + sep + authority + tail
        return _SECRET_PARAM.sub(r"\1***", url)
    return re.sub(r"(\bpassword\s*=\s*)(?:'[^']*'|\S+)", r"\1***", url, flags=re.I)


class Database(ABC):
    """A connection (SQLite) or a pool (PostgreSQL), safe to share between threads."""

    engine: str

    @abstractmethod
    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Rows of one read."""

    @abstractmethod
    def transaction(self) -> Iterator[Tx]:
        """A context manager: statements inside commit together, or not at all."""

    @abstractmethod
    def insert_many(self, table: str, columns: Sequence[str], rows: list[tuple]) -> int:
        """Bulk insert (COPY on PostgreSQL)."""

    @abstractmethod
    def purge(self, tables: Sequence[str]) -> None:
        """After personal rows were deleted: make sure no copy of them stays in the engine's
        files (SQLite: the write-ahead log; PostgreSQL: dead tuples, by VACUUM); raises if not."""

    @abstractmethod
    def hold(self, key: str):
        """A context manager: an exclusive lock on ``key`` among every process sharing the
        database (SQLite: this process's threads, the only writers a conversation has)."""

    @abstractmethod
    def close(self) -> None: ...

    def ping(self, timeout_s: float = 1.0) -> None:
        """Raises unless the database answers within ``timeout_s`` (for ``/healthz``)."""
        self.query("SELECT 1")

    def migrate(self, store: str, migrations: Sequence[Migration]) -> int:
        """Brings ``store``'s tables to the newest version; returns it. Safe when several
        processes start at once (the steps run under a database-wide lock)."""
        newest = max(m.version for m in migrations)
        with self._migration_lock(), self.transaction() as tx:
            self._take_write_lock(tx)
            tx.execute("CREATE TABLE IF NOT EXISTS schema_versions (store TEXT PRIMARY KEY, version INTEGER NOT NULL)")
            current = self._version(tx, store)
            if current > newest:
                raise DatabaseError(f"the {store} tables are at schema version {current}, newer than this shopassist "
                                    f"knows ({newest}): upgrade shopassist, or point it at another database")
            for step in sorted(migrations, key=lambda m: m.version):
                if step.version > current:
                    for statement in _statements(getattr(step, self.engine)):
                        tx.execute(statement)
            self._record(tx, store, newest)
        return newest

    def version(self, store: str) -> int:
        with self.transaction() as tx:
            return self._version(tx, store)

    def record_version(self, store: str, version: int) -> None:
        """Records a step that is not a table definition (a one-time rewrite of old rows) as
        done, under its own name, so later starts skip it."""
        with self.transaction() as tx:
            self._record(tx, store, version)

    @staticmethod
    def _record(tx: Tx, store: str, version: int) -> None:
        tx.execute("INSERT INTO schema_versions (store, version) VALUES (?, ?) ON CONFLICT (store) "
                   "DO UPDATE SET version = excluded.version", (store, version))

    @staticmethod
    def _version(tx: Tx, store: str) -> int:
        row = tx.fetchone("SELECT version FROM schema_versions WHERE store = ?", (store,))
        return int(row[0]) if row else 0

    @abstractmethod
    def _migration_lock(self): ...

    def _take_write_lock(self, tx) -> None:
        """Hook: hold the engine's write lock from the first read of a migration on."""


class SQLiteDatabase(Database):
    """One WAL-mode file, one connection shared by the process's threads under a lock."""

    engine = "sqlite"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file = _SQLiteFile.acquire(self.path)
        self._conn, self._lock, self._keys, self._key_file = (
            self._file.conn, self._file.lock, self._file.keys, self._file.key_file)

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._lock, self._conn:
            yield _SQLiteTx(self._conn)

    def insert_many(self, table: str, columns: Sequence[str], rows: list[tuple]) -> int:
        marks = ", ".join("?" * len(columns))
        with self.transaction() as tx:
            return tx.executemany(f"INSERT INTO {_table(table)} ({', '.join(columns)}) VALUES ({marks})", rows)

    def purge(self, tables: Sequence[str]) -> None:
        with self._lock:
            truncate_wal(self._conn, self.path)

    @contextmanager
    def hold(self, key: str):
        """This process's threads queue on an in-process lock; other processes (``forget`` from
        the command line while ``serve`` runs) on a byte of a lock file named by the key."""
        offset = zlib.crc32(key.encode()) % _LOCK_BYTES
        with self._keys.hold(key):
            fcntl.lockf(self._key_file, fcntl.LOCK_EX, 1, offset)
            try:
                yield
            finally:
                fcntl.lockf(self._key_file, fcntl.LOCK_UN, 1, offset)

    def _migration_lock(self):
        return self._lock

    def _take_write_lock(self, tx) -> None:
        # The write lock up front (waiting up to the busy timeout), so two processes migrating
        # at once queue instead of both reading version 0 and one failing to upgrade its lock.
        tx.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            file.release()


class _SQLiteFile:
    """The one connection and lock-file descriptor this process keeps per SQLite file, shared
    by every handle on it (two stores' assistants in one process open the same sessions file).
    Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
    included: with a second connection opened and closed beside the first, another process
    could take the file for its own, checkpoint and delete the write-ahead log that this
    process was still writing to, and the file was corrupted."""

    _open: dict[Path, "_SQLiteFile"] = {}
    _registry = threading.Lock()

    def __init__(self, path: Path, key: Path):
        self.key = key
        self.conn = connect_private(path)
        with self.conn:
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not just unlinked
        self.lock = threading.RLock()
        self.keys = _KeyLocks()
        self.key_file = open_private(path.with_name(path.name + ".locks"))
        self.users = 0

    @classmethod
    def acquire(cls, path: Path) -> "_SQLiteFile":
        key = path.resolve()
        with cls._registry:
            file = cls._open.get(key)
            if file is None:
                file = cls._open[key] = cls(path, key)
            file.users += 1
            return file

    def release(self) -> None:
        with self._registry:  # closed inside: a new handle opened meanwhile would lose its locks to this close
            self.users -= 1
            if self.users:
                return
            del self._open[self.key]
            with self.lock:
                self.conn.close()
                self.key_file.close()


class _SQLiteTx:
    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql: str, params: Sequence = ()) -> int:
        return self._conn.execute(sql, tuple(params)).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> int:
        self._conn.executemany(sql, rows)
        return len(rows)

    def fetchone(self, sql: str, params: Sequence = ()) -> tuple | None:
        return self._conn.execute(sql, tuple(params)).fetchone()


def _table(name: str) -> str:
    if not _TABLE.fullmatch(name):
        raise ValueError(f"not a table name: {name!r}")
    return name


def _pg(sql: str) -> str:
    # The stores' SQL has no literal '?' or '%': placeholders are the only ones.
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresDatabase(Database):
    """A psycopg 3 connection pool on ``url``."""

    engine = "postgresql"

    def __init__(self, url: str, pool_size: int = 10, timeout_s: float = 10.0):
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self._errors = psycopg.Error
        try:
            self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, timeout=timeout_s, open=False,
                                        name="shopassist")
            self._pool.open(wait=True, timeout=timeout_s)
        except Exception as exc:  # noqa: BLE001 (psycopg's and the pool's errors differ)
            raise DatabaseError(f"cannot connect to PostgreSQL at {redact_url(url)}: {exc}") from None
        self._users = 1
        self._keys = _KeyLocks()  # this process's turns queue here, not on pooled connections
        self._held = threading.local()  # the connection a thread's hold() took: its turn's only one
        self._health = None  # a connection of its own for ping(), never one a turn is waiting for
        self._health_lock = threading.Lock()

    @contextmanager
    def _connection(self):
        held = getattr(self._held, "conn", None)
        try:
            if held is not None:  # inside hold(): the turn's own connection, never a second one
                yield held
            else:
                with self._pool.connection() as conn:
                    yield conn
        except self._errors as exc:
            raise DatabaseError(f"PostgreSQL at {redact_url(self.url)}: {exc}") from exc

    def ping(self, timeout_s: float = 1.0) -> None:
        import psycopg

        if not self._health_lock.acquire(timeout=timeout_s):
            raise DatabaseError("the health check is still waiting for PostgreSQL")
        try:
            if self._health is None or self._health.closed:
                self._health = psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, int(timeout_s)))
                self._health.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
            self._health.execute("SELECT 1")
        except self._errors as exc:
            if self._health is not None:
                self._health.close()
            self._health = None
            raise DatabaseError(f"PostgreSQL did not answer: {type(exc).__name__}") from None
        finally:
            self._health_lock.release()

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._connection() as conn:
            return conn.execute(_pg(sql), tuple(params)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._connection() as conn, conn.transaction():
            yield _PostgresTx(conn)

    def insert_many(self, table: str, columns: Sequence[str], rows: list[tuple]) -> int:
        with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY {_table(table)} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return len(rows)

    def purge(self, tables: Sequence[str]) -> None:
        # VACUUM removes the deleted tuples from the table files; it cannot run in a transaction.
        with self._connection() as conn:
            was = conn.autocommit
            conn.autocommit = True
            try:
                for table in tables:
                    conn.execute(f"VACUUM {_table(table)}")
            finally:
                conn.autocommit = was

    @contextmanager
    def hold(self, key: str):
        """The lock, on a connection the thread then uses for everything until it lets go: a
        turn holds one connection, so a full pool can never leave every turn waiting for a
        second one."""
        with self._keys.hold(key), self._connection() as conn:
            outer = getattr(self._held, "conn", None) is None
            if outer:
                conn.autocommit = True
                self._held.conn = conn
            conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
            try:
                yield
            finally:
                try:
                    conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
                finally:
                    if outer:
                        self._held.conn = None
                        conn.autocommit = False

    @contextmanager
    def _migration_lock(self):
        with self.hold("shopassist schema migration"):
            yield

    def shared(self) -> "PostgresDatabase":
        """This pool for one more store; it closes when the last of them closes it."""
        self._users += 1
        return self

    def close(self) -> None:
        self._users -= 1
        if self._users == 0:
            self._pool.close()
            if self._health is not None:
                self._health.close()


class _PostgresTx:
    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql: str, params: Sequence = ()) -> int:
        return self._conn.execute(_pg(sql), tuple(params)).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence]) -> int:
        with self._conn.cursor() as cur:
            cur.executemany(_pg(sql), rows)
        return len(rows)

    def fetchone(self, sql: str, params: Sequence = ()):
        return self._conn.execute(_pg(sql), tuple(params)).fetchone()


class _KeyLocks:
    """One in-process lock per key, dropped when nobody holds or waits for it."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, key: str):
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


def open_database(home: Path, name: str, url: str | None = None, pool_size: int = 10) -> Database:
    """PostgreSQL at ``url`` when one is given, else the SQLite file ``home/<name>.sqlite``."""
    if url:
        if not re.match(r"postgres(ql)?://", url):
            raise ConfigError(f"database_url must be a postgresql:// URL, not {redact_url(url)!r}")
        return PostgresDatabase(url, pool_size)
    return SQLiteDatabase(Path(home) / f"{name}.sqlite")


def in_batches(values: Iterable[str], size: int = 500) -> Iterator[tuple[tuple[str, ...], str]]:
    """``values`` in slices small enough for one SQL ``IN (...)``, each with its placeholders."""
    values = list(values)
    for start in range(0, len(values), size):
        chunk = tuple(values[start:start + size])
        yield chunk, ",".join("?" * len(chunk))
