"""Where behaviour data lives under the home folder, and how to train and open it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retrieval.behaviour.events import EventStore
from retrieval.behaviour.recommender import Recommender
from retrieval.behaviour.training import ItemTable, TrainedBehaviour, train_behaviour
from retrieval.stores.base import VectorStore
from shopassist.database import Database, open_database
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings, secret


def open_event_store(settings: Settings, db: Database | None = None) -> EventStore:
    """The event store on the configured database (``db``: one already open, to share its pool)."""
    return EventStore(db or open_database(settings.home, "events", secret(settings.database_url), settings.pool_size))


def behaviour_dir(settings: Settings, collection: str) -> Path:
    return settings.home / "behaviour" / collection


def item_table(store: VectorStore) -> ItemTable:
    """The catalogue as the behaviour layer sees it: ids, titles, prices, embeddings."""
    products, vectors = store.export()
    if not products:
        raise ShopAssistError("the collection is empty: run `shopassist index` first")
    prices = np.array([np.nan if p.price is None else p.price for p in products], dtype=np.float64)
    return ItemTable([p.id for p in products], [p.title for p in products], prices, vectors,
                     {p.id for p in products if p.in_stock is False})


def train(settings: Settings, store: VectorStore, events: EventStore, collection: str,
          label_days: float = 90.0, searcher=None, progress: bool = True) -> TrainedBehaviour:
    frame = events.frame()
    if frame.empty or not (frame["type"] == "purchase").any():
        raise ShopAssistError("no purchase events yet: load some with `shopassist events ingest`")
    span_days = (frame["ts"].max() - frame["ts"].min()) / 86_400
    if span_days <= label_days:
        raise ShopAssistError(f"the events span {span_days:.0f} days; training needs more than "
                              f"--label-days ({label_days:.0f}) days of history")
    options = {"sasrec": {"max_seconds": settings.sasrec_max_seconds, "threads": settings.torch_threads}}
    trained = train_behaviour(frame, item_table(store), label_days, options, progress, searcher)
    trained.save(behaviour_dir(settings, collection))
    return trained


def open_recommender(settings: Settings, events: EventStore, collection: str, diversity: float = 0.0) -> Recommender:
    folder = behaviour_dir(settings, collection)
    if not (folder / "behaviour.json").is_file():
        raise ShopAssistError(
            f"no behaviour models for collection {collection!r}: run `shopassist train-behaviour --collection {collection}`")
    return Recommender(TrainedBehaviour.load(folder), events, diversity)
