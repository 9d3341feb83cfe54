"""Warm serving latency of the behaviour layer: rerank 100 search results, recommend, profile.

Interleaves the three calls over 50 customers (as a server would), after one untimed pass.
Needs a home with the Online Retail store indexed, its events ingested and
`shopassist train-behaviour --collection online-retail` run (e.g. after `shopassist demo`).

Run: ``shopassist --home DIR eval bench-rerank``.
"""

from __future__ import annotations

import time

import numpy as np

from retrieval.behaviour.rerank import BehaviourReranker
from retrieval.behaviour.service import open_event_store, open_recommender
from retrieval.encoder import LexicalEncoder, SentenceEncoder
from retrieval.search import HybridSearcher
from retrieval.stores import open_store
from shopassist.settings import Settings


def run(settings: Settings, collection: str = "online-retail", runs: int = 300) -> dict[str, list[float]]:
    """Milliseconds of each timed call, by call name."""
    events = open_event_store(settings)
    rec = open_recommender(settings, events, collection)
    reranker = BehaviourReranker(rec)
    store = open_store(settings, collection)
    found = HybridSearcher(store, SentenceEncoder.from_settings(settings), LexicalEncoder()).search(
        "christmas decoration", top_k=100)
    users = sorted(u for (u,) in events._query("SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL"))[:50]
    for user in users:
        reranker.rerank(user, found), rec.recommend(user, 10)
    timings: dict[str, list[float]] = {"rerank_100": [], "recommend_10": [], "profile": []}
    for i in range(runs):
        user = users[i % len(users)]
        for name, call in (("rerank_100", lambda: reranker.rerank(user, found)),
                           ("recommend_10", lambda: rec.recommend(user, 10)), ("profile", lambda: rec.profile(user))):
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    store.close()
    return timings


def summary(timings: dict[str, list[float]]) -> list[str]:
    """One line per call: p50 and p95 in milliseconds."""
    return [f"{name}: p50 {np.percentile(values, 50):.1f} ms, p95 {np.percentile(values, 95):.1f} ms"
            for name, values in timings.items()]
