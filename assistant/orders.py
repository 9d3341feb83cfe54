"""Orders as the assistant may show them: read from the event store, owner-checked.

Purchases sharing a session id form one order (for Online Retail, an invoice); returns
likewise. ``OrderBook.get`` answers the same "not found" for an order that does not exist
and for someone else's, so a customer cannot probe other customers' order numbers.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from assistant.query import stems
from assistant.store_errors import SearchUnavailable
from retrieval.behaviour.events import Event, EventStore
from retrieval.product import Product


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    title: str
    quantity: float
    unit_price: float | None


@dataclass(frozen=True)
class Order:
    id: str
    user_id: str | None
    placed: float
    kind: str  # "purchase" | "return"
    lines: tuple[OrderLine, ...]
    currency: str | None

    @property
    def total(self) -> float | None:
        if any(line.unit_price is None for line in self.lines):
            return None
        return round(sum(abs(line.quantity) * line.unit_price for line in self.lines), 2)

    @property
    def items(self) -> int:
        return int(sum(abs(line.quantity) for line in self.lines))


class OrderBook:
    """Args:
        events: the behaviour event store.
        lookup: product ids → products (titles and currency for the lines).
    """

    def __init__(self, events: EventStore, lookup: Callable[[list[str]], dict[str, Product]]):
        self.events = events
        self.lookup = lookup

    def get(self, order_id: str, user_id: str | None) -> Order | None:
        if not user_id or not order_id:
            return None
        events = [e for e in self.events.session_events(order_id) if e.type in ("purchase", "return")]
        if not events or any(e.user_id != user_id for e in events):
            return None
        return self._order(order_id, events)

    def recent(self, user_id: str | None, kind: str = "purchase", limit: int = 3) -> list[Order]:
        if not user_id:
            return []
        grouped: OrderedDict[str, list[Event]] = OrderedDict()
        for event in self.events.user_events(user_id, (kind,)):
            if event.session_id:
                grouped.setdefault(event.session_id, []).append(event)
        latest = list(grouped.items())[-limit:][::-1]
        return [self._order(order_id, events) for order_id, events in latest]

    def holding(self, user_id: str | None, named: str, product_id: str | None = None) -> tuple[Order, OrderLine] | None:
        """The customer's latest order line for the product they name (by words of its title,
        or by id when it is one shown in the chat); None when no order of theirs holds it."""
        if not user_id:
            return None
        bought = [e for e in self.events.user_events(user_id, ("purchase",)) if e.session_id]
        if not bought:
            return None
        try:
            titles = {pid: p.title for pid, p in self.lookup(sorted({e.product_id for e in bought})).items()}
        except SearchUnavailable:
            titles = {}
        # Words no title of theirs has ("chipped", "last week") say what happened, not which item.
        want = stems(named) & set().union(*(stems(t) for t in titles.values()))
        best, best_score = None, 0.0
        for event in reversed(bought):  # the newest wins a tie
            if product_id and event.product_id == product_id:
                best, best_score = event, 2.0
                break
            title = stems(titles.get(event.product_id, ""))
            score = len(want & title) / len(want) if want else 0.0
            if score > best_score:
                best, best_score = event, score
        if best is None or best_score < 0.5:
            return None
        order = self._order(best.session_id, [e for e in self.events.session_events(best.session_id)
                                               if e.type == "purchase"])
        line = next(l for l in order.lines if l.product_id == best.product_id)
        return order, line

    def _order(self, order_id: str, events: list[Event]) -> Order:
        try:
            products = self.lookup(sorted({e.product_id for e in events}))
        except SearchUnavailable:  # the order itself is in the event store: answer without titles
            products = {}
        lines = tuple(OrderLine(e.product_id, products[e.product_id].title if e.product_id in products
                                else f"item {e.product_id}", e.quantity, e.price) for e in events)
        currency = next((p.currency for p in products.values() if p.currency), None)
        kind = "return" if all(e.type == "return" for e in events) else "purchase"
        return Order(order_id, events[0].user_id, min(e.timestamp for e in events), kind, lines, currency)
