"""Features of (user history, candidate item) pairs for the learned ranker, and the extra
search features of candidates that a query produced (used in training and in serving).

A ``History`` is what a user did, oldest first, as item numbers with times and
quantities; it comes from the training data or live from the event store, so a click
made a second ago changes the next request's features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from retrieval.behaviour.models.base import BehaviourModel
from retrieval.product import Candidate

DAY = 86_400.0
NEVER_DAYS = 1000.0

FEATURES = (
    "bought_count", "days_since_bought", "bought_share", "knn", "knn_rank", "markov", "sasrec",
    "sasrec_rank", "popularity", "popularity_rank", "profile_sim", "price_band_z", "log_price",
    "history_len", "distinct_items",
)
# Extra features when a query produced the candidates.
SEARCH_FEATURES = ("fused", "fused_rank", "dense", "sparse")


@dataclass
class History:
    items: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    quantities: list[float] = field(default_factory=list)


def _rank(scores: np.ndarray) -> np.ndarray:
    """0 for the best item; ties share the better rank."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.float32)
    ranks[order] = np.arange(len(scores), dtype=np.float32)
    return ranks


class FeatureBuilder:
    """Computes ``FEATURES`` for candidates, from the fitted behaviour models.

    Args:
        models: fitted models by type (``popularity``, ``itemknn``, ``markov``, ``sasrec``).
        prices: ``(n_items,)`` price per item (NaN when unknown).
        embeddings: ``(n_items, dim)`` L2-normalised item embeddings (zeros when unknown).
    """

    def __init__(self, models: dict[str, BehaviourModel], prices: np.ndarray, embeddings: np.ndarray):
        self.models = models
        self.prices = prices
        self.log_prices = np.log1p(np.nan_to_num(prices, nan=0.0)).astype(np.float32)
        self.embeddings = embeddings
        popularity = models["popularity"].score([])
        self.popularity = np.log1p(popularity).astype(np.float32)
        self.popularity_rank = _rank(popularity)

    def model_scores(self, history: History) -> dict[str, np.ndarray]:
        """Full-vocabulary scores of each model for this history (also used as candidate generators)."""
        return {name: model.score(history.items) for name, model in self.models.items() if name != "popularity"}

    def profile_vector(self, history: History, now: float) -> np.ndarray:
        """Time-decayed mean embedding of what the user interacted with (half-life 90 days)."""
        if not history.items:
            return np.zeros(self.embeddings.shape[1], dtype=np.float32)
        ages = (now - np.asarray(history.times)) / DAY
        weights = np.power(0.5, np.clip(ages, 0, None) / 90.0)
        # Sum the weights per distinct item first: heavy buyers repeat the same items a lot.
        per_item = np.bincount(history.items, weights=weights, minlength=len(self.embeddings))
        bought = np.nonzero(per_item)[0]
        vector = per_item[bought] @ self.embeddings[bought]
        norm = np.linalg.norm(vector)
        return vector / norm if norm > 0 else vector

    def build(self, history: History, candidates: np.ndarray, now: float,
              scores: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """``(len(candidates), len(FEATURES))`` float32 features."""
        scores = scores if scores is not None else self.model_scores(history)
        n_items = len(self.prices)
        counts = np.bincount(history.items, minlength=n_items).astype(np.float32) if history.items else np.zeros(n_items, np.float32)
        last_time = np.full(n_items, -np.inf)
        if history.items:
            np.maximum.at(last_time, np.asarray(history.items), np.asarray(history.times, dtype=np.float64))
        days = np.where(np.isfinite(last_time), (now - last_time) / DAY, NEVER_DAYS).astype(np.float32)
        log_prices = np.log1p(np.nan_to_num(self.prices[history.items], nan=0.0)) if history.items else np.zeros(0)
        mean, std = (log_prices.mean(), log_prices.std() + 0.25) if len(log_prices) else (0.0, 1.0)
        profile = self.profile_vector(history, now)
        zeros = np.zeros(n_items, dtype=np.float32)
        knn, markov, sasrec = (scores.get(k, zeros) for k in ("itemknn", "markov", "sasrec"))
        c = candidates
        columns = [
            counts[c], days[c], counts[c] / max(len(history.items), 1), knn[c], _rank(knn)[c], markov[c],
            sasrec[c], _rank(sasrec)[c], self.popularity[c], self.popularity_rank[c],
            self.embeddings[c] @ profile, (self.log_prices[c] - mean) / std if len(log_prices) else zeros[c],
            self.log_prices[c], np.full(len(c), len(history.items), np.float32),
            np.full(len(c), len(set(history.items)), np.float32),
        ]
        return np.stack(columns, axis=1).astype(np.float32)

    def candidates(self, history: History, scores: dict[str, np.ndarray], per_source: int = 50) -> np.ndarray:
        """The union of every generator's top items: own purchases, neighbours, sequence, popular."""
        pools = [np.asarray(list(dict.fromkeys(reversed(history.items)))[:100], dtype=np.int64)]
        for name in ("itemknn", "markov", "sasrec"):
            if name in scores:
                top = np.argpartition(-scores[name], per_source)[:per_source]
                pools.append(top[scores[name][top] > 0] if name != "sasrec" else top)
        pools.append(np.argsort(self.popularity_rank)[:per_source])
        return np.unique(np.concatenate(pools))


def search_features(candidates: list[Candidate]) -> np.ndarray:
    """``SEARCH_FEATURES`` columns from the retrieval scores of each candidate."""
    return np.array([[c.scores.get("fused", 0.0), rank, c.scores.get("dense", 0.0), c.scores.get("sparse", 0.0)]
                     for rank, c in enumerate(candidates)], dtype=np.float32)
