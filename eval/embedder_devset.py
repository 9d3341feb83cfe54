"""Stock against fine-tuned embedder on the development set, by meaning alone.

Each context-free product message of ``eval/devset`` is encoded and matched against every
product of its store (cosine, top 5), so the figure isolates the embedder: no BM25, no parser,
no reranker. ``shopassist finetune embedder`` runs it for the stock and the tuned model.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from eval.devset import K, load, precision
from retrieval.product import Product


def dense_precision(encoder, stores: dict[str, list[Product]]) -> dict:
    """``stores`` maps a dev-set store name ("online_retail", "flipkart") to its products;
    ``encoder.encode(texts)`` gives unit vectors. Returns P@5 per store and group."""
    records = [r for r in load() if r.get("relevant") and not r["context"] and r["store"] in stores]
    out: dict[str, dict] = {}
    for store, products in stores.items():
        mine = [r for r in records if r["store"] == store]
        if not mine:
            continue
        matrix = encoder.encode([p.embedding_text() for p in products], batch_size=128)
        queries = encoder.encode([r["text"] for r in mine], batch_size=128)
        by_group: dict[str, list[float]] = defaultdict(list)
        for record, query in zip(mine, queries):
            top = np.argsort(-(matrix @ query))[:K]
            p5, _ = precision([(products[i].title, products[i].category_path, products[i].price) for i in top],
                              record["relevant"])
            by_group[record["group"]].append(p5)
            by_group["all"].append(p5)
        out[store] = {group: round(float(np.mean(v)), 4) for group, v in sorted(by_group.items())}
    return out
