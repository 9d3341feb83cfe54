"""Vector stores: one interface (``VectorStore``), two Qdrant engines."""

from __future__ import annotations

from retrieval.stores.base import HybridHits, PointData, SearchFilter, VectorStore
from shopassist.errors import ConfigError
from shopassist.settings import Settings, secret

__all__ = ["HybridHits", "PointData", "SearchFilter", "VectorStore", "NAME_RULE", "open_store", "valid_name"]

MAX_NAME = 64
NAME_RULE = f"1 to {MAX_NAME} letters, digits, '-' or '_'"


def valid_name(name: object) -> bool:
    """Whether ``name`` may name a collection: it becomes a folder (``home/qdrant/NAME``,
    the state and behaviour folders) or a server collection, so nothing like ``..`` or ``a/b``.
    The characters are those the `collection` setting allows (``Settings``), at most 64."""
    return (isinstance(name, str) and 0 < len(name) <= MAX_NAME
            and all(c.isalnum() or c in "-_" for c in name))


def open_store(settings: Settings, collection: str | None = None) -> VectorStore:
    """The store for ``collection``: a Qdrant server when ``qdrant_url`` is set, else embedded."""
    name = collection or settings.collection
    if not valid_name(name):
        raise ConfigError(f"collection {name!r} is not a valid name: use {NAME_RULE}")
    if settings.qdrant_url:
        from retrieval.stores.client import ClientStore, connect

        return ClientStore(connect(url=settings.qdrant_url, api_key=secret(settings.qdrant_api_key),
                                   timeout=settings.qdrant_timeout), name)
    from retrieval.stores.edge import EdgeStore, PrivateCopyStore

    if settings.store_private_copy:
        return PrivateCopyStore(settings.store_dir / name)
    return EdgeStore(settings.store_dir / name)
