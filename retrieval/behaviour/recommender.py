"""Serving: personalised recommendations and search reranking, with reasons.

Histories are read live from the event store, so what a customer did a moment ago
(a click, an add-to-cart) changes their next request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from retrieval.behaviour.features import NEVER_DAYS, SEARCH_FEATURES, History
from retrieval.behaviour.profile import UserProfile, build_profile
from retrieval.behaviour.reranker import mmr
from retrieval.behaviour.training import TrainedBehaviour
from retrieval.events import EventStore
from retrieval.product import Candidate

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
        now = now or self._history_now(history)
        return build_profile(user_id, events, self.titles, now, self.events.country(user_id),
                             vector=self.builder.profile_vector(history, now) if history.items else None)

    # ------------------------------------------------------------------ ranking
    def recommend(self, user_id: str | None, top_k: int = 10, session_id: str | None = None,
                  diversity: float | None = None) -> list[Recommendation]:
        """``diversity`` overrides the recommender's MMR trade-off for this call (A/B variants)."""
        history = self.history(user_id, session_id)
        if len(set(history.items)) < COLD_START_ITEMS:
            return self._cold_start(history, top_k)
        now = self._history_now(history)
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
        reasons = self._reasons(x[order], history, candidates[order])
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

    def _history_now(self, history: History) -> float:
        # Features count days since a purchase; for replayed data "now" is the end of that data.
        latest = max(history.times) if history.times else 0.0
        return max(self.trained.now, latest) if self.trained.now else (latest or time.time())

    def rerank(self, user_id: str | None, candidates: list[Candidate], session_id: str | None = None,
               explain: int = 10) -> list[Candidate]:
        """Reorder search results for this user with the learned search head; the first
        ``explain`` results get a reason (explaining costs more than ranking)."""
        history = self.history(user_id, session_id)
        if not history.items or not candidates or self.trained.search_ranker is None:
            return candidates
        known = [c for c in candidates if c.product.id in self.index]
        if not known:
            return candidates
        items = np.array([self.index[c.product.id] for c in known])
        now = self._history_now(history)
        x = np.hstack([self.builder.build(history, items, now), search_features(known)])
        relevance = self.trained.search_ranker.predict(x)
        order = np.argsort(-relevance, kind="stable")
        reasons = self._reasons(x[order[:explain]], history, items[order[:explain]], search=True)
        out = [Candidate(known[i].product, float(relevance[i]), {**known[i].scores, "rerank": float(relevance[i])},
                         reasons[rank] if rank < len(reasons) else None)
               for rank, i in enumerate(order)]
        return out + [c for c in candidates if c.product.id not in self.index]

    # ------------------------------------------------------------------ reasons
    def _reasons(self, x: np.ndarray, history: History, items: np.ndarray, search: bool = False) -> list[str]:
        ranker = self.trained.search_ranker if search else self.trained.ranker
        names = ranker.features
        contrib = occlusion(ranker, x, names)
        return [self._reason(names, contrib[i], x[i], history, int(items[i])) for i in range(len(items))]

    def _reason(self, names, contrib, row, history: History, item: int) -> str:
        value = dict(zip(names, row))
        for j in np.argsort(-contrib):
            name = names[j]
            if contrib[j] <= 0:
                break
            if name in ("bought_count", "bought_share", "days_since_bought") and value["bought_count"] > 0:
                return f"you have bought this {int(value['bought_count'])} time{'s' if value['bought_count'] > 1 else ''}"
            if name in ("knn", "knn_rank") and value["knn"] > 0:
                partner = self._partner(history, item)
                if partner is not None:
                    return f"often bought with {self.items.titles[partner]}"
            if name == "markov" and value["markov"] > 0 and history.items:
                return f"customers often buy this after {self.items.titles[history.items[-1]]}"
            if name in ("sasrec", "sasrec_rank") and history.items:
                return "fits the pattern of your recent purchases"
            if name == "profile_sim" and history.items:
                return "similar to what you usually buy"
            if name == "price_band_z" and history.items:
                return "in your usual price range"
            if name in SEARCH_FEATURES:
                return "closely matches your search"
        return "popular with customers right now"

    def _partner(self, history: History, item: int) -> int | None:
        knn = self.trained.models.get("itemknn")
        if knn is None:
            return None
        best, best_sim = None, 0.0
        for h in dict.fromkeys(reversed(history.items[-20:])):
            idx, sims = knn.neighbours_of(h)
            hit = np.nonzero(idx == item)[0]
            if len(hit) and sims[hit[0]] > best_sim:
                best, best_sim = h, float(sims[hit[0]])
        return best


# Features that mean one thing to a customer are explained together.
REASON_GROUPS = {
    "bought_count": ("bought_count", "days_since_bought", "bought_share"), "knn": ("knn", "knn_rank"),
    "markov": ("markov",), "sasrec": ("sasrec", "sasrec_rank"), "popularity": ("popularity", "popularity_rank"),
    "profile_sim": ("profile_sim",), "price_band_z": ("price_band_z",), "fused": SEARCH_FEATURES,
}


def occlusion(ranker, x: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """How much each feature group adds to each row's score: the score minus the score with
    that group set to its median over the rows (one batched prediction, so it stays cheap).
    Returns ``(n, len(names))`` with each group's effect on its first feature."""
    base = ranker.predict(x)
    medians = np.median(x, axis=0)
    # For the user's own purchases the counterfactual is "never bought", not the median
    # (a heavy buyer's median candidate was bought too, which would hide that reason).
    for name, never in (("bought_count", 0.0), ("days_since_bought", NEVER_DAYS), ("bought_share", 0.0)):
        if name in names:
            medians[names.index(name)] = never
    groups = [(g, [names.index(f) for f in fs if f in names]) for g, fs in REASON_GROUPS.items() if g in names]
    variants = []
    for _, cols in groups:
        masked = x.copy()
        masked[:, cols] = medians[cols]
        variants.append(masked)
    scores = ranker.predict(np.concatenate(variants)).reshape(len(groups), len(x))
    effect = np.zeros_like(x)
    for g, (group, cols) in enumerate(groups):
        effect[:, names.index(group)] = base - scores[g]
    return effect


def search_features(candidates: list[Candidate]) -> np.ndarray:
    """``SEARCH_FEATURES`` columns from the retrieval scores of each candidate."""
    return np.array([[c.scores.get("fused", 0.0), rank, c.scores.get("dense", 0.0), c.scores.get("sparse", 0.0)]
                     for rank, c in enumerate(candidates)], dtype=np.float32)


def _price(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 2)
