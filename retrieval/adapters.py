"""Built-in adapters for the two bundled catalogues (see ``../shared/data/README.md``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from retrieval.product import Product
from retrieval.tables import ValidationReport, convert_rows, merge_duplicates, read_table
from shopassist.errors import CatalogError

# Real products have a five-digit stock code (85123A, 71053, 15056BL); the rest are
# postage, fees, manual adjustments, samples and vouchers (POST, D, M, AMAZONFEE, ...).
_PRODUCT_CODE = re.compile(r"^\d{5}")


def _retail_non_product(code: str) -> str:
    return f"stock code {code!r} is not a product (postage, fee, manual or voucher code)"


def load_online_retail(path: Path) -> tuple[list[Product], ValidationReport]:
    """UCI Online Retail: product = stock code; title = its most frequent description;
    price = median unit price over real sales (quantity and price above zero)."""
    import pandas as pd

    if not path.is_file():
        raise CatalogError(f"catalogue file {path} does not exist")
    report = ValidationReport(source=str(path), format="online-retail", mapping={
        "id": "StockCode", "title": "Description (most frequent)", "price": "UnitPrice (median)"})
    frame = pd.read_csv(path, dtype={"StockCode": str, "Description": str, "InvoiceNo": str},
                        usecols=["StockCode", "Description", "Quantity", "UnitPrice"])
    report.rows_read = len(frame)
    frame["row"] = frame.index + 2  # file line: header is line 1
    frame["StockCode"] = frame["StockCode"].str.strip().str.upper()
    first_rows = frame.groupby("StockCode", sort=False)["row"].min()
    is_product = first_rows.index.str.match(_PRODUCT_CODE)
    for code, row in first_rows[~is_product].items():
        report.reject(int(row), _retail_non_product(code))

    frame = frame[frame["StockCode"].str.match(_PRODUCT_CODE)]
    described = frame[frame["Description"].notna() & frame["Description"].str.strip().ne("")]
    # Lower-case descriptions in this data are stock notes ("damaged", "check"), not titles.
    described = described[described["Description"].str.upper().eq(described["Description"])]
    sales = described[(described["Quantity"] > 0) & (described["UnitPrice"] > 0)]
    titles = (sales if len(sales) else described).groupby("StockCode")["Description"].agg(
        lambda s: s.str.strip().value_counts().index[0])
    titles = titles.reindex(first_rows[is_product].index)
    titles = titles.fillna(described.groupby("StockCode")["Description"].agg(
        lambda s: s.str.strip().value_counts().index[0]))
    prices = frame[(frame["Quantity"] > 0) & (frame["UnitPrice"] > 0)].groupby("StockCode")["UnitPrice"].median()

    products: list[tuple[int, Product]] = []
    for code, row in first_rows[is_product].items():
        title = titles.get(code)
        if not isinstance(title, str):
            report.reject(int(row), f"stock code {code!r} never has a product description")
            continue
        price = prices.get(code)
        if price is None:
            report.warn(int(row), f"stock code {code!r} indexed without a price: no sale above zero")
        products.append((int(row), Product(
            id=code, title=title, price=None if price is None else round(float(price), 2),
            currency="GBP")))  # a sales log says nothing of stock: availability unknown
    result = merge_duplicates(products, report)
    report.products = len(result)
    return result, report


_FLIPKART_MAP = {
    "id": "uniq_id", "title": "product_name", "description": "description",
    "category": "product_category_tree", "brand": "brand", "price": "discounted_price",
    "url": "product_url", "image": "image", "attributes": "product_specifications",
}


def _drop_name_level(product: Product) -> Product:
    """Flipkart trees often end with the product's own name: that is not a category."""
    if len(product.category) < 2:
        return product
    leaf, title = product.category[-1].lower(), product.title.lower()
    if leaf.startswith(title[: max(8, len(title) // 2)]) or title.startswith(leaf[: max(8, len(leaf) // 2)]):
        return product.model_copy(update={"category": product.category[:-1]})
    return product


def load_flipkart(path: Path) -> tuple[list[Product], ValidationReport]:
    """Flipkart sample: category tree, brand, discounted (else retail) INR price, specs."""
    columns, rows = read_table(path, "csv")
    missing = [c for c in ("uniq_id", "product_name", "product_category_tree") if c not in columns]
    if missing:
        raise CatalogError(f"{path} does not look like the Flipkart catalogue: missing {', '.join(missing)}")
    report = ValidationReport(source=str(path), format="flipkart", mapping=dict(_FLIPKART_MAP))
    return convert_rows(rows, _FLIPKART_MAP, report, "INR", _flipkart_row, _flipkart_product), report


def _flipkart_row(row: dict[str, Any]) -> dict[str, Any]:
    kept = {column: row.get(column) for column in _FLIPKART_MAP.values()}
    if not (kept["discounted_price"] or "").strip():
        kept["discounted_price"] = row.get("retail_price")
    return kept


def _flipkart_product(product: Product, row: dict[str, Any]) -> Product:
    extra = {}
    if (row.get("retail_price") or "").strip():
        extra["list_price"] = row["retail_price"].strip()
    rating = (row.get("product_rating") or "").strip()
    if rating and rating not in ("No rating available", "0.0"):
        extra["rating"] = rating
    product = _drop_name_level(product)
    return product.model_copy(update={"attributes": {**product.attributes, **extra}}) if extra else product


ADAPTERS: dict[str, Callable[[Path], tuple[list[Product], ValidationReport]]] = {
    "online-retail": load_online_retail,
    "flipkart": load_flipkart,
}
