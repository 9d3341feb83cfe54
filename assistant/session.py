"""Conversation state, persisted in SQLite (WAL) under the home folder.

A session belongs to one identity, fixed when it starts: a verified customer id, or, for a
guest, the browser that holds its id (issued here: 128 random bits, so holding it is the
proof). It keeps the transcript (with which messages the customer has been sent), the search
slots built up so far, the products last shown (in order, so "the second one" resolves), the
product in focus ("it"), the hand-off flag the agent console reads and whether an agent holds
the conversation.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, Field, PrivateAttr

from assistant.parse.schema import Slots
from shopassist.privacy import redact
from shopassist.sqlite_files import connect_private, truncate_wal

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_MESSAGES = 200


def new_session_id() -> str:
    return secrets.token_hex(16)


def issued_session_id(value: str) -> bool:
    """Shaped like an id issued here (unguessable), not a name a local tool chose."""
    return re.fullmatch(r"[0-9a-f]{32}", value) is not None


def valid_session_id(value: str | None) -> bool:
    return bool(value) and SESSION_ID.fullmatch(value) is not None


class Message(BaseModel):
    role: str  # "customer" | "assistant" | "agent"
    text: str
    intent: str | None = None
    ts: float = Field(default_factory=time.time)
    seq: int = 0  # position in the conversation, kept when old messages are trimmed
    delivered: bool = True  # the customer has been sent it (agent replies wait for the widget)
    suggestion: int | None = None  # agent replies: which suggestion was inserted (None: typed)
    suggestion_kind: str | None = None  # "answer" | "clarify" | "action"
    edited: bool | None = None  # agent replies: changed before sending
    _stored: bool = PrivateAttr(default=False)  # read back from the store: already redacted


class Session(BaseModel):
    id: str
    user_id: str | None = None
    created: float = Field(default_factory=time.time)
    updated: float = Field(default_factory=time.time)
    messages: list[Message] = Field(default_factory=list)
    next_seq: int = 0
    slots: Slots = Field(default_factory=Slots)
    shown: list[str] = Field(default_factory=list)
    focus: str | None = None
    filter_category: str | None = None  # category level / brand an earlier search resolved
    filter_brand: str | None = None
    pending_categories: list[str] = Field(default_factory=list)
    pending_slots: Slots | None = None
    handoff: bool = False
    handoff_reason: str | None = None
    agent_held: bool = False  # an agent has taken the conversation over; the assistant stays quiet
    variant: str | None = None  # A/B variant, fixed when the session starts

    def add(self, role: str, text: str, intent: str | None = None, **extra) -> Message:
        message = Message(role=role, text=text, intent=intent, seq=self.next_seq, **extra)
        self.next_seq += 1
        self.messages.append(message)
        self.updated = time.time()
        return message

    def owned_by(self, user_id: str | None) -> bool:
        """Whether a caller with this verified id (None: a guest holding the id) may use it."""
        return self.user_id == user_id


class SessionLocks:
    """One lock per session id, so a turn's read-modify-write of its session and an agent's
    reply posted meanwhile cannot overwrite each other; other sessions are not held up."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def hold(self, session_id: str | None):
        if not session_id:
            yield
            return
        with self._guard:
            lock, users = self._locks.get(session_id, (threading.Lock(), 0))
            self._locks[session_id] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[session_id]
                if users == 1:
                    del self._locks[session_id]
                else:
                    self._locks[session_id] = (lock, users - 1)


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

_FREE_TEXT_SLOTS = ("query", "category", "brand", "account_type", "delivery_city", "delivery_country")


def _redact_slots(slots: Slots) -> Slots:
    # The rule parse can put the whole raw message into ``query``: slots are stored text too.
    update = {name: redact(getattr(slots, name)) for name in _FREE_TEXT_SLOTS if getattr(slots, name)}
    update["attributes"] = {k: redact(v) for k, v in slots.attributes.items()}
    update["person_name"] = None
    return slots.model_copy(update=update)


def _redacted(session: Session) -> Session:
    stored = session.model_copy(deep=True)
    for message in stored.messages:
        if not message._stored:  # a long transcript is not re-scanned on every save
            message.text = redact(message.text)
    stored.handoff_reason = redact(stored.handoff_reason) if stored.handoff_reason else None
    stored.slots = _redact_slots(stored.slots)
    stored.pending_slots = _redact_slots(stored.pending_slots) if stored.pending_slots else None
    return stored


class SessionStore:
    """Sessions by id. Safe to share between threads of one process; several processes
    can share the file (SQLite serialises the writes).

    Args:
        path: the SQLite file (created 0600).
        ttl_s: a session untouched this long is expired: ``get`` no longer returns it.
        max_messages: transcript length kept per session (oldest dropped first).
    """

    def __init__(self, path: Path, ttl_s: float | None = None, max_messages: int = MAX_MESSAGES):
        self.path = Path(path)
        self._conn = connect_private(self.path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.ttl_s, self.max_messages = ttl_s, max_messages

    def new(self, user_id: str | None = None, session_id: str | None = None) -> Session:
        return Session(id=session_id or new_session_id(), user_id=user_id)

    def get(self, session_id: str) -> Session | None:
        """The live session, or None when there is none or it has expired."""
        if not valid_session_id(session_id):
            return None
        session = self.peek(session_id)
        if session is not None and self.ttl_s and time.time() - session.updated > self.ttl_s:
            return None
        return session

    def peek(self, session_id: str) -> Session | None:
        """The stored session even when expired (the agent console reads old transcripts)."""
        with self._lock:
            row = self._conn.execute("SELECT data FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if not row:
            return None
        session = Session.model_validate_json(row[0])
        for message in session.messages:
            message._stored = True
        return session

    def save(self, session: Session) -> None:
        """Stores the session with personal data (emails, phones, cards, addresses) redacted
        and its transcript capped; the live object keeps the raw text for the rest of its turn."""
        stored = _redacted(session)
        stored.messages = stored.messages[-self.max_messages:]
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

    def all_messages(self, role: str) -> list[Message]:
        """Every stored message of one role (for reports over agent replies)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT value FROM sessions, json_each(sessions.data, '$.messages') "
                "WHERE json_extract(value, '$.role') = ?", (role,)).fetchall()
        return [Message.model_validate_json(r[0]) for r in rows]

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
        """Deletes the user's sessions (transcripts included) and purges them from the file;
        raises if the write-ahead log could not be emptied."""
        with self._lock, self._conn:
            self._conn.execute("PRAGMA secure_delete=ON")
            deleted = self._conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount
        with self._lock:
            truncate_wal(self._conn, self.path)
        return deleted

    def close(self) -> None:
        with self._lock:
            self._conn.close()

