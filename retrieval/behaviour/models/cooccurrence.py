"""Item-to-item models on sparse matrices: co-purchase (item-kNN) and a first-order Markov chain."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from retrieval.behaviour.models.base import BehaviourModel, register
from retrieval.behaviour.data import Interactions


def _top_k_rows(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of each row (the neighbours worth storing)."""
    matrix = matrix.tocsr()
    rows, cols, vals = [], [], []
    for i in range(matrix.shape[0]):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        if end == start:
            continue
        data, idx = matrix.data[start:end], matrix.indices[start:end]
        keep = np.argsort(-data)[:k]
        rows.append(np.full(len(keep), i))
        cols.append(idx[keep])
        vals.append(data[keep])
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=matrix.shape, dtype=np.float32)


class _SparseItemModel(BehaviourModel):
    """Shared storage for models that are one item × item matrix."""

    def __init__(self, neighbours: int = 100):
        super().__init__()
        self.neighbours = neighbours
        self.matrix = sp.csr_matrix((0, 0), dtype=np.float32)

    def config(self) -> dict:
        return {"neighbours": self.neighbours}

    def arrays(self) -> dict[str, np.ndarray]:
        m = self.matrix
        return {"data": m.data.astype(np.float32), "indices": m.indices.astype(np.int64),
                "indptr": m.indptr.astype(np.int64), "shape": np.asarray(m.shape, dtype=np.int64)}

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.matrix = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]),
                                    shape=tuple(arrays["shape"]))

    def neighbours_of(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.matrix.indptr[item], self.matrix.indptr[item + 1]
        return self.matrix.indices[start:end], self.matrix.data[start:end]


@register
class ItemKNN(_SparseItemModel):
    """Co-purchase: cosine similarity of items over baskets; a history scores the sum of its
    recent items' neighbour rows, the most recent weighing most.

    Args:
        neighbours: similar items kept per item.
        recent: distinct recent history items that vote.
    """

    type = "itemknn"

    def __init__(self, neighbours: int = 100, recent: int = 20):
        super().__init__(neighbours)
        self.recent = recent

    def config(self) -> dict:
        return {"neighbours": self.neighbours, "recent": self.recent}

    def fit(self, data: Interactions) -> "ItemKNN":
        self.items = list(data.items)
        rows = np.concatenate([np.full(len(b), i) for i, b in enumerate(data.baskets)]) if data.baskets else np.zeros(0)
        cols = np.concatenate([np.asarray(b) for b in data.baskets]) if data.baskets else np.zeros(0)
        baskets = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                shape=(len(data.baskets), data.n_items))
        co = (baskets.T @ baskets).tocsr().astype(np.float32)  # (items, items) co-purchase counts
        counts = np.asarray(co.diagonal()).ravel()
        co.setdiag(0)
        co.eliminate_zeros()
        norm = 1.0 / np.sqrt(np.maximum(counts, 1.0))
        cosine = sp.diags(norm) @ co @ sp.diags(norm)
        self.matrix = _top_k_rows(cosine, self.neighbours)
        return self

    def score(self, history: list[int], now: float | None = None) -> np.ndarray:
        scores = np.zeros(len(self.items), dtype=np.float32)
        recent = list(dict.fromkeys(reversed(history)))[: self.recent]  # most recent first
        for rank, item in enumerate(recent):
            idx, sims = self.neighbours_of(item)
            scores[idx] += sims / (1.0 + 0.1 * rank)
        return scores


@register
class MarkovChain(_SparseItemModel):
    """First-order Markov chain over each user's sequence of distinct consecutive items."""

    type = "markov"

    def fit(self, data: Interactions) -> "MarkovChain":
        self.items = list(data.items)
        src, dst = [], []
        for history in data.users.values():
            seq = [h for i, h in enumerate(history) if i == 0 or h != history[i - 1]]
            src.extend(seq[:-1])
            dst.extend(seq[1:])
        counts = sp.csr_matrix((np.ones(len(src), dtype=np.float32), (src, dst)),
                               shape=(data.n_items, data.n_items))
        totals = np.asarray(counts.sum(axis=1)).ravel()
        self.matrix = _top_k_rows(sp.diags(1.0 / np.maximum(totals, 1.0)) @ counts, self.neighbours)
        return self

    def score(self, history: list[int], now: float | None = None) -> np.ndarray:
        scores = np.zeros(len(self.items), dtype=np.float32)
        if history:
            idx, probs = self.neighbours_of(history[-1])
            scores[idx] = probs
        return scores
