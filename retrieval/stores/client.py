"""The scale-out engine: a Qdrant server or cluster through ``qdrant-client``.

The same code runs against ``QdrantClient(url=...)`` and ``QdrantClient(path=...)`` (the
client's local mode, which implements the same API); the tests use the latter because no
Qdrant server can be installed on the build machines.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import numpy as np

from retrieval.product import Product
from retrieval.stores.base import (
    DENSE, INDEXED_FIELDS, SPARSE, Hit, HybridHits, PointData, SearchFilter, VectorStore,
    payload_for, point_id, product_from_payload,
)
from shopassist.errors import StoreBusyError, StoreError


def _models():
    from qdrant_client import models

    return models


def _client_filter(flt: SearchFilter):
    m = _models()
    must: list[Any] = []
    for kind, key, value in flt.conditions():
        if kind == "range":
            must.append(m.FieldCondition(key=key, range=m.Range(gte=value[0], lte=value[1])))
        else:
            must.append(m.FieldCondition(key=key, match=m.MatchValue(value=value)))
    return m.Filter(must=must) if must else None


def _hits(points) -> list[Hit]:
    return [Hit(p.payload["product_id"], float(p.score), p.payload) for p in points]


def connect(url: str | None = None, api_key: str | None = None, path: str | None = None, timeout: int = 5):
    """A ``QdrantClient`` for a server ``url``, or the client's local mode at ``path``."""
    from qdrant_client import QdrantClient

    if (url is None) == (path is None):
        raise StoreError("give either a Qdrant server url or a local path, not both")
    try:
        if url is not None:
            return QdrantClient(url=url, api_key=api_key, timeout=timeout)
        return QdrantClient(path=path)
    except RuntimeError as exc:
        if "already accessed" in str(exc):
            raise StoreBusyError(
                f"the Qdrant folder {path} is in use by another process (one process owns it at a time)"
            ) from None
        raise StoreError(f"cannot open Qdrant at {url or path}: {exc}") from None


class ClientStore(VectorStore):
    """A collection in a Qdrant server (or the client's local mode)."""

    engine = "qdrant-client"

    def __init__(self, client, collection: str):
        self.client = client
        self.collection = collection

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:  # connection refused, timeouts, server errors
            raise StoreError(f"Qdrant request on collection {self.collection!r} failed: {exc}") from None

    def exists(self) -> bool:
        return bool(self._call(self.client.collection_exists, self.collection))

    def create(self, dim: int) -> None:
        m = _models()
        self._call(
            self.client.create_collection, self.collection,
            vectors_config={DENSE: m.VectorParams(size=dim, distance=m.Distance.COSINE)},
            sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
        )
        kinds = {"keyword": m.PayloadSchemaType.KEYWORD, "float": m.PayloadSchemaType.FLOAT,
                 "integer": m.PayloadSchemaType.INTEGER}
        for name, kind in INDEXED_FIELDS.items():
            self._call(self.client.create_payload_index, self.collection, name, field_schema=kinds[kind])

    def dim(self) -> int | None:
        if not self.exists():
            return None
        info = self._call(self.client.get_collection, self.collection)
        return int(info.config.params.vectors[DENSE].size)

    def drop(self) -> None:
        if self.exists():
            self._call(self.client.delete_collection, self.collection)

    def upsert(self, points: list[PointData]) -> None:
        m = _models()
        batch = [
            m.PointStruct(
                id=point_id(p.product.id),
                vector={DENSE: p.dense.tolist(),
                        SPARSE: m.SparseVector(indices=p.sparse[0], values=p.sparse[1])},
                payload=payload_for(p.product, p.content_hash),
            )
            for p in points
        ]
        self._call(self.client.upsert, self.collection, points=batch, wait=True)

    def delete(self, product_ids: Iterable[str]) -> None:
        ids = [point_id(pid) for pid in product_ids]
        if ids:
            m = _models()
            self._call(self.client.delete, self.collection, points_selector=m.PointIdsList(points=ids))

    def content_hashes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        offset = None
        while True:
            records, offset = self._call(
                self.client.scroll, self.collection, offset=offset, limit=1000,
                with_payload=["product_id", "content_hash"], with_vectors=False)
            out.update({r.payload["product_id"]: r.payload.get("content_hash", "") for r in records})
            if offset is None:
                return out

    def iter_products(self, batch: int = 1000) -> Iterator[Product]:
        offset = None
        while True:
            records, offset = self._call(self.client.scroll, self.collection, offset=offset, limit=batch,
                                         with_payload=["product"], with_vectors=False)
            yield from (product_from_payload(r.payload) for r in records)
            if offset is None:
                return

    def export(self) -> tuple[list[Product], np.ndarray]:
        products, vectors, offset = [], [], None
        while True:
            records, offset = self._call(self.client.scroll, self.collection, offset=offset, limit=1000,
                                         with_payload=True, with_vectors=[DENSE])
            products += [product_from_payload(r.payload) for r in records]
            vectors += [r.vector[DENSE] for r in records]
            if offset is None:
                return products, np.asarray(vectors, dtype=np.float32)

    def count(self) -> int:
        if not self.exists():
            return 0
        return int(self._call(self.client.count, self.collection, exact=True).count)

    def retrieve(self, product_ids: list[str]) -> list[Product]:
        records = self._call(self.client.retrieve, self.collection, [point_id(p) for p in product_ids],
                             with_payload=True)
        by_id = {r.payload["product_id"]: product_from_payload(r.payload) for r in records}
        return [by_id[p] for p in product_ids if p in by_id]

    def hybrid(self, dense, sparse, flt, limit, prefetch, rrf_k) -> HybridHits:
        m = _models()
        flt_q = _client_filter(flt)
        dense_v = np.asarray(dense, dtype=np.float32).tolist()
        ids_only = ["product_id"]
        requests = [m.QueryRequest(query=dense_v, using=DENSE, filter=flt_q, limit=prefetch, with_payload=ids_only)]
        if sparse[0]:
            sparse_v = m.SparseVector(indices=sparse[0], values=sparse[1])
            requests.append(m.QueryRequest(query=sparse_v, using=SPARSE, filter=flt_q, limit=prefetch,
                                           with_payload=ids_only))
            requests.append(m.QueryRequest(
                prefetch=[m.Prefetch(query=dense_v, using=DENSE, filter=flt_q, limit=prefetch),
                          m.Prefetch(query=sparse_v, using=SPARSE, filter=flt_q, limit=prefetch)],
                query=m.RrfQuery(rrf=m.Rrf(k=rrf_k)), filter=flt_q, limit=limit, with_payload=True))
        responses = self._call(self.client.query_batch_points, self.collection, requests)
        dense_hits = _hits(responses[0].points)
        if len(responses) == 1:  # nothing lexical in the query (only stopwords, say)
            fused = self._call(self.client.query_points, self.collection, query=dense_v, using=DENSE,
                               query_filter=flt_q, limit=limit, with_payload=True).points
            return HybridHits(fused=_hits(fused), dense=dense_hits, sparse=[])
        return HybridHits(fused=_hits(responses[2].points), dense=dense_hits, sparse=_hits(responses[1].points))

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # closing a dead connection must not mask the real error
            pass
