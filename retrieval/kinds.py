"""A derived kind for each product of a catalogue that has no categories (Online Retail's
titles and prices only), learned from the catalogue at indexing.

A title's kind is the word of it whose meaning is closest to the whole title's ("IVORY PILLAR
CANDLE SILVER FLOCK" → candle), measured with the embedder, with a bonus for words that win in
most titles they appear in (MUG does, RETROSPOT seldom does); colours, materials, sizes and print
names never qualify, nor do words fewer than three titles use. Two passes: the first counts how
often each word wins, the second adds that rate. The kind is stored as the product's ``kind``
attribute: filtered on (``--attr kind=candle``) and used by "more like this" to stay with the
same kind of thing, but never quoted to a customer as a catalogue fact (it is a guess).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np

from retrieval.lexicon import COLOURS, GENDERS, MATERIALS, PATTERNS, SIZE_WORDS, singular
from retrieval.product import KIND_ATTRIBUTE, Product
from retrieval.state_files import write_json

KIND = KIND_ATTRIBUTE
MIN_TITLES = 3  # a word fewer titles use is a name, not a kind
WIN_BONUS = 0.5
NEEDS_KINDS = 0.5  # derive only when fewer than half the products have a category
DERIVATION = 3  # bumped when the derivation changes, so a cached set of kinds is derived again
_NOT_KINDS = COLOURS | MATERIALS | SIZE_WORDS | GENDERS | PATTERNS
_WORD = re.compile(r"[a-z][a-z'-]+")


def _candidates(title: str, uses: Counter[str]) -> list[str]:
    return [w for w in dict.fromkeys(_WORD.findall(title.lower()))
            if len(w) > 2 and w not in _NOT_KINDS and uses[w] >= MIN_TITLES]


def needs_kinds(products: list[Product]) -> bool:
    return bool(products) and sum(bool(p.category) for p in products) < NEEDS_KINDS * len(products)


def derive_kinds(products: list[Product], encoder, progress: bool = False) -> dict[str, str]:
    """Product id → kind (singular, lower case) for every product with a qualifying title word.
    ``encoder.encode(texts, batch_size)`` returns unit vectors."""
    uses = Counter(w for p in products for w in set(_WORD.findall(p.title.lower())))
    options = {p.id: _candidates(p.title, uses) for p in products}
    rows = [p for p in products if options[p.id]]
    if not rows:
        return {}
    vocab = sorted({w for p in rows for w in options[p.id]})
    at = {w: i for i, w in enumerate(vocab)}
    titles = encoder.encode([p.title for p in rows], batch_size=128, show_progress=progress)
    words = encoder.encode(vocab, batch_size=256, show_progress=progress)
    sims = [words[[at[w] for w in options[p.id]]] @ titles[i] for i, p in enumerate(rows)]  # per product
    wins = Counter(options[p.id][int(np.argmax(s))] for p, s in zip(rows, sims))
    rate = {w: wins[w] / uses[w] for w in vocab}
    out = {}
    for product, sim in zip(rows, sims):
        scores = sim + WIN_BONUS * np.array([rate[w] for w in options[product.id]])
        out[product.id] = singular(options[product.id][int(np.argmax(scores))])
    return out


def with_kinds(products: list[Product], encoder, progress: bool = False, cache: Path | None = None) -> list[Product]:
    """The products, each with a ``kind`` attribute, when the catalogue needs them; the products
    unchanged when most have categories of their own. With ``cache`` (a JSON file), kinds derived
    for the same titles by the same embedder are reused: re-indexing an unchanged catalogue does
    not encode every title again."""
    if not needs_kinds(products):
        return products
    key = _fingerprint(products, getattr(encoder, "name", ""))
    kinds = _cached(cache, key)
    if kinds is None:
        kinds = derive_kinds(products, encoder, progress)
        if cache is not None:
            write_json(cache, {"fingerprint": key, "kinds": kinds})
    return [p.model_copy(update={"attributes": {**p.attributes, KIND: kinds[p.id]}})
            if p.id in kinds and KIND not in p.attributes else p for p in products]


def _fingerprint(products: list[Product], embedder: str) -> str:
    digest = hashlib.sha256(f"{DERIVATION}\x1e{embedder}".encode())
    for product in sorted(products, key=lambda p: p.id):
        digest.update(f"\x1e{product.id}\x1f{product.title}".encode())
    return digest.hexdigest()


def _cached(cache: Path | None, key: str) -> dict[str, str] | None:
    if cache is None:
        return None
    try:
        saved = json.loads(cache.read_text())
    except (OSError, ValueError):
        return None
    return saved.get("kinds") if isinstance(saved, dict) and saved.get("fingerprint") == key else None
