"""``Assistant``: one customer turn = parse → decide → act → reply.

The session's ``DialogueState`` (what is being shopped for, what is shown, the pending offer)
is loaded; the parser reads the message; ``assistant.decide`` picks the action from the state
and the parse (one ordered table of named rules); the action's handler (``assistant.handlers``)
calls the tools (search + rerank, catalogue records, event store) and returns the new state;
``assistant.replies`` words the answer from their records only, and every reply passes the
grounding check before it leaves. The turn's JSON carries the action, the rule that chose it and
the state.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from assistant import replies, turn_facts
from assistant.decide import Action, decide, keeps_offer, may_remove, searched_for
from assistant.grounding import Grounding, check_reply
from assistant.handlers.base import Act
from assistant.handlers.cart import CartHandlers
from assistant.handlers.shopping import ShoppingHandlers
from assistant.handlers.talk import TalkHandlers
from assistant.orders import Order
from assistant.parse.rules import hint_intent
from assistant.parse.schema import Reference, TurnParse
from assistant.reading import read_kinds, singled_out
from assistant.replies import AGENT_HOLDS, HANDED_BACK, stream
from assistant.session import Message, Session, SessionStore, issued_session_id, valid_session_id
from assistant.shopping import Shopper
from assistant.state import DialogueState
from assistant.store_errors import SearchUnavailable, engine_call
from assistant.suggest import Suggestion, suggest_replies
from assistant.support import SupportDesk
from assistant.variants import Variant, pick
from retrieval.behaviour.events import Event, EventStore
from retrieval.kind_index import KindIndex
from retrieval.product import Product
from shopassist.errors import ShopAssistError

MAX_MESSAGE_CHARS = 2000
MAX_AGENT_CHARS = 2000
# The handler of each action (and of the rules that need their own).
HANDLERS = {
    "search": "_new_search", "answers_which_kind": "_which_kind", "yes_to_offer": "_accept_offer",
    "refine": "_refine", "more": "_more", "similar": "_similar", "answer": "_question", "compare": "_compare",
    "offer_add": "_offer_add", "add_to_cart": "_add_to_cart", "set_quantity": "_set_quantity",
    "remove_from_cart": "_remove_from_cart", "view_cart": "_view_cart", "recommend": "_recommend",
    "gift_ideas": "_gift_ideas", "ideas_for_another_person": "_gift_ideas", "narrows_gift_ideas": "_gift_ideas",
    "chat": "_chat", "deals": "_deals", "support": "_support", "handoff": "_handoff",
    "out_of_scope": "_out_of_scope", "nothing_shown": "_nothing_shown",
}


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
    action: str | None = None  # what the assistant did (``assistant.decide.ACTIONS``)
    rule: str | None = None  # the decision rule that chose it
    state: DialogueState | None = None
    shows: bool = False  # the cards are a new list (not a product answered about or added)

    def to_json(self) -> dict:
        return {"reply": self.reply, "products": [p.to_json() for p in self.products],
                "parse": self.parse.to_json(), "session": self.session_id, "suggestions": self.suggestions,
                "handoff": self.handoff, "action": self.action, "rule": self.rule,
                "state": self.state.to_json() if self.state else None}


class Assistant(ShoppingHandlers, CartHandlers, TalkHandlers):
    """Args:
        parser: anything with ``parse(message, has_results) -> TurnParse``.
        shopper: search/rerank tool.
        lookup: product ids → products of the same collection.
        events: behaviour event store (cart events are written here).
        sessions: session store.
        support: support desk (orders, returns, reply openers).
        recommend: optional ``(user_id, top_k, session_id) -> [(product_id, reason)]``.
        profile: optional customer id → their profile in words (for the agent console).
        variants: A/B variants; each session is assigned one by ``variants.pick``.
        forced_variant: put every session in this variant (must be one of ``variants``).
        variant_tools: variant name → its shopper and recommend function.
        closers: what ``close`` calls (the stores this assistant opened).
        deals_policy: the store's discounts, sales and codes in its own words (setting
            ``store_deals``); None: the assistant says it has none to offer.
    """

    def __init__(self, parser, shopper: Shopper, lookup: Callable[[list[str]], dict[str, Product]],
                 events: EventStore, sessions: SessionStore, support: SupportDesk, recommend=None, *,
                 profile: Callable[[str], str] | None = None, variants: Sequence[Variant] = (),
                 forced_variant: str | None = None,
                 variant_tools: dict[str, tuple[Shopper, Callable | None]] | None = None,
                 closers: Sequence[Callable[[], None]] = (), deals_policy: str | None = None):
        self.parser = parser
        self.shopper = shopper
        self.lookup = lookup
        self.events = events
        self.sessions = sessions
        self.support = support
        self.recommend = recommend
        self.profile = profile
        self.variants: list[Variant] = list(variants)
        self.forced_variant = forced_variant
        pick(self.variants, forced_variant, "check")  # a misspelt forced variant fails at start
        self.variant_tools: dict[str, tuple[Shopper, Callable | None]] = dict(variant_tools or {})
        self.closers: list[Callable[[], None]] = list(closers)
        self.deals_policy = deals_policy
        self._kinds: KindIndex | None = None
        self._kinds_lock = threading.Lock()

    def close(self) -> None:
        """Releases the stores this assistant opened (the embedded Qdrant folder lock among them)."""
        for close in self.closers:
            close()
        self.closers = []

    # ------------------------------------------------------------------ public API: customers
    def turn(self, session_id: str | None, user_id: str | None, message: str, *, named: bool = False,
             source: str = "widget") -> TurnResult:
        result = None
        for item in self.stream_turn(session_id, user_id, message, named=named, source=source):
            if isinstance(item, TurnResult):
                result = item
        assert result is not None
        return result

    def stream_turn(self, session_id: str | None, user_id: str | None, message: str, *,
                    named: bool = False, source: str = "widget") -> Iterator[str | TurnResult]:
        """Yields the reply in chunks, then the finished ``TurnResult``.

        ``user_id`` must be the caller's verified identity (None for a guest). A session that
        does not belong to it is never used: the caller gets a fresh one. Only a trusted local
        caller (the CLI) passes ``named=True`` to start a session under an id it chose; over
        HTTP ids are issued here. ``source``: where a new conversation comes from
        (``Session.source``: the widget, or an AI agent over MCP)."""
        with self.sessions.hold(session_id):
            session = self._session(session_id, user_id, named, source)
            message = _clean(message)
            if session.agent_held:
                result = self._hold(session, message)
            else:
                result = self._turn(session, message)
        yield from stream(result.reply)
        yield result

    def handoff(self, session_id: str | None, user_id: str | None) -> TurnResult:
        """The customer asked for a person (the widget's button): no parse needed."""
        with self.sessions.hold(session_id):
            session = self._session(session_id, user_id, named=False)
            parse = TurnParse(intent="contact_human_agent")
            act = self._handoff(session, parse, "", [])
            return self._finish(session, parse, "(asked to talk to a person)", act, Action("handoff", "handoff_button"))

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
        if session is not None:  # the insights' funnel: this conversation led to a view or a cart
            self.sessions.mark(session, "viewed" if kind == "view" else "carted")
        return product

    def updates(self, session_id: str | None, user_id: str | None) -> list[Message]:
        """Messages of the caller's own conversation not yet sent to them (an agent's replies),
        marked as sent. Anyone else gets nothing, whatever the session."""
        peek = self.owned_session(session_id, user_id)
        if peek is None or all(m.delivered for m in peek.messages):
            return []  # the common poll: a read, no lock (with replicas, no database lock either)
        with self.sessions.hold(session_id):
            session = self.owned_session(session_id, user_id)
            if session is None:
                return []
            fresh = [m for m in session.messages if not m.delivered]
            if fresh:
                for m in fresh:
                    m.delivered = True
                self.sessions.save(session)
            return [m.model_copy() for m in fresh]

    def cart(self, session_id: str | None, user_id: str | None) -> list[tuple[Product, float]] | None:
        """The basket of the caller's own conversation; None when it is not theirs (or none)."""
        session = self.owned_session(session_id, user_id)
        return None if session is None else self._cart(session)

    def set_in_cart(self, session_id: str | None, user_id: str | None, product: Product,
                    target: Callable[[float, int], int], source: str = "widget"
                    ) -> tuple[Session, list[tuple[Product, float]]] | None:
        """Sets how many of ``product`` the basket of the caller's conversation holds to
        ``target(held, lines)`` (what it holds of the product, how many lines it has; it may raise
        to refuse), read and written under the conversation's lock so concurrent changes add up;
        without a ``session_id`` a new conversation is started for it. Returns the conversation
        and its basket after the change; None when ``session_id`` names one not the caller's."""
        with self.sessions.hold(session_id):
            if session_id:
                session = self.owned_session(session_id, user_id)
                if session is None:
                    return None
            else:
                session = self._session(None, user_id, False, source)
            lines = self._cart(session)
            held = next((n for p, n in lines if p.id == product.id), 0.0)
            change = target(held, len(lines)) - held
            self._change_cart(session, product, change)
            session.state.focus = product.id
            session.updated = time.time()
            self.sessions.save(session)
            if change > 0:
                self.sessions.mark(session, "carted")
            return session, self._cart(session) if change else lines

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
        with self.sessions.hold(session_id):
            session = self.session(session_id)
            if session is None or not text:
                return session
            session.add("agent", text, delivered=False, suggestion=suggestion, suggestion_kind=kind, edited=edited)
            session.agent_held, session.handoff = True, False
            self.sessions.save(session)
            return session

    def suggestions(self, session: Session) -> list[Suggestion]:
        """Three suggested replies (answer, clarify, act) for the customer's latest request."""
        return suggest_replies(self, session)

    def recent_orders(self, user_id: str | None, n: int = 3) -> list[Order]:
        """The customer's latest ``n`` orders, newest first (none for a guest)."""
        return self.support.orders.recent(user_id, limit=n)

    def likely_next(self, user_id: str | None, session_id: str | None, n: int = 3) -> list[tuple[Product, str | None]]:
        """What the customer is likely to buy next, with the reason; empty without behaviour models."""
        if self.recommend is None:
            return []
        picks = self.recommend(user_id, n, session_id)
        found = self.lookup([pid for pid, _ in picks])
        return [(found[pid], why) for pid, why in picks if pid in found]

    def describe_customer(self, user_id: str) -> str | None:
        """The customer's profile in words; None without behaviour models."""
        return self.profile(user_id) if self.profile else None

    def hand_back(self, session_id: str) -> Session | None:
        """The agent is done: the assistant answers again, and tells the customer so."""
        with self.sessions.hold(session_id):
            session = self.session(session_id)
            if session is None or not session.agent_held:
                return session
            session.agent_held = False
            session.add("assistant", HANDED_BACK, delivered=False)
            self.sessions.save(session)
            return session

    # ------------------------------------------------------------------ plumbing
    def _session(self, session_id: str | None, user_id: str | None, named: bool, source: str = "widget") -> Session:
        """The caller's session: theirs if ``session_id`` names one they own, else a fresh one.
        A guest session becomes a customer's when they sign in mid-conversation (only the
        browser holding its unguessable id can ask for that)."""
        session = self.sessions.get(session_id) if session_id else None
        # (the widget only: an agent that holds a guest's id is not that guest's browser)
        if session is not None and session.user_id is None and user_id and issued_session_id(session.id) \
                and source == "widget":
            session.user_id = user_id
        if session is not None and session.owned_by(user_id):
            return session
        reuse = named and valid_session_id(session_id) and self.sessions.peek(session_id) is None
        session = self.sessions.new(user_id, session_id if reuse else None)
        session.source = source
        variant = pick(self.variants, self.forced_variant, user_id or session.id)
        session.variant = variant.name if variant else None
        return session

    def _hold(self, session: Session, message: str) -> TurnResult:
        """An agent holds the conversation: keep the message for them, answer nothing else."""
        session.add("customer", message)
        session.add("assistant", AGENT_HOLDS)
        self.sessions.save(session)
        return TurnResult(AGENT_HOLDS, TurnParse(intent="contact_human_agent"), session.id, handoff=True)

    def _turn(self, session: Session, message: str) -> TurnResult:
        """Parse in the conversation, decide, act: one customer turn."""
        state = session.state
        parse = self.parser.parse(message, state.render())
        hinted = hint_intent(message, bool(state.shown))
        if hinted:  # the wording settles it, whether or not the model was sure
            parse = parse.model_copy(update={"intent": hinted, "confidence": max(parse.confidence, 0.9)})
        try:
            parse, kinds, described, singled = self._read(session, message, parse)
        except SearchUnavailable:  # the store is down: decide on the words alone (support still answers)
            kinds, described, singled = [], [], None
        try:
            basket = [p.title for p, _ in self._cart(session)] if may_remove(parse, message) else []
        except SearchUnavailable:  # the catalogue is down: a removal is read without it
            basket = []
        action = decide(state, parse, message, kinds, described, basket, singled)
        if action.intent and action.intent != parse.intent:  # the table's reading ("too girly": a dislike)
            parse = parse.model_copy(update={"intent": action.intent})
        asked = state.pending
        try:
            act = getattr(self, HANDLERS[action.rule] if action.rule in HANDLERS else HANDLERS[action.kind])(
                session, parse, message, kinds)
        except SearchUnavailable:
            act = Act(replies.SEARCH_DOWN, show=False, suggestions=list(replies.PERSON_CHIPS))
        if asked is not None and state.pending is asked:  # an offer or question lasts one turn
            state.pending = asked.model_copy(update={"kept": True}) if keeps_offer(asked, action, state) else None
        said = _said_intent(act.action or action.kind, parse, action.rule)
        if said != parse.intent:
            parse = parse.model_copy(update={"intent": said})
        return self._finish(session, parse, message, act, action)

    def _read(self, session: Session, message: str, parse: TurnParse) -> tuple[TurnParse, list, list, str | None]:
        """The parse, pointing at the shown product the message names by its own words when the
        parser tagged no reference ("silver streak denim is sick"); the store's kinds the message
        names; its words the store's titles use. A kind word naming a product on screen ("the
        spaceboy one") points at it, not at a new need, unless the parser read a search for it."""
        shown = self.shown_products(session) if session.state.shown else []
        named = singled_out(message, shown)
        if named and not parse.slots.references:
            slots = parse.slots.model_copy(update={"references": [Reference(kind="name", text=named)]})
            parse = parse.model_copy(update={"slots": slots})
        asked = searched_for(parse)
        speller = self.shopper.searcher.speller  # "umberella for my little girl" describes umbrellas
        spelled = speller.correct(message) if speller is not None else message
        return (parse, *read_kinds(self.kinds(), message, session.state.need, shown, asked, spelled,
                                   parse.intent == "refine"), named)

    def _finish(self, session: Session, parse: TurnParse, message: str, act: Act, action: Action) -> TurnResult:
        state = session.state
        grounding = Grounding(products=list(act.products) + self.shown_products(session), orders=act.orders,
                              message=message, computed=act.computed)
        reply = act.reply if not check_reply(act.reply, grounding) else replies.UNGROUNDED
        if act.show and act.products:
            state.shown = [p.id for p in act.products]
        done = act.action or action.kind
        state.last_action = done
        session.add("customer", message, parse.intent, action=done, rule=action.rule)
        session.add("assistant", reply)
        self.sessions.save(session, turn_facts.turn_fact(session, parse, message, act, done, action.rule, self.kinds(),
                                                         self.shopper.searcher.lexical.stopword))
        cards = [ProductCard(p.id, p.title, p.price, p.currency, p.category_path, r, p.url) for p, r in act.cards()]
        return TurnResult(reply, parse, session.id, cards, act.suggestions, session.handoff, act.orders,
                          action=done, rule=action.rule, state=state.model_copy(deep=True),
                          shows=bool(act.show and act.products))

    def _tools(self, session: Session) -> tuple[Shopper, Callable | None]:
        return self.variant_tools.get(session.variant or "", (self.shopper, self.recommend))

    def shown_products(self, session: Session) -> list[Product]:
        try:
            found = self.lookup(session.state.shown) if session.state.shown else {}
        except SearchUnavailable:
            return []
        return [found[i] for i in session.state.shown if i in found]

    def _focus(self, session: Session) -> Product | None:
        focus = session.state.focus
        return self.lookup([focus]).get(focus) if focus else None

    def kinds(self) -> KindIndex:
        """The kinds this store sells, read from its catalogue once, on the first turn."""
        with self._kinds_lock:
            if self._kinds is None:
                with engine_call():
                    products, _ = self.shopper.searcher.store.export()
                self._kinds = KindIndex.from_products(products)
            return self._kinds


# The intent a turn is recorded under, from what was done (the parser's own reading otherwise).
_ACTION_INTENT = {"search": None, "refine": "refine", "more": "refine", "similar": "similar",
                  "answer": "product_question", "compare": "compare", "offer_add": "add_to_cart",
                  "add_to_cart": "add_to_cart", "set_quantity": "add_to_cart", "remove_from_cart": "remove_from_cart",
                  "view_cart": "view_cart", "recommend": "recommend_for_me", "handoff": "contact_human_agent",
                  "out_of_scope": "out_of_scope"}


def _said_intent(action: str, parse: TurnParse, rule: str = "") -> str:
    if HANDLERS.get(rule) == "_gift_ideas":  # gift help asked for, not the customer's own picks
        return "gift_help"
    if action == "search":
        return parse.intent if parse.intent in ("search", "gift_help") else "search"
    if action == "chat":
        return parse.intent if parse.intent in ("greeting", "thanks", "out_of_scope") else "greeting"
    return _ACTION_INTENT.get(action) or parse.intent


def _clean(message: str) -> str:
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in message or "")
    return " ".join(text.split())[:MAX_MESSAGE_CHARS]
