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
from typing import Callable

from assistant.cues import cue
from assistant.parse.schema import Reference, Slots
from assistant.query import lexical_words, stem
from assistant.query import stems as _words
from assistant.store_errors import engine_call
from retrieval.lexicon import PATTERN_FAMILIES, singular
from retrieval.product import Candidate, Product
from retrieval.rerank import NoReranker, Reranker
from retrieval.search import HybridSearcher
from retrieval.stores.base import SearchFilter

POOL = 40


@dataclass
class Found:
    """A search outcome: the products to show (ranked), their reasons, and the filter used."""

    candidates: list[Candidate]
    flt: SearchFilter
    query: str
    categories: list[str] = field(default_factory=list)
    kind_hits: int = 0  # products of the asked kind in the ranked pool (when a kind was asked for)


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
               keep: SearchFilter | None = None, exclude: set[str] = frozenset(),
               avoid: set[str] = frozenset(), not_wrapping: bool = False,
               lexical: str | None = None, price_order: str | None = None,
               of_kind: Callable[[Product], bool] | None = None) -> Found:
        """``keep`` carries the category/brand filter an earlier turn resolved: a refinement
        stays inside it (no results is then the honest answer). The dense side reads the whole
        query, BM25 only its product words: ``lexical`` when the caller planned them
        (``assistant.query.plan_search``), else the query's; products named in ``exclude``
        or whose text has a word of ``avoid`` ("without glitter") are left out. ``price_order``
        ("asc" for "the cheapest wall clock", "desc") orders the most relevant results by price.
        ``of_kind`` says whether a product is of the kind asked for: when any is found, only
        those are shown, after personalisation too, so no modifier or history pushes another
        kind into the list."""
        query = slots.query or fallback_text
        if lexical is None:
            lexical = " ".join(lexical_words(query))
        flt = SearchFilter(min_price=slots.min_price, max_price=slots.max_price,
                           category=keep.category if keep else None, brand=keep.brand if keep else None)
        pool = self._query(query, lexical, flt)
        narrowed = self._narrow(slots, pool, flt)
        if narrowed != flt:
            refined = self._query(query, lexical, narrowed)
            if refined:
                pool, flt = refined, narrowed
        if keep is not None:  # a refinement ("in red", "bigger") asked for them; a first request's words are searched
            pool = prefer_attributes(pool, slots.attributes)
        pool = demote_other_gender(pool, slots.attributes.get("gender"), drop=True)
        pool = [c for c in pool if c.product.id not in exclude and not _mentions(c.product, avoid)
                and not (not_wrapping and _WRAPPING.search(c.product.title))]
        return self._finish(pool, flt, query, user_id, session_id, price_order, of_kind)

    def _query(self, query: str, lexical: str, flt: SearchFilter) -> list[Candidate]:
        with engine_call():
            return self.searcher.search(query, flt, POOL, lexical=lexical)

    def _finish(self, pool: list[Candidate], flt: SearchFilter, query: str, user_id: str | None,
                session_id: str | None, price_order: str | None = None,
                of_kind: Callable[[Product], bool] | None = None) -> Found:
        if pool:
            pool = self.reranker.rerank(user_id, pool, session_id)
        if price_order:  # among the most relevant only: the cheapest clock, not the cheapest clock magnet
            head, rest = pool[:PRICE_ORDER_AMONG], pool[PRICE_ORDER_AMONG:]
            priced = sorted((c for c in head if c.product.price is not None), key=lambda c: c.product.price,
                            reverse=price_order == "desc")
            pool = priced + [c for c in head if c.product.price is None] + rest
        hits = 0
        if of_kind is not None:
            kinds = [of_kind(c.product) for c in pool]  # each product judged once
            mine = [c for c, k in zip(pool, kinds) if k]
            hits = len(mine)
            # When the store has the kind, only the kind is shown: two vases, not two vases and a
            # table cover. With none of it, the nearest products are all there is to show.
            pool = mine or pool
        return Found(pool[: self.top_k], flt, query, top_categories(pool), hits)

    def _narrow(self, slots: Slots, pool: list[Candidate], flt: SearchFilter) -> SearchFilter:
        products = [c.product for c in pool]
        category = flt.category or (match_category(slots.category, products) if slots.category else None)
        brand = flt.brand or (match_brand(slots.brand, products) if slots.brand else None)
        return SearchFilter(min_price=flt.min_price, max_price=flt.max_price, category=category, brand=brand)


def gift_picks(popular: list[Candidate], top_k: int, min_price: float | None = None,
               max_price: float | None = None, gender: str | None = None,
               kind_of: Callable[[Product], str | None] = lambda p: None) -> list[Candidate]:
    """Gift ideas from the store's best sellers (in their order): within the budget, no
    wrapping, products that say they are for someone else last (a man's gift: women's and
    children's), and one of each kind, so five ideas are five different things."""
    def fits(c: Candidate) -> bool:
        price = c.product.price
        if price is None:  # within a budget only what is known to be
            return not _WRAPPING.search(c.product.title) and min_price is None and max_price is None
        return not _WRAPPING.search(c.product.title) \
            and (min_price is None or price >= min_price) and (max_price is None or price <= max_price)
    picked, kinds = [], set()
    for c in demote_other_gender([c for c in popular if fits(c)], gender):
        kind = kind_of(c.product) or c.product.title
        if kind not in kinds:
            picked.append(c)
            kinds.add(kind)
        if len(picked) == top_k:
            break
    return picked


PRICE_ORDER_AMONG = 12  # "the cheapest X": ordered by price among this many of the most relevant

# Asked for a gift, people mean the present, not what it is wrapped in.
_WRAPPING = re.compile(r"gift (bag|tag|tape|wrap|box|sack)|\bwrap\b|wrapping|tissue|\bcards?\b|\btags?\b", re.I)


def _text_words(product: Product) -> set[str]:
    values = " ".join(str(v) for v in product.attributes.values()) if product.attributes else ""
    return _words(f"{product.title} {values}")


def carries(product: Product, value: str) -> bool:
    """Whether the product's title or fields carry a value asked for ("red", "leather"), or the
    same measure in other units ("1 litre": a 1000 ml bottle)."""
    wanted = measures(value)
    if wanted:  # "500 ml" is 500 ml, not any product that says ml
        return bool(wanted & _measures_of(product))
    return bool(_words(value) & _text_words(product))


_UNITS = {"ml": ("ml", 1), "cl": ("ml", 10), "l": ("ml", 1000), "ltr": ("ml", 1000), "ltrs": ("ml", 1000),
          "litre": ("ml", 1000), "litres": ("ml", 1000), "liter": ("ml", 1000), "liters": ("ml", 1000),
          "mm": ("mm", 1), "cm": ("mm", 10), "m": ("mm", 1000), "metre": ("mm", 1000), "metres": ("mm", 1000),
          "meter": ("mm", 1000), "meters": ("mm", 1000), "g": ("g", 1), "gm": ("g", 1), "gms": ("g", 1),
          "kg": ("g", 1000), "kgs": ("g", 1000), "kilo": ("g", 1000), "kilos": ("g", 1000), "lt": ("ml", 1000),
          "lts": ("ml", 1000)}
_MEASURE = re.compile(r"(?<![\w.,/])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?("
                      + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b(?!/)", re.IGNORECASE)


def measures(text: str) -> set[str]:
    """The measures a text states, in one unit per quantity ("1 litre" and "1000 ml": ml:1000)."""
    out = set()
    for amount, unit in _MEASURE.findall(text or ""):
        if unit.lower() == "g" and amount in ("2", "3", "4", "5"):
            continue  # "5g phones": a network, not five grams
        base, factor = _UNITS[unit.lower()]
        out.add(f"{base}:{round(float(amount.replace(',', '')) * factor, 3):g}")
    return out


def measure_said(text: str) -> str | None:
    """The first measure a message states ("1 litre", "15cm"), as said."""
    found = _MEASURE.search(text or "")
    return found.group(0) if found else None


def _measures_of(product: Product) -> set[str]:
    values = " ".join(str(v) for v in product.attributes.values()) if product.attributes else ""
    return measures(f"{product.title} {values}")


def _mentions(product: Product, words: set[str]) -> bool:
    """Whether the product has a word the customer ruled out. "not for kids" rules out what is
    only for children, in the words titles use ("for boys, girls"), not "for men, boys"."""
    if not words:
        return False
    ruled, text = _with_families({stem(w) for w in words}), _text_words(product)
    if ruled & _CHILDREN:
        if text & _CHILDREN and not text & _ADULTS:
            return True
        ruled -= _CHILDREN
    return bool(ruled & text)


_FAMILIES = tuple(frozenset(stem(w) for w in family) for family in PATTERN_FAMILIES)


def _with_families(ruled: set[str]) -> set[str]:
    """Ruled-out words with every other word for the same look ("spots": polkadot, retrospot)."""
    return ruled.union(*(family for family in _FAMILIES if family & ruled))


_CHILDREN = {"kid", "child", "children", "boy", "girl", "baby", "infant", "toddler", "junior", "youth"}  # as stems
_ADULTS = {"men", "man", "women", "woman", "unisex", "adult", "couple", "mens", "womens"}


def prefer_attributes(pool: list[Candidate], attributes: dict[str, str]) -> list[Candidate]:
    """Colour, material and size words asked for: products whose title or fields carry them
    come first (for stores whose products have them only in titles, this is the filter)."""
    wanted = [v for k, v in attributes.items() if k in ("colour", "material", "size") and v]
    if not wanted:
        return pool
    def hits(c: Candidate) -> int:
        return sum(carries(c.product, v) for v in wanted)
    return sorted(pool, key=hits, reverse=True)  # stable: retrieval order within each group


_GENDER_GROUPS = ({"men", "man", "male", "gent", "gentlemen", "guy", "boy"},  # as ``stems`` writes them
                  {"women", "woman", "female", "lady", "girl"})


def demote_other_gender(pool: list[Candidate], gender: str | None, drop: bool = False) -> list[Candidate]:
    """Asked for women's jeans, products whose title or fields say men's (and not women's) go
    last, and for men's t-shirts, those only for boys go after the men's; for a child of either
    sex ("kids"), those only for grown-ups go last; products that say neither keep their place.
    With ``drop``, those for the other sex or age are left out while any product remains ("mens
    obviously" pages on through men's shoes, never into women's; a sweater for papa is no boy's)."""
    asked = _words(gender or "")
    side = next((i for i, group in enumerate(_GENDER_GROUPS) if asked & group), None)
    age = _CHILDREN if asked & _ADULTS else _ADULTS if asked & _CHILDREN else set()
    if side is None and not age:
        return pool
    mine, other = (_GENDER_GROUPS[side], _GENDER_GROUPS[1 - side]) if side is not None else (set(), set())
    unless = _ADULTS if age is _CHILDREN else _CHILDREN

    def conflicts(c: Candidate) -> tuple[bool, bool]:
        text = _text_words(c.product) | _words(" ".join(c.product.category))
        return bool(text & other) and not text & mine, bool(text & age) and not text & unless
    judged = sorted(((conflicts(c), c) for c in pool), key=lambda pair: pair[0])  # stable
    ordered = [c for _, c in judged]
    kept = [c for said, c in judged if not any(said)] if drop else ordered
    return kept or ordered


def match_category(wanted: str, products: list[Product]) -> str | None:
    """The category level (of these products) that the customer's words name. A level whose
    words are all among theirs matches; a level that adds words to theirs ("Sports Shoes" for
    "shoes") only when it is the one such level, since "shoes" alone does not say casual or
    sports. A partial overlap narrows nothing."""
    want = _words(wanted)
    if not want:
        return None
    scores: Counter[str] = Counter()
    holders: Counter[str] = Counter()
    wider: set[str] = set()
    for product in products:
        for level in product.category:
            words = _words(level)
            if words and (words <= want or want <= words):
                scores[level] += len(want & words) / len(want | words)
                holders[level] += 1
                if not words <= want:
                    wider.add(level)
    # a level only a product or two carry is a product's own name in the tree, not a category
    kept = [level for level, _ in scores.most_common() if holders[level] >= 3]
    named = [level for level in kept if level not in wider]
    if named:
        return named[0]
    return kept[0] if len(kept) == 1 else None


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


_WEAK = _words("set sets pack packs box boxes piece pieces kit one ones lot")  # "the pantry set": pantry decides


def priced_ones(message: str, shown: list[Product]) -> tuple[list[Product], set[float]]:
    """The shown products whose price the message says ("399 wala ok hai, add"), and those prices:
    a number that is a shown price points at a product; it is no count of it."""
    said = {float(next(g for g in m.groups() if g)) for m in cue("said_price").finditer(message)}
    hits = [p for p in shown if p.price is not None and round(p.price, 2) in said]
    return hits, {round(p.price, 2) for p in hits}


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
    said = re.findall(r"[a-z0-9]+", ref.text.lower())
    want = _words(ref.text) | _words(" ".join(a + b for a, b in zip(said, said[1:]))) \
        | _words(" ".join(singular(w) for w in said))  # "tea pot": TEAPOT; "bird houses": BIRD HOUSE
    best, has = max(((p, _words(f"{p.title} {p.brand or ''} {' '.join(p.category)}")) for p in shown),
                    key=lambda pair: len(want & pair[1]))
    # "the pantry set": a set that says nothing of a pantry is not it
    met = want & has
    if not (met - _WEAK or (met and not want - _WEAK)):  # "the box" may still name the box
        return None
    text = ref.text.lower()
    purpose = cue("what_for").search(text)
    named = [w for w in lexical_words(text[:purpose.start()] if purpose else text)
             if _words(w) - _WEAK and not cue("filler_word").found(w)]
    head = named[-1] if named else None  # "the bird feeder": a bird mug is not it ("the card for dad": card)
    joined = _words(named[-2] + head) if len(named) > 1 else set()  # "tea pot": TEAPOT
    return best if head is None or _words(singular(head)) & has or joined & has else None
