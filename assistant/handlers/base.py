"""What a handler returns, and the shown products a turn points at."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant import replies
from assistant.orders import Order
from retrieval.product import Product


@dataclass
class Picked:
    """The shown products a turn points at; ``missed``: the words of a name that matched none."""

    products: list[Product]
    shown: list[Product]
    missed: str | None = None

    def not_shown(self) -> str | None:
        return replies.not_among_shown(self.missed) if self.missed else None


@dataclass
class Act:
    """What a handler did: reply text, products on the cards, orders cited, chips."""

    reply: str
    products: list[Product] = field(default_factory=list)
    reasons: list[str | None] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    show: bool = True  # the cards are a new list: the state's shown products become them
    action: str | None = None  # what was done, when not the decided action (an offer instead of an add)
    computed: list[float] = field(default_factory=list)  # amounts worked out from the records (a total)
    gap: str | None = None  # a thing asked for that the reply says the shop does not sell

    def cards(self) -> list[tuple[Product, str | None]]:
        """Each product with its reason (None where a handler gave none)."""
        return list(zip(self.products, self.reasons or [None] * len(self.products)))
