"""The behaviour reranker: search results reordered for a customer by the learned search
head (behaviour features plus the search scores), the first few with a reason.

Importing this module registers it as ``behaviour`` in ``retrieval.rerank``.
"""

from __future__ import annotations

import numpy as np

from retrieval.behaviour.features import search_features
from retrieval.behaviour.recommender import Recommender
from retrieval.product import Candidate
from retrieval.rerank import NoReranker, Reranker, register_reranker


class BehaviourReranker:
    """Args:
        recommender: the loaded models and the live event store (histories are read there,
            so this conversation's clicks count at once).
        explain: the first this many results get a reason (explaining costs more than ranking).
    """

    def __init__(self, recommender: Recommender, explain: int = 10):
        self.recommender = recommender
        self.explain = explain

    def rerank(self, user_id: str | None, candidates: list[Candidate],
               session_id: str | None = None) -> list[Candidate]:
        """Reorder search results for this user with the learned search head; guests with no
        history, and products the models do not know (kept last), stay as retrieved."""
        rec, explain = self.recommender, self.explain
        history = rec.history(user_id, session_id)
        if not history.items or not candidates or rec.trained.search_ranker is None:
            return candidates
        known = [c for c in candidates if c.product.id in rec.index]
        if not known:
            return candidates
        items = np.array([rec.index[c.product.id] for c in known])
        now = rec.history_now(history)
        x = np.hstack([rec.builder.build(history, items, now), search_features(known)])
        relevance = rec.trained.search_ranker.predict(x)
        order = np.argsort(-relevance, kind="stable")
        reasons = rec.explainer.reasons(rec.trained.search_ranker, x[order[:explain]], history, items[order[:explain]])
        out = [Candidate(known[i].product, float(relevance[i]), {**known[i].scores, "rerank": float(relevance[i])},
                         reasons[rank] if rank < len(reasons) else None)
               for rank, i in enumerate(order)]
        return out + [c for c in candidates if c.product.id not in rec.index]


def behaviour_reranker(recommender: Recommender | None = None, **_) -> Reranker:
    """The ``behaviour`` factory: the behaviour reranker when models are trained (a
    ``recommender`` is given), else results stay as retrieved."""
    return BehaviourReranker(recommender) if recommender is not None else NoReranker()


register_reranker("behaviour", behaviour_reranker)
