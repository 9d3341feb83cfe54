"""Catalogue ingestion: any CSV / JSONL / Parquet layout → ``Product`` objects + a report.

No silent drops: every row is either turned into a product, merged into a duplicate, or
rejected with its row number and reason; a bad row never stops the rest. This module maps
columns to fields and picks the reader; reading and converting rows is ``tables.py``, the
built-in catalogues are ``adapters.py``.

Example:
    >>> products, report = load_catalog("shop.csv", mapping={"title": "Name", "price": "Cost"})
    >>> report.summary()
"""

from __future__ import annotations

import re
from pathlib import Path

from retrieval.adapters import ADAPTERS
from retrieval.product import Product
from retrieval.tables import ValidationReport, convert_rows, detect_format, read_table
from shopassist.errors import CatalogError

FIELDS = ("id", "title", "description", "category", "brand", "price", "currency",
          "url", "image", "in_stock", "attributes")
FORMATS = ("auto", "csv", "jsonl", "parquet", "online-retail", "flipkart")

# Common column names per field, in order of preference; compared after normalisation.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "product_id", "productid", "sku", "item_id", "uniq_id", "pid", "stockcode",
           "stock_code", "asin", "code", "article_number"),
    "title": ("title", "name", "product_name", "product_title", "item_name", "productname"),
    "description": ("description", "details", "desc", "long_description", "body", "body_html",
                    "product_description", "summary"),
    "category": ("category", "categories", "product_category_tree", "category_path", "section",
                 "department", "product_type", "product_category", "type"),
    "brand": ("brand", "brand_name", "manufacturer", "vendor", "make"),
    "price": ("price", "sale_price", "discounted_price", "selling_price", "current_price",
              "unit_price", "unitprice", "cost", "amount", "retail_price", "list_price", "msrp"),
    "currency": ("currency", "currency_code"),
    "url": ("url", "product_url", "link", "product_link", "permalink"),
    "image": ("image", "image_url", "image_link", "images", "img", "thumbnail"),
    "in_stock": ("in_stock", "instock", "availability", "available", "stock", "inventory",
                 "stock_status", "quantity_available"),
    "attributes": ("attributes", "specs", "specifications", "product_specifications",
                   "features", "properties"),
}


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def parse_map_options(options: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["title=Name", "price=Cost"]`` → ``{"title": "Name", "price": "Cost"}``."""
    mapping: dict[str, str] = {}
    for option in options:
        field_name, sep, column = option.partition("=")
        field_name = field_name.strip()
        if not sep or not column.strip():
            raise CatalogError(f"--map {option!r}: expected field=column, e.g. --map price=Cost")
        if field_name not in FIELDS:
            raise CatalogError(f"--map {option!r}: unknown field {field_name!r}; fields are {', '.join(FIELDS)}")
        mapping[field_name] = column.strip()
    return mapping


def auto_map(columns: list[str], explicit: dict[str, str] | None = None) -> dict[str, str]:
    """Fill fields not in ``explicit`` from well-known column names."""
    mapping = dict(explicit or {})
    missing = [c for c in mapping.values() if c not in columns]
    if missing:
        raise CatalogError(
            f"--map names column(s) {', '.join(map(repr, missing))} that the catalogue lacks; "
            f"its columns are {', '.join(map(repr, columns))}"
        )
    used = set(mapping.values())
    by_norm = {_norm(c): c for c in columns}
    for field_name, names in _SYNONYMS.items():
        if field_name in mapping:
            continue
        for name in names:
            column = by_norm.get(name)
            if column is not None and column not in used:
                mapping[field_name] = column
                used.add(column)
                break
    if "title" not in mapping:
        raise CatalogError(
            f"no title column found among {', '.join(map(repr, columns))}: name it with --map title=COLUMN"
        )
    return mapping



def load_table_catalog(
    path: Path, fmt: str, mapping: dict[str, str] | None = None, default_currency: str | None = None,
) -> tuple[list[Product], ValidationReport]:
    columns, rows = read_table(path, fmt)
    full_map = auto_map(columns, mapping)
    report = ValidationReport(source=str(path), format=fmt, mapping=full_map)
    return convert_rows(rows, full_map, report, default_currency), report


def load_catalog(
    path: str | Path, fmt: str = "auto", mapping: dict[str, str] | None = None,
    default_currency: str | None = None,
) -> tuple[list[Product], ValidationReport]:
    """Read a catalogue in any supported format; see ``FORMATS``."""
    path = Path(path).expanduser()
    if fmt not in FORMATS:
        raise CatalogError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt in ("online-retail", "flipkart"):
        if mapping:
            raise CatalogError(f"--map does not apply to the built-in {fmt} adapter")
        return ADAPTERS[fmt](path)
    if fmt == "auto":
        fmt = detect_format(path)
    return load_table_catalog(path, fmt, mapping, default_currency)
