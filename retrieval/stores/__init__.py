"""Vector stores: one interface (``VectorStore``), two Qdrant engines."""

from __future__ import annotations

from retrieval.stores.base import HybridHits, PointData, SearchFilter, VectorStore
from shopassist.settings import Settings

__all__ = ["HybridHits", "PointData", "SearchFilter", "VectorStore", "open_store"]


def open_store(settings: Settings, collection: str | None = None) -> VectorStore:
    """The store for ``collection``: a Qdrant server when ``qdrant_url`` is set, else embedded."""
    name = collection or settings.collection
    if settings.qdrant_url:
        from retrieval.stores.client import ClientStore, connect

        return ClientStore(connect(url=settings.qdrant_url, api_key=settings.qdrant_api_key,
                                   timeout=settings.qdrant_timeout), name)
    from retrieval.stores.edge import EdgeStore

    return EdgeStore(settings.store_dir / name)
