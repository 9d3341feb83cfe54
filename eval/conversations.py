"""Multi-turn conversations replayed turn by turn, each turn scored against hand labels.

The set (``eval/conversations/``) is written by hand as people chat: small talk, reactions,
self-disclosure, deals and shipping questions, bare sizes, changes of mind, two needs in one
conversation. Every customer turn carries the action a good shop assistant takes
(``ACTIONS``) and, where products should be shown, what counts as one of the right kind.
It is split by conversation into ``dev.jsonl`` and ``sealed.jsonl``; the sealed half's hash
is committed (``SEALED.sha256``) and it is run only at the start and the end of a change.

What is measured, per turn, from what the customer would see (not from what the engine says
about itself), except the action, which the engine reports (``TurnResult.action``):

* action accuracy: the reported action is one of the labelled ones;
* on-topic share: of the turns that show products, those whose top five are mostly (≥ 3 of
  5, or all when fewer are shown) of the kind the customer is shopping for at that point
  (the turn's ``relevant``, else the latest earlier one), inside its price bounds, with none
  of its ``not`` words;
* unasked cart changes: the cart (the session's add/remove events) changed on a turn not
  labelled as a cart request;
* misplaced offers to add: the assistant offered to add on a turn labelled neither an offer
  nor a request to buy;
* kind kept: on small-talk turns during a need, nothing new is shown (no search);
* crashes and invented products (a card that is not a catalogue product).

Each conversation runs in a fresh session, deleted afterwards with the cart events it wrote, so
a replay changes nothing in the home (customer 17850's recommendations included).

    shopassist --home HOME eval conversations --half dev --out DIR
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from retrieval.product import Product

SET_DIR = Path(__file__).resolve().parent / "conversations"
HALVES = ("dev", "sealed")
ACTIONS = ("search", "refine", "more", "similar", "answer", "compare", "offer_add", "add_to_cart",
           "set_quantity", "remove_from_cart", "view_cart", "recommend", "chat", "deals", "support",
           "handoff", "out_of_scope")
CART_ACTIONS = {"add_to_cart", "set_quantity", "remove_from_cart"}
STORES = {"online_retail": "online-retail", "flipkart": "flipkart"}
ON_TOPIC_SHARE = 0.6  # of the top five shown
PRICE_SLACK = 1.05  # a budget is read loosely: "under 500" admits 510


@dataclass
class Turn:
    user: str
    actions: list[str]
    relevant: dict | None = None


@dataclass
class Conversation:
    id: str
    store: str
    customer: str | None
    turns: list[Turn]


@dataclass
class TurnOutcome:
    conversation: str
    index: int
    user: str
    expected: list[str]
    action: str | None
    rule: str | None = None
    shown: list[str] = field(default_factory=list)
    on_topic: bool | None = None  # None: showed nothing, or no need to judge against
    precision: float | None = None
    cart_changed: bool = False
    offered: bool = False
    chat_during_need: bool = False
    searched: bool = False
    crashed: str | None = None
    invented: list[str] = field(default_factory=list)
    reply: str = ""
    intent: str | None = None  # the intent the turn was recorded under (the parser's, unless the action set it)
    confidence: float | None = None
    kind: str | None = None  # the need's kind after the turn, in the customer's words (for reading failures)


def read_set(path: Path) -> list[Conversation]:
    """The conversations of one JSONL file; a malformed line fails with its number."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            turns = [Turn(t["user"], [t["action"]] if isinstance(t["action"], str) else list(t["action"]),
                          t.get("relevant")) for t in row["turns"]]
            unknown = {a for t in turns for a in t.actions} - set(ACTIONS)
            if unknown or row["store"] not in STORES:
                raise ValueError(f"unknown action(s) {sorted(unknown)} or store {row['store']!r}")
            out.append(Conversation(row["id"], row["store"], row.get("customer"), turns))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    return out


def sealed_hash(path: Path = SET_DIR / "sealed.jsonl") -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sealed() -> None:
    """The sealed half is the one whose hash was committed before the change it measures."""
    want = (SET_DIR / "SEALED.sha256").read_text().split()[0]
    if sealed_hash() != want:
        raise ValueError("eval/conversations/sealed.jsonl differs from the hash committed in SEALED.sha256")


def relevant_product(product: Product, relevant: dict) -> bool:
    text = f"{product.title} {' '.join(product.category)}".lower()
    if not any(word.lower() in text for word in relevant.get("any") or []):
        return False
    if any(word.lower() in text for word in relevant.get("not") or []):
        return False
    price = product.price
    if price is not None and relevant.get("max_price") is not None and price > relevant["max_price"] * PRICE_SLACK:
        return False
    if price is not None and relevant.get("min_price") is not None and price < relevant["min_price"] / PRICE_SLACK:
        return False
    return True


def _cart_events(assistant, session_id: str | None) -> list:
    if not session_id:
        return []
    return [e for e in assistant.events.session_events(session_id) if e.type in ("add_to_cart", "remove_from_cart")]


SHOWING = {"search", "refine", "more", "similar", "recommend"}  # actions whose cards are a new list
_LEGACY = {"search": "search", "gift_help": "search", "refine": "refine", "similar": "similar",
           "product_question": "answer", "compare": "compare", "recommend_for_me": "recommend",
           "view_cart": "view_cart", "remove_from_cart": "remove_from_cart", "greeting": "chat", "thanks": "chat",
           "out_of_scope": "out_of_scope", "contact_human_agent": "handoff"}


def legacy_action(result, cart_changed: bool) -> str:
    """The action of an engine that reports only the intent it acted on (the code before
    ``TurnResult.action``), for the figures at the start of the change."""
    from assistant import replies

    intent = result.parse.intent
    if intent == "add_to_cart":
        if result.suggestions == list(replies.CONFIRM_ADD_CHIPS):
            return "offer_add"
        return "add_to_cart" if cart_changed else "answer"
    return _LEGACY.get(intent, "support")


def replay(assistant, conversation: Conversation, known: Callable[[list[str]], dict]) -> list[TurnOutcome]:
    """Every turn of one conversation, in one fresh session."""
    session_id, need, out = None, None, []
    for index, turn in enumerate(conversation.turns):
        need = turn.relevant or need
        outcome = TurnOutcome(conversation.id, index, turn.user, turn.actions, None)
        before = len(_cart_events(assistant, session_id))
        try:
            result = assistant.turn(session_id, conversation.customer, turn.user)
        except Exception as exc:  # a crash is a finding, not the end of the run
            outcome.crashed = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
            out.append(outcome)
            continue
        session_id = result.session_id
        outcome.cart_changed = len(_cart_events(assistant, session_id)) != before
        outcome.action = getattr(result, "action", None) or legacy_action(result, outcome.cart_changed)
        outcome.rule = getattr(result, "rule", None)
        outcome.reply = result.reply[:300]
        outcome.intent, outcome.confidence = result.parse.intent, round(result.parse.confidence, 3)
        state = getattr(result, "state", None)
        outcome.kind = state.need.kind if state is not None and state.need is not None else None
        ids = [p.id for p in result.products]
        outcome.searched = bool(ids) and outcome.action in SHOWING
        outcome.shown = ids if outcome.searched else []
        found = known(ids) if ids else {}
        outcome.invented = [i for i in ids if i not in found]
        if outcome.searched and need:
            top = [found[i] for i in ids[:5] if i in found]
            hits = sum(relevant_product(p, need) for p in top)
            outcome.precision = hits / len(top) if top else 0.0
            outcome.on_topic = bool(top) and hits >= min(3, len(top)) * 1.0 and hits / len(top) >= ON_TOPIC_SHARE
        outcome.offered = outcome.action == "offer_add"
        outcome.chat_during_need = set(turn.actions) <= {"chat", "out_of_scope"} and need is not None
        out.append(outcome)
    if session_id:  # the replay leaves no cart events or transcript behind in the store's home
        assistant.events.delete_session_events(session_id)
        assistant.sessions.delete(session_id)
    return out


def metrics(outcomes: list[TurnOutcome]) -> dict:
    turns = [o for o in outcomes if o.crashed is None]
    shown = [o for o in turns if o.on_topic is not None]
    chat = [o for o in turns if o.chat_during_need]
    by_action: dict[str, Counter] = {}
    for o in turns:
        for a in o.expected:
            by_action.setdefault(a, Counter())["n"] += 1
            by_action[a]["right"] += o.action in o.expected
    confusion = Counter((o.expected[0], o.action) for o in turns if o.action not in o.expected)
    return {
        "conversations": len({o.conversation for o in outcomes}),
        "turns": len(outcomes),
        "action_accuracy": _share(sum(o.action in o.expected for o in turns), len(outcomes)),
        "on_topic": _share(sum(bool(o.on_topic) for o in shown), len(shown)),
        "turns_showing_products": len(shown),
        "mean_precision_at_5": _share(sum(o.precision or 0.0 for o in shown), len(shown)),
        "unasked_cart_changes": sum(o.cart_changed and not set(o.expected) & CART_ACTIONS for o in turns),
        "misplaced_offers": sum(o.offered and not set(o.expected) & {"offer_add", "add_to_cart"} for o in turns),
        "kind_kept_in_small_talk": _share(sum(not o.searched for o in chat), len(chat)),
        "small_talk_turns_in_a_need": len(chat),
        "crashes": sum(o.crashed is not None for o in outcomes),
        "invented_products": sum(len(o.invented) for o in turns),
        "per_action": {a: {"turns": c["n"], "accuracy": _share(c["right"], c["n"])} for a, c in sorted(by_action.items())},
        "top_confusions": [{"expected": e, "got": g, "turns": n} for (e, g), n in confusion.most_common(12)],
    }


def _share(part: float, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def run(settings, half: str, out: Path, progress: Callable[[str], None] = print) -> dict:
    from assistant.service import open_assistant

    if half == "sealed":
        check_sealed()
    conversations = read_set(SET_DIR / f"{half}.jsonl")
    started, outcomes, per_store = time.perf_counter(), [], {}
    parser = None
    for store, collection in STORES.items():
        mine = [c for c in conversations if c.store == store]
        if not mine:
            continue
        assistant = open_assistant(settings, collection, parser=parser)
        parser = assistant.parser
        try:
            done = []
            for conversation in mine:
                done += replay(assistant, conversation, assistant.lookup)
                progress(f"{conversation.id}: {len(conversation.turns)} turns")
            per_store[collection] = metrics(done)
            outcomes += done
        finally:
            assistant.close()
    result = {"half": half, **metrics(outcomes), "per_store": per_store,
              "seconds": round(time.perf_counter() - started, 1)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(result, indent=2))
    (out / "turns.jsonl").write_text("".join(json.dumps(asdict(o)) + "\n" for o in outcomes))
    (out / "report.md").write_text(report(result))
    return result


def report(m: dict) -> str:
    rows = [("action accuracy", m["action_accuracy"]), ("on-topic share (turns showing products)", m["on_topic"]),
            ("mean P@5 of those turns", m["mean_precision_at_5"]), ("unasked cart changes", m["unasked_cart_changes"]),
            ("misplaced offers to add", m["misplaced_offers"]),
            ("kind kept in small talk (no search)", m["kind_kept_in_small_talk"]),
            ("crashes", m["crashes"]), ("invented products", m["invented_products"])]
    lines = [f"# Conversations ({m['half']} half): {m['conversations']} conversations, {m['turns']} turns", "",
             "| figure | all | " + " | ".join(m["per_store"]) + " |", "|---|---:|" + "---:|" * len(m["per_store"])]
    keys = ["action_accuracy", "on_topic", "mean_precision_at_5", "unasked_cart_changes", "misplaced_offers",
            "kind_kept_in_small_talk", "crashes", "invented_products"]
    for (label, value), key in zip(rows, keys):
        lines.append(f"| {label} | {value} | " + " | ".join(str(s[key]) for s in m["per_store"].values()) + " |")
    lines += ["", "| expected action | turns | accuracy |", "|---|---:|---:|"]
    lines += [f"| {a} | {v['turns']} | {v['accuracy']} |" for a, v in m["per_action"].items()]
    lines += ["", "Most frequent confusions: " + "; ".join(f"{c['expected']} → {c['got']} ({c['turns']})"
                                                          for c in m["top_confusions"]), ""]
    return "\n".join(lines)
