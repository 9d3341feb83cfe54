"""What the shop's insights count, kept as each turn happens.

One row per customer turn (``turn_facts``), one per product card shown (``shown_facts``) and one
per conversation for the funnel (``funnel``), in the sessions database: written in the same
transaction as the conversation, and deleted with it when a customer is forgotten. They hold
codes (intent, action, rule, reason kind), counts and product ids; the only wording is the
thing asked for that the shop lacked (a redacted phrase such as "cordless drill") and one redacted
example of the customer's words, sealed under the same key as their transcript.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from shopassist.database import Migration
from shopassist.privacy import redact

DAY_S = 86_400
# Decision rules that mean the customer turned down what the assistant made of them.
CORRECTIONS = ("objects_to_all_shown", "objects_to_one_shown", "no_to_offer")
# what forget deletes and purges with the conversations
TABLES = ("turn_facts", "shown_facts", "funnel", "tool_calls")
CART_ACTIONS = ("add_to_cart", "set_quantity")  # the turn put something in the cart


@dataclass(frozen=True)
class ShownCard:
    product_id: str
    reason: str | None = None  # a reason kind (``retrieval.behaviour.explain.reason_kind``)


@dataclass(frozen=True)
class TurnFact:
    """One customer turn, as the insights count it.

    ``gap``: what was asked for and not found, when ``gap_why`` says how: ``not_sold`` (the
    assistant said the shop sells none), ``empty`` (a search found nothing) or ``off_kind`` (what
    was shown is not of the kind asked for), ``weak`` (no title shown has the request's last
    word: "coffee machine" among coffee mugs) or ``lacks_detail`` (of the kind, but no title has
    the word before it: "running" shoes). ``follows``: the intent of the customer's turn before
    (what a hand-off followed)."""

    intent: str
    action: str | None = None
    rule: str | None = None
    by_rules: bool = False  # the model was down, slow or busy: the rule parse answered
    kind: str | None = None
    gap: str | None = None
    gap_why: str | None = None
    handoff: bool = False
    follows: str | None = None
    rephrased: bool = False  # asks again for what the turn before could not find
    after_miss: bool = False  # the turn before found nothing asked for, or was turned down
    correction: bool = False  # turns down what the assistant just showed or offered
    shown: tuple[ShownCard, ...] = field(default_factory=tuple)
    example: str | None = None  # the customer's words, redacted (sealed when stored)
    ts: float = field(default_factory=time.time)

    @property
    def day(self) -> int:
        return int(self.ts // DAY_S)


_TURN_COLUMNS = ("ts", "day", "session_id", "owner", "user_id", "variant", "intent", "action", "rule", "by_rules",
                 "kind", "gap", "gap_why", "handoff", "follows", "correction", "rephrased", "after_miss", "shown",
                 "example", "source")
_SHOWN_COLUMNS = ("ts", "day", "session_id", "owner", "user_id", "variant", "product_id", "reason")


# A turn the misunderstandings panel counts (its query repeats this, so the partial index serves it).
MISSED = "by_rules = 1 OR correction = 1 OR rephrased = 1 OR (handoff = 1 AND after_miss = 1)"


def _tables(real: str) -> str:
    return f"""
        CREATE TABLE IF NOT EXISTS turn_facts (
            ts {real} NOT NULL, day INTEGER NOT NULL, session_id TEXT NOT NULL, owner TEXT NOT NULL, user_id TEXT,
            variant TEXT, intent TEXT NOT NULL, action TEXT, rule TEXT, by_rules INTEGER NOT NULL, kind TEXT,
            gap TEXT, gap_why TEXT, handoff INTEGER NOT NULL, follows TEXT, correction INTEGER NOT NULL,
            rephrased INTEGER NOT NULL, after_miss INTEGER NOT NULL, shown INTEGER NOT NULL, example TEXT);
        CREATE INDEX IF NOT EXISTS turn_facts_day ON turn_facts (day, intent, owner);
        CREATE INDEX IF NOT EXISTS turn_facts_gap ON turn_facts (day, gap, gap_why, owner) WHERE gap IS NOT NULL;
        CREATE INDEX IF NOT EXISTS turn_facts_missed ON turn_facts (day) WHERE {MISSED};
        CREATE INDEX IF NOT EXISTS turn_facts_owner ON turn_facts (owner);
        CREATE TABLE IF NOT EXISTS shown_facts (
            ts {real} NOT NULL, day INTEGER NOT NULL, session_id TEXT NOT NULL, owner TEXT NOT NULL, user_id TEXT,
            variant TEXT, product_id TEXT NOT NULL, reason TEXT);
        CREATE INDEX IF NOT EXISTS shown_facts_day ON shown_facts (day, product_id, owner, reason);
        CREATE INDEX IF NOT EXISTS shown_facts_owner ON shown_facts (owner);
        CREATE TABLE IF NOT EXISTS funnel (
            session_id TEXT PRIMARY KEY, day INTEGER NOT NULL, owner TEXT NOT NULL, user_id TEXT, variant TEXT,
            started {real} NOT NULL, shown INTEGER NOT NULL DEFAULT 0, viewed INTEGER NOT NULL DEFAULT 0,
            carted INTEGER NOT NULL DEFAULT 0, bought INTEGER);
        CREATE INDEX IF NOT EXISTS funnel_day ON funnel (day, variant, owner);
        CREATE INDEX IF NOT EXISTS funnel_owner ON funnel (owner)
        """


MIGRATION = Migration(4, sqlite=_tables("REAL"), postgresql=_tables("DOUBLE PRECISION"),
                      note="what the insights page counts: turns, cards shown, and each conversation's funnel")


def _sources(real: str) -> str:
    return f"""
        ALTER TABLE turn_facts ADD COLUMN source TEXT NOT NULL DEFAULT 'widget';
        ALTER TABLE funnel ADD COLUMN source TEXT NOT NULL DEFAULT 'widget';
        CREATE TABLE IF NOT EXISTS tool_calls (
            ts {real} NOT NULL, day INTEGER NOT NULL, session_id TEXT, owner TEXT NOT NULL, user_id TEXT,
            source TEXT NOT NULL, tool TEXT NOT NULL, ok INTEGER NOT NULL, results INTEGER NOT NULL, ms {real} NOT NULL);
        CREATE INDEX IF NOT EXISTS tool_calls_day ON tool_calls (day, source, tool, owner);
        CREATE INDEX IF NOT EXISTS tool_calls_owner ON tool_calls (owner);
        CREATE INDEX IF NOT EXISTS tool_calls_session ON tool_calls (session_id)
        """


SOURCES_MIGRATION = Migration(5, sqlite=_sources("REAL"), postgresql=_sources("DOUBLE PRECISION"),
                              note="where turns came from (widget or an AI agent over MCP), and agents' tool calls")


@dataclass(frozen=True)
class ToolCall:
    """One call of an agent-facing tool: which, by whom (``owner`` as in the other tables; a
    guest's is a keyed hash of their address), whether it answered, how many records it
    returned and how long it took. No arguments are kept: they are the caller's words."""

    tool: str
    owner: str
    ok: bool
    results: int = 0
    ms: float = 0.0
    user_id: str | None = None
    session_id: str | None = None
    source: str = "mcp"
    ts: float = field(default_factory=time.time)


def write_tool_call(tx, call: ToolCall) -> None:
    tx.execute("INSERT INTO tool_calls (ts, day, session_id, owner, user_id, source, tool, ok, results, ms) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (call.ts, int(call.ts // DAY_S), call.session_id, call.owner, call.user_id, call.source, call.tool,
                int(call.ok), call.results, call.ms))


def write_turn(tx, fact: TurnFact, session_id: str, owner: str, user_id: str | None, variant: str | None,
               example: str | None, source: str = "widget") -> None:
    """The turn's rows, inside the caller's transaction; ``example``: already sealed."""
    kind, gap = (redact(text) if text else None for text in (fact.kind, fact.gap))  # the customer's words
    values = (fact.ts, fact.day, session_id, owner, user_id, variant, fact.intent, fact.action, fact.rule,
              int(fact.by_rules), kind, gap, fact.gap_why, int(fact.handoff), fact.follows, int(fact.correction),
              int(fact.rephrased), int(fact.after_miss), len(fact.shown), example, source)
    tx.execute(f"INSERT INTO turn_facts ({', '.join(_TURN_COLUMNS)}) VALUES ({', '.join('?' * len(values))})", values)
    if fact.shown:
        tx.executemany(f"INSERT INTO shown_facts ({', '.join(_SHOWN_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [(fact.ts, fact.day, session_id, owner, user_id, variant, card.product_id, card.reason)
                        for card in fact.shown])
    stage = "carted" if fact.action in CART_ACTIONS else "shown" if fact.shown else None
    mark_funnel(tx, session_id, owner, user_id, variant, fact.ts, stage, source)


def mark_funnel(tx, session_id: str, owner: str, user_id: str | None, variant: str | None, ts: float,
                stage: str | None, source: str = "widget") -> None:
    """The conversation has reached ``stage`` (``shown``, ``viewed``, ``carted``; None: it chatted)."""
    assert stage in (None, "shown", "viewed", "carted")
    flags = {"shown": 0, "viewed": 0, "carted": 0} | ({stage: 1} if stage else {})
    tx.execute("INSERT INTO funnel (session_id, day, owner, user_id, variant, started, shown, viewed, carted, source) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
               + ", ".join(f"{f} = CASE WHEN excluded.{f} > funnel.{f} THEN excluded.{f} ELSE funnel.{f} END"
                           for f in ("shown", "viewed", "carted"))
               + ", owner = excluded.owner, user_id = excluded.user_id",
               (session_id, int(ts // DAY_S), owner, user_id, variant, ts, flags["shown"], flags["viewed"],
                flags["carted"], source))


def delete_user_rows(tx, user_id: str) -> None:
    """A forgotten customer's rows: as a customer, and as the guest conversations they signed
    into (run before those conversations' own rows go), inside the caller's transaction."""
    for table in TABLES:
        tx.execute(f"DELETE FROM {table} WHERE owner = ? OR owner IN "
                   "(SELECT 'session:' || id FROM sessions WHERE user_id = ?)", (f"user:{user_id}", user_id))


def delete_session_rows(tx, session_id: str) -> None:
    for table in TABLES:
        tx.execute(f"DELETE FROM {table} WHERE session_id = ?", (session_id,))
