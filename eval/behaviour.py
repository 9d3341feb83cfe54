"""Offline evaluation of the behaviour models and the reranker on real purchase histories.

Time split on UCI Online Retail: everything before the cut-off (2011-09-01) trains; each
known customer's purchases after it are the truth. Ranking is over the full catalogue (no
sampled negatives). Reported for every model: recall@10, HR@10, NDCG@10 and MRR, over all
items (repeat purchases count: this is a repeat-purchase store) and over new items only
(items the customer had not bought before the cut). Also: personalised search (the bought
product's rank for a query made of its title's first two words, with and without the user),
latency and training times.

Run: ``shopassist eval behaviour --out DIR``.
"""

from __future__ import annotations

import gc
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from retrieval.adapters import load_online_retail
from retrieval.behaviour.data import Interactions
from retrieval.behaviour.events import EventStore, events_to_frame
from retrieval.behaviour.loaders import load_online_retail_events
from retrieval.behaviour.models.repeat import RepeatPurchases
from retrieval.behaviour.recommender import Recommender
from retrieval.behaviour.rerank import BehaviourReranker
from retrieval.behaviour.training import ItemTable, history_of, train_behaviour
from retrieval.encoder import LexicalEncoder, SentenceEncoder
from retrieval.indexer import index_products
from retrieval.search import HybridSearcher
from retrieval.stores.edge import EdgeStore

CUTOFF = "2011-09-01"
K = 10


METRICS = {"recall@10": f"recall@{K}", "hr@10": f"hit_rate@{K}", "ndcg@10": f"ndcg@{K}", "mrr": "mrr"}


def ranking_metrics(qrels: dict[str, set[int]], runs: dict[str, list[int]]) -> dict:
    """Mean recall@k, HR@k, NDCG@k (binary gains) and MRR (over the whole ranked list) with
    ranx, for users' ranked item lists against the items they went on to buy."""
    from ranx import Qrels, Run, evaluate

    truth = Qrels({u: {str(i): 1 for i in items} for u, items in qrels.items()})
    ranked = Run({u: {str(i): float(len(items) - r) for r, i in enumerate(items)} or {"-": 0.0}
                  for u, items in runs.items()})
    scores = evaluate(truth, ranked, list(METRICS.values()))
    return {name: round(float(scores[metric]), 4) for name, metric in METRICS.items()} | {"users": len(qrels)}


def top_items(scores: np.ndarray, exclude: set[int], n: int = 100) -> list[int]:
    scores = scores.astype(np.float64).copy()
    if exclude:
        scores[list(exclude)] = -np.inf
    top = np.argpartition(-scores, n)[:n]
    return [int(i) for i in top[np.argsort(-scores[top], kind="stable")] if np.isfinite(scores[i])]


def evaluate_models(trained, train: Interactions, truth: dict[str, set[int]], cut: float) -> dict:
    builder = trained.builder()
    repeat = RepeatPurchases().fit(train)
    names = ["popularity", "repeat", "markov", "itemknn", "sasrec", "reranker"]
    truths: dict[str, dict[str, set[int]]] = {"all": {}, "new": {}}
    runs = {mode: {n: {} for n in names} for mode in ("all", "new")}
    for user, items in truth.items():
        history = history_of(train, user)
        seen = set(history.items)
        scores = builder.model_scores(history)
        scores["popularity"] = trained.models["popularity"].score([])
        scores["repeat"] = repeat.score(history.items)
        candidates = builder.candidates(history, scores)
        relevance = trained.ranker.predict(builder.build(history, candidates, cut, scores))
        reranked = [int(c) for c in candidates[np.argsort(-relevance, kind="stable")]]
        for mode, exclude, target in (("all", set(), items), ("new", seen, items - seen)):
            if not target:
                continue
            truths[mode][user] = target
            for name in names:
                if name == "reranker":
                    runs[mode][name][user] = [i for i in reranked if i not in exclude]
                elif name in scores:
                    runs[mode][name][user] = top_items(scores[name], exclude)
    return {mode: {name: ranking_metrics(truths[mode], per_user) for name, per_user in runs[mode].items() if per_user}
            for mode in runs}


def personalised_search(recommender: Recommender, searcher: HybridSearcher, test: pd.DataFrame,
                        titles: dict[str, str], n_queries: int) -> dict:
    rows = test.sample(n=min(n_queries, len(test)), random_state=0)
    reranker = BehaviourReranker(recommender)
    plain_rr, personal_rr = [], []
    for user, product in zip(rows["user_id"], rows["product_id"]):
        query = " ".join(titles[product].split()[:2])
        found = searcher.search(query, top_k=50)
        reranked = reranker.rerank(str(user), found)
        for results, sink in ((found, plain_rr), (reranked, personal_rr)):
            ids = [c.product.id for c in results]
            sink.append(1.0 / (ids.index(product) + 1) if product in ids else 0.0)
    return {"queries": len(plain_rr), "mrr_plain": round(float(np.mean(plain_rr)), 4),
            "mrr_personalised": round(float(np.mean(personal_rr)), 4)}


def latency(recommender: Recommender, searcher: HybridSearcher, users: list[str], runs: int = 300) -> dict:
    """Warm service timings: one untimed pass over the users first (a running server has
    their rows in SQLite's page cache), then ``runs`` timed calls of each kind."""
    found = searcher.search("christmas decoration", top_k=100)
    reranker = BehaviourReranker(recommender)
    for user in users:
        reranker.rerank(user, found[:100])
        recommender.recommend(user, 10)
    rerank_ms, profile_ms, recommend_ms = [], [], []
    for i in range(runs):
        user = users[i % len(users)]
        t = time.perf_counter(); reranker.rerank(user, found[:100]); rerank_ms.append(time.perf_counter() - t)
        t = time.perf_counter(); recommender.profile(user); profile_ms.append(time.perf_counter() - t)
        t = time.perf_counter(); recommender.recommend(user, 10); recommend_ms.append(time.perf_counter() - t)
    pct = lambda v, q: round(float(np.percentile(np.asarray(v) * 1000, q)), 2)  # noqa: E731
    return {"rerank_100_p50_ms": pct(rerank_ms, 50), "rerank_100_p95_ms": pct(rerank_ms, 95),
            "profile_p50_ms": pct(profile_ms, 50), "profile_p95_ms": pct(profile_ms, 95),
            "recommend_p50_ms": pct(recommend_ms, 50), "recommend_p95_ms": pct(recommend_ms, 95),
            "candidates": len(found[:100])}


def plots(metrics: dict, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    for mode in ("all", "new"):
        models = list(metrics["ranking"][mode])
        fig, ax = plt.subplots(figsize=(8, 4))
        width = 0.38
        for j, metric in enumerate(("recall@10", "ndcg@10")):
            ax.bar(np.arange(len(models)) + j * width, [metrics["ranking"][mode][m][metric] for m in models], width, label=metric)
        ax.set_xticks(np.arange(len(models)) + width / 2, models)
        ax.set_title(f"Next-purchase ranking, {'all items' if mode == 'all' else 'new items only'} (Online Retail, after {CUTOFF})")
        ax.legend()
        fig.tight_layout()
        name = f"ranking_{mode}.png"
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        files.append(name)
    search = metrics["personalised_search"]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(["plain search", "personalised"], [search["mrr_plain"], search["mrr_personalised"]], color=["grey", "teal"])
    ax.set_ylabel("MRR of the bought product")
    fig.tight_layout()
    fig.savefig(out / "personalised_search.png", dpi=110)
    plt.close(fig)
    return files + ["personalised_search.png"]


def report(metrics: dict, out: Path, images: list[str]) -> None:
    lines = ["# Behaviour models and reranker — offline evaluation", "",
             f"UCI Online Retail, time split at {CUTOFF}: train on invoices before it, test on each known customer's "
             "purchases after it; full-catalogue ranking, top 10.", ""]
    for mode, title in (("all", "All items (repeat purchases count)"), ("new", "New items only")):
        lines += [f"## {title}", "", "| model | recall@10 | HR@10 | NDCG@10 | MRR | users |", "|---|---|---|---|---|---|"]
        for name, m in metrics["ranking"][mode].items():
            lines.append(f"| {name} | {m['recall@10']:.4f} | {m['hr@10']:.4f} | {m['ndcg@10']:.4f} | {m['mrr']:.4f} | {m['users']} |")
        lines.append("")
    lines += ["## Ratios (same run)", ""] + [f"- {k}: {v}" for k, v in metrics["ratios"].items()] + [""]
    s = metrics["personalised_search"]
    lines += ["## Personalised search", "", f"{s['queries']} test purchases; query = first two words of the bought "
              f"product's title; MRR of the bought product in the top 50: plain {s['mrr_plain']}, personalised "
              f"{s['mrr_personalised']}.", "", "## Latency and training", ""]
    lines += [f"- {k}: {v}" for k, v in metrics["latency"].items()]
    lines += [f"- training seconds: {metrics['training_seconds']}", ""]
    lines += [f"![{name}]({name})" for name in images]
    (out / "report.md").write_text("\n".join(lines) + "\n")


def run(out: Path, data_dir: Path, n_queries: int = 1000, progress: bool = True) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    catalog = data_dir / "online_retail" / "online_retail.csv.gz"
    products, report_ = load_online_retail(catalog)
    events, countries, _ = load_online_retail_events(catalog)
    frame = events_to_frame(events)
    cut = pd.Timestamp(CUTOFF).timestamp()
    before = frame[frame["ts"] < cut]
    with tempfile.TemporaryDirectory() as tmp:
        encoder, lexical = SentenceEncoder("default", cache_dir=Path(tmp) / "onnx"), LexicalEncoder()
        store = EdgeStore(Path(tmp) / "or")
        index_products(products, store, encoder, lexical, report_, collection="or", state_dir=Path(tmp), progress=progress)
        searcher = HybridSearcher(store, encoder, lexical)
        exported, vectors = store.export()
        items = ItemTable([p.id for p in exported], [p.title for p in exported],
                          np.array([np.nan if p.price is None else p.price for p in exported]), vectors)
        started = time.perf_counter()
        trained = train_behaviour(before, items, searcher=searcher, progress=progress)
        total_training = round(time.perf_counter() - started, 1)
        train = Interactions.from_frame(before, items=items.ids, now=cut)
        test = frame[(frame["ts"] >= cut) & (frame["type"] == "purchase") & frame["user_id"].notna()
                     & frame["product_id"].isin(train.index) & frame["user_id"].isin(set(train.users))]
        truth = {str(u): {train.index[p] for p in g} for u, g in test.groupby("user_id")["product_id"]}
        ranking = evaluate_models(trained, train, truth, cut)
        event_store = EventStore(Path(tmp) / "events.sqlite")
        event_store.append(e for e in events if e.timestamp < cut)
        recommender = Recommender(trained, event_store)
        titles = dict(zip(items.ids, items.titles))
        search = personalised_search(recommender, searcher, test, titles, n_queries)
        # This harness holds half a million Event objects a server never would; without
        # this, Python's full garbage collections over them land inside the timings.
        del events
        gc.collect()
        gc.freeze()
        lat = latency(recommender, searcher, sorted(truth)[:50])
        gc.unfreeze()
        event_store.close()
        store.close()
    ratios = _ratios(ranking)
    metrics = {"cutoff": CUTOFF, "ranking": ranking, "ratios": ratios, "personalised_search": search,
               "latency": lat, "training_seconds": {**trained.seconds, "total_pipeline": total_training}}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    report(metrics, out, plots(metrics, out))
    return metrics


def _ratios(ranking: dict) -> dict:
    all_ = ranking["all"]
    singles = {k: v for k, v in all_.items() if k != "reranker"}
    best_recall = max(singles, key=lambda k: singles[k]["recall@10"])
    best_ndcg = max(singles, key=lambda k: singles[k]["ndcg@10"])
    rr = all_["reranker"]
    return {
        "reranker_recall_vs_best": f"{rr['recall@10'] / singles[best_recall]['recall@10']:.3f} x {best_recall}",
        "reranker_ndcg_vs_best": f"{rr['ndcg@10'] / singles[best_ndcg]['ndcg@10']:.3f} x {best_ndcg}",
        "reranker_recall_vs_popularity": f"{rr['recall@10'] / all_['popularity']['recall@10']:.2f} x",
        "new_items_reranker_vs_itemknn_recall": (
            f"{ranking['new']['reranker']['recall@10'] / ranking['new']['itemknn']['recall@10']:.3f} x"),
    }
