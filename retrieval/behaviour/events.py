"""The behaviour event store: SQLite in WAL mode, one file under the home folder.

Events written by a request are committed before it returns, so the next request sees them
and a killed process loses nothing that was acknowledged (WAL survives process death).
The SQL is plain and portable, so the same schema can move to PostgreSQL when several app
processes share it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from shopassist.sqlite_files import connect_private, truncate_wal

EVENT_TYPES = ("view", "click", "add_to_cart", "remove_from_cart", "purchase", "return")
_BROWSING = ("view", "click", "add_to_cart", "remove_from_cart")  # what a chat session writes; orders come from the shop

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT,
    product_id TEXT NOT NULL,
    type TEXT NOT NULL,
    quantity REAL NOT NULL DEFAULT 1,
    price REAL,
    ts REAL NOT NULL,
    session_id TEXT
);
CREATE INDEX IF NOT EXISTS events_user ON events (user_id, ts);
CREATE INDEX IF NOT EXISTS events_session ON events (session_id);
CREATE INDEX IF NOT EXISTS events_product ON events (product_id);
CREATE TABLE IF NOT EXISTS users (
    user_id TEXT PRIMARY KEY,
    country TEXT
);
"""


@dataclass(frozen=True)
class Event:
    """One behaviour event. ``user_id`` is None for guests (they still count for popularity);
    ``timestamp`` is Unix seconds; ``session_id`` groups a visit (an invoice for orders)."""

    product_id: str
    type: str = "purchase"
    user_id: str | None = None
    quantity: float = 1.0
    price: float | None = None
    timestamp: float = 0.0
    session_id: str | None = None

    def __post_init__(self) -> None:
        if self.type not in EVENT_TYPES:
            raise ValueError(f"event type {self.type!r} is not one of {', '.join(EVENT_TYPES)}")
        if not self.product_id:
            raise ValueError("event has an empty product_id")


def _row_to_event(row: tuple) -> Event:
    user_id, product_id, kind, quantity, price, ts, session_id = row
    return Event(product_id, kind, user_id, quantity, price, ts, session_id)


_COLUMNS = "user_id, product_id, type, quantity, price, ts, session_id"


def _in_batches(values: list[str], size: int = 500) -> Iterator[tuple[tuple[str, ...], str]]:
    """``values`` in slices small enough for one SQL ``IN (...)``, each with its placeholders."""
    for start in range(0, len(values), size):
        chunk = tuple(values[start:start + size])
        yield chunk, ",".join("?" * len(chunk))


def events_to_frame(events: Iterable[Event]):
    """Events as a DataFrame with the columns of ``EventStore.frame``."""
    import pandas as pd

    rows = [(e.user_id, e.product_id, e.type, e.quantity, e.price, e.timestamp, e.session_id) for e in events]
    return pd.DataFrame(rows, columns=[c.strip() for c in _COLUMNS.split(",")])


class EventStore:
    """Append and read behaviour events.

    Example:
        >>> store = EventStore(home / "events.sqlite")
        >>> store.append([Event("85123A", "add_to_cart", user_id="17850", timestamp=time.time())])
        >>> store.user_events("17850")[-1].type
        'add_to_cart'
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        # One connection shared by the app's threads, guarded by a lock; the file is 0600.
        self._conn = connect_private(self.path)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(_SCHEMA)

    def append(self, events: Iterable[Event]) -> int:
        rows = [(e.user_id, e.product_id, e.type, e.quantity, e.price, e.timestamp or time.time(), e.session_id)
                for e in events]
        with self._lock, self._conn:
            self._conn.executemany(f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def set_countries(self, countries: dict[str, str]) -> None:
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO users (user_id, country) VALUES (?, ?)",
                                   list(countries.items()))

    def country(self, user_id: str) -> str | None:
        row = self._query("SELECT country FROM users WHERE user_id = ?", (user_id,))
        return row[0][0] if row else None

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def user_events(self, user_id: str, types: Iterable[str] | None = None) -> list[Event]:
        """A user's events, oldest first."""
        sql, params = f"SELECT {_COLUMNS} FROM events WHERE user_id = ?", [user_id]
        if types:
            kinds = list(types)
            sql += f" AND type IN ({','.join('?' * len(kinds))})"
            params += kinds
        return [_row_to_event(r) for r in self._query(sql + " ORDER BY ts, id", tuple(params))]

    def user_item_history(self, user_id: str, types: Iterable[str]) -> list[tuple[str, float, float]]:
        """``(product_id, ts, quantity)`` of a user's events of these types, oldest first: the
        lean read the reranker makes on every request."""
        kinds = list(types)
        return self._query(f"SELECT product_id, ts, quantity FROM events WHERE user_id = ? AND type IN "
                           f"({','.join('?' * len(kinds))}) ORDER BY ts, id", (user_id, *kinds))

    def session_events(self, session_id: str) -> list[Event]:
        rows = self._query(f"SELECT {_COLUMNS} FROM events WHERE session_id = ? ORDER BY ts, id", (session_id,))
        return [_row_to_event(r) for r in rows]

    def orders(self, limit: int = 1000) -> list[tuple[str, str]]:
        """``(session_id, user_id)`` of known customers' purchase sessions (orders)."""
        return self._query("SELECT session_id, MIN(user_id) FROM events WHERE type = 'purchase' AND user_id IS NOT "
                           "NULL AND session_id IS NOT NULL GROUP BY session_id LIMIT ?", (limit,))

    def counts_by_session(self, session_ids: list[str]) -> dict[str, dict[str, int]]:
        """session id → {event type: count}, for the given sessions."""
        out: dict[str, dict[str, int]] = {}
        for chunk, marks in _in_batches(session_ids):
            rows = self._query(f"SELECT session_id, type, COUNT(*) FROM events WHERE session_id IN ({marks}) "
                               "GROUP BY session_id, type", chunk)
            for sid, kind, n in rows:
                out.setdefault(sid, {})[kind] = int(n)
        return out

    def iter_events(self, batch: int = 50_000) -> Iterator[Event]:
        """Every event, oldest first (for training)."""
        last = 0
        while True:
            rows = self._query(f"SELECT id, {_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
            if not rows:
                return
            last = rows[-1][0]
            yield from (_row_to_event(r[1:]) for r in rows)

    def frame(self):
        """All events as a pandas DataFrame (columns as in the table, ``ts`` in seconds)."""
        import pandas as pd

        with self._lock:
            return pd.read_sql_query(f"SELECT {_COLUMNS} FROM events ORDER BY ts, id", self._conn)

    def count(self, user_id: str | None = None) -> int:
        if user_id is None:
            return int(self._query("SELECT COUNT(*) FROM events")[0][0])
        return int(self._query("SELECT COUNT(*) FROM events WHERE user_id = ?", (user_id,))[0][0])

    def has_user(self, user_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM events WHERE user_id = ? LIMIT 1", (user_id,)))

    def clear(self) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM events")
            self._conn.execute("DELETE FROM users")

    def delete_user(self, user_id: str, sessions: Iterable[str] = ()) -> int:
        """Deletes the user's events, and the anonymous browsing events (views, clicks, carts)
        of ``sessions``, their own chat sessions, whose clicks may predate the sign-in. Nobody
        else's rows are touched, whatever the session ids are. Then purges the deleted rows
        from the file; raises if the write-ahead log could not be emptied."""
        with self._lock, self._conn:
            self._conn.execute("PRAGMA secure_delete=ON")  # overwrite freed pages, don't just unlink them
            deleted = self._conn.execute("DELETE FROM events WHERE user_id = ?", (user_id,)).rowcount
            for chunk, marks in _in_batches(list(sessions)):
                deleted += self._conn.execute(
                    f"DELETE FROM events WHERE session_id IN ({marks}) AND user_id IS NULL "
                    f"AND type IN ({','.join('?' * len(_BROWSING))})", chunk + _BROWSING).rowcount
            self._conn.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
        with self._lock:
            truncate_wal(self._conn, self.path)  # no copy left in the write-ahead log
        return int(deleted)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
