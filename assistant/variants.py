"""A/B variants: named sets of engine knobs, assigned to sessions deterministically.

A customer always lands in the same variant (a hash of their id; guests by session id), so
their experience is stable and the events they cause can be counted per variant afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from shopassist.errors import ConfigError

KNOBS = {"rerank", "diversity", "top_k"}


@dataclass(frozen=True)
class Variant:
    name: str
    rerank: bool = True  # personalise search results with the behaviour reranker
    diversity: float = 0.0  # MMR λ for "recommend for me"
    top_k: int | None = None  # products per search turn (None: the search_top_k setting)


def parse_variants(spec: dict[str, dict]) -> list[Variant]:
    variants = []
    for name, knobs in sorted(spec.items()):
        unknown = set(knobs) - KNOBS
        if unknown:
            raise ConfigError(f"A/B variant {name!r}: unknown knob(s) {', '.join(sorted(unknown))}; "
                              f"use {', '.join(sorted(KNOBS))}")
        if not 0 <= float(knobs.get("diversity", 0.0)) <= 1:
            raise ConfigError(f"A/B variant {name!r}: diversity must be within [0, 1]")
        variants.append(Variant(name, bool(knobs.get("rerank", True)), float(knobs.get("diversity", 0.0)),
                                int(knobs["top_k"]) if "top_k" in knobs else None))
    return variants


def assign(key: str, variants: list[Variant]) -> Variant:
    """The same key always gets the same variant; keys spread evenly over the variants."""
    digest = int.from_bytes(hashlib.sha256(f"ab:{key}".encode()).digest()[:8], "big")
    return variants[digest % len(variants)]


def pick(variants: list[Variant], forced: str | None, key: str) -> Variant | None:
    if not variants:
        return None
    if forced:
        found = [v for v in variants if v.name == forced]
        if not found:
            raise ConfigError(f"ab_variant {forced!r} is not one of {', '.join(v.name for v in variants)}")
        return found[0]
    return assign(key, variants)


@dataclass(frozen=True)
class VariantStats:
    variant: str
    sessions: int
    turns: int
    views: int
    carts: int
    sessions_with_cart: int
    sources: dict[str, dict[str, int]] = field(default_factory=dict)  # source → sessions, sessions_with_cart

    @property
    def cart_rate(self) -> float:
        return round(self.sessions_with_cart / self.sessions, 4) if self.sessions else 0.0

    def to_json(self) -> dict:
        return {"variant": self.variant, "sessions": self.sessions, "turns": self.turns, "views": self.views,
                "add_to_cart": self.carts, "sessions_with_cart": self.sessions_with_cart, "cart_rate": self.cart_rate,
                "sources": self.sources}


def variant_report(sessions, events) -> list[VariantStats]:
    """Per variant: sessions, customer turns, and the behaviour events those sessions caused;
    and per source (the widget, customers' AI agents) its sessions and those with a cart."""
    stats = []
    for variant, rows in sorted(sessions.by_variant().items()):
        counts = events.counts_by_session([sid for sid, _, _ in rows])
        carts = [counts.get(sid, {}).get("add_to_cart", 0) for sid, _, _ in rows]
        sources: dict[str, dict[str, int]] = {}
        for (_, _, source), cart in zip(rows, carts):
            tally = sources.setdefault(source, {"sessions": 0, "sessions_with_cart": 0})
            tally["sessions"] += 1
            tally["sessions_with_cart"] += int(cart > 0)
        stats.append(VariantStats(variant, len(rows), sum(t for _, t, _ in rows),
                                  sum(counts.get(sid, {}).get("view", 0) for sid, _, _ in rows), sum(carts),
                                  sum(c > 0 for c in carts), sources))
    return stats
