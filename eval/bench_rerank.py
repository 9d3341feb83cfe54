"""Warm serving latency of the behaviour layer: rerank 100 search results, recommend, profile.

Interleaves the three calls over 50 customers (as a server would), after one untimed pass.
Needs a home with the Online Retail store indexed, its events ingested and
`shopassist train-behaviour --collection online-retail` run (e.g. after `shopassist demo`).

Run: ``python -m eval.bench_rerank --home DIR``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from retrieval.behaviour.events import EventStore
from retrieval.behaviour.rerank import BehaviourReranker
from retrieval.behaviour.service import events_path, open_recommender
from retrieval.encoder import LexicalEncoder, SentenceEncoder
from retrieval.search import HybridSearcher
from retrieval.stores import open_store
from shopassist.settings import load_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--collection", default="online-retail")
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args(argv)
    settings = load_settings(overrides={"home": args.home})
    events = EventStore(events_path(settings))
    rec = open_recommender(settings, events, args.collection)
    reranker = BehaviourReranker(rec)
    store = open_store(settings, args.collection)
    found = HybridSearcher(store, SentenceEncoder.from_settings(settings), LexicalEncoder()).search(
        "christmas decoration", top_k=100)
    users = sorted(u for (u,) in events._query("SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL"))[:50]
    for user in users:
        reranker.rerank(user, found), rec.recommend(user, 10)
    timings: dict[str, list[float]] = {"rerank_100": [], "recommend_10": [], "profile": []}
    for i in range(args.runs):
        user = users[i % len(users)]
        for name, call in (("rerank_100", lambda: reranker.rerank(user, found)),
                           ("recommend_10", lambda: rec.recommend(user, 10)), ("profile", lambda: rec.profile(user))):
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    for name, values in timings.items():
        print(f"{name}: p50 {np.percentile(values, 50):.1f} ms, p95 {np.percentile(values, 95):.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
