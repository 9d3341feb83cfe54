"""Equal fused scores come out in one order, whatever order the engine returned them in."""

import numpy as np

from retrieval.product import Product
from retrieval.search import HybridSearcher
from retrieval.stores.base import Hit, HybridHits, payload_for


class _Encoder:
    def encode_query(self, text):
        return np.ones(4, dtype=np.float32)


class _Lexical:
    def encode_query(self, text):
        return [1], [1.0]


class _Store:
    """Products a and b tie on the fused score (a is closer in meaning); the engine returns them
    in the order it is given, as a hash order would differ between processes."""

    def __init__(self, order):
        self.order, self.limits = order, []

    def hybrid(self, dense, sparse, flt, limit, prefetch, rrf_k):
        self.limits.append(limit)
        payload = {pid: payload_for(Product(id=pid, title=f"item {pid}")) for pid in "abc"}
        fused = {"a": 1 / 61 + 1 / 63, "b": 1 / 63 + 1 / 61, "c": 1 / 62}
        return HybridHits(fused=[Hit(pid, fused[pid], payload[pid]) for pid in self.order],
                          dense=[Hit("a", 0.9, {}), Hit("c", 0.8, {}), Hit("b", 0.7, {})],
                          sparse=[Hit("b", 5.0, {}), Hit("c", 4.0, {}), Hit("a", 3.0, {})])


def test_ties_are_ordered_by_meaning_then_id_and_cut_after_ordering():
    runs = []
    for order in ("abc", "bac", "cba"):
        store = _Store(order)
        found = HybridSearcher(store, _Encoder(), _Lexical()).search("x", top_k=2)
        runs.append([c.product.id for c in found])
        assert store.limits[0] > 2  # more than asked, so a tie at the cut is settled here
    assert runs == [["a", "b"]] * 3
