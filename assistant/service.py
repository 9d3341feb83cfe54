"""Builds an ``Assistant`` from settings: store, encoders, reranker, parser, stores, A/B variants."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass

from assistant import facts
from assistant.engine import Assistant
from assistant.orders import OrderBook
from assistant.parse.batcher import ParseBatcher
from assistant.parse.guarded import GuardedParser
from assistant.parse.parser import TurnParser, adapter_folder
from assistant.parse.support_head import SupportHead, SupportRefinedParser
from assistant.policies import StorePolicies
from assistant.session import SessionStore
from assistant.shopping import Shopper
from assistant.store_errors import engine_call
from assistant.support import SupportDesk, load_openers
from assistant.variants import parse_variants
from retrieval.behaviour import rerank as _behaviour_rerank  # noqa: F401  (registers the "behaviour" reranker)
from retrieval.behaviour.events import EventStore
from retrieval.behaviour.service import behaviour_dir, open_event_store, open_recommender
from retrieval.encoder import LexicalEncoder, SentenceEncoder
from retrieval.rerank import Reranker, open_reranker
from retrieval.search import HybridSearcher, open_searcher
from retrieval.stores import open_store
from shopassist.database import Database, open_database
from shopassist.errors import ModelNotFoundError, ShopAssistError
from shopassist.sealing import resolve_data_key
from shopassist.settings import Settings, secret

log = logging.getLogger(__name__)


def open_session_store(settings: Settings, db: Database | None = None) -> SessionStore:
    """The session store on the configured database (``db``: one already open, to share its pool)."""
    db = db or open_database(settings.home, "sessions", secret(settings.database_url), settings.pool_size)
    key = resolve_data_key(secret(settings.data_key), settings.home / "secrets" / "data.key")
    return SessionStore(db, settings.session_ttl_minutes * 60, settings.max_session_messages, key)


def open_stores(settings: Settings) -> tuple[SessionStore, EventStore]:
    """Both stores; on PostgreSQL they share one connection pool."""
    shared = open_database(settings.home, "", secret(settings.database_url), settings.pool_size) \
        if settings.database_url else None
    return open_session_store(settings, shared), open_event_store(settings, shared.shared() if shared else None)


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
    searcher = open_searcher(store, encoder, LexicalEncoder(), settings.state_dir, name, settings.prefetch,
                             settings.rrf_k, settings.spelling)
    sessions, events = open_stores(settings)
    recommender = None
    if (behaviour_dir(settings, name) / "behaviour.json").is_file():
        recommender = open_recommender(settings, events, name)
    reranker = open_reranker(settings.reranker, recommender=recommender)
    recommend = _recommend_fn(recommender)

    def lookup(ids: list[str]) -> dict:
        with engine_call():
            return {p.id: p for p in store.retrieve(list(ids))} if ids else {}

    support = SupportDesk(load_openers(bitext_path(settings)), OrderBook(events, lookup),
                          StorePolicies.from_settings(settings))
    closers = [store.close, events.close, sessions.close]
    if parser is None:
        parser = TurnParser.from_settings(settings)
        if settings.parse_batch > 1:
            parser = ParseBatcher(parser, settings.parse_batch, settings.parse_batch_wait_ms)
            closers.append(parser.close)
    guarded = GuardedParser(_with_support_head(parser, settings, encoder), settings.parse_budget_s,
                            settings.parse_cooldown_s, max_in_flight=settings.parse_slots)
    guarded.warm()
    _warm_search(searcher)
    variants = parse_variants(settings.ab_variants)
    return Assistant(guarded, Shopper(searcher, reranker, settings.search_top_k), lookup, events, sessions, support,
                     recommend,
                     profile=(lambda user: recommender.profile(user).describe()) if recommender else None,
                     variants=variants, forced_variant=settings.ab_variant,
                     variant_tools=_variant_tools(variants, settings, searcher, reranker, recommender),
                     closers=closers, deals_policy=settings.store_deals)


def _with_support_head(parser, settings: Settings, encoder: SentenceEncoder):
    """The parser with the support head saved beside its adapter, when there is one for this
    embedder (``support_head`` setting on); the parser as it is otherwise."""
    if isinstance(parser, SupportRefinedParser) or not settings.support_head:
        return parser
    try:
        head = SupportHead.load(adapter_folder(settings), settings.embedder)
    except ModelNotFoundError:
        head = None
    if head is None:
        return parser
    return SupportRefinedParser(parser, head, lambda text: encoder.prepare_queries()(text))


def _warm_search(searcher: HybridSearcher) -> None:
    """Load the query encoders and touch the store now, so the first customer does not wait."""
    try:
        searcher.search("warm up", top_k=1)
    except Exception as exc:  # noqa: BLE001 (a store outage is answered per turn later)
        log.warning("search warm-up failed (%s); the first search will try again", exc)


def _recommend_fn(recommender, diversity: float | None = None):
    """The engine's ``(user_id, top_k, session_id) -> [(product_id, reason)]``, or None."""
    if recommender is None:
        return None
    return lambda user, k, sid: [(r.id, r.reason) for r in recommender.recommend(user, k, sid, diversity)]


def _variant_tools(variants, settings: Settings, searcher, reranker: Reranker, recommender) -> dict:
    """One shopper (and recommend function) per A/B variant, sharing the loaded models."""
    return {v.name: (Shopper(searcher, reranker if v.rerank else open_reranker("none"), v.top_k or settings.search_top_k),
                     _recommend_fn(recommender, v.diversity)) for v in variants}


@dataclass(frozen=True)
class Forgotten:
    user_id: str
    sessions: int  # conversations, transcripts included
    events: int  # behaviour events: purchases, returns, views, carts (their chat sessions' too)

    def to_json(self) -> dict:
        return {"user": self.user_id, "sessions_deleted": self.sessions, "events_deleted": self.events}


def forget_user(settings: Settings, user_id: str) -> Forgotten:
    """Deletes everything held about a customer and nothing else: their events (orders are
    events), their conversations and transcripts, and the anonymous clicks of those
    conversations. Both files are purged (freed pages overwritten, write-ahead logs emptied);
    if a log cannot be emptied this raises rather than report the data gone. Profiles are
    computed from events on demand, and the trained behaviour models hold per-product
    statistics and weights only (no user ids or per-user rows), so nothing else names them."""
    sessions, events = open_stores(settings)
    try:
        chats = sessions.ids_of(user_id)
        with ExitStack() as held:
            for chat in chats:  # a turn in flight finishes first; none can save a transcript back after
                held.enter_context(sessions.hold(chat))
            if sessions.db is events.db:  # one PostgreSQL: one transaction for both
                with sessions.db.transaction() as tx:
                    removed_events = events.delete_user_rows(tx, user_id, chats)
                    removed_sessions = sessions.delete_user_rows(tx, user_id)
            else:  # two SQLite files, each deleted in its own transaction
                removed_events = events.delete_user(user_id, chats)
                removed_sessions = sessions.delete_user(user_id)
        if sessions.db is events.db:
            sessions.db.purge(["sessions", "data_keys", *facts.TABLES, "events", "users"])
    finally:
        sessions.close()
        events.close()
    return Forgotten(user_id, removed_sessions, removed_events)


def console_usage(settings: Settings) -> dict:
    """Agent replies by suggestion kind: sent, edited before sending, edit rate; and typed ones."""
    from assistant.suggest import KINDS

    sessions = open_session_store(settings)
    try:
        replies = sessions.all_messages("agent")
    finally:
        sessions.close()
    kinds = {}
    for kind in KINDS:
        used = [m for m in replies if m.suggestion_kind == kind]
        edited = sum(1 for m in used if m.edited)
        kinds[kind] = {"sent": len(used), "edited": edited, "edit_rate": round(edited / len(used), 4) if used else 0.0}
    return {"replies": len(replies), "typed": sum(1 for m in replies if m.suggestion_kind is None), "kinds": kinds}


def open_insights(settings: Settings, collection: str | None = None):
    """``(Insights, close)`` over the configured stores, for the command line. With the
    collection indexed, demand gaps are grouped by meaning (the embedder) and given the nearest
    products the shop sells, and products are named by their titles; without it, by their words
    and ids alone."""
    sessions, events = open_stores(settings)
    closers = [sessions.close, events.close]
    name = collection or settings.collection
    store = open_store(settings, name)
    closers.insert(0, store.close)
    searcher = None
    if store.exists() and store.count():
        searcher = open_searcher(store, SentenceEncoder.from_settings(settings), LexicalEncoder(), settings.state_dir,
                                 name, settings.prefetch, settings.rrf_k, settings.spelling)

    def close() -> None:
        for closer in closers:
            closer()
    return insights_over(sessions, events, searcher, settings.insights_k), close


def insights_over(sessions: SessionStore, events: EventStore, searcher: HybridSearcher | None, k: int):
    """Insights on these stores; ``searcher`` (the collection's) names products, finds the nearest
    ones to a demand gap and groups gaps by meaning."""
    from assistant.insights import Insights

    if searcher is None:
        return Insights(sessions, events, k=k)

    def titles(ids: list[str]) -> dict[str, str]:
        with engine_call():
            return {p.id: p.title for p in searcher.store.retrieve(list(ids))}

    def nearest(phrase: str) -> list[str]:
        return [c.product.title for c in searcher.search(phrase, top_k=3)]

    def similar(phrases: list[str]) -> list[list[float]]:
        vectors = searcher.encoder.encode(phrases)  # unit length: the dot product is the cosine
        return (vectors @ vectors.T).tolist()
    return Insights(sessions, events, titles, nearest, similar, k)
