"""Conversation state, persisted in SQLite (WAL) under the home folder.

A session belongs to one identity, fixed when it starts: a verified customer id, or, for a
guest, the browser that holds its id (issued here: 128 random bits, so holding it is the
proof). It keeps the transcript (with which messages the customer has been sent), the
``DialogueState`` (what is being shopped for, the products shown in order so "the second one"
resolves, the product in focus, the assistant's pending offer), the hand-off flag the agent
console reads and whether an agent holds the conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Literal

from cryptography.exceptions import InvalidTag
from pydantic import BaseModel, Field, PrivateAttr

from assistant import facts
from assistant.state import DialogueState, Need
from shopassist.privacy import redact
from shopassist.sealing import Sealer, is_sealed, owner_of, resolve_data_key
from shopassist.database import Database, Migration, SQLiteDatabase

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_MESSAGES = 200


_TAG_HEX = 16  # 64 bits of HMAC: a forger would need about 2**64 tries per id
_SIGNED_SHAPE = re.compile(r"[0-9a-f]{%d}" % (32 + _TAG_HEX))


def issued_session_id(value: str) -> bool:
    """Shaped like an id issued here (unguessable), not a name a local tool chose: 128 random
    bits, with their tag (``SessionStore.signed`` checks it) or, issued before tags, without."""
    return re.fullmatch(r"[0-9a-f]{32}(?:[0-9a-f]{%d})?" % _TAG_HEX, value) is not None


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
    action: str | None = None  # customer turns: what the assistant did (``assistant.decide``)
    rule: str | None = None  # and the decision rule that chose it
    gap: str | None = None  # customer turns: what was asked for and not found (``assistant.facts``)
    _stored: bool = PrivateAttr(default=False)  # read back from the store: already redacted


class Session(BaseModel):
    id: str
    user_id: str | None = None
    created: float = Field(default_factory=time.time)
    updated: float = Field(default_factory=time.time)
    messages: list[Message] = Field(default_factory=list)
    next_seq: int = 0
    state: DialogueState = Field(default_factory=DialogueState)
    handoff: bool = False
    handoff_reason: str | None = None
    agent_held: bool = False  # an agent has taken the conversation over; the assistant stays quiet
    variant: str | None = None  # A/B variant, fixed when the session starts
    # where it started: the chat widget (or its JSON route), or a customer's AI agent over MCP
    source: Literal["widget", "mcp"] = "widget"

    def add(self, role: str, text: str, intent: str | None = None, **extra) -> Message:
        message = Message(role=role, text=text, intent=intent, seq=self.next_seq, **extra)
        self.next_seq += 1
        self.messages.append(message)
        self.updated = time.time()
        return message

    def owned_by(self, user_id: str | None) -> bool:
        """Whether a caller with this verified id (None: a guest holding the id) may use it."""
        return self.user_id == user_id


log = logging.getLogger(__name__)

MIGRATIONS = (
    Migration(1, sqlite="""
        CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY, user_id TEXT, handoff INTEGER NOT NULL DEFAULT 0, updated REAL NOT NULL,
            data TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
        CREATE INDEX IF NOT EXISTS sessions_queue ON sessions (handoff, updated)
        """, postgresql="""
        CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY, user_id TEXT, handoff INTEGER NOT NULL DEFAULT 0,
            updated DOUBLE PRECISION NOT NULL, data TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
        CREATE INDEX IF NOT EXISTS sessions_queue ON sessions (handoff, updated)
        """, note="conversations: owner, hand-off flag and the redacted session as JSON"),
    Migration(2, sqlite="""
        CREATE TABLE IF NOT EXISTS login_failures (client TEXT NOT NULL, at REAL NOT NULL);
        CREATE INDEX IF NOT EXISTS login_failures_client ON login_failures (client, at)
        """, postgresql="""
        CREATE TABLE IF NOT EXISTS login_failures (client TEXT NOT NULL, at DOUBLE PRECISION NOT NULL);
        CREATE INDEX IF NOT EXISTS login_failures_client ON login_failures (client, at)
        """, note="failed agent-console logins per client address, counted across replicas"),
    Migration(3, sqlite="""
        CREATE TABLE IF NOT EXISTS data_keys (owner TEXT PRIMARY KEY, wrapped TEXT NOT NULL, created REAL NOT NULL)
        """, postgresql="""
        CREATE TABLE IF NOT EXISTS data_keys (
            owner TEXT PRIMARY KEY, wrapped TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)
        """, note="each conversation owner's transcript key, wrapped under the data key (forget deletes it)"),
    facts.MIGRATION,
    facts.SOURCES_MIGRATION,
)
# The key that seals a row: its customer's, or for a guest the conversation's own.
_OWNER = "CASE WHEN s.user_id IS NULL THEN 'session:' || s.id ELSE 'user:' || s.user_id END"
_SELECT = f"SELECT s.id, s.user_id, s.data, k.wrapped FROM sessions s LEFT JOIN data_keys k ON k.owner = {_OWNER}"

_SEALED_STEP = "sessions.sealed"  # the one-time sealing of rows written before migration 3
_FREE_TEXT = ("kind", "query", "lexical", "for_whom", "occasion", "brand", "matched_brand", "category", "currency")


def _redact_need(need: Need) -> Need:
    # The need's words come from the customer's messages: stored text too.
    update = {name: redact(getattr(need, name)) for name in _FREE_TEXT if getattr(need, name)}
    update["wanted"] = {k: redact(v) for k, v in need.wanted.items()}
    update["unwanted"] = [redact(w) for w in need.unwanted]
    return need.model_copy(update=update)


def _redacted(session: Session) -> Session:
    stored = session.model_copy(deep=True)
    for message in stored.messages:
        if not message._stored:  # a long transcript is not re-scanned on every save
            message.text = redact(message.text)
            message.gap = redact(message.gap) if message.gap else None
    stored.handoff_reason = redact(stored.handoff_reason) if stored.handoff_reason else None
    if stored.state.need is not None:
        stored.state.need = _redact_need(stored.state.need)
    return stored


class KeyGone(LookupError):
    """A sealed session whose owner's key was deleted (the customer was forgotten)."""


class SessionStore:
    """Sessions by id, on the database the settings name: a SQLite file (the default) or
    PostgreSQL, which every app replica shares, so any of them can continue a conversation.

    Args:
        db: the database (``shopassist.database.open_database``), or a SQLite file's path.
        ttl_s: a session untouched this long is expired: ``get`` no longer returns it.
        max_messages: transcript length kept per session (oldest dropped first).
    """

    def __init__(self, db: Database | Path | str, ttl_s: float | None = None, max_messages: int = MAX_MESSAGES,
                 data_key: bytes | None = None):
        self.db = db if isinstance(db, Database) else SQLiteDatabase(Path(db))
        if data_key is None:
            if not isinstance(self.db, SQLiteDatabase):
                raise ValueError("a shared database needs the data_key every replica uses")
            data_key = resolve_data_key(None, self.db.path.with_name(self.db.path.name + ".key"))
        self.sealer = Sealer(data_key)
        # ids carry a tag only a replica holding data_key can make, so any replica can tell a
        # conversation it started from a made-up id without asking the database
        self._id_key = hmac.new(data_key, b"shopassist session id", hashlib.sha256).digest()
        self.db.migrate("sessions", MIGRATIONS)
        self.ttl_s, self.max_messages = ttl_s, max_messages
        self._seal_plain_rows()

    def _seal_plain_rows(self) -> None:
        """Conversations stored before sealing are sealed the first time a store opens them,
        one at a time under the conversation's lock (a replica may be saving a turn on it);
        one that cannot be read is left as it was and logged. Done once per database: a plain row
        written later (a replica still on an old version during an upgrade) stays readable and is
        sealed by its next save."""
        if self.db.version(_SEALED_STEP) >= 1:  # done once per database, not on every start
            return
        ids = [r[0] for r in self.db.query("SELECT id FROM sessions WHERE data NOT LIKE 'sealed:%'")]
        for session_id in ids:
            with self.hold(session_id):
                rows = self.db.query(f"{_SELECT} WHERE s.id = ? AND s.data NOT LIKE 'sealed:%'", (session_id,))
                try:
                    if rows:
                        self.save(self._loaded(*rows[0]))
                except ValueError as exc:  # pydantic's ValidationError included
                    log.warning("session %s could not be sealed: %s", session_id, exc)
        self.db.record_version(_SEALED_STEP, 1)

    def new(self, user_id: str | None = None, session_id: str | None = None) -> Session:
        return Session(id=session_id or self.new_id(), user_id=user_id)

    def new_id(self) -> str:
        token = secrets.token_hex(16)
        return token + self._tag(token)

    def signed(self, session_id: str | None) -> bool:
        """Whether ``session_id`` was issued by a store holding this data key (cheap: no
        database read). A conversation in progress, not a made-up id; it may have expired."""
        if not session_id or not _SIGNED_SHAPE.fullmatch(session_id):
            return False
        token, tag = session_id[:32], session_id[32:]
        return hmac.compare_digest(tag, self._tag(token))

    def _tag(self, token: str) -> str:
        return hmac.new(self._id_key, token.encode(), hashlib.sha256).hexdigest()[:_TAG_HEX]

    @contextmanager
    def hold(self, session_id: str | None):
        """Exclusive use of one conversation while a turn (or an agent's reply) reads and
        writes it, across every process sharing the database; other sessions go on."""
        if not session_id:
            yield
            return
        with self.db.hold(f"session:{session_id}"):
            yield

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
        rows = self.db.query(f"{_SELECT} WHERE s.id = ?", (session_id,))
        if not rows:
            return None
        try:
            return self._loaded(*rows[0])
        except KeyGone:  # its customer was forgotten while it was being saved: nothing to continue
            return None

    def save(self, session: Session, fact: facts.TurnFact | None = None) -> None:
        """Stores the session with personal data (emails, phones, cards, addresses) redacted
        and its transcript capped; the live object keeps the raw text for the rest of its turn.
        ``fact``: the turn just taken, as the insights count it, stored in the same transaction."""
        stored = _redacted(session)
        stored.messages = stored.messages[-self.max_messages:]
        owner = owner_of(stored.id, stored.user_id)
        with self.db.transaction() as tx:
            key = self._key(tx, owner)
            tx.execute(
                "INSERT INTO sessions (id, user_id, handoff, updated, data) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, handoff = excluded.handoff, "
                "updated = excluded.updated, data = excluded.data",
                (stored.id, stored.user_id, int(stored.handoff), stored.updated,
                 self.sealer.seal(key, stored.model_dump_json(), stored.id)))
            if fact is not None:
                example = self.sealer.seal(key, redact(fact.example), stored.id) if fact.example else None
                facts.write_turn(tx, fact, stored.id, owner, stored.user_id, stored.variant, example, stored.source)

    def mark(self, session: Session, stage: str) -> None:
        """The conversation reached a funnel stage outside a turn (a card viewed, added to the cart)."""
        with self.db.transaction() as tx:
            facts.mark_funnel(tx, session.id, owner_of(session.id, session.user_id), session.user_id,
                              session.variant, time.time(), stage, session.source)

    def record_call(self, call: facts.ToolCall) -> None:
        """An agent's tool call, for the insights' traffic panel."""
        with self.db.transaction() as tx:
            facts.write_tool_call(tx, call)

    def pseudonym(self, text: str) -> str:
        """A keyed hash that stands for a guest's address in the counts (never the address)."""
        return hmac.new(self._id_key, f"guest:{text}".encode(), hashlib.sha256).hexdigest()[:16]

    def open_example(self, session_id: str, owner: str, sealed: str) -> str | None:
        """A fact's example wording, opened with its owner's key (None once they are forgotten)."""
        rows = self.db.query("SELECT wrapped FROM data_keys WHERE owner = ?", (owner,))
        if not rows:
            return None
        try:
            return self.sealer.open(self.sealer.unwrap(rows[0][0], owner), sealed, session_id)
        except (InvalidTag, ValueError):
            return None

    def _key(self, tx, owner: str) -> bytes:
        """The owner's key, made on their first save (by whichever process gets there first).
        The row stays locked until the save commits, so a forget running at the same moment
        deletes the key after this session is written, and then the session with it."""
        row = tx.fetchone("INSERT INTO data_keys (owner, wrapped, created) VALUES (?, ?, ?) ON CONFLICT (owner) "
                          "DO UPDATE SET owner = excluded.owner RETURNING wrapped",
                          (owner, self.sealer.wrap(Sealer.new_key(), owner), time.time()))
        return self.sealer.unwrap(row[0], owner)

    def _loaded(self, session_id: str, user_id: str | None, data: str, wrapped: str | None) -> Session:
        """A stored row opened with its owner's key (rows written before sealing are plain JSON)."""
        if is_sealed(data):
            if wrapped is None:
                raise KeyGone(f"session {session_id}: its owner's key is gone")
            owner = owner_of(session_id, user_id)
            data = self.sealer.open(self.sealer.unwrap(wrapped, owner), data, session_id)
        return _loaded(data)

    def queue(self, limit: int = 100) -> list[Session]:
        """Hand-offs first: signed-in customers' before guests' (a guest is anyone who opens a
        conversation, so a flood of guests asking for a person cannot push a customer out of
        view); then the most recently active conversations."""
        rows = self.db.query(f"{_SELECT} ORDER BY s.handoff DESC, "
                             "CASE WHEN s.handoff = 1 AND s.user_id IS NOT NULL THEN 0 ELSE 1 END, "
                             "s.updated DESC LIMIT ?", (limit,))
        return [session for session in map(self._readable, rows) if session is not None]

    def _all(self) -> Iterator[Session]:
        for row in self.db.query(f"{_SELECT} ORDER BY s.updated"):
            session = self._readable(row)
            if session is not None:
                yield session

    def _readable(self, row) -> Session | None:
        """A row for a listing; one that cannot be opened (a forgotten owner's, or sealed under
        another data key) is skipped and logged, not allowed to break the whole list."""
        try:
            return self._loaded(*row)
        except KeyGone:
            return None
        except InvalidTag:
            log.warning("session %s cannot be opened with this data key (do all replicas share data_key?)", row[0])
            return None

    def all_messages(self, role: str) -> list[Message]:
        """Every stored message of one role (for reports over agent replies)."""
        return [m for session in self._all() for m in session.messages if m.role == role]

    def by_variant(self) -> dict[str, list[tuple[str, int, str]]]:
        """A/B variant → [(session id, customer turns, source)]; sessions from before any
        experiment are under "none"."""
        out: dict[str, list[tuple[str, int, str]]] = {}
        for session in self._all():
            turns = sum(1 for m in session.messages if m.role == "customer")
            out.setdefault(session.variant or "none", []).append((session.id, turns, session.source))
        return out

    def ids_of(self, user_id: str) -> list[str]:
        return [r[0] for r in self.db.query("SELECT id FROM sessions WHERE user_id = ?", (user_id,))]

    def delete_user(self, user_id: str) -> int:
        """Deletes the user's sessions (transcripts included) and purges them from the engine's
        files; raises if that could not be done."""
        with self.db.transaction() as tx:
            deleted = self.delete_user_rows(tx, user_id)
        self.db.purge(["sessions", "data_keys", *facts.TABLES])
        return deleted

    @staticmethod
    def delete_user_rows(tx, user_id: str) -> int:
        """The deletion alone, inside a caller's transaction (forget on a shared database): the
        rows, and the keys that sealed them, so copies left on disk cannot be opened."""
        tx.execute("DELETE FROM data_keys WHERE owner = ?", (owner_of("", user_id),))
        facts.delete_user_rows(tx, user_id)
        # A conversation begun as a guest was sealed under its own key before the customer signed in.
        tx.execute("DELETE FROM data_keys WHERE owner IN (SELECT 'session:' || id FROM sessions WHERE user_id = ?)",
                   (user_id,))
        return tx.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    def delete(self, session_id: str) -> int:
        """Deletes one conversation (an evaluation's replayed ones, so they leave nothing behind)."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM data_keys WHERE owner = ?", (owner_of(session_id, None),))
            facts.delete_session_rows(tx, session_id)
            return tx.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def login_failures(self, client: str, since: float) -> int:
        return int(self.db.query("SELECT count(*) FROM login_failures WHERE client = ? AND at >= ?",
                                 (client, since))[0][0])

    def add_login_failure(self, client: str, at: float, forget_before: float) -> None:
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO login_failures (client, at) VALUES (?, ?)", (client, at))
            tx.execute("DELETE FROM login_failures WHERE at < ?", (forget_before,))

    def close(self) -> None:
        self.db.close()


def _loaded(data: str) -> Session:
    session = Session.model_validate_json(data)
    for message in session.messages:
        message._stored = True  # already redacted
    return session
