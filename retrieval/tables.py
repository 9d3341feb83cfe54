"""Tables → ``Product`` objects, every row accounted for: the readers (CSV, JSONL, Parquet,
optionally gzipped), the ``ValidationReport``, and the conversion of mapped rows into
merged products.

Shared by the generic catalogue reader (``catalog.py``) and the built-in adapters
(``adapters.py``); it imports neither, so both depend on it and not on each other.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from pydantic import ValidationError

from retrieval.parsing import (
    attribute_key, first_url, is_empty, parse_attributes, parse_bool, parse_category, parse_price,
)
from retrieval.product import Product
from shopassist.errors import CatalogError

_MAX_EXTRA_ATTRIBUTE_CHARS = 80


@dataclass(frozen=True)
class RowIssue:
    row: int
    reason: str


@dataclass
class ValidationReport:
    """What happened to every row of a catalogue (and, after indexing, to the store)."""

    source: str
    format: str
    mapping: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    products: int = 0
    duplicates_merged: int = 0
    rejected: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    # Filled in by the indexer.
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    derived_kinds: int = 0  # products given a derived ``kind`` (catalogues without categories)
    collection: str | None = None
    took_s: float | None = None

    def reject(self, row: int, reason: str) -> None:
        self.rejected.append(RowIssue(row, reason))

    def warn(self, row: int, reason: str) -> None:
        self.warnings.append(RowIssue(row, reason))

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "format": self.format, "collection": self.collection,
            "mapping": self.mapping, "rows_read": self.rows_read, "products": self.products,
            "indexed": self.indexed, "unchanged": self.unchanged, "removed": self.removed,
            "derived_kinds": self.derived_kinds, "duplicates_merged": self.duplicates_merged,
            "rejected_count": len(self.rejected), "warning_count": len(self.warnings),
            "rejected": [{"row": i.row, "reason": i.reason} for i in self.rejected],
            "warnings": [{"row": i.row, "reason": i.reason} for i in self.warnings],
            "took_s": self.took_s,
        }

    def summary(self, max_issues: int = 20) -> str:
        lines = [
            f"catalogue {self.source} ({self.format})",
            f"  rows read          {self.rows_read}",
            f"  products           {self.products}",
            f"  duplicates merged  {self.duplicates_merged}",
            f"  rejected rows      {len(self.rejected)}",
            f"  warnings           {len(self.warnings)}",
        ]
        if self.collection:
            lines += [
                f"  collection         {self.collection}",
                f"  indexed (new/changed) {self.indexed}",
                f"  unchanged          {self.unchanged}",
                f"  removed (gone from catalogue) {self.removed}",
            ]
            if self.derived_kinds:
                lines.append(f"  derived kinds      {self.derived_kinds} (no categories: a kind from each title)")
        for title, issues in (("rejected", self.rejected), ("warnings", self.warnings)):
            for issue in issues[:max_issues]:
                lines.append(f"  {title[:-1] if title == 'warnings' else title}: row {issue.row}: {issue.reason}")
            if len(issues) > max_issues:
                lines.append(f"  ... {len(issues) - max_issues} more {title} (use --json for all)")
        return "\n".join(lines)



# ---------------------------------------------------------------------------- readers

def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
    data = raw.read()
    raw.close()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return io.StringIO(data.decode(encoding), newline="")
        except UnicodeDecodeError:
            continue
    raise CatalogError(f"{path}: cannot decode the file as text")  # latin-1 never fails


def _read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | str]]]:
    csv.field_size_limit(sys.maxsize)
    text = _open_text(path)
    header_line = text.readline()
    text.seek(0)
    # The header's most frequent separator is the delimiter; a sniffer is fooled by decimal
    # commas in the rows (``3,50``).
    delimiter = max(",;\t|", key=header_line.count)
    dialect = csv.excel
    reader = csv.reader(text, dialect, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CatalogError(f"{path} is empty") from None
    if len(set(header)) != len(header):
        raise CatalogError(f"{path}: duplicate column names in header {header}")

    def rows() -> Iterator[tuple[int, dict[str, Any] | str]]:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, f"unreadable CSV line: {exc}"
                continue
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield reader.line_num, f"has {len(cells)} fields, the header has {len(header)}"
                continue
            yield reader.line_num, dict(zip(header, cells))

    return header, rows()


def _read_jsonl(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | str]]]:
    lines = _open_text(path).read().splitlines()
    columns: dict[str, None] = {}
    parsed: list[tuple[int, dict[str, Any] | str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.append((number, f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(obj, dict):
            parsed.append((number, f"expected a JSON object, got {type(obj).__name__}"))
            continue
        columns.update(dict.fromkeys(obj))
        parsed.append((number, obj))
    return list(columns), iter(parsed)


def _read_parquet(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | str]]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise CatalogError(f"{path}: not a readable Parquet file ({exc})") from None
    rows = table.to_pylist()
    return table.column_names, iter((i + 1, row) for i, row in enumerate(rows))


def detect_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return "csv"


def read_table(path: Path, fmt: str) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | str]]]:
    """Column names and ``(row_number, row | reason-it-could-not-be-read)`` pairs."""
    if not path.is_file():
        raise CatalogError(f"catalogue file {path} does not exist")
    reader = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}[fmt]
    return reader(path)


# ---------------------------------------------------------------------------- rows → products

def content_id(title: str, brand: str | None, category: tuple[str, ...]) -> str:
    """A stable id for catalogues without one: the same content always gets the same id."""
    key = "|".join([title.lower(), (brand or "").lower(), " > ".join(category).lower()])
    return "c-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _cell(row: dict[str, Any], mapping: dict[str, str], name: str) -> Any:
    column = mapping.get(name)
    return None if column is None else row.get(column)


def _text(value: Any) -> str | None:
    return None if is_empty(value) else " ".join(str(value).split())


def row_to_product(
    row: dict[str, Any], mapping: dict[str, str], row_number: int, report: ValidationReport,
    default_currency: str | None = None,
) -> Product | None:
    """One row → a Product; problems go to ``report`` (reject or warn), never raised."""
    title = _text(_cell(row, mapping, "title"))
    if not title:
        report.reject(row_number, f"empty title (column {mapping['title']!r})")
        return None
    try:
        price = parse_price(_cell(row, mapping, "price"), default_currency)
    except ValueError as exc:
        price = None
        report.warn(row_number, f"indexed without a price: {exc}")
    else:
        if price is None and "price" in mapping:
            report.warn(row_number, "indexed without a price: the price cell is empty")
    try:
        in_stock = parse_bool(_cell(row, mapping, "in_stock"))
    except ValueError as exc:
        in_stock = None
        report.warn(row_number, str(exc))
    category = parse_category(_cell(row, mapping, "category"))
    brand = _text(_cell(row, mapping, "brand"))
    attributes = parse_attributes(_cell(row, mapping, "attributes"))
    mapped = set(mapping.values())
    for column, value in row.items():  # unmapped short columns become attributes
        text = _text(value)
        if column not in mapped and text and len(text) <= _MAX_EXTRA_ATTRIBUTE_CHARS and not text.startswith("http"):
            attributes.setdefault(attribute_key(column), text)
    currency = _text(_cell(row, mapping, "currency")) or (price.currency if price else None) or default_currency
    pid = _text(_cell(row, mapping, "id")) or content_id(title, brand, category)
    try:
        return Product(
            id=pid, title=title, description=_text(_cell(row, mapping, "description")) or "",
            category=category, brand=brand,
            price=price.low if price else None, price_max=price.high if price else None,
            currency=currency.upper() if currency else None,
            url=first_url(_cell(row, mapping, "url")), image=first_url(_cell(row, mapping, "image")),
            in_stock=in_stock, attributes=attributes,
        )
    except ValidationError as exc:
        report.reject(row_number, "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors()))
        return None


def merge_duplicates(products: list[tuple[int, Product]], report: ValidationReport) -> list[Product]:
    """Keep the first row of each id; later rows only fill fields the first left empty."""
    merged: dict[str, Product] = {}
    for row_number, product in products:
        first = merged.get(product.id)
        if first is None:
            merged[product.id] = product
            continue
        report.duplicates_merged += 1
        filled = {k: v for k, v in product.model_dump().items() if getattr(first, k) in (None, "", (), {})}
        merged[product.id] = first.model_copy(update=filled) if filled else first
    return list(merged.values())


def convert_rows(
    rows: Iterator[tuple[int, dict[str, Any] | str]], mapping: dict[str, str], report: ValidationReport,
    default_currency: str | None = None,
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    finish: Callable[[Product, dict[str, Any]], Product] | None = None,
) -> list[Product]:
    """Rows → merged products, every row accounted for in ``report``. ``prepare`` adjusts a raw
    row before conversion and ``finish`` a product after it (adapters use both)."""
    products: list[tuple[int, Product]] = []
    for row_number, row in rows:
        report.rows_read += 1
        if isinstance(row, str):
            report.reject(row_number, row)
            continue
        product = row_to_product(prepare(row) if prepare else row, mapping, row_number, report, default_currency)
        if product is not None:
            products.append((row_number, finish(product, row) if finish else product))
    result = merge_duplicates(products, report)
    report.products = len(result)
    return result
