"""The shop owner's insights: what customers asked for and did not find, where the assistant
misread them, what they asked about over time, what each A/B variant sold, how the human loop
went and what recommendations did, from the facts kept as turns happen (``assistant.facts``).

Only aggregates leave this module, and any group of fewer than ``k`` distinct customers (a
guest's conversation counts as one) is left out and counted under ``hidden``. Example wording
was redacted when stored and is opened with its owner's key, so a forgotten customer's is gone.

Example:
    >>> report = Insights(sessions, events, titles=lookup).report(since=time.time() - 30 * 86400)
    >>> report.gaps[0].phrase, report.gaps[0].customers
    ('cordless drill', 27)
"""

from __future__ import annotations

import math
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Callable

from assistant.facts import DAY_S, MISSED
from assistant.query import singulars
from assistant.session import SessionStore
from retrieval.behaviour.events import EventStore

K_ANONYMITY = 5
BOUGHT_WITHIN_S = 7 * DAY_S  # a purchase this soon after a chat counts for it
EXAMPLES = 3
TOP = 10
DEFAULT_DAYS = 30  # the range shown when no first day is given
TOO_FEW = 100  # conversations per variant below which a difference is not called either way


@dataclass
class Gap:
    """Things asked for that the shop lacked, one meaning."""

    phrase: str
    turns: int
    customers: int
    why: dict[str, int]
    examples: list[str] = field(default_factory=list)
    nearest: list[str] = field(default_factory=list)
    wordings: list[str] = field(default_factory=list)


@dataclass
class Misread:
    """Turns of one kind of misunderstanding, by the decision rule that answered them."""

    category: str  # rule_fallback | correction | rephrased | handoff_after_misread
    rule: str
    turns: int
    customers: int
    examples: list[str] = field(default_factory=list)


@dataclass
class Rate:
    count: int
    of: int
    share: float
    low: float  # 95 % Wilson interval
    high: float


@dataclass
class VariantFunnel:
    variant: str
    chats: int
    stages: dict[str, Rate]  # shown, viewed, carted, purchased: shares of chats


@dataclass
class Difference:
    stage: str
    a: str
    b: str
    diff: float
    p_value: float | None
    verdict: str


@dataclass
class ProductRow:
    product_id: str
    title: str
    shown: int
    customers: int
    bought_after: int


@dataclass
class HumanLoop:
    """None where fewer than k customers are behind a figure."""

    conversations: int | None
    handoffs: int | None
    rate: float | None
    reasons: dict[str, int]  # what the customer's turn before asked (an intent), or "asked at once"
    first_reply_s: dict[str, float]  # p50 / p90 seconds to the first agent reply
    replies: dict[str, int]  # agent replies: a suggestion sent as it was, edited, or typed instead


@dataclass
class Traffic:
    """One source of conversations and calls: the chat widget, or customers' AI agents (MCP)."""

    source: str
    conversations: int
    turns: int
    carted: Rate | None  # share of its conversations that put something in the cart
    tools: dict[str, int]  # agents' tool → calls (tools fewer than k callers used are left out)
    refused: int  # of those calls, the ones refused or failed


@dataclass
class InsightsReport:
    since: str
    until: str
    k: int
    gaps: list[Gap]
    misreads: list[Misread]
    intents: dict[str, dict[str, int]]  # day → intent → turns
    funnel: list[VariantFunnel]
    differences: list[Difference]
    human: HumanLoop
    products: list[ProductRow]
    reasons: dict[str, float]  # reason kind → share of cards shown
    traffic: list[Traffic]
    hidden: dict[str, int]  # panel → groups left out for having fewer than k customers

    def to_json(self) -> dict:
        out = asdict(self)
        for gap in out["gaps"]:
            del gap["wordings"]  # each customer's own wording: only the label (most customers') is shown
        return out


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).date().isoformat()


def date_range(first: str | None, last: str | None, now: float) -> tuple[float, float]:
    """``("2026-11-01", "2026-11-30")`` → Unix seconds from the start of the first UTC day to the
    end of the last; no last day: ``now``; no first day: ``DEFAULT_DAYS`` before the last. Raises
    ``ValueError`` with a sentence for a day not written like 2026-11-01, or a range ending before
    it starts."""
    def day(text: str) -> float:
        try:
            return datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            raise ValueError(f"{text!r} is not a date like 2026-11-01") from None
    until = day(last) + DAY_S - 1 if (last or "").strip() else now
    since = day(first) if (first or "").strip() else until - DEFAULT_DAYS * DAY_S
    if since > until:
        raise ValueError("the first day is after the last")
    return since, until


def wilson(count: int, of: int, z: float = 1.96) -> Rate:
    if of == 0:
        return Rate(count, of, 0.0, 0.0, 0.0)
    p = count / of
    centre = (p + z * z / (2 * of)) / (1 + z * z / of)
    half = z * math.sqrt(p * (1 - p) / of + z * z / (4 * of * of)) / (1 + z * z / of)
    return Rate(count, of, round(p, 4), round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def two_proportions(a: Rate, b: Rate) -> float | None:
    """Two-sided p-value of a difference in shares (pooled z-test); None without data."""
    if not a.of or not b.of:
        return None
    pooled = (a.count + b.count) / (a.of + b.of)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.of + 1 / b.of))
    if se == 0:
        return 1.0
    return math.erfc(abs(a.count / a.of - b.count / b.of) / se / math.sqrt(2))


class Insights:
    """Args:
        sessions: the session store (the facts live in its database).
        events: the behaviour events (purchases after a chat).
        titles: product ids → titles, for the recommendation panel.
        nearest: a phrase → titles of the nearest products the shop sells (a search).
        similar: phrases → whether each pair means the same thing (``group_phrases``); None: words only.
        k: the smallest group shown.
    """

    def __init__(self, sessions: SessionStore, events: EventStore,
                 titles: Callable[[list[str]], dict[str, str]] | None = None,
                 nearest: Callable[[str], list[str]] | None = None,
                 similar: Callable[[list[str]], list[list[float]]] | None = None, k: int = K_ANONYMITY):
        self.sessions, self.events, self.db = sessions, events, sessions.db
        self.titles, self.nearest, self.similar, self.k = titles, nearest, similar, k

    def report(self, since: float | None = None, until: float | None = None) -> InsightsReport:
        until = until if until is not None else time.time()
        since = since if since is not None else until - DEFAULT_DAYS * DAY_S
        days = (int(since // DAY_S), int(until // DAY_S))
        hidden: Counter = Counter()  # panel → groups left out
        funnel, differences = self._funnel(days, hidden)
        products, reasons = self._recommendations(days, hidden)
        return InsightsReport(day_of(since), day_of(until), self.k, self._gaps(days, hidden),
                              self._misreads(days, hidden), self._intents(days, hidden), funnel, differences,
                              self._human(days, hidden), products, reasons, self._traffic(days, hidden),
                              dict(hidden))

    # -------------------------------------------------------------------------- panels
    def _gaps(self, days: tuple[int, int], hidden: Counter) -> list[Gap]:
        rows = self.db.query("SELECT gap, gap_why, owner, COUNT(*) FROM turn_facts "
                             "WHERE gap IS NOT NULL AND day BETWEEN ? AND ? GROUP BY gap, gap_why, owner", days)
        by_phrase: dict[str, list] = defaultdict(list)
        for row in rows:
            by_phrase[_normal(row[0])].append(row)
        gaps = []
        for members in group_phrases(list(by_phrase), self.similar):
            rows = [r for phrase in members for r in by_phrase[phrase]]
            owners = {r[2] for r in rows}
            if len(owners) < self.k:
                hidden["gaps"] += 1
                continue
            said, why = defaultdict(set), Counter()
            for gap, reason, owner, n in rows:
                said[gap].add(owner)
                why[reason] += n
            # the label is the wording most customers used (then the shortest): never one person's own
            phrase = min(said, key=lambda w: (-len(said[w]), len(w)))
            gaps.append(Gap(phrase.lower(), sum(why.values()), len(owners), dict(why), [], [], sorted(said)))
        gaps.sort(key=lambda g: (-g.customers, -g.turns, g.phrase))
        for gap in gaps[:TOP]:
            gap.nearest = self.nearest(gap.phrase)[:3] if self.nearest else []
            marks = ", ".join("?" * len(gap.wordings))
            gap.examples = self._examples(self.db.query(
                f"SELECT owner, session_id, example FROM turn_facts WHERE gap IS NOT NULL AND day BETWEEN ? AND ? "
                f"AND gap IN ({marks}) AND example IS NOT NULL LIMIT 50", [*days, *gap.wordings]))
        return gaps

    def _misreads(self, days: tuple[int, int], hidden: Counter) -> list[Misread]:
        rows = self.db.query(
            "SELECT by_rules, correction, rephrased, handoff * after_miss, rule, owner, session_id, example "
            f"FROM turn_facts WHERE day BETWEEN ? AND ? AND ({MISSED})", days)
        grouped: dict[tuple[str, str], list] = defaultdict(list)
        for row in rows:
            for category, flag in zip(("rule_fallback", "correction", "rephrased", "handoff_after_misread"), row[:4]):
                if flag:
                    grouped[(category, row[4] or "none")].append(row[5:])
        out = []
        for (category, rule), members in grouped.items():
            owners = {m[0] for m in members}
            if len(owners) < self.k:
                hidden["misreads"] += 1
                continue
            out.append(Misread(category, rule, len(members), len(owners), self._examples(members)))
        return sorted(out, key=lambda m: (-m.turns, m.category, m.rule))

    def _intents(self, days: tuple[int, int], hidden: Counter) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for day, intent, turns, owners in self.db.query(
                "SELECT day, intent, COUNT(*), COUNT(DISTINCT owner) FROM turn_facts WHERE day BETWEEN ? AND ? "
                "GROUP BY day, intent ORDER BY day, intent", days):
            if owners < self.k:
                hidden["intents"] += 1
                continue
            out[day_of(day * DAY_S)][intent] = int(turns)
        return dict(out)

    def _funnel(self, days: tuple[int, int], hidden: Counter) -> tuple[list[VariantFunnel], list[Difference]]:
        rows = self.db.query("SELECT COALESCE(variant, 'none'), COUNT(*), COUNT(DISTINCT owner), SUM(shown), "
                             "SUM(viewed), SUM(carted) FROM funnel WHERE day BETWEEN ? AND ? GROUP BY 1 ORDER BY 1",
                             days)
        signed = self.db.query("SELECT COALESCE(variant, 'none'), user_id, started, session_id, bought FROM funnel "
                               "WHERE day BETWEEN ? AND ? AND user_id IS NOT NULL", days)
        open_ = [r for r in signed if r[4] is None]
        after = self.events.bought_within([(r[1], r[2]) for r in open_], BOUGHT_WITHIN_S)
        self._settle([(int((r[1], r[2]) in after), r[3]) for r in open_ if r[2] + BOUGHT_WITHIN_S < time.time()])
        bought = Counter(r[0] for r in signed if r[4] == 1 or (r[4] is None and (r[1], r[2]) in after))
        funnels = []
        for variant, n, owners, shown, viewed, carted in rows:
            if owners < self.k:
                hidden["funnel"] += 1
                continue
            counts = {"shown": shown, "viewed": viewed, "carted": carted,
                      "purchased": _at_least(bought.get(variant, 0), self.k)}
            funnels.append(VariantFunnel(variant, int(n), {s: wilson(int(c or 0), int(n)) for s, c in counts.items()}))
        return funnels, _differences(funnels)

    def _traffic(self, days: tuple[int, int], hidden: Counter) -> list[Traffic]:
        chats = {r[0]: r[1:] for r in self.db.query(
            "SELECT source, COUNT(*), COUNT(DISTINCT owner), SUM(carted) FROM funnel WHERE day BETWEEN ? AND ? "
            "GROUP BY source", days)}
        turns = dict(self.db.query("SELECT source, COUNT(*) FROM turn_facts WHERE day BETWEEN ? AND ? GROUP BY source",
                                   days))
        tools: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for source, tool, calls, owners, refused in self.db.query(
                "SELECT source, tool, COUNT(*), COUNT(DISTINCT owner), SUM(1 - ok) FROM tool_calls "
                "WHERE day BETWEEN ? AND ? GROUP BY source, tool ORDER BY source, tool", days):
            if owners < self.k:
                hidden["traffic"] += 1
                continue
            tools[source][tool] = (int(calls), int(refused))
        # One source too small to show hides every source's conversations: the other panels show
        # totals over all sources, and a total less the sources shown would give it away.
        if any(owners < self.k for _, owners, _ in chats.values()):
            hidden["traffic"] += len(chats)
            chats = {}
        out = []
        for source in sorted(set(chats) | set(tools)):
            n, _, carted = chats.get(source, (0, 0, 0))
            if not n and not tools.get(source):
                continue
            out.append(Traffic(source, int(n), int(turns.get(source, 0)) if n else 0,
                               wilson(int(carted or 0), int(n)) if n else None,
                               {t: c for t, (c, _) in tools[source].items()},
                               sum(r for _, r in tools[source].values())))
        return out

    def _settle(self, decided: list[tuple[int, str]]) -> None:
        """Keeps whether a conversation led to a purchase once its window has closed, so later
        reports read it instead of asking the events again (a daily roll-up, done as it is needed)."""
        if decided:
            with self.db.transaction() as tx:
                tx.executemany("UPDATE funnel SET bought = ? WHERE session_id = ?", decided)

    def _human(self, days: tuple[int, int], hidden: Counter) -> HumanLoop:
        chats, owners = self.db.query("SELECT COUNT(*), COUNT(DISTINCT owner) FROM funnel WHERE day BETWEEN ? AND ?",
                                      days)[0]
        rows = self.db.query("SELECT session_id, owner, COALESCE(follows, 'asked at once') FROM turn_facts "
                             "WHERE day BETWEEN ? AND ? AND handoff = 1", days)
        by_reason = defaultdict(list)
        for r in rows:
            by_reason[r[2]].append(r[1])
        reasons = {reason: len(o) for reason, o in by_reason.items() if len(set(o)) >= self.k}
        hidden["human"] += len(by_reason) - len(reasons)
        if owners < self.k:
            return HumanLoop(None, None, None, {}, {}, {})
        if len({r[1] for r in rows}) < self.k:  # too few customers handed off to show anything of theirs
            return HumanLoop(int(chats), None, None, {}, {}, {})
        handed = sorted({r[0] for r in rows})
        waits, replies = self._agent_replies(handed)
        if len(waits) < self.k:  # timings and reply counts from a handful of agent replies: not shown
            waits, replies = [], Counter()
        return HumanLoop(int(chats), len(rows), round(len(handed) / chats, 4), reasons, _quantiles(waits),
                         dict(replies))

    def _agent_replies(self, session_ids: list[str]) -> tuple[list[float], Counter]:
        """Seconds from each hand-off to the first agent reply, and agent replies by how a
        suggestion was used (only the handed-off conversations are opened)."""
        waits, used = [], Counter()
        for session_id in session_ids:
            session = self.sessions.peek(session_id)
            if session is None:
                continue
            asked = next((m.ts for m in session.messages if m.role == "customer"
                          and m.intent == "contact_human_agent"), None)
            agent = [m for m in session.messages if m.role == "agent"]
            if asked is not None and agent:
                waits.append(max(0.0, agent[0].ts - asked))
            for m in agent:
                used["typed" if m.suggestion_kind is None else "edited" if m.edited else "sent_as_is"] += 1
        return waits, used

    def _recommendations(self, days: tuple[int, int], hidden: Counter) -> tuple[list[ProductRow], dict[str, float]]:
        top = self.db.query("SELECT product_id, COUNT(*), COUNT(DISTINCT owner) FROM shown_facts "
                            "WHERE day BETWEEN ? AND ? GROUP BY product_id ORDER BY 2 DESC, 1 LIMIT 200", days)
        kept = [r for r in top if r[2] >= self.k][:TOP]
        hidden["products"] += sum(1 for r in top[:TOP] if r[2] < self.k)
        bought = defaultdict(set)
        if kept:  # only the products on the panel: who saw each first, and bought it after
            marks = ", ".join("?" * len(kept))
            seen = self.db.query(f"SELECT user_id, MIN(ts), product_id FROM shown_facts WHERE day BETWEEN ? AND ? "
                                 f"AND user_id IS NOT NULL AND product_id IN ({marks}) GROUP BY user_id, product_id",
                                 [*days, *(r[0] for r in kept)])
            for user, _, product in self.events.bought_within([tuple(r) for r in seen], BOUGHT_WITHIN_S):
                bought[product].add(user)
        titles = self.titles([r[0] for r in kept]) if self.titles and kept else {}
        products = [ProductRow(p, titles.get(p, p), int(n), int(owners), _at_least(len(bought.get(p, ())), self.k))
                    for p, n, owners in kept]
        rows = self.db.query("SELECT COALESCE(reason, 'none'), COUNT(*), COUNT(DISTINCT owner) FROM shown_facts "
                             "WHERE day BETWEEN ? AND ? GROUP BY 1", days)
        reasons = {reason: n for reason, n, owners in rows if owners >= self.k}
        hidden["reasons"] += len(rows) - len(reasons)
        total = sum(reasons.values())
        return products, {k: round(v / total, 4) for k, v in sorted(reasons.items())} if total else {}

    def _examples(self, rows: list) -> list[str]:
        """Up to ``EXAMPLES`` different redacted wordings, each from another customer; ``rows``:
        ``(owner, session id, sealed example)``."""
        out, owners = [], set()
        for owner, session_id, sealed in rows:
            if sealed is None or owner in owners:
                continue
            text = self.sessions.open_example(session_id, owner, sealed)
            if text and text not in out:
                out.append(text)
                owners.add(owner)
            if len(out) == EXAMPLES:
                break
        return out


def _at_least(count: int, k: int) -> int:
    """A count of customers, or 0 when fewer than ``k`` (a handful of buyers is nearly a name)."""
    return count if count >= k else 0


def _normal(phrase: str) -> str:
    return " ".join(sorted(singulars(phrase.lower()))) or phrase.lower()


def group_phrases(phrases: list[str], similar: Callable[[list[str]], list[list[float]]] | None,
                  close: float = 0.85, near: float = 0.72) -> list[list[str]]:
    """Phrases of one meaning together: the same words (singular or plural, any order) always;
    with ``similar`` (pairwise similarities), two at ``close`` or more ("hoover", "vacuum
    cleaner"), or at ``near`` or more that share a word ("printer inks", "searching printer inks
    for my brother"; "coffee machine" and "coffee mug" stay apart, at 0.70 with the default
    embedder)."""
    if not phrases:
        return []
    matrix = similar(phrases) if similar and len(phrases) > 1 else None
    parent = list(range(len(phrases)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if matrix is not None:
        for i in range(len(phrases)):
            for j in range(i + 1, len(phrases)):
                shared = bool(singulars(phrases[i]) & singulars(phrases[j]))
                if matrix[i][j] >= close or (shared and matrix[i][j] >= near):
                    parent[root(j)] = root(i)
    groups: dict[int, list[str]] = defaultdict(list)
    for i, phrase in enumerate(phrases):
        groups[root(i)].append(phrase)
    return list(groups.values())


def _differences(funnels: list[VariantFunnel]) -> list[Difference]:
    """Each variant against the first (the control), per stage, with a plain verdict."""
    out = []
    if len(funnels) < 2:
        return out
    control = funnels[0]
    for other in funnels[1:]:
        for stage in ("carted", "purchased"):
            a, b = control.stages[stage], other.stages[stage]
            p = two_proportions(a, b)
            if min(a.of, b.of) < TOO_FEW:
                verdict = f"too few conversations to decide (fewer than {TOO_FEW} in a variant)"
            elif p is not None and p < 0.05:
                verdict = f"{other.variant} {'higher' if b.share > a.share else 'lower'} (p = {p:.3f})"
            else:
                verdict = f"no clear difference (p = {p:.3f})" if p is not None else "no data"
            out.append(Difference(stage, control.variant, other.variant, round(b.share - a.share, 4),
                                  None if p is None else round(p, 4), verdict))
    return out


def _quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return {"p50": round(statistics.median(values), 1), "p90": round(p90, 1)}


def csv_rows(report: InsightsReport) -> list[tuple[str, str, str, object]]:
    """The report in long form, one ``(panel, group, measure, value)`` per figure."""
    rows: list[tuple[str, str, str, object]] = []
    for g in report.gaps:
        rows += [("gaps", g.phrase, "turns", g.turns), ("gaps", g.phrase, "customers", g.customers)]
        rows += [("gaps", g.phrase, f"why:{k}", v) for k, v in g.why.items()]
        rows += [("gaps", g.phrase, "nearest", t) for t in g.nearest]
        rows += [("gaps", g.phrase, "example", e) for e in g.examples]
    for m in report.misreads:
        rows += [("misreads", f"{m.category}:{m.rule}", "turns", m.turns),
                 ("misreads", f"{m.category}:{m.rule}", "customers", m.customers)]
    for day, intents in report.intents.items():
        rows += [("intents", day, intent, n) for intent, n in intents.items()]
    for f in report.funnel:
        rows.append(("funnel", f.variant, "chats", f.chats))
        for stage, r in f.stages.items():
            rows += [("funnel", f.variant, stage, r.count), ("funnel", f.variant, f"{stage}_share", r.share),
                     ("funnel", f.variant, f"{stage}_low", r.low), ("funnel", f.variant, f"{stage}_high", r.high)]
    for d in report.differences:
        rows += [("differences", f"{d.b} vs {d.a}:{d.stage}", "diff", d.diff),
                 ("differences", f"{d.b} vs {d.a}:{d.stage}", "p_value", d.p_value),
                 ("differences", f"{d.b} vs {d.a}:{d.stage}", "verdict", d.verdict)]
    h = report.human
    rows += [("human", "all", "conversations", h.conversations), ("human", "all", "handoffs", h.handoffs),
             ("human", "all", "rate", h.rate)]
    rows += [("human", "reason", k, v) for k, v in h.reasons.items()]
    rows += [("human", "first_reply_s", k, v) for k, v in h.first_reply_s.items()]
    rows += [("human", "replies", k, v) for k, v in h.replies.items()]
    for p in report.products:
        rows += [("products", p.product_id, "title", p.title), ("products", p.product_id, "shown", p.shown),
                 ("products", p.product_id, "customers", p.customers),
                 ("products", p.product_id, "bought_after", p.bought_after)]
    rows += [("reasons", k, "share", v) for k, v in report.reasons.items()]
    for t in report.traffic:
        rows += [("traffic", t.source, "conversations", t.conversations), ("traffic", t.source, "turns", t.turns),
                 ("traffic", t.source, "refused_calls", t.refused)]
        if t.carted is not None:
            rows.append(("traffic", t.source, "carted_share", t.carted.share))
        rows += [("traffic", t.source, f"calls:{tool}", n) for tool, n in t.tools.items()]
    rows += [("hidden", k, "groups", v) for k, v in report.hidden.items()]
    return rows
