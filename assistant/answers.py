"""Questions about one product, answered from its own catalogue record.

Every field (title, price, brand, category, each attribute) and every sentence of the
description becomes a short fact; the question is matched to them by meaning with the same
sentence embedder the search uses, and by the words they share. The best fact is quoted as the
catalogue has it. When no fact is close enough, the answer says the catalogue doesn't say,
rather than guessing (a lantern's title does not tell whether it is scented).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.query import lexical_words, stems
from retrieval.lexicon import COLOURS, MATERIALS
from retrieval.product import Product

MIN_SIMILARITY = 0.45  # by meaning alone; a shared word (not the product's own name) also qualifies
_PRICE_ASKED = re.compile(r"\bhow much\b|\bprice\b|\bcost\b|\bcosts\b|\bkitne\b|\bkitna\b|\bkitni\b|\brate\b|"
                          r"\bdaam\b", re.I)  # Hinglish too: "kitne ka hai" asks the price
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
ABOUT_IT = {"it", "this", "that", "one", "ones", "they", "them", "product", "item", "made", "come", "comes", "does",
            "tell", "is", "are", "there", "how", "much", "many", "big", "long", "wide", "tall", "what", "which"}


@dataclass(frozen=True)
class Fact:
    label: str  # "title", "price", "material", "description"...
    text: str


def facts_of(product: Product, price: str) -> list[Fact]:
    out = [Fact("title", product.title), Fact("price", price)]
    if product.brand:
        out.append(Fact("brand", product.brand))
    if product.category:
        out.append(Fact("category", product.category_path))
    out += [Fact(key.replace("_", " "), str(value)) for key, value in product.listed_attributes().items()]
    for sentence in _SENTENCES.split(product.description or "")[:30]:
        sentence = sentence.strip()
        if 12 <= len(sentence) <= 300:
            out.append(Fact("description", sentence))
    return out


def best_fact(question: str, product: Product, facts: list[Fact], encode) -> Fact | None:
    """The fact that answers ``question``, or None when the catalogue doesn't say.
    ``encode(texts)`` returns unit-length embeddings (the search's dense encoder)."""
    if _PRICE_ASKED.search(question):
        return next((f for f in facts if f.label == "price"), None)
    asked = stems(" ".join(lexical_words(question, ABOUT_IT)))
    own_name = stems(product.title)
    texts = [f"{f.label}: {f.text}" for f in facts]
    vectors = encode([question] + texts)
    similarity = vectors[1:] @ vectors[0]
    # The title answers only when it carries every word asked ("is the lantern metal?": WHITE
    # METAL LANTERN); other facts by the words they share beyond the product's own name.
    shared = np.array([float(bool(asked) and asked <= own_name) * len(asked) if f.label == "title"
                       else len(asked & (stems(t) - own_name)) for f, t in zip(facts, texts)], dtype=np.float32)
    score = similarity + 0.3 * shared
    best = int(np.argmax(score)) if len(facts) else -1
    if best < 0 or (shared[best] == 0 and similarity[best] < MIN_SIMILARITY):
        return None
    return facts[best]


def shown_with(question: str, products: list[Product]) -> tuple[str, list[Product]] | None:
    """Asked whether a product comes in a colour or material its record does not list ("is the
    second one in pink?"): the asked word and the products on screen whose record has it."""
    asked = [w for w in lexical_words(question, ABOUT_IT) if w in COLOURS | MATERIALS]
    for word in asked:
        having = [p for p in products
                  if stems(word) <= stems(f"{p.title} {' '.join(p.listed_attributes().values())}")]
        if having:
            return word, having[:3]
    return None
