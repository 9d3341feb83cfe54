"""Behaviour files → events: the Online Retail transactions, or any CSV/JSONL with ``--map``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from retrieval.behaviour.events import EVENT_TYPES, Event
from retrieval.parsing import is_empty
from retrieval.tables import RowIssue, detect_format, read_table
from shopassist.errors import CatalogError

EVENT_FIELDS = ("user_id", "product_id", "type", "quantity", "price", "timestamp", "session_id")
_SYNONYMS = {
    "user_id": ("user_id", "userid", "user", "customer_id", "customerid", "visitor_id", "visitorid", "client_id"),
    "product_id": ("product_id", "productid", "item_id", "itemid", "sku", "stockcode", "stock_code", "product", "item"),
    "type": ("type", "event", "event_type", "action", "eventtype"),
    "quantity": ("quantity", "qty", "count", "units"),
    "price": ("price", "unit_price", "unitprice", "amount"),
    "timestamp": ("timestamp", "time", "ts", "date", "datetime", "event_time", "invoicedate", "created_at"),
    "session_id": ("session_id", "sessionid", "session", "order_id", "invoice", "invoiceno", "transaction_id", "transactionid"),
}
_TYPE_ALIASES = {
    "view": "view", "pageview": "view", "page_view": "view", "detail": "view", "impression": "view",
    "click": "click", "add_to_cart": "add_to_cart", "addtocart": "add_to_cart", "cart": "add_to_cart",
    "add": "add_to_cart", "remove_from_cart": "remove_from_cart", "removefromcart": "remove_from_cart",
    "remove": "remove_from_cart", "purchase": "purchase", "buy": "purchase", "order": "purchase",
    "transaction": "purchase", "return": "return", "refund": "return",
}
_PRODUCT_CODE = re.compile(r"^\d{5}")


@dataclass
class EventReport:
    source: str
    format: str
    mapping: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    events: int = 0
    users: int = 0
    guest_events: int = 0
    rejected: list[RowIssue] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "mapping": self.mapping,
                "rows_read": self.rows_read, "events": self.events, "users": self.users,
                "guest_events": self.guest_events, "rejected_count": len(self.rejected),
                "rejected": [{"row": r.row, "reason": r.reason} for r in self.rejected[:1000]]}

    def summary(self, max_issues: int = 10) -> str:
        lines = [f"events {self.source} ({self.format})", f"  rows read     {self.rows_read}",
                 f"  events        {self.events} ({self.guest_events} from guests)",
                 f"  users         {self.users}", f"  rejected rows {len(self.rejected)}"]
        lines += [f"  rejected: row {r.row}: {r.reason}" for r in self.rejected[:max_issues]]
        if len(self.rejected) > max_issues:
            lines.append(f"  ... {len(self.rejected) - max_issues} more (use --json)")
        return "\n".join(lines)


def parse_timestamp(value: Any) -> float:
    """Unix seconds from epoch seconds/milliseconds or an ISO-like date string (naive = UTC)."""
    if is_empty(value):
        raise ValueError("empty timestamp")
    if isinstance(value, (int, float)) or re.fullmatch(r"\d+(\.\d+)?", str(value).strip()):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"timestamp {value!r} is not finite")
        return number / 1000 if number > 1e11 else number  # milliseconds since epoch
    text = str(value).strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"timestamp {value!r} is not ISO 8601 or epoch seconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _number(value: Any, name: str, default: float | None) -> float | None:
    if is_empty(value):
        return default
    try:
        number = float(str(value).replace(",", "").strip().lstrip("$£€₹"))
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} {value!r} is not finite")
    return number


def _row_to_event(row: dict[str, Any], mapping: dict[str, str]) -> Event:
    get = lambda name: row.get(mapping[name]) if name in mapping else None  # noqa: E731
    product = None if is_empty(get("product_id")) else str(get("product_id")).strip()
    if not product:
        raise ValueError("empty product_id")
    raw_type = get("type")
    kind = "purchase" if is_empty(raw_type) else _TYPE_ALIASES.get(str(raw_type).strip().lower().replace("-", "_"))
    if kind is None:
        raise ValueError(f"event type {raw_type!r} is not one of {', '.join(EVENT_TYPES)}")
    user = None if is_empty(get("user_id")) else str(get("user_id")).strip().removesuffix(".0")
    session = None if is_empty(get("session_id")) else str(get("session_id")).strip()
    quantity = abs(_number(get("quantity"), "quantity", 1.0))
    return Event(product, kind, user, quantity, _number(get("price"), "price", None),
                 parse_timestamp(get("timestamp")), session)


def _auto_map(columns: list[str], explicit: dict[str, str]) -> dict[str, str]:
    missing = [c for c in explicit.values() if c not in columns]
    if missing:
        raise CatalogError(f"--map names column(s) {missing} that the file lacks; its columns are {columns}")
    mapping = dict(explicit)
    by_norm = {re.sub(r"[^0-9a-z]+", "_", c.lower()).strip("_"): c for c in columns}
    for name, synonyms in _SYNONYMS.items():
        if name not in mapping:
            column = next((by_norm[s] for s in synonyms if s in by_norm and by_norm[s] not in mapping.values()), None)
            if column:
                mapping[name] = column
    for required in ("product_id", "timestamp"):
        if required not in mapping:
            raise CatalogError(f"no {required} column found among {columns}: name it with --map {required}=COLUMN")
    return mapping


def load_event_table(path: Path, fmt: str = "auto", mapping: dict[str, str] | None = None
                     ) -> tuple[list[Event], EventReport]:
    fmt = detect_format(path) if fmt == "auto" else fmt
    columns, rows = read_table(path, fmt)
    full = _auto_map(columns, mapping or {})
    report = EventReport(str(path), fmt, full)
    events: list[Event] = []
    for number, row in rows:
        report.rows_read += 1
        if isinstance(row, str):
            report.rejected.append(RowIssue(number, row))
            continue
        try:
            events.append(_row_to_event(row, full))
        except ValueError as exc:
            report.rejected.append(RowIssue(number, str(exc)))
    return events, _finish(report, events)


def _finish(report: EventReport, events: list[Event]) -> EventReport:
    report.events = len(events)
    report.users = len({e.user_id for e in events if e.user_id})
    report.guest_events = sum(e.user_id is None for e in events)
    return report


def load_online_retail_events(path: Path) -> tuple[list[Event], dict[str, str], EventReport]:
    """Purchases, and cancellations (``C`` invoices) as returns; guest rows have no user.
    Product ids are the stock codes, as the catalogue adapter indexes them."""
    import pandas as pd

    if not path.is_file():
        raise CatalogError(f"events file {path} does not exist")
    frame = pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str, "Country": str})
    report = EventReport(str(path), "online-retail", {
        "user_id": "CustomerID", "product_id": "StockCode", "quantity": "Quantity", "price": "UnitPrice",
        "timestamp": "InvoiceDate", "session_id": "InvoiceNo", "type": "C-prefixed invoice = return"})
    report.rows_read = len(frame)
    frame["row"] = frame.index + 2
    frame["StockCode"] = frame["StockCode"].str.strip().str.upper()
    is_return = frame["InvoiceNo"].str.startswith("C")
    keep = frame["StockCode"].str.match(_PRODUCT_CODE) & (is_return | (frame["Quantity"] > 0))
    for row in frame.loc[~keep, "row"].head(1000):
        report.rejected.append(RowIssue(int(row), "not a product sale or return (fee, postage or stock adjustment)"))
    if (~keep).sum() > 1000:
        report.rejected.append(RowIssue(0, f"... and {int((~keep).sum()) - 1000} more such rows"))
    kept = frame[keep]
    ts = pd.to_datetime(kept["InvoiceDate"]).astype("datetime64[s]").astype("int64")
    users = kept["CustomerID"].str.removesuffix(".0")
    events = [
        Event(code, "return" if ret else "purchase", None if isinstance(user, float) else user,
              abs(float(qty)), float(price), float(t), invoice)
        for code, ret, user, qty, price, t, invoice in zip(
            kept["StockCode"], is_return[keep], users, kept["Quantity"], kept["UnitPrice"], ts, kept["InvoiceNo"])
    ]
    known = kept[kept["CustomerID"].notna()]
    countries = known.groupby(users[kept["CustomerID"].notna()])["Country"].agg(lambda s: s.value_counts().index[0])
    return events, countries.to_dict(), _finish(report, events)
