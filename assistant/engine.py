"""``Assistant``: one customer turn = parse → decide → act → reply.

The parser says what the message means; this module decides what to do with it given the
session (merging slots, resolving "the second one"), calls the tools (search + rerank,
catalogue records, event store) and has ``assistant.replies`` word the answer from their
records only. Which method acts on which intent, and which composer words it, is the intent
registry's (``assistant.intents``). Every reply passes the grounding check before it leaves.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Iterator, Sequence

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein

from assistant import replies
from assistant.answers import best_fact, facts_of, shown_with
from assistant.grounding import Grounding, check_reply
from assistant.intents import route
from assistant.orders import Order
from assistant.parse.rules import hint_intent
from assistant.parse.schema import SUPPORT_INTENTS, Slots, TurnParse
from assistant.replies import AGENT_HOLDS, HANDED_BACK, stream
from assistant.session import Message, Session, SessionStore, issued_session_id, valid_session_id
from assistant.query import (ASKS_WRAPPING, GIFT_WORDS, kind_words, lexical_words, only_qualifiers, plan_search, plausible, size_change, stem,
                             without_words)
from assistant.shopping import Shopper, is_vague, resolve
from assistant.store_errors import SearchUnavailable
from assistant.suggest import Suggestion, suggest_replies
from assistant.support import SupportDesk
from assistant.variants import Variant, pick
from retrieval.behaviour.events import Event, EventStore
from retrieval.kinds import KIND
from retrieval.product import Product
from retrieval.stores.base import SearchFilter
from shopassist.errors import ShopAssistError

MAX_MESSAGE_CHARS = 2000
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
class _Picked:
    """The shown products a turn points at; ``missed``: the words of a name that matched none."""

    products: list[Product]
    shown: list[Product]
    missed: str | None = None

    def not_shown(self) -> str | None:
        return replies.not_among_shown(self.missed) if self.missed else None


@dataclass
class _Act:
    """What a handler decided: reply text, products shown, orders cited, chips."""

    reply: str
    products: list[Product] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    show: bool = True  # replace the session's shown list with ``products``
    intent: str | None = None  # what the engine acted on, when not the parser's intent


class Assistant:
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
    """

    def __init__(self, parser, shopper: Shopper, lookup: Callable[[list[str]], dict[str, Product]],
                 events: EventStore, sessions: SessionStore, support: SupportDesk, recommend=None, *,
                 profile: Callable[[str], str] | None = None, variants: Sequence[Variant] = (),
                 forced_variant: str | None = None,
                 variant_tools: dict[str, tuple[Shopper, Callable | None]] | None = None,
                 closers: Sequence[Callable[[], None]] = ()):
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
        with self.sessions.hold(session_id):
            session = self._session(session_id, user_id, named)
            message = _clean(message)
            if session.agent_held:
                result = self._hold(session, message)
            else:
                parse = self.parser.parse(message, bool(session.shown))
                try:
                    act = self._act(session, parse, message)
                except SearchUnavailable:
                    act = _Act(replies.SEARCH_DOWN, show=False, suggestions=list(replies.PERSON_CHIPS))
                if act.intent and act.intent != parse.intent:
                    parse = parse.model_copy(update={"intent": act.intent})
                result = self._finish(session, parse, message, act)
        yield from stream(result.reply)
        yield result

    def handoff(self, session_id: str | None, user_id: str | None) -> TurnResult:
        """The customer asked for a person (the widget's button): no parse needed."""
        with self.sessions.hold(session_id):
            session = self._session(session_id, user_id, named=False)
            parse = TurnParse(intent="contact_human_agent")
            act = self._run(parse.intent, session, parse, "")
            return self._finish(session, parse, "(asked to talk to a person)", act)

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
        reply = act.reply if not check_reply(act.reply, grounding) else replies.UNGROUNDED
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
        hinted = hint_intent(message, bool(session.shown))
        if hinted:  # the wording settles it, whether or not the model was sure
            parse = parse.model_copy(update={"intent": hinted, "confidence": max(parse.confidence, 0.9)})
        intent = parse.intent
        if session.pending_categories and _picks_category(message, session.pending_categories):
            return self._search(session, _pick(session, message), message, route("search").reply, clarify=False)
        if intent in ("search", "gift_help") and session.shown and len(message.split()) <= 8 and only_qualifiers(message):
            intent = "refine"  # "pink please, it's for a 10 year old" keeps what is being shopped for
        if intent in NEEDS_SHOWN and not session.shown:
            if _only_pointing(lexical_words(message)):
                return _Act(replies.nothing_shown(intent), show=False, suggestions=list(replies.GREETING_CHIPS),
                            intent=intent)
            intent = "search"  # nothing on screen to refine, compare or ask about: the message is a request
        if (intent in SUPPORT_INTENTS and not hinted and parse.confidence < 0.9 and not _SUPPORT_TALK.search(message)
                and lexical_words(message)):
            intent = "search"  # "i lose my keys every morning": nothing about an order, an account or a payment
        if (intent in ("search", "gift_help") and parse.runner_up in SUPPORT_INTENTS and not session.shown
                and _SUPPORT_STRONG.search(message)):
            intent = parse.runner_up  # "your courier threw my parcel over the fence": a support message naming things
        if intent in DOUBTED_SEARCH and parse.confidence < DOUBT and lexical_words(message):
            intent = "search"  # the parser is unsure, the message names things: search all of it
        if intent in ("out_of_scope", "recommend_for_me") and (_asks_for_products(message) or (
                (_CHEAPEST.search(message) or _PRICIEST.search(message)) and lexical_words(message))):
            intent = "search"  # "show me computers": the parser doubted, the wording does not
        if intent in ("greeting", "thanks", "out_of_scope") and not _SMALL_TALK.search(message):
            act = self._bare_search(session, parse, message)  # "doormat": what people type in a shop
            if act is not None:
                return act
        return self._run(intent, session, parse, message)

    def _bare_search(self, session: Session, parse: TurnParse, message: str) -> _Act | None:
        """A short message the parser took for small talk that names things the shop sells:
        a search, when the results' titles carry its words; None otherwise."""
        words = lexical_words(message)
        if not words or len(message.split()) > 4:
            return None
        kept = {k: getattr(session, k) for k in _SEARCH_STATE}
        act = self._new_search(session, parse.model_copy(update={"intent": "search"}), message,
                               route("search").reply)
        stems = {stem(w) for w in words}
        small_talk = parse.intent in ("greeting", "thanks")  # and no greeting or thanks word in it
        if act.products and (small_talk or len(words) <= 2 or any(stems & _title_stems(p) for p in act.products)):
            act.intent = "search"
            return act
        for name, value in kept.items():
            setattr(session, name, value)
        return None

    def _run(self, intent: str, session: Session, parse: TurnParse, message: str) -> _Act:
        """The intent's handler, given the composer that words its answer (see ``assistant.intents``)."""
        entry = route(intent)
        act = getattr(self, entry.handler)(session, parse, message, entry.reply)
        act.intent = act.intent or intent
        return act

    # ------------------------------------------------------------------ small talk
    def _greet(self, session: Session, parse: TurnParse, message: str, reply: Callable[[], str]) -> _Act:
        return _Act(reply(), suggestions=list(replies.GREETING_CHIPS), show=False)

    def _say(self, session: Session, parse: TurnParse, message: str, reply: Callable[[], str]) -> _Act:
        return _Act(reply(), show=False)

    # ------------------------------------------------------------------ shopping
    def _new_search(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        """The whole message is searched (by meaning, and by its product words); only the slots
        that are plausible filter. A "which kind?" question only when it names no product at all."""
        plan = plan_search(message, parse.slots, gift=parse.intent == "gift_help")
        plan.slots.query = plan.dense
        order = "asc" if _CHEAPEST.search(message) else "desc" if _PRICIEST.search(message) else None
        return self._search(session, plan.slots, message, reply, clarify=not plan.lexical, lexical=plan.lexical,
                            avoid=set(plan.avoid), price_order=order)

    def _search(self, session: Session, slots: Slots, message: str, words: Callable, *, clarify: bool,
                refine: bool = False, exclude: set[str] = frozenset(), avoid: set[str] = frozenset(),
                kind: Sequence[str] = (), lexical: str | None = None, price_order: str | None = None) -> _Act:
        """Search with ``slots``; ``words(products, reasons)`` words the results."""
        keep = SearchFilter(category=session.filter_category, brand=session.filter_brand) if refine else None
        asked = f"{message} {slots.query or ''}" if refine else message  # "cheaper?" is still about the gift
        gift = bool(GIFT_WORDS.search(asked)) and not ASKS_WRAPPING.search(message)
        found = self._tools(session)[0].search(slots, message, session.user_id, session.id, keep, exclude, avoid, gift,
                                               kind, lexical, price_order)
        session.pending_categories, session.pending_slots = [], None
        if not found.candidates:
            return _Act(replies.nothing_found(slots), show=False, suggestions=list(replies.NOTHING_FOUND_CHIPS))
        if clarify and is_vague(slots, found.categories, found.candidates):
            session.pending_categories, session.pending_slots = found.categories[:3], slots
            return _Act(replies.which_kind(found.categories[:3]), show=False, suggestions=found.categories[:3])
        session.slots, session.lexical = slots, lexical  # a refinement keeps the planned product words
        session.filter_category, session.filter_brand = found.flt.category, found.flt.brand
        products = [c.product for c in found.candidates]
        session.focus = products[0].id
        reasons = [c.reason for c in found.candidates]
        return _Act(words(products, reasons), products, reasons, suggestions=list(replies.RESULTS_CHIPS))

    def _refine(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        slots = session.slots.model_copy(deep=True)
        new, _ = plausible(parse.slots, message)
        size = size_change(message)
        if size:
            new.attributes["size"] = size
        for name in ("min_price", "max_price", "currency", "brand", "category"):
            if getattr(new, name) is not None:
                setattr(slots, name, getattr(new, name))
        slots.attributes = {**slots.attributes, **new.attributes}
        extra = " ".join(v for v in (new.brand, new.category,
                                     *(v for k, v in new.attributes.items() if k != "size")) if v)
        base = session.slots.query or ""
        slots.query = f"{base} {extra}".strip() or None
        shown = [p for p in self.shown_products(session) if p.price is not None]
        if new.price_change == "higher" and shown:
            slots.min_price = round(max(p.price for p in shown) + 0.01, 2)
        if new.brand and new.brand != session.filter_brand:
            session.filter_brand = None  # a newly named brand is matched afresh
        if new.price_change == "lower" and shown:
            return self._cheaper(session, slots, message, shown, reply)
        avoid = set(without_words(message))
        exclude = {p.id for p in shown} if _OTHER.search(message) else set()
        extra_words = [w for w in lexical_words(message, SIMILAR_FILLER | avoid | {"without", "not", "no"})
                       if w not in (slots.query or "")]
        if extra_words and not extra:
            slots.query = f"{slots.query or ''} {' '.join(extra_words)}".strip()
        # "in silver" after lanterns: silver lanterns, not silver anything
        kind = [w for w in lexical_words(base) if w in kind_words(base)] if only_qualifiers(message) else []
        lexical = None
        if session.lexical is not None:  # the first request's product words, not its gift framing or filler
            added = [w for w in lexical_words(f"{extra} {' '.join(extra_words)}") if w not in session.lexical.split()]
            lexical = " ".join([session.lexical, *added]).strip()
        return self._search(session, slots, message, reply, clarify=False, refine=True, exclude=exclude, avoid=avoid,
                            kind=kind, lexical=lexical)

    def _cheaper(self, session: Session, slots: Slots, message: str, shown: list[Product], words: Callable) -> _Act:
        """Cheaper than everything shown; failing that, cheaper than the middle-priced one."""
        slots.max_price = round(min(p.price for p in shown) - 0.01, 2)
        lexical = session.lexical
        act = self._search(session, slots, message, words, clarify=False, refine=True, lexical=lexical)
        if act.products or len(shown) < 2:
            if not act.products:
                act.reply = replies.NOTHING_CHEAPER
            return act
        middle = sorted(shown, key=lambda p: p.price)[len(shown) // 2]
        slots.max_price = round(middle.price - 0.01, 2)
        act = self._search(session, slots, message, partial(replies.cheaper_than, middle), clarify=False, refine=True,
                           exclude={p.id for p in shown}, lexical=lexical)
        if not act.products:
            act.reply = replies.NOTHING_CHEAPER
        return act

    def _products_for(self, session: Session, parse: TurnParse, want: int) -> _Picked:
        shown, focus = self.shown_products(session), self._focus(session)
        picked = [resolve(r, shown, focus) for r in parse.slots.references]
        missed = _missed_name(parse, picked)
        picked = [p for p in picked if p is not None]
        if missed:  # "the blue one" with no blue one shown: never another product
            return _Picked(picked, shown, missed if shown else None)
        if len(picked) < want:
            for p in ([focus] if focus else []) + shown:
                if len(picked) >= want:
                    break
                if p.id not in {q.id for q in picked}:
                    picked.append(p)
        return _Picked(picked, shown)

    def _compare(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        found = self._products_for(session, parse, 2)
        products = found.products
        if len(products) < 2:
            return _Act(found.not_shown() or replies.COMPARE_NEEDS_RESULTS, show=False)
        session.focus = products[-1].id
        return _Act(reply(products), products, show=False, suggestions=list(replies.COMPARE_CHIPS))

    def _question(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        found = self._products_for(session, parse, 1)
        if not found.products:
            return _Act(found.not_shown() or replies.WHICH_PRODUCT, show=False)
        product = found.products[0]
        session.focus = product.id
        fact = best_fact(message, product, facts_of(product, replies.price_of(product)), self._encode)
        text = reply(product, fact)
        others = shown_with(message, [p for p in found.shown if p.id != product.id]) if fact is None else None
        if others:  # "is the second one in pink?": no, but the fifth says pink
            text += replies.also_shown(*others)
        return _Act(text, [product, *(others[1] if others else [])], show=False,
                    suggestions=list(replies.QUESTION_CHIPS))

    def _encode(self, texts: list[str]):
        # The warm single-query path (ONNX where it can): a product question must not wait for
        # the batch model to load in a serving process that has only ever encoded queries.
        encode_one = self.shopper.searcher.encoder.prepare_queries()
        return np.stack([encode_one(text) for text in texts])

    def _add_to_cart(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        found = self._products_for(session, parse, 1)
        if not found.products:
            return _Act(found.not_shown() or replies.WHICH_TO_ADD, show=False)
        product, quantity = found.products[0], parse.slots.quantity or 1
        if parse.confidence < CONFIDENT:  # nothing is written on a doubtful parse: ask
            session.focus = product.id
            return _Act(replies.confirm_add(product), [product], show=False, suggestions=list(replies.CONFIRM_ADD_CHIPS))
        target = _SET_QUANTITY.search(message)
        if target:  # "actually make that 3": the cart holds 3, not 3 more
            return self._set_quantity(session, product, int(target.group(1)))
        self.events.append([Event(product.id, "add_to_cart", session.user_id, float(quantity), product.price,
                                  time.time(), session.id)])
        session.focus = product.id
        return _Act(reply(product, quantity), [product], show=False, suggestions=list(replies.ADDED_CHIPS))

    def _set_quantity(self, session: Session, product: Product, target: int) -> _Act:
        held = next((n for p, n in self._cart(session) if p.id == product.id), 0)
        change = target - held
        if change:
            kind = "add_to_cart" if change > 0 else "remove_from_cart"
            self.events.append([Event(product.id, kind, session.user_id, float(abs(change)), product.price,
                                      time.time(), session.id)])
        session.focus = product.id
        return _Act(replies.cart_quantity(product, target), [product], show=False,
                    suggestions=list(replies.ADDED_CHIPS))

    def _recommend(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        shopper, recommend = self._tools(session)
        if recommend is None:
            return _Act(replies.NO_RECOMMENDER, show=False)
        picks = recommend(session.user_id, shopper.top_k, session.id)
        found = self.lookup([pid for pid, _ in picks])
        products = [found[pid] for pid, _ in picks if pid in found]
        reasons = [reason for pid, reason in picks if pid in found]
        if not products:
            return _Act(replies.NOTHING_TO_RECOMMEND, show=False)
        session.focus = products[0].id
        return _Act(reply(products, reasons), products, reasons, suggestions=list(replies.RECOMMEND_CHIPS))

    def _similar(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        """More like a shown product, with the change asked for: the product's own title is the
        query, the message's words (a colour, "bigger", "cheaper") steer it."""
        products = self._products_for(session, parse, 1).products
        if not products:
            return self._new_search(session, parse, message, route("search").reply)
        base = products[0]
        slots, _ = plausible(parse.slots, message)
        change = lexical_words(message, SIMILAR_FILLER)
        size = size_change(message)
        if size:
            slots.attributes["size"] = size
        slots.query = " ".join([base.title.lower(), *change])
        if slots.price_change == "lower" and base.price is not None:
            slots.max_price = round(base.price - 0.01, 2)
        elif slots.price_change == "higher" and base.price is not None:
            slots.min_price = round(base.price + 0.01, 2)
        return self._search(session, slots, message, reply, clarify=False, refine=True, exclude={base.id},
                            kind=_kind_of(base))

    def _cart(self, session: Session) -> list[tuple[Product, float]]:
        held: dict[str, float] = {}
        for event in self.events.session_events(session.id):
            if event.type in ("add_to_cart", "remove_from_cart"):
                sign = 1 if event.type == "add_to_cart" else -1
                held[event.product_id] = held.get(event.product_id, 0.0) + sign * event.quantity
        found = self.lookup([pid for pid, n in held.items() if n > 0])
        return [(found[pid], n) for pid, n in held.items() if n > 0 and pid in found]

    def _view_cart(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        lines = self._cart(session)
        return _Act(reply(lines), [p for p, _ in lines], show=False)

    def _remove_from_cart(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        lines = self._cart(session)
        if not lines:
            return _Act(replies.CART_EMPTY, show=False)
        if parse.confidence < CONFIDENT:
            return _Act(replies.WHICH_TO_REMOVE, show=False, suggestions=list(replies.CART_CHIPS))
        in_cart = [p for p, _ in lines]
        picked = [resolve(r, in_cart, None) for r in parse.slots.references]
        named = [p for p in picked if p is not None]
        if not named and len(in_cart) == 1 and not parse.slots.references:
            named = in_cart
        if not named:
            return _Act(replies.WHICH_TO_REMOVE, show=False, suggestions=list(replies.CART_CHIPS))
        product = named[0]
        quantity = next(n for p, n in lines if p.id == product.id)
        self.events.append([Event(product.id, "remove_from_cart", session.user_id, quantity, product.price,
                                  time.time(), session.id)])
        return _Act(reply(product), [product], show=False, suggestions=list(replies.CART_CHIPS))

    def _return_item(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        """A return or exchange of a named item (or the one in focus): the customer's own order
        line that holds it, or a plain "no order of yours has it" — never some other order."""
        focus = self._focus(session) if any(r.kind != "name" for r in parse.slots.references) else None
        facts, orders = self.support.return_facts(parse.slots, message, session.user_id, focus.id if focus else None)
        return _Act(reply(replies.SHOP_OPENERS["return_item"], facts), orders=orders, show=False,
                    suggestions=list(replies.RETURN_CHIPS))

    def _order_history(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        if not session.user_id:
            return _Act(replies.SIGN_IN_FOR_ORDERS, show=False)
        recent = self.support.orders.recent(session.user_id, limit=3)
        return _Act(reply(recent), orders=recent, show=False)

    # ------------------------------------------------------------------ support
    def _handoff(self, session: Session, parse: TurnParse, message: str, reply: Callable[[], str]) -> _Act:
        session.handoff, session.handoff_reason = True, message[:200]
        return _Act(reply(), show=False)

    def _support(self, session: Session, parse: TurnParse, message: str, reply: Callable) -> _Act:
        key = f"{session.id}:{len(session.messages)}"
        opener, facts, orders = self.support.answer(parse.intent, parse.slots, message, session.user_id, key)
        return _Act(reply(opener, facts), orders=orders, show=False, suggestions=list(replies.PERSON_CHIPS))


_PRODUCT_ASK = re.compile(r"^\s*(?:please\s+)?(?:show me|do you (?:have|sell|stock)|have you got|i(?:'m| am) looking for|"
                          r"looking for|find me|search for|i need|i want)\s+(?P<rest>.+)", re.I)
_ABOUT_ME = re.compile(r"\b(me|my|mine|i'd like|recommend|suggest|anything)\b", re.I)


def _asks_for_products(message: str) -> bool:
    """A request that names something to find ("show me computers") rather than asking for
    personal picks ("show me something for me") or being off-topic."""
    found = _PRODUCT_ASK.match(message)
    return bool(found) and not _ABOUT_ME.search(found.group("rest"))


_SMALL_TALK = re.compile(
    r"\b(hi|hiya|hello|hey|heya|yo|howdy|morning|afternoon|evening|good day|greetings|how are you|how r u|"
    r"alright|sup|wassup|umm*|hmm*|erm|thanks|thank|thx|ty|ta|cheers|who won|bye|goodbye|see ya|cya|that'?s all|great|perfect|brilliant|lovely|cool|"
    r"awesome|ok|okay|nice one|no worries|sorry|joke|weather|football|cricket|politics|news|poem|story|"
    r"homework|who are you|what are you|are you (a )?(bot|human|robot|real)|your name)\b", re.I)


_OTHER = re.compile(r"\b(not (that|this|those|these)( one)?|something else|anything else|other ones?|different ones?|"
                    r"none of (those|these|them)|don'?t like (those|these|them|that|it))\b", re.I)
NEEDS_SHOWN = ("refine", "compare", "product_question", "similar")
# Words that only point at products on screen ("compare the first two", "tell me about the second")
_POINTING = {"compare", "comparison", "first", "second", "third", "fourth", "fifth", "last", "two", "three", "both",
             "tell", "difference", "differences", "between", "better", "versus", "vs", "cheaper", "cheapest", "dearer",
             "top", "previous", "above", "shown", "again", "more", "details", "detail", "info", "similar", "alike"}


def _only_pointing(words: list[str]) -> bool:
    """Whether every word points at shown products, typos allowed ("diffrence"): a word of five
    letters or more may be one edit from a pointing word, of eight or more two."""
    def pointing(word: str) -> bool:
        if word in _POINTING:
            return True
        allowed = 2 if len(word) >= 8 else 1 if len(word) >= 5 else 0
        return allowed > 0 and any(DamerauLevenshtein.distance(word, p, score_cutoff=allowed) <= allowed
                                   for p in _POINTING if abs(len(p) - len(word)) <= allowed)

    return all(pointing(w) for w in words)


DOUBTED_SEARCH = ("recommend_for_me", "out_of_scope", "greeting", "thanks")
DOUBT = 0.5
CONFIDENT = 0.6  # below this intent probability, nothing is written (cart, returns) without asking
SIMILAR_FILLER = {"similar", "same", "alike", "bigger", "larger", "smaller", "tinier", "cheaper", "pricier",
                  "version", "instead", "but", "one", "ones", "that", "this", "those", "these", "other", "else",
                  "different", "another", "more", "less", "expensive", "first", "second", "third", "last"}
_SUPPORT_TALK = re.compile(
    r"order|deliver|parcel|package|post(ed|age|man)?\b|courier|ship|track|arriv|came|turned up|refund|money back|"
    r"return|send (it )?back|exchange|swap|cancel|account|password|log ?in|sign (up|in)|regist|subscri|newsletter|"
    r"e-?mail|pay|paid|charg|card|bank|invoice|receipt|vat|bought|purchas|address|review|feedback|complain|"
    r"service|staff|human|person|agent|someone|somebody|contact|call|phone|number|speak|talk|help ?desk|support|"
    r"broken|damaged|faulty|missing|wrong|late|never|still|waiting|compensat|voucher|discount code|promo|"
    r"ridiculous|disgust|unacceptable|fuming|angry|furious|disappoint|rubbish|useless|worst|terrible|awful|joke|"
    r"sort it|fobbed|promised|appalling|shocking|sick of|fed up|!!", re.I)
_SUPPORT_STRONG = re.compile(
    r"\border\b|\b[cC]?\d{6}\b|parcel|courier|deliver|refund|account|password|invoice|checkout|manager|get in touch|"
    r"\bring\b|phone|rate it|review|pay later|klarna|neighbour|send(ing)? (it |them |the [\w ]+)?back|arrived|turned up|"
    r"\brust|\brip\b|\btorn\b|crumpled|have i had|did i (buy|get|order)|fuming|furious|ridiculous|disgust", re.I)
_SET_QUANTITY = re.compile(r"\b(?:make|change)\s+(?:it|that|them|those|the quantity)\s+(?:to\s+)?(\d{1,3})\b",
                           re.I)
_SUPERLATIVE = re.compile(r"\b(best|better|most|least|longest|biggest|largest|smallest|lightest|highest|lowest|"
                          r"top|\w+est)\b", re.I)
_CHEAPEST = re.compile(r"\b(cheapest|lowest[- ]priced?|least expensive|most affordable)\b", re.I)
_PRICIEST = re.compile(r"\b(most expensive|priciest|dearest|top of the range|poshest)\b", re.I)
_SEARCH_STATE = ("slots", "lexical", "filter_category", "filter_brand", "focus", "pending_categories", "pending_slots")


def _title_stems(product: Product) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z]+", product.title.lower())}


def _clean(message: str) -> str:
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in message or "")
    return " ".join(text.split())[:MAX_MESSAGE_CHARS]


def _kind_of(product: Product) -> list[str]:
    """The words that may say what a product is, for "more like this": its derived kind, else
    its own category's words (a belt's "belts", not "formal", which clutches share), else its
    title's."""
    if KIND in product.attributes:
        return [product.attributes[KIND]]
    brand = set(kind_words(product.brand or ""))
    for level in reversed(product.category):  # the deepest level that is not the brand's own ("ligans ny belts")
        words = kind_words(level)
        if words and not brand & set(words):
            return words
    return kind_words(product.title)


def _missed_name(parse: TurnParse, picked: list[Product | None]) -> str | None:
    """The words of a reference by name ("the blue one") that matched no shown product, if any;
    "the one with the best battery" compares the shown ones, it names none."""
    for ref, product in zip(parse.slots.references, picked):
        if product is None and ref.kind == "name" and lexical_words(ref.text) \
                and not _SUPERLATIVE.search(ref.text):
            return " ".join(lexical_words(ref.text))
    return None


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
