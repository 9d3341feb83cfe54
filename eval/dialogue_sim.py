"""Dialogue simulation: a scripted customer with a goal from the catalogue talks to the
assistant until it sees what it wants (or gives up), and Bitext support questions are
replayed with real Online Retail invoices, asked by their owner and by someone else.

Shopping goals: a seeded sample of products from ``flipkart`` and ``online-retail``. The
customer knows its target only partly: the product kind (the most specific category level
shared by several products; for Online Retail, whose products have no categories, the
recurring noun phrase its title ends in), up to two other title words, maybe the brand and
colour, and a budget at or a little above the price. It opens with part of that and, for up
to ``MAX_TURNS`` turns, answers clarifying questions from the goal or refines with what it has
not said yet. Success is the target on screen (exact) or an equally good product: same kind,
within budget, same brand and colour where the goal has them.

Support: Bitext test-split utterances of order and refund intents, their order number
replaced by a real Online Retail invoice, are asked by the invoice's owner (the reply should
state the invoice's date) and by another customer (the reply must not reveal the order).

Every turn is checked for invented facts: each card must be a catalogue product at its
catalogue price, and every product name, amount, order number and date in the reply must be
in the records of this dialogue (catalogue products shown so far, orders re-read from the
event store as the asker's own, amounts the customer typed).

    shopassist --home HOME eval dialogue-sim --out DIR [--goals 60] [--support 60]
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.engine import Assistant, TurnResult
from assistant.grounding import Grounding, check_reply
from assistant.orders import Order, OrderBook
from assistant.replies import money, when
from assistant.service import bitext_path, open_assistant
from assistant.support import ORDER_INTENTS, REFUND_INTENTS
from eval.bench_assistant import _catalogue
from finetune.data import COLOURS, CategoryVocab, Example, bitext_examples, read_examples
from retrieval.behaviour.events import EventStore
from retrieval.product import Product
from shopassist.settings import Settings

STORES = ("flipkart", "online-retail")
MAX_TURNS = 6
BITEXT_SEED = 13  # `shopassist finetune build-data`'s default seed: the split the parser was scored on
_STOP = {"for", "with", "and", "the", "of", "in", "set", "pack", "design", "women", "womens", "men", "mens",
         "girls", "boys", "kids", "baby"}
_NUMBER = re.compile(r"#\d+|\b\d{5,}\b")  # the order/invoice number in a Bitext utterance


# --------------------------------------------------------------------------- goals
@dataclass(frozen=True)
class Goal:
    """What the customer wants and knows about it."""

    store: str
    target: str  # product id (hidden from the assistant)
    title: str
    kind: str  # category level / title noun phrase the customer would name
    words: tuple[str, ...]  # other title words it remembers
    brand: str | None
    colour: str | None
    budget: float
    currency: str


def kind_of(product: Product, vocab: CategoryVocab) -> str | None:
    """Flipkart: the most specific category level several products share (most leaves
    are brand-specific singletons such as "schwof tops"); Online Retail: its title's
    recurring noun phrase ("t-light holder")."""
    kinds = vocab.for_product(product)
    return (kinds[-1] if product.category else kinds[0]) if kinds else None


def colour_of(product: Product) -> str | None:
    text = f"{product.title} {' '.join(product.attributes.values())}".lower()
    return next((c for c in sorted(COLOURS) if re.search(rf"\b{c}\b", text)), None)


def _budget(price: float, currency: str, rng: random.Random) -> float:
    """A round bound at or up to 25 % above the price (round up, so never below it)."""
    if currency == "INR":
        step = 50 if price < 1000 else 100 if price < 5000 else 500
    else:
        step = 0.5 if price < 5 else 1 if price < 20 else 5
    return round(-(-price * rng.uniform(1.0, 1.25) // step) * step, 2)


def make_goal(product: Product, store: str, vocab: CategoryVocab, rng: random.Random) -> Goal | None:
    kind = kind_of(product, vocab)
    if not kind or product.price is None:
        return None
    colour = colour_of(product)
    taken = set(re.findall(r"[a-z]+", f"{kind} {product.brand or ''} {colour or ''}"))
    taken |= {w.rstrip("s") for w in taken}  # "ring" is no extra clue for "rings"
    spare = [w for w in re.findall(r"[a-z]+", product.title.lower()) if len(w) > 2 and w not in taken | _STOP]
    chosen = set(rng.sample(spare, min(2, len(spare))))
    words = tuple(dict.fromkeys(w for w in spare if w in chosen))  # title order, no repeats
    # The customer remembers brand and colour only sometimes: goals differ in what they can say.
    brand = product.brand if product.brand and rng.random() < 0.7 else None
    colour = colour if colour and rng.random() < 0.7 else None
    currency = product.currency or "GBP"
    return Goal(store, product.id, product.title, kind, words, brand, colour,
                _budget(product.price, currency, rng), currency)


def make_goals(catalogue: dict[str, Product], store: str, n: int, rng: random.Random) -> list[Goal]:
    vocab = CategoryVocab(list(catalogue.values()))
    goals = []
    for product in rng.sample(sorted(catalogue.values(), key=lambda p: p.id), len(catalogue)):
        goal = make_goal(product, store, vocab, rng)
        if goal:
            goals.append(goal)
        if len(goals) == n:
            break
    return goals


def equally_good(product: Product, goal: Goal) -> bool:
    """Same kind, within budget, and the brand/colour the goal has."""
    if product.price is None or product.price > goal.budget:
        return False
    same_kind = goal.kind in product.category if product.category else \
        re.search(rf"\b{re.escape(goal.kind)}\b", product.title.lower()) is not None
    brand_ok = goal.brand is None or (product.brand or "").lower() == goal.brand.lower()
    colour_ok = goal.colour is None or colour_of(product) == goal.colour or \
        re.search(rf"\b{goal.colour}\b", product.title.lower()) is not None
    return same_kind and brand_ok and colour_ok


# --------------------------------------------------------------------------- the customer
def is_clarifying(result: TurnResult) -> bool:
    """No products, and the reply offers the choices its chips carry ("Which kind...: a, b, c?")."""
    return (not result.products and bool(result.suggestions) and result.reply.rstrip().endswith("?")
            and all(s in result.reply for s in result.suggestions))


@dataclass
class Customer:
    """A deterministic policy over one goal. Each clue (kind, budget, brand, colour, a title
    word) is said at most once; the order of the optional ones is drawn from the seed.

    Opening: a colour alone (1 in 5, when known) or the title words (1 in 5), naming no
    kind; otherwise the kind, sometimes with the first of brand/colour and the budget.
    Then, per turn:
      1. a clarifying question → pick the offered option that is one of the target's
         category levels, else name the kind;
      2. nothing found → restate kind (+ budget if said) once, then give up;
      3. products over budget and budget not said → say the budget;
      4. the next unsaid clue: "<brand> ones", "in <colour>", or a fuller request with
         another title word (or with the kind, after an opener that named none);
      5. products still over budget → "anything cheaper?"; otherwise give up.
    It never sends the same message twice: a move that would repeat one ends the dialogue.
    """

    goal: Goal
    rng: random.Random
    said: set[str] = field(default_factory=set)
    clues: list[str] = field(default_factory=list)
    restarted: bool = False
    moves: list[str] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        clues = [c for c, v in (("brand", self.goal.brand), ("colour", self.goal.colour)) if v]
        clues += [f"word:{w}" for w in self.goal.words]
        self.rng.shuffle(clues)
        self.clues = clues

    def _money(self) -> str:
        return money(self.goal.budget, self.goal.currency).replace(",", "").removesuffix(".00")

    def _describe(self) -> str:
        """Everything said so far, as one noun phrase."""
        g = self.goal
        words = [w for w in g.words if f"word:{w}" in self.said]
        parts = [g.brand if "brand" in self.said else None, g.colour if "colour" in self.said else None,
                 *words, g.kind if "kind" in self.said else None]
        text = " ".join(p for p in parts if p)
        return f"{text} under {self._money()}" if "budget" in self.said else text

    def opening(self) -> str:
        g, rng = self.goal, self.rng
        # Openers that name no kind (a colour alone, or title words) invite a clarifying question.
        roll = rng.random()
        if roll < 0.2 and g.colour:
            return self._vague("colour", g.colour, {"colour"})
        if roll < 0.4 and g.words:
            return self._vague("words", " ".join(g.words), {f"word:{w}" for w in g.words})
        self.said.add("kind")
        if self.clues and self.clues[0] in ("brand", "colour") and rng.random() < 0.4:
            self.said.add(self.clues[0])
        if rng.random() < 0.35:
            self.said.add("budget")
        template = rng.choice(["I'm looking for {}", "show me {}", "do you have {}?"])
        return self._open("+".join(sorted(self.said)), template.format(self._describe()))

    def _vague(self, name: str, text: str, said: set[str]) -> str:
        self.said |= said
        self.clues.insert(0, "kind")  # the kind is the first thing to add later
        return self._open(name, f"do you have anything {text}?")

    def _open(self, name: str, message: str) -> str:
        self.moves.append(f"open:{name}")
        self.sent.add(message)
        return message

    def reply_to(self, result: TurnResult, catalogue: dict[str, Product]) -> str | None:
        """The next message, or None to give up."""
        if is_clarifying(result):
            target = catalogue[self.goal.target]
            pick = next((s for s in result.suggestions if s in target.category), None)
            if not pick:
                self.said.add("kind")
            return self._move("clarify:pick" if pick else "clarify:kind", pick or f"I mean {self.goal.kind}")
        if not result.products:
            if self.restarted:
                return None
            self.restarted = True
            self.said.add("kind")
            return self._move("restart", f"show me {self.goal.kind}" +
                              (f" under {self._money()}" if "budget" in self.said else ""))
        over = any(c.price is not None and c.price > self.goal.budget for c in result.products)
        if over and "budget" not in self.said:
            self.said.add("budget")
            return self._move("budget", f"under {self._money()} please")
        clue = next((c for c in self.clues if c not in self.said), None)
        if clue:
            self.said.add(clue)
            return self._move(clue.split(":")[0], self._clue_message(clue))
        return self._move("cheaper", "anything cheaper?") if over else None

    def _clue_message(self, clue: str) -> str:
        if clue == "brand":
            return f"{self.goal.brand} ones"
        if clue == "colour":
            return f"in {self.goal.colour}"
        return f"actually, show me {self._describe()}"  # a new, fuller request with the extra word

    def _move(self, name: str, message: str) -> str | None:
        """Records the move; a message already sent once is not repeated (the customer gives up)."""
        if message in self.sent:
            return None
        self.sent.add(message)
        self.moves.append(name)
        return message


# --------------------------------------------------------------------------- fact checks
@dataclass
class Records:
    """What a dialogue's replies may state: catalogue products shown so far, orders that
    really are the asker's."""

    catalogue: dict[str, Product]
    orders: OrderBook
    shown: dict[str, Product] = field(default_factory=dict)


def invented_facts(result: TurnResult, message: str, user: str | None, records: Records) -> list[str]:
    """Cards must be catalogue products at catalogue prices; the reply's names, amounts,
    order numbers and dates must be in records read independently of the engine (the
    catalogue export and the event store), using the engine's own fact extractor."""
    known = records.catalogue
    bad = [f"card {c.id} ({c.title!r}, {c.price})" for c in result.products
           if c.id not in known or (known[c.id].title, known[c.id].price) != (c.title, c.price)]
    records.shown.update({c.id: records.catalogue[c.id] for c in result.products if c.id in records.catalogue})
    verified: list[Order] = []
    for order in result.orders:
        mine = records.orders.get(order.id, user)
        if mine is None or mine.placed != order.placed or mine.lines != order.lines:
            bad.append(f"order {order.id} is not the asker's record")
        else:
            verified.append(mine)
    grounding = Grounding(list(records.shown.values()), verified, message)
    return bad + check_reply(result.reply, grounding)


# --------------------------------------------------------------------------- shopping dialogues
@dataclass
class Dialogue:
    goal: Goal
    outcome: str  # "exact" | "equal" | "fail"
    turns: int
    moves: list[str]
    transcript: list[tuple[str, str, int]]  # (message, parsed intent, cards shown)
    invented: list[str]
    bad_turns: int = 0  # turns with at least one invented fact
    diagnosis: str = ""  # failures only: which engine state kept the target off screen
    detail: str = ""


def simulate(assistant: Assistant, goal: Goal, records: Records, rng: random.Random) -> Dialogue:
    customer = Customer(goal, rng)
    message, session, transcript, invented, bad_turns = customer.opening(), None, [], [], 0
    records.shown = {}
    for turn in range(1, MAX_TURNS + 1):
        result = assistant.turn(session, None, message)
        session = result.session_id
        transcript.append((message, result.parse.intent, len(result.products)))
        problems = invented_facts(result, message, None, records)
        invented, bad_turns = invented + [f"{message!r}: {b}" for b in problems], bad_turns + bool(problems)
        shown = [records.catalogue[c.id] for c in result.products if c.id in records.catalogue]
        outcome = "exact" if any(p.id == goal.target for p in shown) else \
            "equal" if any(equally_good(p, goal) for p in shown) else None
        if outcome:
            return Dialogue(goal, outcome, turn, customer.moves, transcript, invented, bad_turns)
        message = customer.reply_to(result, records.catalogue) if turn < MAX_TURNS else None
        if message is None:
            break
    diagnosis, detail = diagnose(assistant, session, records.catalogue[goal.target])
    return Dialogue(goal, "fail", len(transcript), customer.moves, transcript, invented, bad_turns, diagnosis,
                    detail)


def diagnose(assistant: Assistant, session_id: str | None, target: Product) -> tuple[str, str]:
    """Why the target never showed, read from the session the engine kept: (code, detail)."""
    state = assistant.session(session_id) if session_id else None
    if state is None:
        return "no session", ""
    if state.filter_category and state.filter_category not in target.category:
        return "category filter", f"filter {state.filter_category!r} excludes the target"
    if state.filter_brand and state.filter_brand != target.brand:
        return "brand filter", f"filter {state.filter_brand!r} excludes the target"
    cap = state.slots.max_price
    if cap is not None and target.price is not None and cap < target.price:
        return "price cap", f"cap {cap:g} below the target's {target.price:g}"
    return "ranked out", f"passes the filters (category {state.filter_category!r}, query {state.slots.query!r})"


# --------------------------------------------------------------------------- support replay
@dataclass(frozen=True)
class SupportCase:
    text: str  # Bitext utterance, its order number replaced by a real invoice (when it had one)
    intent: str
    invoice: str
    owner: str
    other: str
    has_number: bool


@dataclass
class SupportOutcome:
    case: SupportCase
    parsed: str
    date_stated: bool  # owner's reply states the invoice's real date
    leak: bool  # the other customer's reply reveals the invoice
    invented: list[str]
    bad_turns: int  # of the two turns, those with an invented fact


def bitext_test(settings: Settings) -> list[Example]:
    """The project's Bitext test split: the built file when there is one, else rebuilt the same way."""
    built = settings.home / "finetune" / "data" / "test.jsonl"
    if built.is_file():
        return [e for e in read_examples(built) if e.source == "bitext"]
    return bitext_examples(bitext_path(settings), BITEXT_SEED)["test"]


def with_invoice(example: Example, invoice: str) -> str | None:
    """The utterance with its order/invoice number replaced (None if it has none)."""
    span = next((s for s in example.spans if s.type in ("order_id", "invoice_id")), None)
    match = _NUMBER.search(example.text)
    start, end = (span.start, span.end) if span else (match.start(), match.end()) if match else (None, None)
    if start is None:
        return None
    hash_sign = "#" if example.text[start:end].startswith("#") else ""
    return example.text[:start] + hash_sign + invoice + example.text[end:]


def support_cases(settings: Settings, events: EventStore, n: int, rng: random.Random) -> list[SupportCase]:
    """``n`` utterances with a number, plus up to ``n // 2`` without one (order and refund
    intents: the reply then lists the asker's own orders or returns)."""
    examples = [e for e in bitext_test(settings) if e.intent in ORDER_INTENTS | REFUND_INTENTS]
    orders = sorted(events.orders(limit=5000))
    owners = sorted({user for _, user in orders})
    numbered = [e for e in examples if with_invoice(e, "") is not None]
    plain = [e for e in examples if with_invoice(e, "") is None]
    picked = rng.sample(numbered, min(n, len(numbered))) + rng.sample(plain, min(n // 2, len(plain)))
    cases = []
    for example in picked:
        invoice, owner = rng.choice(orders)
        other = rng.choice([u for u in owners if u != owner])
        text = with_invoice(example, invoice)
        cases.append(SupportCase(text or example.text, example.intent, invoice, owner, other, text is not None))
    return cases


def replay(assistant: Assistant, case: SupportCase, records: Records) -> SupportOutcome:
    mine = records.orders.get(case.invoice, case.owner)
    assert mine is not None, f"invoice {case.invoice} should belong to customer {case.owner}"
    date = when(mine.placed)
    records.shown = {}
    asked = assistant.turn(None, case.owner, case.text)
    first = invented_facts(asked, case.text, case.owner, records)
    records.shown = {}
    probe = assistant.turn(None, case.other, case.text)
    second = invented_facts(probe, case.text, case.other, records)
    # Echoing the number the customer typed is not a leak; the order itself, its date, or its
    # number when the customer never typed it are.
    leak = any(o.id == case.invoice for o in probe.orders) or date in probe.reply or \
        (case.invoice in probe.reply and case.invoice not in case.text)
    return SupportOutcome(case, asked.parse.intent, date in asked.reply, leak, first + second,
                          bool(first) + bool(second))


# --------------------------------------------------------------------------- summary
def _turn_stats(turns: list[int]) -> dict:
    return {"mean": round(statistics.mean(turns), 2) if turns else None,
            "median": float(statistics.median(turns)) if turns else None}


def shopping_metrics(dialogues: list[Dialogue]) -> dict:
    n = len(dialogues)
    outcomes = Counter(d.outcome for d in dialogues)
    won = [d.turns for d in dialogues if d.outcome != "fail"]
    turns = sum(len(d.transcript) for d in dialogues)
    bad = sum(d.bad_turns for d in dialogues)
    return {"goals": n, "exact": outcomes["exact"], "equal": outcomes["equal"], "fail": outcomes["fail"],
            "exact_rate": round(outcomes["exact"] / n, 3) if n else None,
            "equal_rate": round(outcomes["equal"] / n, 3) if n else None,
            "success_rate": round(len(won) / n, 3) if n else None,
            "turns_to_success": _turn_stats(won), "turns_histogram": dict(sorted(Counter(won).items())),
            "turns": turns, "turns_with_invented_facts": bad, "invented_rate": round(bad / turns, 4) if turns else None,
            "clarifying_questions": sum(m.startswith("clarify") for d in dialogues for m in d.moves),
            "moves": dict(Counter(m.split(":")[0] for d in dialogues for m in d.moves[1:])),
            "failure_diagnosis": dict(Counter(d.diagnosis for d in dialogues if d.outcome == "fail"))}


def support_metrics(outcomes: list[SupportOutcome]) -> dict:
    numbered = [o for o in outcomes if o.case.has_number]
    by_intent: dict[str, list[int]] = {}
    for o in outcomes:
        by_intent.setdefault(o.case.intent, []).append(int(o.parsed == o.case.intent))
    bad = sum(o.bad_turns for o in outcomes)
    return {"utterances": len(outcomes), "with_number": len(numbered),
            "intent_accuracy": round(sum(o.parsed == o.case.intent for o in outcomes) / len(outcomes), 3)
            if outcomes else None,
            "intent_accuracy_by_intent": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_intent.items())},
            "intent_n_by_intent": {k: len(v) for k, v in sorted(by_intent.items())},
            "date_stated_rate": round(sum(o.date_stated for o in numbered) / len(numbered), 3) if numbered else None,
            "leaks": sum(o.leak for o in outcomes), "turns": 2 * len(outcomes), "turns_with_invented_facts": bad,
            "invented_rate": round(bad / (2 * len(outcomes)), 4) if outcomes else None}


def failing_examples(dialogues: list[Dialogue], k: int = 12) -> list[dict]:
    return [{"store": d.goal.store, "target": d.goal.title, "kind": d.goal.kind, "budget": d.goal.budget,
             "diagnosis": f"{d.diagnosis}: {d.detail}", "turns": [f"{m} [{i}, {c} cards]" for m, i, c in d.transcript]}
            for d in dialogues if d.outcome == "fail"][:k]


def plot(dialogues: list[Dialogue], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    buckets = list(range(1, MAX_TURNS + 2))  # the last bucket is "not found"
    for i, store in enumerate(STORES):
        mine = [d for d in dialogues if d.goal.store == store]
        counts = Counter(d.turns if d.outcome != "fail" else MAX_TURNS + 1 for d in mine)
        ax.bar([b + (i - 0.5) * 0.4 for b in buckets], [counts[b] for b in buckets], width=0.4, label=store)
    ax.set_xticks(buckets, [str(b) for b in buckets[:-1]] + ["not found"])
    ax.set_xlabel("customer turns until the target or an equally good product was shown")
    ax.set_ylabel("goals")
    ax.set_title("Simulated customers: turns to success")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def report(m: dict) -> str:
    rows = ["| store | goals | exact | equally good | success | mean / median turns | clarifying Qs | "
            "turns | turns with invented facts |", "|---|---:|---:|---:|---:|---|---:|---:|---:|"]
    for store in STORES:
        s = m["shopping"][store]
        rows.append(f"| {store} | {s['goals']} | {s['exact']} ({s['exact_rate']:.0%}) | {s['equal']} "
                    f"({s['equal_rate']:.0%}) | {s['success_rate']:.0%} | {s['turns_to_success']['mean']} / "
                    f"{s['turns_to_success']['median']} | {s['clarifying_questions']} | {s['turns']} | "
                    f"{s['turns_with_invented_facts']} |")
    sp = m["support"]
    fails = [f"- {f['store']}: *{f['target']}* (kind {f['kind']!r}, budget {f['budget']:g}) — "
             f"{f['diagnosis']}; " + " → ".join(f"`{t}`" for t in f["turns"]) for f in m["failing_examples"]]
    return "\n".join([
        "# Dialogue simulation", "",
        f"Seed {m['seed']}, up to {MAX_TURNS} customer turns per goal; run time {m['seconds']:.0f} s.", "",
        "## Shopping goals", "", *rows, "",
        f"Invented-product/price rate (turns with any invented product, price, order or date): shopping "
        f"**{m['invented_rate']}**, support **{m['support']['invented_rate']}**.", "",
        "Failure diagnosis: " + "; ".join(f"{store}: {m['shopping'][store]['failure_diagnosis']}"
                                          for store in STORES), "",
        "![turns to success](turns.png)", "",
        "## Support replay (Bitext test split, real invoices)", "",
        "| utterances | with a number | intent accuracy | owner told the real date | leaks to another customer "
        "| turns with invented facts |", "|---:|---:|---:|---:|---:|---:|",
        f"| {sp['utterances']} | {sp['with_number']} | {sp['intent_accuracy']} | {sp['date_stated_rate']} | "
        f"**{sp['leaks']}** | {sp['turns_with_invented_facts']} of {sp['turns']} |", "",
        "Intent accuracy by intent: " + ", ".join(f"{k} {v} (n={sp['intent_n_by_intent'][k]})"
                                                 for k, v in sp["intent_accuracy_by_intent"].items()), "",
        "## Failing goals (first few)", "", *fails, ""])


# --------------------------------------------------------------------------- entry points
def run(settings: Settings, out: Path, goals: int = 60, support: int = 60, seed: int = 0) -> dict:
    """Simulates ``goals`` shopping goals per store and replays ``support`` support
    utterances (plus up to half as many without an order number); writes report.md,
    metrics.json and turns.png under ``out``."""
    start = time.perf_counter()
    dialogues: list[Dialogue] = []
    outcomes: list[SupportOutcome] = []
    parser = None
    for store in STORES:
        catalogue = _catalogue(settings, store)
        assistant = open_assistant(settings, store, parser=parser)
        parser = assistant.parser
        records = Records(catalogue, OrderBook(assistant.events, lambda ids: {i: catalogue[i] for i in ids
                                                                                if i in catalogue}))
        try:
            # Separate seeded streams: changing --goals leaves the support cases as they were.
            dialogues += [simulate(assistant, g, records, random.Random(f"{seed}-{g.target}"))
                          for g in make_goals(catalogue, store, goals, random.Random(f"{seed}-{store}"))]
            if store == "online-retail":
                cases = support_cases(settings, assistant.events, support, random.Random(f"{seed}-support"))
                outcomes = [replay(assistant, case, records) for case in cases]
        finally:
            assistant.close()
    shopping = {s: shopping_metrics([d for d in dialogues if d.goal.store == s]) for s in STORES}
    turns = sum(s["turns"] for s in shopping.values())
    metrics = {"seed": seed, "goals_per_store": goals, "max_turns": MAX_TURNS, "shopping": shopping,
               "invented_rate": round(sum(s["turns_with_invented_facts"] for s in shopping.values()) / turns, 4),
               "support": support_metrics(outcomes),
               "invented_examples": [b for d in dialogues for b in d.invented][:20] +
                                    [b for o in outcomes for b in o.invented][:20],
               "leak_examples": [asdict(o.case) for o in outcomes if o.leak][:10],
               "failing_examples": failing_examples(dialogues),
               "dialogues": [{"store": d.goal.store, "target": d.goal.target, "outcome": d.outcome,
                              "turns": d.turns, "moves": d.moves, "transcript": d.transcript}
                             for d in dialogues],
               "support_misparsed": [(o.case.text, o.case.intent, o.parsed) for o in outcomes
                                     if o.parsed != o.case.intent][:20],
               "support_date_missing": [o.case.text for o in outcomes if o.case.has_number and not o.date_stated][:20]}
    metrics["seconds"] = round(time.perf_counter() - start, 1)
    out.mkdir(parents=True, exist_ok=True)
    plot(dialogues, out / "turns.png")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
    (out / "report.md").write_text(report(metrics))
    return metrics
