"""Handlers that touch the basket. The basket is written only here, and only for an action
``decide`` chose from an explicit request or a yes to the assistant's own offer."""

from __future__ import annotations

import time

from assistant import replies
from assistant.cues import cue
from assistant.decide import CONFIDENT
from assistant.handlers.base import Act
from assistant.parse.normalise import WORD_NUMBERS, parse_quantity
from assistant.parse.schema import TurnParse
from assistant.session import Session
from assistant.shopping import priced_ones, resolve
from assistant.state import Pending
from retrieval.behaviour.events import Event
from retrieval.product import Product


class CartHandlers:
    def _offer_add(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """"Shall I add …?": the product the praise or the unclear request points at."""
        found = self._products_for(session, parse, 1, message)
        if not found.products:
            return Act(found.not_shown() or replies.WHICH_TO_ADD, show=False)
        product = found.products[0]
        state = session.state
        state.focus = product.id
        count = _quantity(message, parse, self.shown_products(session))
        state.pending = Pending(kind="offer_add", product_id=product.id, quantity=count or 1)
        return Act(replies.confirm_add(product, state.pending.quantity), [product], show=False,
                   suggestions=list(replies.CONFIRM_ADD_CHIPS))

    def _accept_offer(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """A yes to "shall I add …?": the product offered, nothing else."""
        pending = session.state.pending
        product = self.lookup([pending.product_id]).get(pending.product_id) if pending and pending.product_id else None
        session.state.pending = None
        if product is None:
            return Act(replies.WHICH_TO_ADD, show=False)
        count = _quantity(message, parse, self.shown_products(session))
        return self._put_in_cart(session, product, count or pending.quantity)

    def _add_to_cart(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """An explicit request to buy: the product it names (or the one in focus); several named
        ("the bird house and the card"), each that is shown, and a word on any that is not."""
        if len(parse.slots.references) > 1 and not cue("contrast").found(message):  # "the mug, not the card": one
            return self._add_several(session, parse, message)
        found = self._products_for(session, parse, 1, message)
        if not found.products:
            return Act(found.not_shown() or replies.WHICH_TO_ADD, show=False)
        session.state.pending = None
        return self._put_in_cart(session, found.products[0], _quantity(message, parse, found.shown) or 1)

    def _add_several(self, session: Session, parse: TurnParse, message: str) -> Act:
        shown = self.shown_products(session)
        picked = {r.text or str(r.index): resolve(r, shown, self._focus(session)) for r in parse.slots.references}
        found = list({p.id: p for p in picked.values() if p is not None}.values())
        if not found:
            return Act(replies.WHICH_TO_ADD, show=False)
        session.state.pending = None
        each = _quantity(message, parse, shown) if cue("each").found(message) else None  # "2 of each"
        acts = [self._put_in_cart(session, p, each or 1) for p in found]
        missed = [name for name, p in picked.items() if p is None and not name.isdigit()]
        text = "\n".join(a.reply for a in acts) + (f"\n\n{replies.not_shown_names(missed)}" if missed else "")
        return Act(text, found, show=False, suggestions=list(replies.ADDED_CHIPS))

    def _put_in_cart(self, session: Session, product: Product, quantity: int) -> Act:
        state = session.state
        self._change_cart(session, product, quantity)
        state.focus = product.id
        return Act(replies.added_to_cart(product, quantity), [product], show=False,
                   suggestions=list(replies.ADDED_CHIPS))

    def _set_quantity(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        """"Actually make that 3": the basket holds 3, not 3 more, of the product named or in focus."""
        match = cue("set_quantity").search(message)
        said = next((g for g in match.groups() if g), None) if match is not None else None
        count = parse_quantity(said) if said else None  # "make it two", "2 kar do": 2
        lines = self._cart(session)
        pending = session.state.pending
        if match is not None and pending is not None and pending.kind == "offer_add" and pending.product_id \
                and pending.product_id not in {p.id for p, _ in lines}:  # "actually make that 4" before the yes
            offered = self.lookup([pending.product_id]).get(pending.product_id)
            if offered is not None:
                session.state.pending = pending.model_copy(update={"quantity": count})
                return Act(replies.confirm_add(offered, count), [offered], show=False,
                           suggestions=list(replies.CONFIRM_ADD_CHIPS))
        if not lines or match is None:
            return Act(replies.CART_EMPTY, show=False)
        in_cart = [p for p, _ in lines]
        named = [p for p in (resolve(r, self.shown_products(session) + in_cart, self._focus(session))
                             for r in parse.slots.references) if p is not None]
        focus = named[0] if named else self._focus(session)
        product = next((p for p in in_cart if focus and p.id == focus.id), in_cart[0] if len(in_cart) == 1 else None)
        if product is None:
            return Act(replies.WHICH_TO_CHANGE, show=False, suggestions=list(replies.CART_CHIPS))
        target = count
        held = next((n for p, n in lines if p.id == product.id), 0)
        self._change_cart(session, product, target - held)
        session.state.focus = product.id
        return Act(replies.cart_quantity(product, target), [product], show=False,
                   suggestions=list(replies.ADDED_CHIPS))

    def _change_cart(self, session: Session, product: Product, change: float) -> None:
        """``change`` more of ``product`` in the conversation's basket (fewer when negative): the
        one place a basket is written, as the add and remove events it is read back from."""
        if change:
            self.events.append([Event(product.id, "add_to_cart" if change > 0 else "remove_from_cart",
                                      session.user_id, float(abs(change)), product.price, time.time(), session.id)])

    def _cart(self, session: Session) -> list[tuple[Product, float]]:
        held: dict[str, float] = {}
        for event in self.events.session_events(session.id):
            if event.type in ("add_to_cart", "remove_from_cart"):
                sign = 1 if event.type == "add_to_cart" else -1
                held[event.product_id] = held.get(event.product_id, 0.0) + sign * event.quantity
        found = self.lookup([pid for pid, n in held.items() if n > 0])
        return [(found[pid], n) for pid, n in held.items() if n > 0 and pid in found]

    def _view_cart(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        lines = self._cart(session)
        total = replies.cart_total(lines)
        return Act(replies.cart_contents(lines), [p for p, _ in lines], show=False,
                   computed=[total] if total is not None else [])

    def _remove_from_cart(self, session: Session, parse: TurnParse, message: str, kinds: list[str]) -> Act:
        lines = self._cart(session)
        if not lines:
            return Act(replies.CART_EMPTY, show=False)
        if parse.confidence < CONFIDENT and not parse.slots.references:
            return Act(replies.WHICH_TO_REMOVE, show=False, suggestions=list(replies.CART_CHIPS))
        in_cart = [p for p, _ in lines]
        named = [p for p in (resolve(r, in_cart, None) for r in parse.slots.references) if p is not None]
        names_one = any(r.kind == "name" for r in parse.slots.references)
        focus = self._focus(session)
        if not named and not names_one and focus is not None and focus.id in {p.id for p in in_cart}:
            named = [focus]  # "actually no, remove it": the one just added
        if not named and not names_one and len(in_cart) == 1:
            named = in_cart
        if not named:
            return Act(replies.WHICH_TO_REMOVE, show=False, suggestions=list(replies.CART_CHIPS))
        product = named[0]
        self._change_cart(session, product, -next(n for p, n in lines if p.id == product.id))
        return Act(replies.removed_from_cart(product), [product], show=False, suggestions=list(replies.CART_CHIPS))


def _quantity(message: str, parse: TurnParse, shown: list[Product]) -> int | None:
    """How many the request asks for: the parser's count, else the one said ("ok 2 of them");
    never a shown product's price ("399 wala ok hai, add" is one of the ₹399 one)."""
    _, prices = priced_ones(message, shown)
    count = parse.slots.quantity
    if not count:
        said = cue("quantity_said").search(message)
        word = next(v for v in said.groupdict().values() if v).lower() if said else ""
        count = int(word) if word.isdigit() else WORD_NUMBERS.get(word)
    return None if count is None or float(count) in prices else count
