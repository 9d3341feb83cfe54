"""Catalogue → Qdrant: batched encoding with a progress bar, idempotent and resumable.

Re-indexing the same catalogue re-encodes nothing (each point stores a content hash);
products gone from the catalogue are removed, but only after every current product is
written, so an interrupted run loses nothing and a re-run completes it.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from tqdm.auto import tqdm

from retrieval.tables import ValidationReport
from retrieval.encoder import DenseEncoder, LexicalEncoder
from retrieval.kinds import KIND, needs_kinds, with_kinds
from retrieval.product import Product
from retrieval.spelling import catalogue_words, save_words
from retrieval.state_files import write_json
from retrieval.stores.base import PointData, VectorStore
from shopassist.errors import StoreError

CHUNK = 1024  # products encoded and written per step (smaller chunks slow the encoder)


def meta_path(state_dir: Path, collection: str) -> Path:
    return state_dir / "collections" / f"{collection}.json"


def read_meta(state_dir: Path, collection: str) -> dict | None:
    path = meta_path(state_dir, collection)
    return json.loads(path.read_text()) if path.is_file() else None


def _write_meta(state_dir: Path, collection: str, meta: dict) -> None:
    write_json(meta_path(state_dir, collection), meta, indent=2)


def check_embedder(state_dir: Path, collection: str, embedder: str) -> None:
    """Queries must be encoded by the model that encoded the products."""
    meta = read_meta(state_dir, collection)
    if meta and meta.get("embedder") != embedder:
        raise StoreError(
            f"collection {collection!r} was indexed with embedder {meta.get('embedder')!r} but the "
            f"embedder setting is {embedder!r}: use the same embedder, or re-index with --recreate"
        )


def _prepare(store: VectorStore, dim: int, recreate: bool) -> None:
    if recreate:
        store.drop()
    existing = store.dim()
    if existing is None:
        store.create(dim)
    elif existing != dim:
        raise StoreError(
            f"the collection holds {existing}-dimensional vectors but the embedder makes {dim}: "
            "re-index with --recreate or choose another --collection"
        )


def index_products(
    products: list[Product], store: VectorStore, encoder: DenseEncoder, lexical: LexicalEncoder,
    report: ValidationReport, *, collection: str, state_dir: Path, batch_size: int = 64,
    recreate: bool = False, progress: bool = True, kinds: bool = True,
) -> ValidationReport:
    """Make the collection mirror ``products``; fills the indexing counts of ``report``.
    ``kinds``: give products of a catalogue without categories a derived ``kind`` attribute."""
    started = time.perf_counter()
    if kinds and needs_kinds(products):
        cache = state_dir / "collections" / f"{collection}.kinds.json"
        if recreate:
            cache.unlink(missing_ok=True)  # a fresh start derives afresh
        products = with_kinds(products, encoder, progress, cache=cache)
        report.derived_kinds = sum(KIND in p.attributes for p in products)
    if not recreate:
        check_embedder(state_dir, collection, encoder.name)
    _prepare(store, encoder.dim, recreate)
    _write_meta(state_dir, collection, {"embedder": encoder.name, "dim": encoder.dim,
                                        "engine": store.engine, "complete": False})
    stored = store.content_hashes()
    hashes = {p.id: p.content_hash() for p in products}
    todo = [p for p in products if stored.get(p.id) != hashes[p.id]]
    # Sorting by text length keeps each encoder batch evenly padded (as one big encode call would).
    texts = {p.id: p.embedding_text() for p in todo}
    todo.sort(key=lambda p: len(texts[p.id]), reverse=True)
    bar = tqdm(total=len(todo), desc=f"indexing {collection}", unit="product", disable=not progress)

    def write(chunk: list[Product], vectors) -> None:
        store.upsert([PointData(p, vectors[i], lexical.encode_document(p.lexical_text()), hashes[p.id])
                      for i, p in enumerate(chunk)])
        bar.update(len(chunk))

    # Writing chunk i (BM25, payloads, upsert) overlaps encoding chunk i+1; torch releases the GIL.
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending = None
        for start in range(0, len(todo), CHUNK):
            chunk = todo[start:start + CHUNK]
            vectors = encoder.encode([texts[p.id] for p in chunk], batch_size=batch_size)
            if pending is not None:
                pending.result()  # one write in flight at most; re-raises its error
            pending = writer.submit(write, chunk, vectors)
        if pending is not None:
            pending.result()
    bar.close()
    current = {p.id for p in products}
    gone = [pid for pid in stored if pid not in current]
    store.delete(gone)
    store.finish()
    save_words(state_dir, collection, catalogue_words(products))
    _write_meta(state_dir, collection, {
        "embedder": encoder.name, "dim": encoder.dim, "engine": store.engine, "complete": True,
        "products": len(products), "source": report.source, "format": report.format,
        "indexed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    })
    report.collection = collection
    report.indexed = len(todo)
    report.unchanged = len(products) - len(todo)
    report.removed = len(gone)
    report.took_s = round(time.perf_counter() - started, 3)
    return report
