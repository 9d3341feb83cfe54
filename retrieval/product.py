"""The typed objects that leave retrieval/: ``Product`` and ``Candidate``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


# Attributes kept for search and filters but never quoted to a customer as catalogue facts.
KIND_ATTRIBUTE = "kind"  # derived from titles at indexing (``retrieval.kinds``)
UNLISTED_ATTRIBUTES = (KIND_ATTRIBUTE, "list_price")


class Product(BaseModel):
    """One catalogue item, normalised.

    ``price`` is the lowest price a customer can pay (the "from" price of a range) and is
    what price filters compare; ``price_max`` is set only for ranges. ``category`` is the
    category path, top level first.

    Example:
        >>> Product(id="85123A", title="WHITE HANGING HEART T-LIGHT HOLDER", price=2.55, currency="GBP").price
        2.55
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    category: tuple[str, ...] = ()
    brand: str | None = None
    price: float | None = Field(default=None, ge=0)
    price_max: float | None = Field(default=None, ge=0)
    currency: str | None = None
    url: str | None = None
    image: str | None = None
    in_stock: bool | None = None
    attributes: dict[str, str] = Field(default_factory=dict)

    @field_validator("title", "description")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split())

    @property
    def category_path(self) -> str:
        return " > ".join(self.category)

    def listed_attributes(self) -> dict[str, str]:
        """The attributes a customer may be told: the catalogue's own, not the ones kept for
        search (a derived ``kind`` is a guess from the title, the list price is not the price)."""
        return {k: v for k, v in self.attributes.items() if k not in UNLISTED_ATTRIBUTES}

    def content_hash(self) -> str:
        """Changes whenever anything indexed about the product changes."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()

    def embedding_text(self, max_description_chars: int = 300) -> str:
        """What the dense encoder reads: the fields a shopper would search by."""
        parts = [self.title]
        if self.brand:
            parts.append(f"brand {self.brand}")
        if self.category:
            parts.append(self.category_path)
        attrs = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in list(self.attributes.items())[:8])
        if attrs:
            parts.append(attrs)
        if self.description:
            parts.append(self.description[:max_description_chars])
        return ". ".join(parts)

    def lexical_text(self) -> str:
        """What BM25 reads: the title twice so that title words outweigh description words."""
        return " ".join(
            [self.title, self.title, self.brand or "", " ".join(self.category),
             " ".join(self.attributes.values()), self.description[:1000]]
        )


@dataclass(frozen=True)
class Candidate:
    """A product returned by search, with its score from each source.

    ``scores`` keys: ``dense``, ``sparse``, ``fused`` (and later ``rerank``); ``score`` is the
    one results are ordered by. ``reason`` says in words why it was suggested.
    """

    product: Product
    score: float
    scores: dict[str, float] = field(default_factory=dict)
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        p = self.product
        return {
            "id": p.id,
            "title": p.title,
            "price": p.price,
            "currency": p.currency,
            "category": p.category_path,
            "brand": p.brand,
            "score": round(self.score, 6),
        }
