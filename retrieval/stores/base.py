"""One store interface, two engines (embedded qdrant-edge, qdrant-client for a server).

Both engines hold, per product, a named dense vector, a BM25 sparse vector (IDF applied
by the engine) and a payload laid out by ``payload_for``; both answer the same hybrid
query (dense + sparse prefetch, reciprocal rank fusion, payload filters). The same
contract tests run against both.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import numpy as np

from retrieval.product import Product

DENSE = "dense"
SPARSE = "bm25"
_ID_NAMESPACE = uuid.UUID("6f1c0b0e-5d59-4a53-9a35-2f8f3b9b7e11")

# Payload fields with an index, and their kinds.
INDEXED_FIELDS = {
    "product_id": "keyword", "price": "float", "category_levels": "keyword",
    "brand_key": "keyword", "in_stock": "integer",
}


def point_id(product_id: str) -> str:
    """Qdrant ids must be integers or UUIDs; catalogue ids are any string."""
    return str(uuid.uuid5(_ID_NAMESPACE, product_id))


def normalise_value(value: str) -> str:
    return " ".join(value.lower().split())


def payload_for(product: Product, content_hash: str | None = None) -> dict[str, Any]:
    """The stored payload: the product itself plus normalised copies for filtering.

    The product travels as one JSON string: handing the engine a nested dict per point costs
    more than encoding the vectors' neighbours did (a third of the indexing overhead).
    """
    return {
        "product_id": product.id,
        "content_hash": content_hash or product.content_hash(),
        "product": product.model_dump_json(),
        "price": product.price,
        "price_max": product.price_max,
        "category_levels": [normalise_value(c) for c in product.category],
        "brand_key": normalise_value(product.brand) if product.brand else None,
        "attrs": {k: normalise_value(v) for k, v in product.attributes.items()},
        # 1/0 rather than a bool: qdrant-edge-py 0.9 turns MatchValue(True) into 1, which
        # then never matches a stored bool.
        "in_stock": None if product.in_stock is None else int(product.in_stock),
    }


def product_from_payload(payload: dict[str, Any]) -> Product:
    stored = payload["product"]
    # Collections indexed before the product became a JSON string hold it as a dict.
    return Product.model_validate_json(stored) if isinstance(stored, str) else Product.model_validate(stored)


@dataclass(frozen=True)
class SearchFilter:
    """Payload filters; every field is optional and they combine with AND.

    ``category`` matches any level of the tree (``footwear`` or ``womens footwear``);
    ``a > b`` requires both levels. Matching is case-insensitive. Price bounds apply to
    the product's lowest price; products without a price never pass a price bound.
    """

    min_price: float | None = None
    max_price: float | None = None
    category: str | None = None
    brand: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    in_stock_only: bool = False

    def conditions(self) -> list[tuple[str, str, Any]]:
        """Engine-neutral conditions: ``(kind, key, value)`` with kind range|match."""
        out: list[tuple[str, str, Any]] = []
        if self.min_price is not None or self.max_price is not None:
            out.append(("range", "price", (self.min_price, self.max_price)))
        if self.category:
            for level in self.category.split(">"):
                if level.strip():
                    out.append(("match", "category_levels", normalise_value(level)))
        if self.brand:
            out.append(("match", "brand_key", normalise_value(self.brand)))
        for key, value in self.attributes.items():
            out.append(("match", f"attrs.{key}", normalise_value(value)))
        if self.in_stock_only:
            out.append(("match", "in_stock", 1))
        return out


@dataclass(frozen=True)
class PointData:
    product: Product
    dense: np.ndarray  # (dim,)
    sparse: tuple[list[int], list[float]]
    content_hash: str | None = None  # when the caller has already computed it


@dataclass(frozen=True)
class Hit:
    product_id: str
    score: float
    payload: dict[str, Any]


@dataclass(frozen=True)
class HybridHits:
    fused: list[Hit]
    dense: list[Hit]
    sparse: list[Hit]


class VectorStore(ABC):
    """A collection of products in one Qdrant engine."""

    engine: str

    @abstractmethod
    def exists(self) -> bool: ...

    @abstractmethod
    def create(self, dim: int) -> None:
        """Create the collection with its vectors and payload indexes."""

    @abstractmethod
    def dim(self) -> int | None:
        """The dense vector size of an existing collection, else None."""

    @abstractmethod
    def drop(self) -> None: ...

    @abstractmethod
    def upsert(self, points: list[PointData]) -> None: ...

    @abstractmethod
    def delete(self, product_ids: Iterable[str]) -> None: ...

    @abstractmethod
    def content_hashes(self) -> dict[str, str]:
        """``product_id → content_hash`` of everything stored (for idempotent re-indexing)."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def retrieve(self, product_ids: list[str]) -> list[Product]:
        """Products by id, in the order asked; unknown ids are left out."""

    @abstractmethod
    def hybrid(
        self, dense: np.ndarray, sparse: tuple[list[int], list[float]], flt: SearchFilter,
        limit: int, prefetch: int, rrf_k: int,
    ) -> HybridHits: ...

    @abstractmethod
    def iter_products(self, batch: int = 1000) -> Iterator[Product]:
        """Every stored product, ``batch`` at a time, without vectors (for feeds and audits:
        a whole catalogue is never held in memory at once)."""

    @abstractmethod
    def export(self) -> tuple[list[Product], np.ndarray]:
        """Every stored product with its dense vector ``(n, dim)`` (for the behaviour models)."""

    def finish(self) -> None:
        """After bulk writes: build indexes and make writes durable."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "VectorStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
