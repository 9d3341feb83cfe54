"""Fusion gives one order for one query, whatever order the engine returns equal scores in."""

import numpy as np

from retrieval.product import Product
from retrieval.search import HybridSearcher, fuse
from retrieval.stores.base import Hit, HybridHits, payload_for


class _Encoder:
    def encode_query(self, text):
        return np.ones(4, dtype=np.float32)


class _Lexical:
    def encode_query(self, text):
        return [1], [1.0]


PAYLOADS = {pid: payload_for(Product(id=pid, title=f"item {pid}")) for pid in "abcd"}
MEANING = {"a": 0.9, "b": 0.7, "c": 0.8, "d": 0.6}


class _Store:
    """b, c and d tie on BM25 (titles that match the same words); the engine hands them back
    in the order it is given, as its hash order differs between processes."""

    def __init__(self, sparse_order):
        self.sparse_order = sparse_order

    def hybrid(self, dense, sparse, flt, limit, prefetch, rrf_k):
        words = {"a": 3.0, "b": 2.0, "c": 2.0, "d": 2.0}
        dense_hits = [Hit(pid, MEANING[pid], PAYLOADS[pid]) for pid in sorted(MEANING, key=MEANING.get, reverse=True)]
        sparse_hits = [Hit(pid, words[pid], {}) for pid in "a" + self.sparse_order]
        # the engine's own fused list settled the tie its way and carries only some payloads
        return HybridHits(fused=[Hit(pid, 0.0, PAYLOADS[pid]) for pid in "ab"], dense=dense_hits, sparse=sparse_hits)

    def retrieve(self, product_ids):
        return [Product(id=pid, title=f"item {pid}") for pid in product_ids]


def test_equal_scores_are_settled_by_meaning_then_id_in_every_process():
    runs = [[c.product.id for c in HybridSearcher(_Store(order), _Encoder(), _Lexical()).search("x", top_k=3)]
            for order in ("bcd", "dcb", "cbd")]
    assert runs == [["a", "c", "b"]] * 3  # c is closer in meaning than b; both tie on words


def test_fusion_matches_the_engine_formula():
    hits = HybridHits(fused=[], dense=[Hit("a", 0.9, {}), Hit("b", 0.5, {})], sparse=[Hit("b", 4.0, {})])
    scores = dict(fuse(hits, 60))
    assert scores == {"a": 1 / 60, "b": 1 / 61 + 1 / 60}
