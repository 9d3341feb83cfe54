"""The behaviour event store, on the database the settings name: a SQLite file under the home
(WAL mode; the default) or PostgreSQL (``database_url``), shared by every app replica.

Events written by a request are committed before it returns, so the next request, on any
replica, sees them, and a killed process loses nothing that was acknowledged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from shopassist.database import Database, Migration, SQLiteDatabase, in_batches

EVENT_TYPES = ("view", "click", "add_to_cart", "remove_from_cart", "purchase", "return")
_BROWSING = ("view", "click", "add_to_cart", "remove_from_cart")  # what a chat session writes; orders come from the shop

MIGRATIONS = (
    Migration(1, sqlite="""
        CREATE TABLE IF NOT EXISTS events (
            id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT, product_id TEXT NOT NULL, type TEXT NOT NULL,
            quantity REAL NOT NULL DEFAULT 1, price REAL, ts REAL NOT NULL, session_id TEXT);
        CREATE INDEX IF NOT EXISTS events_user ON events (user_id, ts);
        CREATE INDEX IF NOT EXISTS events_session ON events (session_id);
        CREATE INDEX IF NOT EXISTS events_product ON events (product_id);
        CREATE TABLE IF NOT EXISTS users (user_id TEXT PRIMARY KEY, country TEXT)
        """, postgresql="""
        CREATE TABLE IF NOT EXISTS events (
            id BIGSERIAL PRIMARY KEY, user_id TEXT, product_id TEXT NOT NULL, type TEXT NOT NULL,
            quantity DOUBLE PRECISION NOT NULL DEFAULT 1, price DOUBLE PRECISION, ts DOUBLE PRECISION NOT NULL,
            session_id TEXT);
        CREATE INDEX IF NOT EXISTS events_user ON events (user_id, ts);
        CREATE INDEX IF NOT EXISTS events_session ON events (session_id);
        CREATE INDEX IF NOT EXISTS events_product ON events (product_id);
        CREATE TABLE IF NOT EXISTS users (user_id TEXT PRIMARY KEY, country TEXT)
        """, note="events and users' countries"),
)


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


_COLUMN_NAMES = ("user_id", "product_id", "type", "quantity", "price", "ts", "session_id")
_COLUMNS = ", ".join(_COLUMN_NAMES)


def events_to_frame(events: Iterable[Event]):
    """Events as a DataFrame with the columns of ``EventStore.frame``."""
    import pandas as pd

    rows = [(e.user_id, e.product_id, e.type, e.quantity, e.price, e.timestamp, e.session_id) for e in events]
    return pd.DataFrame(rows, columns=list(_COLUMN_NAMES))


class EventStore:
    """Append and read behaviour events.

    Args:
        db: the database (``shopassist.database.open_database``), or a SQLite file's path.

    Example:
        >>> store = EventStore(home / "events.sqlite")
        >>> store.append([Event("85123A", "add_to_cart", user_id="17850", timestamp=time.time())])
        >>> store.user_events("17850")[-1].type
        'add_to_cart'
    """

    def __init__(self, db: Database | Path | str):
        self.db = db if isinstance(db, Database) else SQLiteDatabase(Path(db))
        self.db.migrate("events", MIGRATIONS)

    def append(self, events: Iterable[Event]) -> int:
        rows = [(e.user_id, e.product_id, e.type, e.quantity, e.price, e.timestamp or time.time(), e.session_id)
                for e in events]
        return self.db.insert_many("events", _COLUMN_NAMES, rows) if rows else 0

    def set_countries(self, countries: dict[str, str]) -> None:
        with self.db.transaction() as tx:
            tx.executemany("INSERT INTO users (user_id, country) VALUES (?, ?) ON CONFLICT (user_id) "
                           "DO UPDATE SET country = excluded.country", list(countries.items()))

    def country(self, user_id: str) -> str | None:
        row = self.db.query("SELECT country FROM users WHERE user_id = ?", (user_id,))
        return row[0][0] if row else None

    def user_events(self, user_id: str, types: Iterable[str] | None = None) -> list[Event]:
        """A user's events, oldest first."""
        sql, params = f"SELECT {_COLUMNS} FROM events WHERE user_id = ?", [user_id]
        if types:
            kinds = list(types)
            sql += f" AND type IN ({','.join('?' * len(kinds))})"
            params += kinds
        return [_row_to_event(r) for r in self.db.query(sql + " ORDER BY ts, id", params)]

    def user_item_history(self, user_id: str, types: Iterable[str]) -> list[tuple[str, float, float]]:
        """``(product_id, ts, quantity)`` of a user's events of these types, oldest first: the
        lean read the reranker makes on every request."""
        kinds = list(types)
        return self.db.query(f"SELECT product_id, ts, quantity FROM events WHERE user_id = ? AND type IN "
                             f"({','.join('?' * len(kinds))}) ORDER BY ts, id", (user_id, *kinds))

    def session_events(self, session_id: str) -> list[Event]:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM events WHERE session_id = ? ORDER BY ts, id", (session_id,))
        return [_row_to_event(r) for r in rows]

    def orders(self, limit: int = 1000) -> list[tuple[str, str]]:
        """``(session_id, user_id)`` of known customers' purchase sessions (orders)."""
        return self.db.query("SELECT session_id, MIN(user_id) FROM events WHERE type = 'purchase' AND user_id IS NOT "
                             "NULL AND session_id IS NOT NULL GROUP BY session_id ORDER BY session_id LIMIT ?",
                             (limit,))

    def counts_by_session(self, session_ids: list[str]) -> dict[str, dict[str, int]]:
        """session id → {event type: count}, for the given sessions."""
        out: dict[str, dict[str, int]] = {}
        for chunk, marks in in_batches(session_ids):
            rows = self.db.query(f"SELECT session_id, type, COUNT(*) FROM events WHERE session_id IN ({marks}) "
                                 "GROUP BY session_id, type", chunk)
            for sid, kind, n in rows:
                out.setdefault(sid, {})[kind] = int(n)
        return out

    def bought_within(self, asks: list[tuple], within_s: float) -> set[tuple]:
        """Those of ``asks`` — ``(user id, ts)``, or ``(user id, ts, product id)`` — followed by a
        purchase by that user (of that product) within ``within_s`` seconds: one index probe each."""
        found: set[tuple] = set()
        product = bool(asks) and len(asks[0]) == 3
        match = "AND e.product_id = a.p " if product else ""
        columns = "u, t, p" if product else "u, t"
        for start in range(0, len(asks), 300):
            chunk = asks[start:start + 300]
            values = ", ".join(["(?, ?, ?)" if product else "(?, ?)"] * len(chunk))
            rows = self.db.query(
                f"WITH a({columns}) AS (VALUES {values}) SELECT {columns} FROM a WHERE EXISTS (SELECT 1 FROM events e "
                f"WHERE e.user_id = a.u AND e.type = 'purchase' AND e.ts >= a.t AND e.ts <= a.t + ? {match})",
                [v for ask in chunk for v in ask] + [within_s])
            found |= {tuple(r) for r in rows}
        return found

    def iter_events(self, batch: int = 50_000) -> Iterator[Event]:
        """Every event, oldest first (for training)."""
        last = 0
        while True:
            rows = self.db.query(f"SELECT id, {_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
            if not rows:
                return
            last = rows[-1][0]
            yield from (_row_to_event(r[1:]) for r in rows)

    def frame(self):
        """All events as a pandas DataFrame (columns as in the table, ``ts`` in seconds)."""
        import pandas as pd

        rows = self.db.query(f"SELECT {_COLUMNS} FROM events ORDER BY ts, id")
        frame = pd.DataFrame(rows, columns=list(_COLUMN_NAMES))
        return frame.astype({"quantity": "float64", "price": "float64", "ts": "float64"})

    def count(self, user_id: str | None = None) -> int:
        if user_id is None:
            return int(self.db.query("SELECT COUNT(*) FROM events")[0][0])
        return int(self.db.query("SELECT COUNT(*) FROM events WHERE user_id = ?", (user_id,))[0][0])

    def has_user(self, user_id: str) -> bool:
        return bool(self.db.query("SELECT 1 FROM events WHERE user_id = ? LIMIT 1", (user_id,)))

    def clear(self) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM events")
            tx.execute("DELETE FROM users")

    def delete_session_events(self, session_id: str) -> int:
        """Deletes the events one chat session wrote (its cart changes and clicks). Loaded order
        histories use their invoices as sessions, which no chat session id can equal."""
        with self.db.transaction() as tx:
            return int(tx.execute(f"DELETE FROM events WHERE session_id = ? AND type IN "
                                  f"({','.join('?' * len(_BROWSING))})", (session_id, *_BROWSING)))

    def delete_user(self, user_id: str, sessions: Iterable[str] = ()) -> int:
        """Deletes the user's events, and the anonymous browsing events (views, clicks, carts)
        of ``sessions``, their own chat sessions, whose clicks may predate the sign-in. Nobody
        else's rows are touched, whatever the session ids are. Then purges the deleted rows
        from the engine's files; raises if that could not be done."""
        with self.db.transaction() as tx:
            deleted = self.delete_user_rows(tx, user_id, sessions)
        self.db.purge(["events", "users"])
        return deleted

    @staticmethod
    def delete_user_rows(tx, user_id: str, sessions: Iterable[str] = ()) -> int:
        """The deletion alone, inside a caller's transaction (forget on a shared database)."""
        deleted = tx.execute("DELETE FROM events WHERE user_id = ?", (user_id,))
        for chunk, marks in in_batches(sessions):
            deleted += tx.execute(
                f"DELETE FROM events WHERE session_id IN ({marks}) AND user_id IS NULL "
                f"AND type IN ({','.join('?' * len(_BROWSING))})", chunk + _BROWSING)
        tx.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
        return int(deleted)

    def close(self) -> None:
        self.db.close()
