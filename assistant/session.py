"""Conversation state, persisted in SQLite (WAL) under the home folder.

A session belongs to at most one customer id, fixed when it starts; it keeps the
transcript, the search slots built up so far, the products last shown (in the order shown,
so "the second one" resolves), the product in focus ("it") and the hand-off flag the agent
console reads.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.schema import Slots
from shopassist.privacy import redact


class Message(BaseModel):
    role: str  # "customer" | "assistant" | "agent"
    text: str
    intent: str | None = None
    ts: float = Field(default_factory=time.time)


class Session(BaseModel):
    id: str
    user_id: str | None = None
    created: float = Field(default_factory=time.time)
    updated: float = Field(default_factory=time.time)
    messages: list[Message] = Field(default_factory=list)
    slots: Slots = Field(default_factory=Slots)
    shown: list[str] = Field(default_factory=list)
    focus: str | None = None
    filter_category: str | None = None  # category level / brand an earlier search resolved
    filter_brand: str | None = None
    pending_categories: list[str] = Field(default_factory=list)
    pending_slots: Slots | None = None
    handoff: bool = False
    handoff_reason: str | None = None
    variant: str | None = None  # A/B variant, fixed when the session starts

    def add(self, role: str, text: str, intent: str | None = None) -> None:
        self.messages.append(Message(role=role, text=text, intent=intent))
        self.updated = time.time()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    handoff INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_queue ON sessions (handoff, updated);
"""


def _redacted(session: Session) -> Session:
    stored = session.model_copy(deep=True)
    for message in stored.messages:
        message.text = redact(message.text)
    stored.handoff_reason = redact(stored.handoff_reason) if stored.handoff_reason else None
    stored.slots = stored.slots.model_copy(update={"person_name": None})
    return stored


class SessionStore:
    """Sessions by id. Safe to share between threads of one process; several processes
    can share the file (SQLite serialises the writes)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def new(self, user_id: str | None = None, session_id: str | None = None) -> Session:
        return Session(id=session_id or uuid.uuid4().hex[:16], user_id=user_id)

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            row = self._conn.execute("SELECT data FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return Session.model_validate_json(row[0]) if row else None

    def save(self, session: Session) -> None:
        """Stores the session with personal data (emails, phones, cards, addresses) redacted;
        the live object keeps the raw text for the rest of its turn."""
        stored = _redacted(session)
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO sessions (id, user_id, handoff, updated, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET user_id=excluded.user_id, handoff=excluded.handoff, "
                "updated=excluded.updated, data=excluded.data",
                (stored.id, stored.user_id, int(stored.handoff), stored.updated, stored.model_dump_json()))

    def queue(self, limit: int = 100) -> list[Session]:
        """Hand-offs first, then the most recently active conversations."""
        with self._lock:
            rows = self._conn.execute("SELECT data FROM sessions ORDER BY handoff DESC, updated DESC LIMIT ?",
                                      (limit,)).fetchall()
        return [Session.model_validate_json(r[0]) for r in rows]

    def by_variant(self) -> dict[str, list[tuple[str, int]]]:
        """A/B variant → [(session id, customer turns)]; sessions from before any experiment
        are under "none"."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT coalesce(json_extract(data, '$.variant'), 'none'), id, "
                "(SELECT count(*) FROM json_each(data, '$.messages') WHERE json_extract(value, '$.role') = 'customer') "
                "FROM sessions").fetchall()
        out: dict[str, list[tuple[str, int]]] = {}
        for variant, sid, turns in rows:
            out.setdefault(variant, []).append((sid, int(turns)))
        return out

    def ids_of(self, user_id: str) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT id FROM sessions WHERE user_id = ?", (user_id,))]

    def delete_user(self, user_id: str) -> int:
        """Deletes the user's sessions (transcripts included) and purges them from the file."""
        with self._lock, self._conn:
            self._conn.execute("PRAGMA secure_delete=ON")
            deleted = self._conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    def close(self) -> None:
        with self._lock:
            self._conn.close()
