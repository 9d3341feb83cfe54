"""Pairs mined from a catalogue for the embedder fine-tune, and the dense-only dev-set score."""

import numpy as np

from eval.embedder_devset import dense_precision
from finetune.embedder import mine_pairs
from retrieval.product import Product

PRODUCTS = [Product(id="1", title="TEA COSY RED STRIPE", price=4.95),
            Product(id="2", title="Women's Sandals", price=499.0, brand="Bata", category=("footwear", "sandals"),
                    attributes={"color": "Brown"})]


def test_pairs_come_from_titles_categories_and_attributes_only():
    pairs = mine_pairs(PRODUCTS, seed=3, typo_share=0.0)
    texts = {p.id: p.embedding_text() for p in PRODUCTS}
    assert {t for _, t in pairs} == set(texts.values())
    queries = [q for q, _ in pairs]
    assert "bata sandals" in queries and "brown sandals" in queries
    cosy = [q for q, t in pairs if t == texts["1"]]
    assert len(cosy) == 2 and all(q in "tea cosy red stripe" for q in cosy)
    assert mine_pairs(PRODUCTS, seed=3, typo_share=0.0) == pairs  # seeded


class Bag:
    """Vectors from words: 'mug' and 'cosy' are the two axes."""

    def encode(self, texts, batch_size=64):
        rows = [[("mug" in t.lower()) + 0.01, ("cosy" in t.lower() or "tea warm" in t.lower()) + 0.01] for t in texts]
        out = np.array(rows, dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_dense_precision_scores_each_store_by_group():
    products = [Product(id=str(i), title=t, price=3.0) for i, t in
                enumerate(["TEA COSY RED", "TEA COSY BLUE", "RED MUG", "BLUE MUG", "DOORMAT", "TEA COSY GREEN"])]
    scores = dense_precision(Bag(), {"online_retail": products})
    assert set(scores) == {"online_retail"}
    assert 0.0 <= scores["online_retail"]["all"] <= 1.0 and "need" in scores["online_retail"]
