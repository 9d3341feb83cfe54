"""The shopping tools: search with slots, resolve references to products shown (answers
about products are worded in ``assistant.replies``).

Categories and brands named by a customer become filters only when the retrieved products
actually have such a category level or brand (matched loosely: plural, case); otherwise they
stay in the query text, so an unknown word narrows by meaning instead of emptying the list.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.parse.schema import Reference, Slots
from assistant.store_errors import engine_call
from retrieval.product import Candidate, Product
from retrieval.rerank import NoReranker, Reranker
from retrieval.search import HybridSearcher
from retrieval.stores.base import SearchFilter

POOL = 40


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1}


@dataclass
class Found:
    """A search outcome: the products to show (ranked), their reasons, and the filter used."""

    candidates: list[Candidate]
    flt: SearchFilter
    query: str
    categories: list[str] = field(default_factory=list)


class Shopper:
    """Args:
        searcher: hybrid search over the store's collection.
        reranker: reorders each search's results for the customer (``retrieval.rerank``);
            by default they stay as retrieved.
        top_k: products shown per answer.
    """

    def __init__(self, searcher: HybridSearcher, reranker: Reranker | None = None, top_k: int = 5):
        self.searcher = searcher
        self.reranker = reranker or NoReranker()
        self.top_k = top_k

    def search(self, slots: Slots, fallback_text: str, user_id: str | None, session_id: str | None,
               keep: SearchFilter | None = None, exclude: set[str] = frozenset()) -> Found:
        """``keep`` carries the category/brand filter an earlier turn resolved: a refinement
        stays inside it (no results is then the honest answer)."""
        query = slots.query or fallback_text
        flt = SearchFilter(min_price=slots.min_price, max_price=slots.max_price,
                           category=keep.category if keep else None, brand=keep.brand if keep else None)
        pool = self._query(query, flt)
        narrowed = self._narrow(slots, pool, flt)
        if narrowed != flt:
            refined = self._query(query, narrowed)
            if refined:
                pool, flt = refined, narrowed
        pool = [c for c in pool if c.product.id not in exclude]
        return self._finish(pool, flt, query, user_id, session_id)

    def _query(self, query: str, flt: SearchFilter) -> list[Candidate]:
        with engine_call():
            return self.searcher.search(query, flt, POOL)

    def _finish(self, pool: list[Candidate], flt: SearchFilter, query: str, user_id: str | None,
                session_id: str | None) -> Found:
        if pool:
            pool = self.reranker.rerank(user_id, pool, session_id)
        return Found(pool[: self.top_k], flt, query, top_categories(pool))

    def _narrow(self, slots: Slots, pool: list[Candidate], flt: SearchFilter) -> SearchFilter:
        products = [c.product for c in pool]
        category = flt.category or (match_category(slots.category, products) if slots.category else None)
        brand = flt.brand or (match_brand(slots.brand, products) if slots.brand else None)
        return SearchFilter(min_price=flt.min_price, max_price=flt.max_price, category=category, brand=brand)


def match_category(wanted: str, products: list[Product]) -> str | None:
    """The category level (of these products) that best matches the customer's words."""
    want = _words(wanted)
    if not want:
        return None
    scores: Counter[str] = Counter()
    for product in products:
        for level in product.category:
            overlap = len(want & _words(level))
            if overlap:
                scores[level] += overlap / len(want | _words(level))
    return scores.most_common(1)[0][0] if scores else None


def match_brand(wanted: str, products: list[Product]) -> str | None:
    want = _words(wanted)
    for product in products:
        if product.brand and _words(product.brand) == want:
            return product.brand
    return None


def top_categories(pool: list[Candidate], depth: int = 0, n: int = 4) -> list[str]:
    counts = Counter(c.product.category[depth] for c in pool if len(c.product.category) > depth)
    return [name for name, _ in counts.most_common(n)]


def is_vague(slots: Slots, pool_categories: list[str], pool: list[Candidate]) -> bool:
    """No category named and the results spread over several top-level categories."""
    if slots.category or slots.brand or len(pool_categories) < 3:
        return False
    counts = Counter(c.product.category[0] for c in pool if c.product.category)
    top = counts.most_common(1)[0][1] if counts else 0
    return top / max(1, sum(counts.values())) < 0.5


def resolve(ref: Reference, shown: list[Product], focus: Product | None) -> Product | None:
    """Which shown product a reference means (None if it points at nothing shown)."""
    if ref.kind == "current":
        return focus or (shown[0] if shown else None)
    if not shown:
        return None
    if ref.kind == "position":
        index = ref.index if ref.index is not None else 0
        return shown[index] if -len(shown) <= index < len(shown) else None
    priced = [p for p in shown if p.price is not None]
    if ref.kind == "cheapest":
        return min(priced, key=lambda p: p.price) if priced else None
    if ref.kind == "priciest":
        return max(priced, key=lambda p: p.price) if priced else None
    want = _words(ref.text)
    best = max(shown, key=lambda p: len(want & _words(f"{p.title} {p.brand or ''} {' '.join(p.category)}")))
    return best if want & _words(f"{best.title} {best.brand or ''} {' '.join(best.category)}") else None
