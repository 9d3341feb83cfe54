"""``Assistant``: one customer turn = parse → decide → act → reply.

The parser says what the message means; this module decides what to do with it given the
session (merging slots, resolving "the second one"), calls the tools (search + rerank,
catalogue records, event store) and writes the reply from their records only. Every reply
passes the grounding check before it leaves.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from assistant.grounding import Grounding, check_reply
from assistant.guard import SearchUnavailable
from assistant.orders import Order
from assistant.replies import compare_reply, md_text, price_of, results_reply, stream
from assistant.schema import SUPPORT_INTENTS, Slots, TurnParse
from assistant.session import Message, Session, SessionLocks, SessionStore, issued_session_id, valid_session_id
from assistant.shopping import Shopper, answer_question, is_vague, resolve
from assistant.support import SupportDesk
from assistant.variants import Variant, pick
from retrieval.behaviour.events import Event, EventStore
from retrieval.product import Product
from retrieval.stores.base import SearchFilter
from shopassist.errors import ShopAssistError

MAX_MESSAGE_CHARS = 2000
GREETING = "Hello! I can find products, compare them, add them to your cart or check an order. What are you looking for?"
THANKS = "You're welcome! Anything else I can find for you?"
OUT_OF_SCOPE = ("I can only help with shopping here: finding and comparing products, your cart and your orders. "
                "What can I find for you?")
HANDOFF = "I've asked a member of our team to join this conversation; they will see everything so far."
AGENT_HOLDS = "Thanks, a colleague from our team has this conversation and will reply here shortly."
HANDED_BACK = "Our colleague has handed you back to me, the shop assistant. What else can I find for you?"
MAX_AGENT_CHARS = 2000


@dataclass
class ProductCard:
    id: str
    title: str
    price: float | None
    currency: str | None
    category: str
    reason: str | None
    url: str | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "price": self.price, "currency": self.currency,
                "category": self.category, "reason": self.reason}


@dataclass
class TurnResult:
    reply: str
    parse: TurnParse
    session_id: str
    products: list[ProductCard] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    handoff: bool = False
    orders: list[Order] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"reply": self.reply, "products": [p.to_json() for p in self.products],
                "parse": self.parse.to_json(), "session": self.session_id, "suggestions": self.suggestions,
                "handoff": self.handoff}


@dataclass
class _Act:
    """What a handler decided: reply text, products shown, orders cited, chips."""

    reply: str
    products: list[Product] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    show: bool = True  # replace the session's shown list with ``products``


class Assistant:
    """Args:
        parser: anything with ``parse(message, has_results) -> TurnParse``.
        shopper: search/rerank tool.
        lookup: product ids → products of the same collection.
        events: behaviour event store (cart events are written here).
        sessions: session store.
        support: support desk (orders, returns, reply openers).
        recommend: optional ``(user_id, top_k, session_id) -> [(product_id, reason)]``.
    """

    def __init__(self, parser, shopper: Shopper, lookup: Callable[[list[str]], dict[str, Product]],
                 events: EventStore, sessions: SessionStore, support: SupportDesk, recommend=None):
        self.parser = parser
        self.shopper = shopper
        self.lookup = lookup
        self.events = events
        self.sessions = sessions
        self.support = support
        self.recommend = recommend
        self.closers: list[Callable[[], None]] = []
        self.profile: Callable[[str], str] | None = None  # customer id → profile in words
        # A/B: variant name → its shopper and recommend function; sessions are assigned by ``pick``
        self.variants: list[Variant] = []
        self.forced_variant: str | None = None
        self.variant_tools: dict[str, tuple[Shopper, Callable | None]] = {}
        self._locks = SessionLocks()

    def close(self) -> None:
        """Releases the stores this assistant opened (the embedded Qdrant folder lock among them)."""
        for close in self.closers:
            close()
        self.closers = []

    # ------------------------------------------------------------------ public API: customers
    def turn(self, session_id: str | None, user_id: str | None, message: str, *, named: bool = False) -> TurnResult:
        result = None
        for item in self.stream_turn(session_id, user_id, message, named=named):
            if isinstance(item, TurnResult):
                result = item
        assert result is not None
        return result

    def stream_turn(self, session_id: str | None, user_id: str | None, message: str, *,
                    named: bool = False) -> Iterator[str | TurnResult]:
        """Yields the reply in chunks, then the finished ``TurnResult``.

        ``user_id`` must be the caller's verified identity (None for a guest). A session that
        does not belong to it is never used: the caller gets a fresh one. Only a trusted local
        caller (the CLI) passes ``named=True`` to start a session under an id it chose; over
        HTTP ids are issued here."""
        with self._locks.hold(session_id):
            session = self._session(session_id, user_id, named)
            message = _clean(message)
            if session.agent_held:
                result = self._hold(session, message)
            else:
                parse = self.parser.parse(message, bool(session.shown))
                try:
                    act = self._act(session, parse, message)
                except SearchUnavailable as exc:
                    act = _Act(str(exc), show=False, suggestions=["Talk to a person"])
                result = self._finish(session, parse, message, act)
        yield from stream(result.reply)
        yield result

    def handoff(self, session_id: str | None, user_id: str | None) -> TurnResult:
        """The customer asked for a person (the widget's button): no parse needed."""
        with self._locks.hold(session_id):
            session = self._session(session_id, user_id, named=False)
            parse = TurnParse(intent="contact_human_agent")
            return self._finish(session, parse, "(asked to talk to a person)", self._handoff(session, parse, ""))

    def record(self, session_id: str | None, user_id: str | None, product_id: str, kind: str) -> Product | None:
        """A view or add-to-cart click on a product card, written under the caller's own
        identity (and their session, only when it is theirs). None if the product is unknown."""
        if kind not in ("view", "add_to_cart"):
            raise ShopAssistError(f"unknown action {kind!r}")
        product = self.lookup([product_id]).get(product_id) if product_id else None
        if product is None:
            return None
        session = self.owned_session(session_id, user_id)
        self.events.append([Event(product.id, kind, user_id, 1.0, product.price, time.time(),
                                  session.id if session else None)])
        return product

    def updates(self, session_id: str | None, user_id: str | None) -> list[Message]:
        """Messages of the caller's own conversation not yet sent to them (an agent's replies),
        marked as sent. Anyone else gets nothing, whatever the session."""
        with self._locks.hold(session_id):
            session = self.owned_session(session_id, user_id)
            if session is None:
                return []
            fresh = [m for m in session.messages if not m.delivered]
            if fresh:
                for m in fresh:
                    m.delivered = True
                self.sessions.save(session)
            return [m.model_copy() for m in fresh]

    def owned_session(self, session_id: str | None, user_id: str | None) -> Session | None:
        session = self.sessions.get(session_id) if session_id else None
        return session if session is not None and session.owned_by(user_id) else None

    # ------------------------------------------------------------------ public API: agents
    def queue(self, limit: int = 50) -> list[Session]:
        return self.sessions.queue(limit)

    def session(self, session_id: str) -> Session | None:
        return self.sessions.peek(session_id) if valid_session_id(session_id) else None

    def agent_reply(self, session_id: str, text: str, suggestion: int | None = None, kind: str | None = None,
                    edited: bool | None = None) -> Session | None:
        """Posts an agent's reply into the customer's conversation; the agent now holds it and the
        assistant stays quiet until ``hand_back``."""
        text = _clean(text)[:MAX_AGENT_CHARS]
        with self._locks.hold(session_id):
            session = self.session(session_id)
            if session is None or not text:
                return session
            session.add("agent", text, delivered=False, suggestion=suggestion, suggestion_kind=kind, edited=edited)
            session.agent_held, session.handoff = True, False
            self.sessions.save(session)
            return session

    def hand_back(self, session_id: str) -> Session | None:
        """The agent is done: the assistant answers again, and tells the customer so."""
        with self._locks.hold(session_id):
            session = self.session(session_id)
            if session is None or not session.agent_held:
                return session
            session.agent_held = False
            session.add("assistant", HANDED_BACK, delivered=False)
            self.sessions.save(session)
            return session

    # ------------------------------------------------------------------ plumbing
    def _session(self, session_id: str | None, user_id: str | None, named: bool) -> Session:
        """The caller's session: theirs if ``session_id`` names one they own, else a fresh one.
        A guest session becomes a customer's when they sign in mid-conversation (only the
        browser holding its unguessable id can ask for that)."""
        session = self.sessions.get(session_id) if session_id else None
        if session is not None and session.user_id is None and user_id and issued_session_id(session.id):
            session.user_id = user_id
        if session is not None and session.owned_by(user_id):
            return session
        reuse = named and valid_session_id(session_id) and self.sessions.peek(session_id) is None
        session = self.sessions.new(user_id, session_id if reuse else None)
        variant = pick(self.variants, self.forced_variant, user_id or session.id)
        session.variant = variant.name if variant else None
        return session

    def _hold(self, session: Session, message: str) -> TurnResult:
        """An agent holds the conversation: keep the message for them, answer nothing else."""
        session.add("customer", message)
        session.add("assistant", AGENT_HOLDS)
        self.sessions.save(session)
        return TurnResult(AGENT_HOLDS, TurnParse(intent="contact_human_agent"), session.id, handoff=True)

    def _finish(self, session: Session, parse: TurnParse, message: str, act: _Act) -> TurnResult:
        shown = act.products if act.show else []
        grounding = Grounding(products=list(act.products) + self.shown_products(session), orders=act.orders,
                              message=message)
        reply = act.reply if not check_reply(act.reply, grounding) else \
            "Sorry, I couldn't put that answer together reliably. Could you rephrase, or ask to talk to a person?"
        if act.show and shown:
            session.shown = [p.id for p in shown]
        session.add("customer", message, parse.intent)
        session.add("assistant", reply)
        self.sessions.save(session)
        cards = [ProductCard(p.id, p.title, p.price, p.currency, p.category_path, r, p.url)
                 for p, r in zip(act.products, act.reasons or [None] * len(act.products))]
        return TurnResult(reply, parse, session.id, cards, act.suggestions, session.handoff, act.orders)

    def _tools(self, session: Session) -> tuple[Shopper, Callable | None]:
        return self.variant_tools.get(session.variant or "", (self.shopper, self.recommend))

    def shown_products(self, session: Session) -> list[Product]:
        try:
            found = self.lookup(session.shown) if session.shown else {}
        except SearchUnavailable:
            return []
        return [found[i] for i in session.shown if i in found]

    def _focus(self, session: Session) -> Product | None:
        return self.lookup([session.focus]).get(session.focus) if session.focus else None

    # ------------------------------------------------------------------ decide
    def _act(self, session: Session, parse: TurnParse, message: str) -> _Act:
        intent = parse.intent
        if session.pending_categories and _picks_category(message, session.pending_categories):
            return self._search(session, _pick(session, message), message, clarify=False)
        if intent == "refine" and not session.shown:
            intent = "search"
        if intent in ("out_of_scope", "recommend_for_me") and _asks_for_products(message):
            intent = "search"  # "show me computers": the parser doubted, the wording does not
        handlers = {"search": self._new_search, "refine": self._refine, "compare": self._compare,
                    "product_question": self._question, "add_to_cart": self._add_to_cart,
                    "recommend_for_me": self._recommend, "contact_human_agent": self._handoff,
                    "greeting": lambda s, p, m: _Act(GREETING, suggestions=["Gift ideas", "Recommend something for me"],
                                                     show=False),
                    "thanks": lambda s, p, m: _Act(THANKS, show=False),
                    "out_of_scope": lambda s, p, m: _Act(OUT_OF_SCOPE, show=False)}
        if intent in handlers:
            return handlers[intent](session, parse, message)
        if intent in SUPPORT_INTENTS:
            return self._support(session, parse, message)
        return _Act(OUT_OF_SCOPE, show=False)

    # ------------------------------------------------------------------ shopping
    def _new_search(self, session: Session, parse: TurnParse, message: str) -> _Act:
        return self._search(session, parse.slots, message, clarify=True)

    def _search(self, session: Session, slots: Slots, message: str, clarify: bool, refine: bool = False,
                exclude: set[str] = frozenset()) -> _Act:
        keep = SearchFilter(category=session.filter_category, brand=session.filter_brand) if refine else None
        found = self._tools(session)[0].search(slots, message, session.user_id, session.id, keep, exclude)
        session.pending_categories, session.pending_slots = [], None
        if not found.candidates:
            return _Act(_nothing(slots), show=False, suggestions=["Show me anything under a higher budget"])
        if clarify and is_vague(slots, found.categories, found.candidates):
            session.pending_categories, session.pending_slots = found.categories[:3], slots
            options = ", ".join(md_text(c) for c in found.categories[:3])
            return _Act(f"Happy to help! Which kind of thing are you after: {options}?", show=False,
                        suggestions=found.categories[:3])
        session.slots = slots
        session.filter_category, session.filter_brand = found.flt.category, found.flt.brand
        products = [c.product for c in found.candidates]
        session.focus = products[0].id
        intro = "Here are the updated results:" if refine else "Here is what I found:"
        return _Act(results_reply(products, [c.reason for c in found.candidates], intro), products,
                    [c.reason for c in found.candidates],
                    suggestions=["Show cheaper ones", "Compare the first two", "Tell me more about the first one"])

    def _refine(self, session: Session, parse: TurnParse, message: str) -> _Act:
        slots = session.slots.model_copy(deep=True)
        new = parse.slots
        for name in ("min_price", "max_price", "currency", "brand", "category"):
            if getattr(new, name) is not None:
                setattr(slots, name, getattr(new, name))
        slots.attributes = {**slots.attributes, **new.attributes}
        extra = " ".join(v for v in (new.brand, new.category, *new.attributes.values()) if v)
        base = session.slots.query or ""
        slots.query = f"{base} {extra}".strip() or None
        shown = [p for p in self.shown_products(session) if p.price is not None]
        if new.price_change == "higher" and shown:
            slots.min_price = round(max(p.price for p in shown) + 0.01, 2)
        if new.brand and new.brand != session.filter_brand:
            session.filter_brand = None  # a newly named brand is matched afresh
        if new.price_change == "lower" and shown:
            return self._cheaper(session, slots, message, shown)
        return self._search(session, slots, message, clarify=False, refine=True)

    def _cheaper(self, session: Session, slots: Slots, message: str, shown: list[Product]) -> _Act:
        """Cheaper than everything shown; failing that, cheaper than the middle-priced one."""
        slots.max_price = round(min(p.price for p in shown) - 0.01, 2)
        act = self._search(session, slots, message, clarify=False, refine=True)
        if act.products or len(shown) < 2:
            if not act.products:
                act.reply = "I couldn't find anything cheaper than what I showed you."
            return act
        middle = sorted(shown, key=lambda p: p.price)[len(shown) // 2]
        slots.max_price = round(middle.price - 0.01, 2)
        act = self._search(session, slots, message, clarify=False, refine=True, exclude={p.id for p in shown})
        if act.products:
            act.reply = act.reply.replace("Here are the updated results:", f"Nothing is cheaper than all of those, "
                                          f"but these cost less than **{md_text(middle.title)}** ({price_of(middle)}):", 1)
        else:
            act.reply = "I couldn't find anything cheaper than what I showed you."
        return act

    def _products_for(self, session: Session, parse: TurnParse, want: int) -> list[Product]:
        shown, focus = self.shown_products(session), self._focus(session)
        picked = [resolve(r, shown, focus) for r in parse.slots.references]
        picked = [p for p in picked if p is not None]
        if len(picked) < want:
            for p in ([focus] if focus else []) + shown:
                if len(picked) >= want:
                    break
                if p.id not in {q.id for q in picked}:
                    picked.append(p)
        return picked

    def _compare(self, session: Session, parse: TurnParse, message: str) -> _Act:
        products = self._products_for(session, parse, 2)
        if len(products) < 2:
            return _Act("Search for something first, then I can compare the results side by side.", show=False)
        session.focus = products[-1].id
        return _Act(compare_reply(products), products, show=False,
                    suggestions=[f"Add the {('first', 'second')[i]} one to my cart" for i in range(2)])

    def _question(self, session: Session, parse: TurnParse, message: str) -> _Act:
        products = self._products_for(session, parse, 1)
        if not products:
            return _Act("Which product do you mean? Search for something first and I'll tell you about it.", show=False)
        session.focus = products[0].id
        return _Act(answer_question(products[0], message), products[:1], show=False,
                    suggestions=["Add it to my cart", "Show cheaper ones"])

    def _add_to_cart(self, session: Session, parse: TurnParse, message: str) -> _Act:
        products = self._products_for(session, parse, 1)
        if not products:
            return _Act("Which product should I add? Search for something first.", show=False)
        product, quantity = products[0], parse.slots.quantity or 1
        self.events.append([Event(product.id, "add_to_cart", session.user_id, float(quantity), product.price,
                                  time.time(), session.id)])
        session.focus = product.id
        return _Act(f"Added {quantity} × **{md_text(product.title)}** ({price_of(product)} each) to your cart.",
                    [product], show=False, suggestions=["Recommend something to go with it", "Show cheaper ones"])

    def _recommend(self, session: Session, parse: TurnParse, message: str) -> _Act:
        shopper, recommend = self._tools(session)
        if recommend is None:
            return _Act("I don't have enough shopping history yet to recommend things; tell me what you're "
                        "looking for and I'll search.", show=False)
        picks = recommend(session.user_id, shopper.top_k, session.id)
        found = self.lookup([pid for pid, _ in picks])
        products = [found[pid] for pid, _ in picks if pid in found]
        reasons = [reason for pid, reason in picks if pid in found]
        if not products:
            return _Act("I have nothing to recommend yet; tell me what you're looking for.", show=False)
        session.focus = products[0].id
        return _Act(results_reply(products, reasons, "You might like:"), products, reasons,
                    suggestions=["Tell me more about the first one", "Compare the first two"])

    # ------------------------------------------------------------------ support
    def _handoff(self, session: Session, parse: TurnParse, message: str) -> _Act:
        session.handoff, session.handoff_reason = True, message[:200]
        return _Act(HANDOFF, show=False)

    def _support(self, session: Session, parse: TurnParse, message: str) -> _Act:
        key = f"{session.id}:{len(session.messages)}"
        reply, orders = self.support.reply(parse.intent, parse.slots, message, session.user_id, key)
        return _Act(reply, orders=orders, show=False, suggestions=["Talk to a person"])


_PRODUCT_ASK = re.compile(r"^\s*(?:please\s+)?(?:show me|do you (?:have|sell|stock)|have you got|i(?:'m| am) looking for|"
                          r"looking for|find me|search for|i need|i want)\s+(?P<rest>.+)", re.I)
_ABOUT_ME = re.compile(r"\b(me|my|mine|i'd like|recommend|suggest|anything)\b", re.I)


def _asks_for_products(message: str) -> bool:
    """A request that names something to find ("show me computers") rather than asking for
    personal picks ("show me something for me") or being off-topic."""
    found = _PRODUCT_ASK.match(message)
    return bool(found) and not _ABOUT_ME.search(found.group("rest"))


def _clean(message: str) -> str:
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in message or "")
    return " ".join(text.split())[:MAX_MESSAGE_CHARS]


def _nothing(slots: Slots) -> str:
    bits = []
    if slots.max_price is not None:
        bits.append(f"under {slots.max_price:g}")
    if slots.min_price is not None:
        bits.append(f"over {slots.min_price:g}")
    return "I couldn't find anything matching that" + (f" {' and '.join(bits)}" if bits else "") + \
        ". Could you try other words or a different budget?"


def _picks_category(message: str, options: list[str]) -> bool:
    text = message.lower()
    return any(option.lower() in text or text.strip() in option.lower() for option in options if text.strip())


def _pick(session: Session, message: str) -> Slots:
    text = message.lower()
    choice = next((o for o in session.pending_categories if o.lower() in text or text.strip() in o.lower()),
                  session.pending_categories[0])
    slots = (session.pending_slots or Slots()).model_copy(deep=True)
    slots.category = choice
    slots.query = f"{slots.query or ''} {choice}".strip()
    return slots
