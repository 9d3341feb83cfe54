"""Serving: personalised recommendations with reasons, and profiles.

Histories are read live from the event store, so what a customer did a moment ago
(a click, an add-to-cart) changes their next request. Reranking search results with these
histories is ``rerank.py``; reasons come from ``explain.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from retrieval.behaviour.events import EventStore
from retrieval.behaviour.explain import Explainer
from retrieval.behaviour.features import History
from retrieval.behaviour.profile import UserProfile, build_profile
from retrieval.behaviour.ranker import mmr
from retrieval.behaviour.training import TrainedBehaviour

HISTORY_TYPES = ("purchase", "add_to_cart", "click", "view")
# Below this many distinct items the learned ranker (trained on customers with real
# histories) has too little to go on: cold start uses popularity + content similarity.
COLD_START_ITEMS = 3
POPULARITY_WEIGHT = 0.3


@dataclass(frozen=True)
class Recommendation:
    id: str
    title: str
    price: float | None
    score: float
    reason: str

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "price": self.price, "score": round(self.score, 6),
                "reason": self.reason}


class Recommender:
    """Args:
        trained: the fitted models, items and reranker (``TrainedBehaviour.load(folder)``).
        events: the live event store.
        diversity: MMR trade-off in [0, 1]; 0 keeps the reranker's order.
    """

    def __init__(self, trained: TrainedBehaviour, events: EventStore, diversity: float = 0.0):
        self.trained = trained
        self.events = events
        self.diversity = diversity
        self.builder = trained.builder()
        self.items = trained.items
        self.index = {pid: i for i, pid in enumerate(self.items.ids)}
        self.titles = dict(zip(self.items.ids, self.items.titles))
        self.sellable = np.array([pid not in self.items.out_of_stock for pid in self.items.ids])
        self.explainer = Explainer(self.items.titles, trained.models.get("itemknn"))

    # ------------------------------------------------------------------ inputs
    def history(self, user_id: str | None, session_id: str | None = None) -> History:
        rows = self.events.user_item_history(user_id, HISTORY_TYPES) if user_id else []
        if session_id:
            own = set(rows)
            rows += [(e.product_id, e.timestamp, e.quantity) for e in self.events.session_events(session_id)
                     if e.type in HISTORY_TYPES and (e.product_id, e.timestamp, e.quantity) not in own]
            rows.sort(key=lambda r: r[1])
        known = [r for r in rows if r[0] in self.index]
        return History([self.index[r[0]] for r in known], [r[1] for r in known], [r[2] for r in known])

    def profile(self, user_id: str, now: float | None = None) -> UserProfile:
        events = self.events.user_events(user_id)
        history = self.history(user_id)
        now = now or self.history_now(history)
        return build_profile(user_id, events, self.titles, now, self.events.country(user_id),
                             vector=self.builder.profile_vector(history, now) if history.items else None)

    # ------------------------------------------------------------------ ranking
    def recommend(self, user_id: str | None, top_k: int = 10, session_id: str | None = None,
                  diversity: float | None = None) -> list[Recommendation]:
        """``diversity`` overrides the recommender's MMR trade-off for this call (A/B variants)."""
        history = self.history(user_id, session_id)
        if len(set(history.items)) < COLD_START_ITEMS:
            return self._cold_start(history, top_k)
        now = self.history_now(history)
        scores = self.builder.model_scores(history)
        candidates = self.builder.candidates(history, scores)
        profile = self.builder.profile_vector(history, now)
        if history.items:  # content neighbours: how products nobody has bought yet get a chance
            close = np.argpartition(-(self.items.embeddings @ profile), 50)[:50]
            candidates = np.unique(np.concatenate([candidates, close]))
        candidates = candidates[self.sellable[candidates]]  # business filter: never suggest what cannot be sold
        x = self.builder.build(history, candidates, now, scores)
        relevance = self.trained.ranker.predict(x)
        order = mmr(relevance, self.items.embeddings[candidates], top_k,
                    self.diversity if diversity is None else diversity)
        reasons = self.explainer.reasons(self.trained.ranker, x[order], history, candidates[order])
        return [Recommendation(self.items.ids[c], self.items.titles[c], _price(self.items.prices[c]),
                               float(relevance[o]), reasons[k])
                for k, (o, c) in enumerate(zip(order, candidates[order]))]

    def _cold_start(self, history: History, top_k: int) -> list[Recommendation]:
        """Popular items, pulled towards whatever this visitor touched (new products included:
        they have embeddings long before anyone buys them)."""
        popularity = self.builder.popularity_rank
        score = POPULARITY_WEIGHT * (1 - popularity / len(popularity))
        seen = list(dict.fromkeys(history.items))
        similarity = self.items.embeddings @ self.items.embeddings[seen].T if seen else None  # (n_items, seen)
        if similarity is not None:
            score = score + similarity.max(axis=1)
            score[seen] = -np.inf  # suggest something new, not the item they are looking at
        score = np.where(self.sellable, score, -np.inf)
        top = np.argsort(-score, kind="stable")[:top_k]
        out = []
        for item in top:
            if similarity is not None and similarity[item].max() > 0.5:
                reason = f"similar to {self.items.titles[seen[int(similarity[item].argmax())]]}, which you looked at"
            else:
                reason = "popular with customers right now"
            out.append(Recommendation(self.items.ids[item], self.items.titles[item], _price(self.items.prices[item]),
                                      float(score[item]), reason))
        return out

    def history_now(self, history: History) -> float:
        # Features count days since a purchase; for replayed data "now" is the end of that data.
        latest = max(history.times) if history.times else 0.0
        return max(self.trained.now, latest) if self.trained.now else (latest or time.time())


def _price(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 2)
