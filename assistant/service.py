"""Builds an ``Assistant`` from settings: store, encoders, reranker, parser, stores."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.engine import Assistant
from assistant.guard import GuardedParser, engine_call
from assistant.orders import OrderBook
from assistant.parser import TurnParser
from assistant.session import SessionStore
from assistant.shopping import Shopper
from assistant.support import SupportDesk, load_openers
from assistant.variants import parse_variants, pick
from retrieval.behaviour.service import behaviour_dir, events_path, open_recommender
from retrieval.encoder import LexicalEncoder, SentenceEncoder
from retrieval.events import EventStore
from retrieval.search import HybridSearcher
from retrieval.stores import open_store
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings


def sessions_path(settings: Settings):
    return settings.home / "sessions.sqlite"


def bitext_path(settings: Settings):
    return settings.data_dir / "bitext_support" / "bitext_customer_support_sample.csv"


def open_assistant(settings: Settings, collection: str | None = None, parser=None) -> Assistant:
    """Everything one process needs to answer turns on ``collection``; ``parser`` may be
    passed in to share one loaded model between assistants."""
    name = collection or settings.collection
    store = open_store(settings, name)
    if not store.exists() or store.count() == 0:
        store.close()
        raise ShopAssistError(f"collection {name!r} is empty or missing: run `shopassist index --collection {name}` "
                              "(or `shopassist demo`) first")
    encoder = SentenceEncoder.from_settings(settings)
    searcher = HybridSearcher(store, encoder, LexicalEncoder(), settings.prefetch, settings.rrf_k)
    events = EventStore(events_path(settings))
    recommender = None
    if (behaviour_dir(settings, name) / "behaviour.json").is_file():
        recommender = open_recommender(settings, events, name)
    rerank = recommender.rerank if recommender else None
    recommend = _recommend_fn(recommender)

    def lookup(ids: list[str]) -> dict:
        with engine_call():
            return {p.id: p for p in store.retrieve(list(ids))} if ids else {}

    support = SupportDesk(load_openers(bitext_path(settings)), OrderBook(events, lookup))
    sessions = SessionStore(sessions_path(settings))
    guarded = GuardedParser(parser or TurnParser.from_settings(settings), settings.parse_budget_s,
                            settings.parse_cooldown_s)
    guarded.warm()
    assistant = Assistant(guarded,
                          Shopper(searcher, rerank, settings.search_top_k), lookup, events, sessions, support,
                          recommend)
    assistant.closers = [store.close, events.close, sessions.close]
    _set_variants(assistant, settings, searcher, rerank, recommender)
    if recommender:
        assistant.profile = lambda user: recommender.profile(user).describe()
    return assistant


def _recommend_fn(recommender, diversity: float | None = None):
    """The engine's ``(user_id, top_k, session_id) -> [(product_id, reason)]``, or None."""
    if recommender is None:
        return None
    return lambda user, k, sid: [(r.id, r.reason) for r in recommender.recommend(user, k, sid, diversity)]


def _set_variants(assistant: Assistant, settings: Settings, searcher, rerank, recommender) -> None:
    """One shopper (and recommend function) per A/B variant, sharing the loaded models."""
    assistant.variants = parse_variants(settings.ab_variants)
    assistant.forced_variant = settings.ab_variant
    pick(assistant.variants, settings.ab_variant, "check")  # a misspelt forced variant fails at start
    for v in assistant.variants:
        shopper = Shopper(searcher, rerank if v.rerank else None, v.top_k or settings.search_top_k)
        assistant.variant_tools[v.name] = (shopper, _recommend_fn(recommender, v.diversity))


@dataclass(frozen=True)
class Forgotten:
    user_id: str
    sessions: int  # conversations, transcripts included
    events: int  # behaviour events: purchases, returns, views, carts (their chat sessions' too)

    def to_json(self) -> dict:
        return {"user": self.user_id, "sessions_deleted": self.sessions, "events_deleted": self.events}


def forget_user(settings: Settings, user_id: str) -> Forgotten:
    """Deletes everything held about a customer: events (orders are events), sessions and
    transcripts. Profiles are computed from events on demand and the trained behaviour
    models keep only per-product statistics, so nothing else names the customer."""
    sessions = SessionStore(sessions_path(settings))
    events = EventStore(events_path(settings))
    try:
        chats = sessions.ids_of(user_id)
        removed_events = events.delete_user(user_id, chats)
        removed_sessions = sessions.delete_user(user_id)
    finally:
        sessions.close()
        events.close()
    return Forgotten(user_id, removed_sessions, removed_events)
