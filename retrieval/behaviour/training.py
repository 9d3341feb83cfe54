"""Train every behaviour model and the reranker from an events table; save and load them.

The reranker learns from the last ``label_days`` of the period: models are fitted on the
events before that cut, candidates and features come from them, and the labels are what
each customer bought after it. The models are then refitted on all events for serving.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.behaviour.data import Interactions
from retrieval.behaviour.features import FEATURES, SEARCH_FEATURES, FeatureBuilder, History, search_features
from retrieval.behaviour.models import MODEL_REGISTRY, BehaviourModel, load_model
from retrieval.behaviour.ranker import LearnedRanker
from shopassist import __version__

DAY = 86_400.0
GENERATORS = ("popularity", "itemknn", "markov", "sasrec")


@dataclass
class ItemTable:
    """What the behaviour layer knows of each catalogue item, by item number."""

    ids: list[str]
    titles: list[str]
    prices: np.ndarray  # (n_items,) NaN when unknown
    embeddings: np.ndarray  # (n_items, dim) L2-normalised
    out_of_stock: set[str] = field(default_factory=set)

    def save(self, folder: Path) -> None:
        from safetensors.numpy import save_file

        (folder / "items.json").write_text(json.dumps({
            "ids": self.ids, "titles": self.titles, "out_of_stock": sorted(self.out_of_stock),
            "prices": [None if np.isnan(p) else float(p) for p in self.prices]}))
        save_file({"embeddings": np.ascontiguousarray(self.embeddings)}, str(folder / "embeddings.safetensors"))

    @classmethod
    def load(cls, folder: Path) -> "ItemTable":
        from safetensors.numpy import load_file

        meta = json.loads((folder / "items.json").read_text())
        prices = np.array([np.nan if p is None else p for p in meta["prices"]], dtype=np.float64)
        return cls(meta["ids"], meta["titles"], prices, load_file(str(folder / "embeddings.safetensors"))["embeddings"],
                   set(meta.get("out_of_stock", [])))


def history_of(data: Interactions, user: str) -> History:
    return History(data.users.get(user, []), data.user_times.get(user, []), data.user_quantities.get(user, []))


def fit_models(data: Interactions, options: dict[str, dict] | None = None, progress: bool = True
               ) -> tuple[dict[str, BehaviourModel], dict[str, float]]:
    """Fit every generator model; returns the models and their training seconds."""
    models, seconds = {}, {}
    for name in GENERATORS:
        if name not in MODEL_REGISTRY:
            continue
        started = time.perf_counter()
        model = MODEL_REGISTRY[name](**(options or {}).get(name, {}))
        if hasattr(model, "progress"):
            model.progress = progress
        models[name] = model.fit(data)
        seconds[name] = round(time.perf_counter() - started, 2)
    return models, seconds


def labelled_groups(builder: FeatureBuilder, data: Interactions, labels: dict[str, set[int]], now: float
                    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Features and 0/1 labels for each user's candidates (users whose candidates hold no
    positive are left out: they carry no ranking signal)."""
    xs, ys, groups = [], [], []
    for user, positives in labels.items():
        history = history_of(data, user)
        scores = builder.model_scores(history)
        candidates = builder.candidates(history, scores)
        y = np.isin(candidates, list(positives)).astype(np.float32)
        if y.sum() == 0:
            continue
        xs.append(builder.build(history, candidates, now, scores))
        ys.append(y)
        groups.append(len(candidates))
    return np.concatenate(xs), np.concatenate(ys), groups


def window_labels(frame, data: Interactions, start: float, end: float) -> dict[str, set[int]]:
    """Items each known customer (with a history) bought in ``[start, end)``."""
    window = frame[(frame["ts"] >= start) & (frame["ts"] < end) & (frame["type"] == "purchase")
                   & frame["user_id"].notna() & frame["product_id"].isin(data.index)]
    labels = {}
    for user, products in window.groupby("user_id")["product_id"]:
        if str(user) in data.users:
            labels[str(user)] = {data.index[p] for p in products}
    return labels


@dataclass
class TrainedBehaviour:
    items: ItemTable
    models: dict[str, BehaviourModel]
    ranker: LearnedRanker
    seconds: dict[str, float] = field(default_factory=dict)
    now: float = 0.0
    search_ranker: LearnedRanker | None = None

    def builder(self) -> FeatureBuilder:
        return FeatureBuilder(self.models, self.items.prices, self.items.embeddings)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        self.items.save(folder)
        for name, model in self.models.items():
            model.save(folder / name)
        self.ranker.save(folder / "ranker")
        if self.search_ranker is not None:
            self.search_ranker.save(folder / "search_ranker")
        (folder / "behaviour.json").write_text(json.dumps(
            {"version": __version__, "models": sorted(self.models), "now": self.now, "seconds": self.seconds}))
        return folder

    @classmethod
    def load(cls, folder: Path) -> "TrainedBehaviour":
        meta = json.loads((folder / "behaviour.json").read_text())
        models = {name: load_model(folder / name) for name in meta["models"]}
        search = LearnedRanker.load(folder / "search_ranker") if (folder / "search_ranker").is_dir() else None
        return cls(ItemTable.load(folder), models, LearnedRanker.load(folder / "ranker"), meta["seconds"],
                   meta["now"], search)


def search_groups(builder: FeatureBuilder, data: Interactions, purchases, searcher, items: ItemTable,
                  now: float, max_queries: int = 1200) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Search training data: each purchase's first two title words as the query, the hybrid
    search results as candidates, the bought product as the one positive."""
    xs, ys, groups = [], [], []
    rows = purchases.sample(n=min(max_queries, len(purchases)), random_state=0) if len(purchases) else purchases
    for user, product in zip(rows["user_id"], rows["product_id"]):
        query = " ".join(items.titles[data.index[product]].split()[:2])
        found = [c for c in searcher.search(query, top_k=50) if c.product.id in data.index]
        labels = np.array([c.product.id == product for c in found], dtype=np.float32)
        if labels.sum() == 0 or labels[0] == 1 and len(found) == 1:
            continue
        codes = np.array([data.index[c.product.id] for c in found])
        history = history_of(data, str(user))
        xs.append(np.hstack([builder.build(history, codes, now), search_features(found)]))
        ys.append(labels)
        groups.append(len(found))
    return np.concatenate(xs), np.concatenate(ys), groups


def train_behaviour(frame, items: ItemTable, label_days: float = 90.0, options: dict[str, dict] | None = None,
                    progress: bool = True, searcher=None) -> TrainedBehaviour:
    """Fit the models and the reranker on an events frame (columns of ``EventStore.frame``)."""
    seconds: dict[str, float] = {}
    end = float(frame["ts"].max())
    cut = end - label_days * DAY
    before = Interactions.from_frame(frame[frame["ts"] < cut], items=items.ids, now=cut)
    inner_models, _ = fit_models(before, options, progress)
    started = time.perf_counter()
    builder = FeatureBuilder(inner_models, items.prices, items.embeddings)
    labels = window_labels(frame, before, cut, end + 1)
    users = sorted(labels)
    rng = np.random.default_rng(0)
    valid_users = set(rng.choice(users, size=max(1, len(users) // 10), replace=False)) if len(users) > 20 else set()
    train_set = labelled_groups(builder, before, {u: labels[u] for u in users if u not in valid_users}, cut)
    valid_set = labelled_groups(builder, before, {u: labels[u] for u in valid_users}, cut) if valid_users else None
    ranker = LearnedRanker(FEATURES).fit(*train_set, valid=valid_set)
    seconds["ranker"] = round(time.perf_counter() - started, 2)
    search_ranker = None
    if searcher is not None:
        started = time.perf_counter()
        window = frame[(frame["ts"] >= cut) & (frame["type"] == "purchase") & frame["user_id"].isin(set(before.users))
                       & frame["product_id"].isin(before.index)]
        search_set = search_groups(builder, before, window, searcher, items, cut)
        search_ranker = LearnedRanker(FEATURES + SEARCH_FEATURES).fit(*search_set, rounds=200)
        seconds["search_ranker"] = round(time.perf_counter() - started, 2)
    full = Interactions.from_frame(frame, items=items.ids, now=end)
    models, fit_seconds = fit_models(full, options, progress)
    seconds.update(fit_seconds)
    return TrainedBehaviour(items, models, ranker, seconds, end, search_ranker)
