"""Retrieval benchmark: indexing throughput and hybrid-search latency on both Qdrant engines.

Run: ``shopassist eval bench-retrieval --out DIR [--quick]``; writes
``DIR/bench_retrieval.json`` and ``DIR/bench_retrieval.md`` and prints the markdown.

What is measured, and why:

(a) Indexing throughput, as a *ratio*. The build machine is shared and noisy (2 CPU cores,
    other processes come and go), so an absolute products/s figure swings from run to run.
    The ratio ``index products/s ÷ raw encode products/s`` is taken in the same run on the
    same texts with the same model object, so machine load cancels out to first order: it
    says how much the indexer (BM25, payloads, upserts, HNSW build) costs on top of the
    unavoidable sentence-transformer encode (target ≥ 0.9). Raw and index runs alternate
    (raw, index, raw, index) and the medians are reported; each index run writes a fresh
    folder (a re-index would skip every unchanged product).

(b) Search latency p50/p95 in ms, with and without payload filters:
    - the real Online Retail store (~3.8k products, real embeddings): end-to-end
      ``HybridSearcher.search`` (query encoding included), plus its two parts measured on
      their own: store-only (``store.hybrid`` with precomputed query vectors) and
      encode-only (dense + BM25 query encoding);
    - synthetic stores of 20k and 100k products (random unit vectors, titles from a small
      word list so BM25 has content): store-only latency, and "end-to-end" = store + the
      encoding of a real query text, encoded per query with the real model.
    Both engines run side by side: the embedded engine (``EdgeStore``) and qdrant-client's
    local mode (``ClientStore``). Local mode is plain Python, meant for tests, and takes
    seconds per query at these sizes, so it gets fewer queries and a time cap per cell (the
    table shows how many queries each figure rests on); ``--quick`` skips it at 100k.

(c) Environment facts (CPU count, torch threads, library versions, date) go in the JSON:
    absolute numbers only compare between runs on the same machine and load.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
import gc
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
from tqdm.auto import tqdm

from retrieval.catalog import load_catalog
from retrieval.encoder import LexicalEncoder, SentenceEncoder
from retrieval.indexer import index_products
from retrieval.product import Product
from retrieval.search import HybridSearcher
from retrieval.stores.base import PointData, SearchFilter, VectorStore
from retrieval.stores.client import ClientStore, connect
from retrieval.stores.edge import EdgeStore
from retrieval.tables import ValidationReport
from shopassist.settings import Settings

DIM = 384
TOP_K = 10
PREFETCH = 50
RRF_K = 60
BATCH = 1000
INDEX_TARGET_RATIO = 0.9
ENGINES = ("edge", "qdrant-client")

GENERIC_QUERIES = [
    "gift for my mum", "christmas decorations", "red heart mug", "vintage tea set",
    "kids party bags", "garden lantern", "birthday card", "scented candles", "wall clock",
    "lunch box", "cake stand", "wooden toys", "paper napkins", "glass vase", "children's apron",
]
WORDS = [
    "red", "blue", "green", "black", "white", "pink", "cotton", "leather", "wooden", "glass",
    "ceramic", "steel", "vintage", "modern", "classic", "slim", "large", "small", "kids", "womens",
    "mens", "shirt", "dress", "sandals", "shoes", "mug", "lamp", "chair", "table", "bag",
    "watch", "wallet", "jacket", "scarf", "candle", "vase", "clock", "bottle", "box", "set",
    "heart", "star", "floral", "striped", "printed", "summer", "winter", "party", "gift", "travel",
]
CATEGORIES = [("clothing", "shirts"), ("clothing", "dresses"), ("footwear", "sandals"),
              ("home", "kitchen"), ("home", "decor"), ("accessories", "bags")]
BRANDS = ["acme", "northwind", "contoso", "globex", "initech", "umbrella", "hooli", "stark"]


@dataclass(frozen=True)
class Plan:
    """How much to measure; ``quick`` trades precision for a ~3 minute run."""

    index_repeats: int = 2
    catalogue_limits: dict[str, int] = field(default_factory=dict)  # catalogue -> first N products
    real_queries: int = 200
    real_client_queries: int = 30
    sizes: tuple[int, ...] = (20_000, 100_000)
    edge_queries: int = 200
    client_queries: dict[int, int] = field(default_factory=dict)  # size -> queries; absent = skip
    client_cap_s: float = 30.0  # per measured cell on qdrant-client
    warmup: int = 5

    @staticmethod
    def full() -> "Plan":
        return Plan(client_queries={20_000: 20, 100_000: 6})

    @staticmethod
    def quick() -> "Plan":
        return Plan(catalogue_limits={"flipkart": 250}, real_queries=60, real_client_queries=20,
                    sizes=(20_000,), edge_queries=60, client_queries={20_000: 5}, client_cap_s=20.0,
                    warmup=2)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def progress(items, desc: str, unit: str):
    """A transient progress bar on stderr, only when stderr is a terminal (logs stay readable)."""
    return tqdm(items, desc=desc, unit=unit, file=sys.stderr, leave=False, disable=None)


def stats_ms(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/mean in milliseconds of a list of durations in seconds."""
    ms = np.asarray(samples_s, dtype=np.float64) * 1000.0
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3),
            "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "mean_ms": round(float(ms.mean()), 3), "n": int(ms.size)}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def environment() -> dict[str, Any]:
    import torch

    versions = {}
    for name in ("torch", "sentence-transformers", "qdrant-edge-py", "qdrant-client", "numpy"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "python": sys.version.split()[0], "versions": versions}


def encode_query(encoder: SentenceEncoder, lexical: LexicalEncoder, text: str):
    """The query encoding ``HybridSearcher.search`` does before asking the store (keep in step)."""
    return encoder.encode_query(text), lexical.encode_query(text)


# ---------------------------------------------------------------------------- (a) indexing

def bench_indexing(products: list[Product], encoder: SentenceEncoder, lexical: LexicalEncoder,
                   workdir: Path, name: str, repeats: int = 2) -> tuple[dict[str, Any], EdgeStore, np.ndarray]:
    """Alternate raw encode and a full index run.

    Returns the figures, the last index run's store (still open) and the raw vectors.
    """
    texts = [p.embedding_text() for p in products]
    raw_s, index_s, store, vectors = [], [], None, None
    for i in range(repeats):
        log(f"{name}: raw encode {i + 1}/{repeats} ({len(texts)} texts)")
        seconds, vectors = timed(lambda: encoder.model.encode(texts, batch_size=64))
        raw_s.append(seconds)
        if store is not None:
            store.close()
        store = EdgeStore(workdir / f"{name}-index-{i}")
        report = ValidationReport(source=name, format=name)
        log(f"{name}: index_products {i + 1}/{repeats}")
        index_s.append(timed(lambda: index_products(
            products, store, encoder, lexical, report, collection=f"{name}-{i}",
            state_dir=workdir / "state", batch_size=64, progress=False))[0])
    raw_rate, index_rate = len(texts) / statistics.median(raw_s), len(texts) / statistics.median(index_s)
    result = {"products": len(products), "raw_s": [round(s, 3) for s in raw_s],
              "index_s": [round(s, 3) for s in index_s],
              "raw_products_per_s": round(raw_rate, 1), "index_products_per_s": round(index_rate, 1),
              "ratio": round(index_rate / raw_rate, 3),
              # Less sensitive to a burst of load on one run: each pair alone, and best against best.
              "ratio_per_pair": [round(r / i, 3) for r, i in zip(raw_s, index_s)],
              "ratio_best": round(min(raw_s) / min(index_s), 3),
              "target": INDEX_TARGET_RATIO, "meets_target": index_rate / raw_rate >= INDEX_TARGET_RATIO}
    log(f"{name}: raw {raw_rate:.0f}/s, index {index_rate:.0f}/s, ratio {result['ratio']}")
    return result, store, vectors


# ---------------------------------------------------------------------------- stores

def open_engine(engine: str, folder: Path) -> VectorStore:
    if engine == "edge":
        return EdgeStore(folder / "edge")
    return ClientStore(connect(path=str(folder / "client")), "bench")


def fill_store(store: VectorStore, batches) -> float:
    """create + batched upserts + finish; returns seconds."""
    def build():
        store.create(DIM)
        for batch in batches:
            store.upsert(batch)
        store.finish()
    with warnings.catch_warnings():  # local mode warns about its own size limits
        warnings.simplefilter("ignore")
        seconds = timed(build)[0]
    gc.collect()  # the build's garbage is not the queries' cost
    return seconds


def real_point_batches(products: list[Product], vectors: np.ndarray, lexical: LexicalEncoder):
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    for start in range(0, len(products), BATCH):
        yield [PointData(p, vectors[start + i].astype(np.float32), lexical.encode_document(p.lexical_text()))
               for i, p in enumerate(products[start:start + BATCH])]


def synthetic_product(i: int, rng: random.Random) -> Product:
    title = " ".join(rng.sample(WORDS, rng.randint(3, 5)))
    return Product(id=f"s{i}", title=title, description=f"{title} by {rng.choice(BRANDS)}",
                   category=rng.choice(CATEGORIES), brand=rng.choice(BRANDS),
                   price=round(rng.uniform(1, 1000), 2), currency="GBP", in_stock=rng.random() < 0.9)


def synthetic_batches(n: int, lexical: LexicalEncoder, seed: int = 0):
    """``n`` synthetic points in batches of ``BATCH``: random unit vectors, word-list titles."""
    rng, vec_rng = random.Random(seed), np.random.default_rng(seed)
    for start in progress(range(0, n, BATCH), f"generate {n}", "batch"):
        vectors = vec_rng.standard_normal((min(BATCH, n - start), DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        products = [synthetic_product(start + i, rng) for i in range(len(vectors))]
        yield [PointData(p, vectors[i], lexical.encode_document(p.lexical_text())) for i, p in enumerate(products)]


# ---------------------------------------------------------------------------- (b) latency

def real_queries(products: list[Product], n: int, seed: int = 0) -> list[str]:
    """Shopper-like queries: generic ones plus the first two words of sampled titles."""
    rng = random.Random(seed)
    from_titles = [" ".join(p.title.lower().split()[:2]) for p in rng.sample(products, min(n, len(products)))]
    return (GENERIC_QUERIES + from_titles)[:n]


def synthetic_queries(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(WORDS, rng.randint(2, 3))) for _ in range(n)]


def repeat(fn: Callable[[str], Any], queries: list[str], warmup: int, cap_s: float | None,
           desc: str) -> list[Any]:
    """``fn(query)`` for each query after ``warmup`` untimed calls, stopping once past ``cap_s``."""
    for q in queries[:warmup]:
        fn(q)
    out: list[Any] = []
    started = time.perf_counter()
    for q in progress(queries, desc, "q"):
        out.append(fn(q))
        if cap_s is not None and time.perf_counter() - started > cap_s:
            break
    return out


def measure(fn: Callable[[str], Any], queries: list[str], warmup: int, cap_s: float | None,
            desc: str) -> list[float]:
    """Per-query durations (s) of ``fn(query)``."""
    return repeat(lambda q: timed(lambda: fn(q))[0], queries, warmup, cap_s, desc)


def bench_real_search(store: VectorStore, encoder, lexical, queries: list[str],
                      filters: dict[str, SearchFilter], warmup: int, cap_s: float | None) -> list[dict]:
    """End-to-end ``HybridSearcher.search``, store-only and encode-only, per filter."""
    searcher = HybridSearcher(store, encoder, lexical, prefetch=PREFETCH, rrf_k=RRF_K)
    encoded = {q: encode_query(encoder, lexical, q) for q in queries}
    encode = measure(lambda q: encode_query(encoder, lexical, q), queries, warmup, cap_s, "encode")
    rows = []
    for label, flt in filters.items():
        tag = f"{store.engine} {label}"
        e2e = measure(lambda q: searcher.search(q, flt, top_k=TOP_K), queries, warmup, cap_s, f"e2e {tag}")
        only = measure(lambda q: store.hybrid(*encoded[q], flt, limit=TOP_K, prefetch=PREFETCH, rrf_k=RRF_K),
                       queries, warmup, cap_s, f"store {tag}")
        rows.append({"filter": label, "end_to_end": stats_ms(e2e), "store": stats_ms(only),
                     "encode": stats_ms(encode)})
        log(f"  {tag}: e2e p95 {rows[-1]['end_to_end']['p95_ms']} ms, store p95 {rows[-1]['store']['p95_ms']} ms")
    return rows


def bench_synthetic_search(store: VectorStore, encoder, lexical, queries: list[str],
                           filters: dict[str, SearchFilter], warmup: int, cap_s: float | None) -> list[dict]:
    """Per query: encode a real query text with the real model, then ``store.hybrid``."""
    def one(q: str, flt: SearchFilter) -> tuple[float, float]:
        t_encode, (dense, sparse) = timed(lambda: encode_query(encoder, lexical, q))
        t_store = timed(lambda: store.hybrid(dense, sparse, flt, limit=TOP_K, prefetch=PREFETCH, rrf_k=RRF_K))[0]
        return t_encode, t_store

    rows = []
    for label, flt in filters.items():
        pairs = repeat(lambda q: one(q, flt), queries, warmup, cap_s, f"{store.engine} {label}")
        encode_s, store_s = [p[0] for p in pairs], [p[1] for p in pairs]
        rows.append({"filter": label, "end_to_end": stats_ms([a + b for a, b in pairs]),
                     "store": stats_ms(store_s), "encode": stats_ms(encode_s)})
        log(f"  {store.engine} {label}: store p95 {rows[-1]['store']['p95_ms']} ms (n={len(store_s)})")
    return rows


# ---------------------------------------------------------------------------- suites

def real_filters() -> dict[str, SearchFilter]:
    return {"none": SearchFilter(), "max_price=5": SearchFilter(max_price=5.0),
            "price 1..10": SearchFilter(min_price=1, max_price=10)}


def synthetic_filters() -> dict[str, SearchFilter]:
    return {"none": SearchFilter(), "max_price=200": SearchFilter(max_price=200.0),
            "category=clothing": SearchFilter(category="clothing")}


def run_indexing(data_dir: Path, encoder, lexical, workdir: Path, plan: Plan) -> tuple[dict, dict]:
    """(a) for both catalogues; returns the figures and ``{"online-retail": (products, store, vectors)}``."""
    sources = {"online-retail": data_dir / "online_retail" / "online_retail.csv.gz",
               "flipkart": data_dir / "flipkart" / "products.csv"}
    results, kept = {}, {}
    for name, path in sources.items():
        products, _ = load_catalog(path, name)
        products = products[:plan.catalogue_limits.get(name)]
        results[name], store, vectors = bench_indexing(products, encoder, lexical, workdir, name,
                                                       plan.index_repeats)
        if name == "online-retail":
            kept[name] = (products, store, vectors)
        else:
            store.close()
    return results, kept


def run_real_search(products, vectors: np.ndarray, edge_store: EdgeStore, encoder, lexical, workdir: Path,
                    plan: Plan) -> dict:
    """(b) on the real Online Retail catalogue, both engines, same embeddings."""
    queries = real_queries(products, plan.real_queries)
    log(f"online-retail search: {len(queries)} queries, edge")
    out = {"size": len(products), "queries": len(queries), "build_s": {},
           "rows": {"edge": bench_real_search(edge_store, encoder, lexical, queries, real_filters(),
                                              plan.warmup, None)}}
    log("online-retail: building the qdrant-client store from the same embeddings")
    client = open_engine("qdrant-client", workdir / "or-client")
    try:
        build_s = fill_store(client, real_point_batches(products, vectors, lexical))
        out["build_s"]["qdrant-client"] = round(build_s, 3)
        out["rows"]["qdrant-client"] = bench_real_search(
            client, encoder, lexical, queries[:plan.real_client_queries], real_filters(), plan.warmup,
            plan.client_cap_s)
    finally:
        client.close()
    return out


def run_synthetic_size(points: list[list[PointData]], engine: str, encoder, lexical, workdir: Path,
                       n_queries: int, warmup: int, cap_s: float | None) -> dict:
    """Build a store of the pre-made synthetic ``points`` on ``engine``, then time hybrid search on it."""
    n = sum(len(batch) for batch in points)
    folder = workdir / f"synthetic-{n}-{engine}"
    store = open_engine(engine, folder)
    try:
        log(f"synthetic {n}: building on {engine}")
        build_s = fill_store(store, progress(points, f"upsert {n}", "batch"))
        log(f"synthetic {n}: {engine} built in {build_s:.1f} s; {n_queries} queries per filter")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = bench_synthetic_search(store, encoder, lexical, synthetic_queries(n_queries),
                                          synthetic_filters(), warmup, cap_s)
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {"size": n, "engine": engine, "build_s": round(build_s, 3), "rows": rows}


def run_synthetic(encoder, lexical, workdir: Path, plan: Plan) -> list[dict]:
    out = []
    for n in plan.sizes:
        log(f"synthetic {n}: generating points (not timed)")
        points = list(synthetic_batches(n, lexical))  # made once: build times are the engine's alone
        out.append(run_synthetic_size(points, "edge", encoder, lexical, workdir, plan.edge_queries,
                                      plan.warmup, None))
        client_queries = plan.client_queries.get(n)
        if client_queries:
            out.append(run_synthetic_size(points, "qdrant-client", encoder, lexical, workdir, client_queries,
                                          min(plan.warmup, 1), plan.client_cap_s))
        else:
            log(f"synthetic {n}: qdrant-client skipped")
        del points
    return out


def run(out_dir: Path, quick: bool = False, data_dir: Path | None = None, plan: Plan | None = None,
        indexing_only: bool = False) -> dict:
    """The whole benchmark; writes the JSON and markdown under ``out_dir`` and returns the results."""
    plan = plan or (Plan.quick() if quick else Plan.full())
    data_dir = Path(data_dir or Settings().data_dir)
    workdir = Path(tempfile.mkdtemp(prefix="bench_retrieval_"))
    # As served: single queries go through the cached ONNX export (exported here, not timed).
    encoder, lexical = SentenceEncoder("default", cache_dir=workdir / "onnx"), LexicalEncoder()
    encode_query(encoder, lexical, "warm up")  # model load is not measured
    started = time.perf_counter()
    try:
        indexing, kept = run_indexing(data_dir, encoder, lexical, workdir, plan)
        products, edge_store, vectors = kept["online-retail"]
        real, synthetic = None, []
        try:
            if not indexing_only:
                real = run_real_search(products, vectors, edge_store, encoder, lexical, workdir, plan)
        finally:
            edge_store.close()
        if not indexing_only:
            synthetic = run_synthetic(encoder, lexical, workdir, plan)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results = {"meta": {**environment(), "quick": quick, "plan": plan_json(plan),
                        "took_s": round(time.perf_counter() - started, 1)},
               "indexing": indexing, "search_real": real, "search_synthetic": synthetic}
    write_outputs(results, out_dir)
    return results


def plan_json(plan: Plan) -> dict:
    return {"index_repeats": plan.index_repeats, "real_queries": plan.real_queries,
            "real_client_queries": plan.real_client_queries, "sizes": list(plan.sizes),
            "edge_queries": plan.edge_queries,
            "catalogue_limits": plan.catalogue_limits,
            "client_queries": {str(k): v for k, v in plan.client_queries.items()},
            "client_cap_s": plan.client_cap_s, "warmup": plan.warmup}


# ---------------------------------------------------------------------------- output

def latency_rows(results: dict) -> list[dict]:
    """Every latency figure as one flat row: dataset, size, engine, filter, stats."""
    rows = []
    real = results.get("search_real")
    if real:
        for engine, cells in real["rows"].items():
            rows += [{"dataset": "online-retail", "size": real["size"], "engine": engine, **c} for c in cells]
    for block in results.get("search_synthetic", []):
        rows += [{"dataset": "synthetic", "size": block["size"], "engine": block["engine"], **c}
                 for c in block["rows"]]
    return rows


def render_markdown(results: dict) -> str:
    meta = results["meta"]
    lines = [f"# Retrieval benchmark ({meta['date']}{', quick' if meta.get('quick') else ''})", "",
             f"{meta['cpu_count']} CPUs, torch threads {meta['torch_threads']}, "
             + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
             + f"; took {meta.get('took_s')} s. Machine shared and noisy: compare ratios, not absolutes.", ""]
    if results.get("indexing"):
        lines += ["## Indexing throughput (median of alternating runs)", "",
                  "| catalogue | products | raw encode /s | index_products /s | ratio index/raw "
                  "| per pair | best/best | target |",
                  "|---|---:|---:|---:|---:|---|---:|---:|"]
        for name, r in results["indexing"].items():
            ok = "ok" if r["meets_target"] else "BELOW"
            pairs = ", ".join(str(x) for x in r["ratio_per_pair"])
            lines.append(f"| {name} | {r['products']} | {r['raw_products_per_s']} | {r['index_products_per_s']} "
                         f"| {r['ratio']} | {pairs} | {r['ratio_best']} | ≥{r['target']} {ok} |")
        lines.append("")
    lines += ["## Search latency (ms; top_k=10, prefetch=50)", "",
              "e2e = query encoding (dense + BM25) + store; n = timed queries per row (qdrant-client "
              "local mode gets fewer, and a time cap).", "",
              "| dataset | size | engine | filter | n | e2e p50 | e2e p95 | store p50 | store p95 "
              "| encode p50 | encode p95 |",
              "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in latency_rows(results):
        figures = [f"{r[part][q]:.1f}" for part in ("end_to_end", "store", "encode") for q in ("p50_ms", "p95_ms")]
        cells = [r["dataset"], r["size"], r["engine"], r["filter"], r["store"]["n"], *figures]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines += ["", "## Store build time (create + upserts of 1000 + finish)", "",
              "| dataset | size | engine | build s |", "|---|---:|---|---:|"]
    real = results.get("search_real")
    if real:
        lines += [f"| online-retail | {real['size']} | {eng} | {s} |" for eng, s in real["build_s"].items()]
    lines += [f"| synthetic | {b['size']} | {b['engine']} | {b['build_s']} |"
              for b in results.get("search_synthetic", [])]
    return "\n".join(lines) + "\n"


def write_outputs(results: dict, out_dir: Path) -> str:
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = render_markdown(results)
    (out_dir / "bench_retrieval.json").write_text(json.dumps(results, indent=2))
    (out_dir / "bench_retrieval.md").write_text(markdown)
    return markdown
