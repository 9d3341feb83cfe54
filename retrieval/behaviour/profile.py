"""User profiles (画像): who a customer is, from their events, in numbers and in words."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

import numpy as np

from retrieval.behaviour.events import Event

DAY = 86_400.0
_STOPWORDS = {"of", "and", "the", "set", "with", "in", "for", "a", "to", "on", "s", "pack", "x"}


@dataclass(frozen=True)
class UserProfile:
    """Recency/frequency/monetary, price band, top terms and categories, recent items.

    ``vector`` (the time-decayed mean embedding of what they bought) is kept for the
    reranker and left out of ``to_json``.
    """

    user_id: str | None
    country: str | None = None
    orders: int = 0
    items_bought: int = 0
    distinct_products: int = 0
    monetary: float = 0.0
    recency_days: float | None = None
    first_seen: float | None = None
    last_seen: float | None = None
    price_band: tuple[float, float] | None = None
    top_terms: list[str] = field(default_factory=list)
    top_categories: list[str] = field(default_factory=list)
    recent: list[dict] = field(default_factory=list)
    returns: int = 0
    vector: list[float] | None = None

    @property
    def is_new(self) -> bool:
        return self.items_bought == 0

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("vector")
        return data

    def describe(self) -> str:
        """One short paragraph a support agent can read."""
        if self.is_new:
            return "New customer: no purchases yet; suggestions use what is popular and this session's clicks."
        parts = [f"{self.orders} orders ({self.items_bought} items, {self.distinct_products} different products)"]
        if self.recency_days is not None:
            parts.append(f"last order {self.recency_days:.0f} days ago")
        parts.append(f"spent {self.monetary:,.2f} in total")
        if self.price_band:
            parts.append(f"usually pays {self.price_band[0]:.2f}–{self.price_band[1]:.2f} per item")
        if self.top_terms:
            parts.append("often buys " + ", ".join(self.top_terms[:5]).lower())
        if self.country:
            parts.append(f"based in {self.country}")
        return "; ".join(parts) + "."


def build_profile(user_id: str | None, events: list[Event], titles: dict[str, str], now: float,
                  country: str | None = None, categories: dict[str, str] | None = None,
                  vector: np.ndarray | None = None, recent_n: int = 10) -> UserProfile:
    """A profile from a user's events (oldest first). ``titles`` maps product id → title."""
    purchases = [e for e in events if e.type == "purchase"]
    if not purchases:
        return UserProfile(user_id=user_id, country=country, returns=sum(e.type == "return" for e in events),
                           recent=[{"id": e.product_id, "title": titles.get(e.product_id, e.product_id), "type": e.type}
                                   for e in events[-recent_n:]])
    prices = np.array([e.price for e in purchases if e.price is not None and e.price > 0])
    terms = Counter(w for e in purchases for w in re.findall(r"[a-z]+", titles.get(e.product_id, "").lower())
                    if len(w) > 2 and w not in _STOPWORDS)
    cats = Counter(categories[e.product_id] for e in purchases if categories and categories.get(e.product_id))
    last = max(e.timestamp for e in purchases)
    recent = list(dict.fromkeys(e.product_id for e in reversed(events)))[:recent_n]
    return UserProfile(
        user_id=user_id, country=country,
        orders=len({e.session_id for e in purchases if e.session_id}) or len(purchases),
        items_bought=len(purchases), distinct_products=len({e.product_id for e in purchases}),
        monetary=round(float(sum(e.quantity * (e.price or 0) for e in purchases)), 2),
        recency_days=round((now - last) / DAY, 1), first_seen=min(e.timestamp for e in purchases), last_seen=last,
        price_band=(round(float(np.percentile(prices, 25)), 2), round(float(np.percentile(prices, 75)), 2)) if len(prices) else None,
        top_terms=[t for t, _ in terms.most_common(8)], top_categories=[c for c, _ in cats.most_common(5)],
        recent=[{"id": pid, "title": titles.get(pid, pid)} for pid in recent],
        returns=sum(e.type == "return" for e in events),
        vector=None if vector is None else [float(v) for v in vector],
    )
