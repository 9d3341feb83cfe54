"""The embedded engine: ``qdrant-edge-py``, Qdrant's Rust engine in-process.

One collection is one shard folder. The shard's write-ahead log is locked by the process
that opens it, so a second process gets a ``StoreBusyError`` that says so.
"""

from __future__ import annotations

import json
import shutil
import weakref
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from retrieval.product import Product
from retrieval.stores.lock import FolderLock
from retrieval.stores.base import (
    DENSE, INDEXED_FIELDS, SPARSE, Hit, HybridHits, PointData, SearchFilter, VectorStore,
    payload_for, point_id, product_from_payload,
)
from shopassist.errors import StoreError


def _edge():
    import qdrant_edge

    return qdrant_edge


def _edge_filter(flt: SearchFilter):
    qe = _edge()
    must: list[Any] = []
    for kind, key, value in flt.conditions():
        if kind == "range":
            must.append(qe.FieldCondition(key=key, range=qe.RangeFloat(gte=value[0], lte=value[1])))
        else:
            must.append(qe.FieldCondition(key=key, match=qe.MatchValue(value)))
    return qe.Filter(must=must) if must else None


def _hits(points) -> list[Hit]:
    return [Hit(p.payload["product_id"], float(p.score), p.payload) for p in points]


class EdgeStore(VectorStore):
    """A collection stored by the in-process Qdrant Edge engine under ``folder``."""

    engine = "edge"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._shard = None
        self._lock = FolderLock(self.folder)

    def _has_data(self) -> bool:
        return self.folder.is_dir() and any(self.folder.iterdir())

    def _open(self, config=None):
        qe = _edge()
        self._lock.acquire()
        try:
            if config is not None:
                return qe.EdgeShard.create(str(self.folder), config)
            return qe.EdgeShard.load(str(self.folder))
        except Exception as exc:  # the binding raises plain Exception
            self._lock.release()
            raise StoreError(f"cannot open the Qdrant Edge store {self.folder}: {exc}") from None

    @property
    def shard(self):
        if self._shard is None:
            if not self._has_data():
                raise StoreError(
                    f"collection {self.folder.name!r} does not exist yet: run `shopassist index` first"
                )
            self._shard = self._open()
        return self._shard

    def exists(self) -> bool:
        return self._shard is not None or self._has_data()

    def create(self, dim: int) -> None:
        qe = _edge()
        config = qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            payload_memory=qe.Memory.Cached,  # results carry whole products: keep them in RAM
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        self._shard = self._open(config)
        kinds = {"keyword": qe.PayloadSchemaType.Keyword, "float": qe.PayloadSchemaType.Float,
                 "integer": qe.PayloadSchemaType.Integer}
        for name, kind in INDEXED_FIELDS.items():
            self._shard.update(qe.UpdateOperation.create_field_index(name, kinds[kind]))

    def dim(self) -> int | None:
        config_file = self.folder / "edge_config.json"
        if not config_file.is_file():
            return None
        return int(json.loads(config_file.read_text())["vectors"][DENSE]["size"])

    def drop(self) -> None:
        self.close()
        self._lock.acquire()  # never delete a folder another process has open
        try:
            if self.folder.exists():
                shutil.rmtree(self.folder)
        finally:
            self._lock.release()

    def upsert(self, points: list[PointData]) -> None:
        qe = _edge()
        batch = [
            qe.Point(
                id=point_id(p.product.id),
                vector={DENSE: p.dense.tolist(), SPARSE: qe.SparseVector(*p.sparse)},
                payload=payload_for(p.product, p.content_hash),
            )
            for p in points
        ]
        self.shard.update(qe.UpdateOperation.upsert_points(batch))

    def delete(self, product_ids: Iterable[str]) -> None:
        ids = [point_id(pid) for pid in product_ids]
        if ids:
            self.shard.update(_edge().UpdateOperation.delete_points(ids))

    def content_hashes(self) -> dict[str, str]:
        qe = _edge()
        out: dict[str, str] = {}
        offset = None
        while True:
            records, offset = self.shard.scroll(qe.ScrollRequest(
                offset=offset, limit=1000, with_payload=["product_id", "content_hash"], with_vector=False))
            out.update({r.payload["product_id"]: r.payload.get("content_hash", "") for r in records})
            if offset is None:
                return out

    def iter_products(self, batch: int = 1000) -> Iterator[Product]:
        qe = _edge()
        offset = None
        while True:
            records, offset = self.shard.scroll(qe.ScrollRequest(
                offset=offset, limit=batch, with_payload=["product"], with_vector=False))
            yield from (product_from_payload(r.payload) for r in records)
            if offset is None:
                return

    def export(self) -> tuple[list[Product], np.ndarray]:
        qe = _edge()
        products, vectors, offset = [], [], None
        while True:
            records, offset = self.shard.scroll(qe.ScrollRequest(
                offset=offset, limit=1000, with_payload=True, with_vector=[DENSE]))
            products += [product_from_payload(r.payload) for r in records]
            vectors += [r.vector[DENSE] for r in records]
            if offset is None:
                return products, np.asarray(vectors, dtype=np.float32)

    def count(self) -> int:
        return int(self.shard.count(_edge().CountRequest(exact=True))) if self.exists() else 0

    def retrieve(self, product_ids: list[str]) -> list[Product]:
        records = self.shard.retrieve([point_id(p) for p in product_ids], True, False)
        by_id = {r.payload["product_id"]: product_from_payload(r.payload) for r in records}
        return [by_id[p] for p in product_ids if p in by_id]

    def hybrid(self, dense, sparse, flt, limit, prefetch, rrf_k) -> HybridHits:
        qe = _edge()
        flt_q = _edge_filter(flt)
        dense_q = qe.Query.Nearest(np.asarray(dense, dtype=np.float32).tolist(), using=DENSE)
        ids_only = ["product_id"]
        requests = [qe.QueryRequest(limit=prefetch, query=dense_q, filter=flt_q, with_payload=ids_only)]
        if sparse[0]:
            sparse_q = qe.Query.Nearest(qe.SparseVector(*sparse), using=SPARSE)
            requests.append(qe.QueryRequest(limit=prefetch, query=sparse_q, filter=flt_q, with_payload=ids_only))
            requests.append(qe.QueryRequest(
                limit=limit, query=qe.Fusion.Rrf(k=rrf_k), filter=flt_q, with_payload=True,
                prefetches=[qe.Prefetch(limit=prefetch, query=dense_q, filter=flt_q),
                            qe.Prefetch(limit=prefetch, query=sparse_q, filter=flt_q)]))
        results = self.shard.query_batch(qe.QueryBatchRequest(requests))
        dense_hits = _hits(results[0])
        if len(results) == 1:  # nothing lexical in the query (only stopwords, say)
            fused = self.shard.query(qe.QueryRequest(limit=limit, query=dense_q, filter=flt_q, with_payload=True))
            return HybridHits(fused=_hits(fused), dense=dense_hits, sparse=[])
        return HybridHits(fused=_hits(results[2]), dense=dense_hits, sparse=_hits(results[1]))

    def finish(self) -> None:
        if self._shard is not None:
            self._shard.optimize()
            self._shard.flush()

    def close(self) -> None:
        if self._shard is not None:
            self._shard.flush()
            self._shard.close()
            self._shard = None
        self._lock.release()


class PrivateCopyStore(EdgeStore):
    """A read-only view of a collection for one of several processes on one machine: the
    shard folder is copied (under the folder's lock, so never mid-write) into a private
    temporary folder, which this process opens and deletes on close. A re-index of the
    original reaches the process on its next start."""

    def __init__(self, folder: Path, wait_s: float = 120.0):
        import tempfile
        import time

        from shopassist.errors import StoreBusyError

        source, lock = Path(folder), FolderLock(Path(folder))
        if not (source.is_dir() and any(source.iterdir())):
            raise StoreError(f"collection {source.name!r} does not exist yet: run `shopassist index` first")
        deadline = time.monotonic() + wait_s
        while True:  # another replica may be copying it right now
            try:
                lock.acquire()
                break
            except StoreBusyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self._scratch = Path(tempfile.mkdtemp(prefix=f"shopassist-{source.name}-"))
        # a process that exits without close() must not leave a copy of the collection behind
        self._remove_scratch = weakref.finalize(self, shutil.rmtree, self._scratch, True)
        try:
            shutil.copytree(source, self._scratch / source.name)
        finally:
            lock.release()
        super().__init__(self._scratch / source.name)

    def drop(self) -> None:
        raise StoreError("this process serves a read-only copy of the collection (store_private_copy)")

    def create(self, dim: int) -> None:
        self.drop()

    def close(self) -> None:
        super().close()
        self._remove_scratch()
