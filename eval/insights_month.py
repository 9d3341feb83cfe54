"""A month of simulated traffic for the insights page, with planted demand gaps and misreads,
and the check that the page finds them.

Every conversation runs through the real assistant (parser, decision table, search), then its
rows are moved back to a day of the month (``backdate``). The mix per day:

* shopping: the dialogue simulation's customers (``eval.dialogue_sim.Customer``) after a
  catalogue product, as a guest or as a customer with orders; a signed-in customer who found
  it may view it and buy it within a few days (a purchase event), which feeds the funnel and
  the recommendation panel;
* planted demand gaps: things the store does not sell (checked against its titles; any it does
  sell are dropped), each asked for by its own number of customers in varied words;
* planted corrections: a search, then the customer turns the list down ("no not those");
* planted outages: a shopping conversation while the parser is paused (the rule parse answers);
* hand-offs: a customer asks for a person.

``check`` then reads the report as the owner would: how many planted gaps are in the top ten,
how many of the top ten are things the shop really lacks, and the misreads counted against those
planted.

    shopassist --home HOME eval insights-month --collection online-retail --out DIR
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.engine import Assistant
from assistant.facts import DAY_S
from assistant.insights import InsightsReport
from eval.dialogue_sim import Customer, equally_good, make_goals
from retrieval.behaviour.events import Event
from retrieval.product import Product

GAPS = ("cordless drill", "running shoes", "phone charger", "yoga mat", "coffee machine", "bike helmet",
        "printer ink", "dog food", "tennis racket", "guitar strings")
ASKING = ("do you sell {p}?", "looking for {a} {s}", "have you got any {p}", "need {a} {s} asap", "{p}??",
          "any {p} in stock?", "where are your {p}", "hi, do u have {p}", "I want to buy {a} {s}",
          "searching for {p} for my brother", "{s} please", "do you stock {p} at all")
CORRECTIONS = ("no not those", "no, not these", "nope not what i meant", "no i meant something else",
               "nah not those ones")
HANDOFF = ("can i talk to a real person please", "I'd like to speak to someone", "get me a human")
MIX = (("shopping", 0.55), ("gap", 0.22), ("correction", 0.1), ("outage", 0.08), ("handoff", 0.05))


@dataclass
class Truth:
    """What was planted: customers per gap, correction turns, turns answered during outages."""

    gaps: dict[str, set] = field(default_factory=dict)
    corrections: int = 0
    outage_turns: int = 0
    conversations: int = 0
    turns: int = 0

    def to_json(self) -> dict:
        return {"gaps": {g: len(c) for g, c in self.gaps.items()}, "corrections": self.corrections,
                "outage_turns": self.outage_turns, "conversations": self.conversations, "turns": self.turns}


def sold(phrase: str, catalogue: dict[str, Product]) -> bool:
    """Whether some title holds every word of the phrase (singular or plural)."""
    words = [w.rstrip("s") for w in phrase.lower().split()]
    return any(all(any(t.rstrip("s") == w for t in re.findall(r"[a-z]+", p.title.lower())) for w in words)
               for p in catalogue.values())


def planted_gaps(catalogue: dict[str, Product], n: int = 8) -> list[str]:
    return [g for g in GAPS if not sold(g, catalogue)][:n]


def _asking(gap: str, rng: random.Random) -> str:
    single = gap[:-1] if gap.endswith("s") and not gap.endswith("ss") else gap
    plural = gap if gap.endswith("s") else gap + "s"
    return rng.choice(ASKING).format(p=plural, s=single, a="an" if single[0] in "aeiou" else "a")


def backdate(db, session_id: str, offset_s: float) -> None:
    """Moves a conversation's rows ``offset_s`` seconds into the past."""
    with db.transaction() as tx:
        for table, column in (("turn_facts", "ts"), ("shown_facts", "ts"), ("funnel", "started")):
            # whole days on both engines (PostgreSQL rounds a cast to integer; SQLite cuts it)
            tx.execute(f"UPDATE {table} SET {column} = {column} - ?, day = CAST({column} - ? AS BIGINT) / {DAY_S} "
                       "WHERE session_id = ?", (offset_s, offset_s, session_id))
        tx.execute("UPDATE sessions SET updated = updated - ? WHERE id = ?", (offset_s, session_id))


class Month:
    """Args:
        assistant: the real assistant of one store.
        catalogue: that store's products by id.
        customers: ids of customers with orders (signed in for part of the traffic).
    """

    def __init__(self, assistant: Assistant, catalogue: dict[str, Product], customers: list[str], seed: int = 0):
        self.assistant, self.catalogue, self.customers = assistant, catalogue, customers
        self.rng = random.Random(seed)
        self.gaps = planted_gaps(catalogue)
        # each gap its own popularity, so the top of the panel has an order to find
        self.weights = [len(self.gaps) - i + 2 for i in range(len(self.gaps))]
        self.goals = make_goals(catalogue, "store", 400, self.rng)
        self.truth = Truth({g: set() for g in self.gaps})
        self.now = time.time()

    def run(self, days: int = 30, per_day: int = 12, progress=None) -> Truth:
        for day in range(days):
            for _ in range(per_day):
                kind = self.rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
                user = self.rng.choice(self.customers) if self.customers and self.rng.random() < 0.5 else None
                offset = (days - day) * DAY_S - self.rng.uniform(0, DAY_S * 0.9)
                session = getattr(self, f"_{kind}")(user, offset)
                if session:
                    backdate(self.assistant.sessions.db, session, offset)
                self.truth.conversations += 1
            if progress:
                progress(day + 1, days)
        return self.truth

    def _turn(self, session: str | None, user: str | None, message: str):
        self.truth.turns += 1
        return self.assistant.turn(session, user, message)

    def _shopping(self, user: str | None, offset: float, outage: bool = False) -> str | None:
        goal = self.rng.choice(self.goals)
        customer = Customer(goal, self.rng)
        message, session = customer.opening(), None
        for _ in range(4):
            result = self._turn(session, user, message)
            session = result.session_id
            self.truth.outage_turns += outage
            found = [c for c in result.products if c.id in self.catalogue
                     and equally_good(self.catalogue[c.id], goal)]
            if found:
                self._follow_up(session, user, found[0].id, offset)
                break
            message = customer.reply_to(result, self.catalogue)
            if message is None:
                break
        return session

    def _follow_up(self, session: str, user: str | None, product_id: str, offset: float) -> None:
        if self.rng.random() < 0.6:
            self.assistant.record(session, user, product_id, "view")
        if user and self.rng.random() < 0.4:  # bought within a few days of the chat
            when = self.now - offset + self.rng.uniform(DAY_S / 4, 4 * DAY_S)
            product = self.catalogue[product_id]
            self.assistant.events.append([Event(product_id, "purchase", user, 1, product.price, when, "SIM")])

    def _gap(self, user: str | None, offset: float) -> str | None:
        gap = self.rng.choices(self.gaps, self.weights)[0]
        result = self._turn(None, user, _asking(gap, self.rng))
        self.truth.gaps[gap].add(user or result.session_id)
        return result.session_id

    def _correction(self, user: str | None, offset: float) -> str | None:
        goal = self.rng.choice(self.goals)
        first = self._turn(None, user, Customer(goal, self.rng).opening())
        if not first.products:
            return first.session_id
        self._turn(first.session_id, user, self.rng.choice(CORRECTIONS))
        self.truth.corrections += 1
        return first.session_id

    def _outage(self, user: str | None, offset: float) -> str | None:
        self.assistant.parser.pause(3600)  # the model is down: the rule parse answers
        try:
            return self._shopping(user, offset, outage=True)
        finally:
            self.assistant.parser.pause(0)

    def _handoff(self, user: str | None, offset: float) -> str | None:
        first = self._turn(None, user, Customer(self.rng.choice(self.goals), self.rng).opening())
        self._turn(first.session_id, user, self.rng.choice(HANDOFF))
        return first.session_id


def _words(phrase: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]+", phrase.lower())}


def _same(planted: str, phrase: str) -> bool:
    """A gap read as the planted one: every word of one is in the other ("cordless drill" and
    "cordless drills"; "drill" for "cordless drill" too, since the page groups by meaning)."""
    a, b = _words(planted), _words(phrase)
    return bool(a and b) and (a <= b or b <= a)


def check(report: InsightsReport, truth: Truth, catalogue: dict[str, Product]) -> dict:
    """The page against what was planted (gaps asked by at least ``report.k`` customers)."""
    top = report.gaps[:10]
    findable = [g for g, customers in truth.gaps.items() if len(customers) >= report.k]
    found = [g for g in findable if any(_same(g, gap.phrase) for gap in top)]
    real = [gap.phrase for gap in top if not sold(gap.phrase, catalogue)]
    counted = {m.category: 0 for m in report.misreads}
    for m in report.misreads:
        counted[m.category] += m.turns
    planted = {"correction": truth.corrections, "rule_fallback": truth.outage_turns}
    misreads = {k: {"planted": v, "counted": counted.get(k, 0),
                    "within_10pct": v > 0 and abs(counted.get(k, 0) - v) <= 0.1 * v} for k, v in planted.items()}
    return {"planted_gaps": findable, "found_in_top10": found,
            "gap_recall": round(len(found) / len(findable), 4) if findable else None,
            "top10": [g.phrase for g in top], "top10_real": real,
            "top10_precision": round(len(real) / len(top), 4) if top else None, "misreads": misreads,
            "passed": bool(findable) and len(found) >= 0.8 * len(findable) and bool(top)
            and len(real) >= 0.8 * len(top) and all(m["within_10pct"] for m in misreads.values())}


def report_md(result: dict) -> str:
    c = result["check"]
    lines = ["# A month of simulated traffic: does the insights page find what was planted?", "",
             f"Store `{result['collection']}`, {result['days']} days × {result['per_day']} conversations, "
             f"{result['truth']['turns']} turns through the real assistant in {result['seconds']:.0f} s.", "",
             f"**{'PASS' if c['passed'] else 'FAIL'}**", "",
             "| check | target | measured |", "|---|---|---|",
             f"| planted gaps in the top 10 | ≥ 80 % | {len(c['found_in_top10'])} of {len(c['planted_gaps'])} "
             f"({c['gap_recall']}) |",
             f"| top 10 that the shop really lacks | ≥ 0.8 | {len(c['top10_real'])} of {len(c['top10'])} "
             f"({c['top10_precision']}) |"]
    for kind, m in c["misreads"].items():
        lines.append(f"| {kind.replace('_', ' ')} turns counted | planted ± 10 % | {m['counted']} against "
                     f"{m['planted']} planted |")
    lines += ["", "Top 10 demand gaps: " + ", ".join(f"`{g}`" for g in c["top10"]) + ".",
              "", "Planted (customers): " + ", ".join(f"{g} {n}" for g, n in result["truth"]["gaps"].items()) + "."]
    return "\n".join(lines) + "\n"


def run(settings, collection: str, out: Path | None, days: int = 30, per_day: int = 12, seed: int = 0,
        progress=None) -> dict:
    """Simulates the month into the settings' home, reads it back, checks it."""
    from assistant.service import insights_over, open_assistant
    from eval.bench_assistant import _catalogue

    catalogue = _catalogue(settings, collection)
    assistant = open_assistant(settings, collection)
    try:
        customers = sorted({u for _, u in assistant.events.orders() if u})[:200]
        month = Month(assistant, catalogue, customers, seed)
        started = time.time()
        truth = month.run(days, per_day, progress)
        seconds = time.time() - started
        insights = insights_over(assistant.sessions, assistant.events, assistant.shopper.searcher, settings.insights_k)
        report = insights.report(month.now - (days + 1) * DAY_S, month.now)
    finally:
        assistant.close()
    result = {"collection": collection, "days": days, "per_day": per_day, "seconds": seconds,
              "truth": truth.to_json(), "check": check(report, truth, catalogue)}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(result, indent=2))
        (out / "report.md").write_text(report_md(result))
    return result
