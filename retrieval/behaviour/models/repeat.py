"""The user's own most-bought items: a strong baseline in a repeat-purchase store."""

from __future__ import annotations

import numpy as np

from retrieval.behaviour.models.base import BehaviourModel, register
from retrieval.behaviour.data import Interactions


@register
class RepeatPurchases(BehaviourModel):
    """Score = how many times the user bought the item; ties go to the more recent one."""

    type = "repeat"

    def fit(self, data: Interactions) -> "RepeatPurchases":
        self.items = list(data.items)
        return self

    def score(self, history: list[int], now: float | None = None) -> np.ndarray:
        scores = np.zeros(len(self.items), dtype=np.float32)
        if history:
            codes = np.asarray(history)
            np.add.at(scores, codes, 1.0)
            # Recency breaks ties: the last position of each item, scaled below one count.
            last = np.zeros(len(self.items), dtype=np.float32)
            last[codes] = (np.arange(len(codes)) + 1) / (len(codes) + 1)
            scores += last * 0.5
        return scores
