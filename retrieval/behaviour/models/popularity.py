"""Time-decayed popularity: recent purchases count more; guests count too."""

from __future__ import annotations

import numpy as np

from retrieval.behaviour.models.base import BehaviourModel, register
from retrieval.behaviour.data import Interactions

DAY = 86_400.0


@register
class Popularity(BehaviourModel):
    """Args:
        half_life_days: a purchase this many days before the end of training counts half.
    """

    type = "popularity"

    def __init__(self, half_life_days: float = 30.0):
        super().__init__()
        self.half_life_days = half_life_days
        self.scores = np.zeros(0, dtype=np.float32)

    def fit(self, data: Interactions) -> "Popularity":
        self.items = list(data.items)
        age_days = (data.now - data.item_purchase_time) / DAY
        weights = np.power(0.5, np.clip(age_days, 0, None) / self.half_life_days)
        self.scores = np.bincount(data.item_purchase_index, weights=weights, minlength=data.n_items).astype(np.float32)
        return self

    def score(self, history: list[int], now: float | None = None) -> np.ndarray:
        return self.scores

    def config(self) -> dict:
        return {"half_life_days": self.half_life_days}

    def arrays(self) -> dict[str, np.ndarray]:
        return {"scores": self.scores}

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.scores = arrays["scores"]
