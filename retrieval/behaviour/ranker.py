"""The learned ranker: LightGBM lambdarank over behaviour features, then MMR diversity.

Weights are learned from the training period (features from before a cut, labels = what
each customer bought after it), never hand-tuned. Reasons are not read from the model:
``explain.py`` finds them by occlusion (what each group of features adds to a score).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from shopassist import __version__
from shopassist.errors import ShopAssistError


class LearnedRanker:
    """A LightGBM lambdarank model over named features.

    Args:
        features: the feature names, in column order.
        params: LightGBM parameters (defaults suit a few hundred thousand rows on 2 cores).
    """

    def __init__(self, features: tuple[str, ...], params: dict | None = None):
        self.features = tuple(features)
        self.params = {"objective": "lambdarank", "learning_rate": 0.05, "num_leaves": 31,
                       "min_data_in_leaf": 50, "feature_fraction": 0.9, "lambdarank_truncation_level": 20,
                       "eval_at": [10], "verbose": -1, "num_threads": 2, "seed": 0, **(params or {})}
        self.booster = None

    def fit(self, x: np.ndarray, y: np.ndarray, groups: list[int], rounds: int = 300,
            valid: tuple[np.ndarray, np.ndarray, list[int]] | None = None) -> "LearnedRanker":
        import lightgbm as lgb

        train = lgb.Dataset(x, y, group=groups, feature_name=list(self.features), free_raw_data=False)
        sets, callbacks = [train], []
        if valid is not None:
            sets.append(lgb.Dataset(valid[0], valid[1], group=valid[2], reference=train))
            callbacks.append(lgb.early_stopping(30, verbose=False))
        self.booster = lgb.train(self.params, train, num_boost_round=rounds, valid_sets=sets, callbacks=callbacks)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        if self.booster is None:
            raise ShopAssistError("the reranker is not trained: run `shopassist train-behaviour`")
        return self.booster.predict(x, num_threads=1)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / "model.txt"))
        (folder / "config.json").write_text(json.dumps(
            {"type": "lightgbm-lambdarank", "version": __version__, "features": list(self.features),
             "params": self.params}))

    @classmethod
    def load(cls, folder: Path) -> "LearnedRanker":
        import lightgbm as lgb

        try:
            meta = json.loads((folder / "config.json").read_text())
        except FileNotFoundError:
            raise ShopAssistError(f"no reranker at {folder}: run `shopassist train-behaviour`") from None
        ranker = cls(tuple(meta["features"]), meta["params"])
        ranker.booster = lgb.Booster(model_file=str(folder / "model.txt"))
        return ranker


def mmr(relevance: np.ndarray, embeddings: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: indices of ``k`` items balancing score and novelty.

    ``diversity`` = 0 keeps the score order; 1 picks the most dissimilar items.
    """
    n = len(relevance)
    if n == 0 or diversity <= 0:
        return list(np.argsort(-relevance, kind="stable")[:k])
    span = relevance.max() - relevance.min()
    rel = (relevance - relevance.min()) / span if span > 0 else np.ones(n)
    chosen: list[int] = []
    max_sim = np.zeros(n)
    available = np.ones(n, dtype=bool)
    for _ in range(min(k, n)):
        value = (1 - diversity) * rel - diversity * max_sim
        value[~available] = -np.inf
        pick = int(np.argmax(value))
        chosen.append(pick)
        available[pick] = False
        max_sim = np.maximum(max_sim, embeddings @ embeddings[pick])
    return chosen
