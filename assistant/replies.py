"""Reply text built only from the records passed in: products, orders, the parse.

Money, dates and product titles are formatted here, one way, so the grounding check can find
every fact a reply states. ``stream`` cuts a finished reply into word chunks for the UI.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Iterator

from assistant.orders import Order
from retrieval.product import Product

SYMBOLS = {"GBP": "£", "INR": "₹", "USD": "$", "EUR": "€"}
COMPARE_FIELDS = 6
_MARKUP = re.compile(r"([\\`*_\[\]<>|!~#])")


def md_text(text: str) -> str:
    """Catalogue text is data, not markup: escape what Markdown or HTML would act on (links,
    images, tags, emphasis, table cells) and break bare URLs so they are not linked."""
    return _MARKUP.sub(r"\\\1", text).replace("://", ":\\/\\/")


def md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "price not listed"
    text = f"{amount:,.2f}".removesuffix(".00") if currency == "INR" else f"{amount:,.2f}"
    symbol = SYMBOLS.get(currency or "")
    return f"{symbol}{text}" if symbol else f"{text} {currency}" if currency else text


def price_of(product: Product) -> str:
    low = money(product.price, product.currency)
    if product.price_max is not None and product.price_max != product.price:
        return f"{low}–{money(product.price_max, product.currency)}"
    return low


def when(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.strftime("%d %B %Y at %H:%M").lstrip("0")


def product_line(rank: int, product: Product, reason: str | None = None) -> str:
    extra = f" ({reason})" if reason else ""
    brand = f" by {md_text(product.brand)}" if product.brand else ""
    return f"{rank}. **{md_text(product.title)}**{brand}, {price_of(product)}{extra}"


def results_reply(products: list[Product], reasons: list[str | None], intro: str) -> str:
    lines = [product_line(i + 1, p, r) for i, (p, r) in enumerate(zip(products, reasons))]
    return intro + "\n" + "\n".join(lines)


def compare_reply(products: list[Product]) -> str:
    """A side-by-side markdown table from catalogue fields shared by the products."""
    header = "| | " + " | ".join(f"**{md_text(p.title)}**" for p in products) + " |"
    rows = [header, "|---" * (len(products) + 1) + "|",
            "| price | " + " | ".join(price_of(p) for p in products) + " |"]
    if any(p.brand for p in products):
        rows.append("| brand | " + " | ".join(md_text(p.brand or "–") for p in products) + " |")
    if any(p.category for p in products):
        rows.append("| category | " + " | ".join(md_text(p.category[-1]) if p.category else "–" for p in products) + " |")
    shared = [k for k in products[0].attributes if k != "list_price" and all(k in p.attributes for p in products[1:])]
    for key in shared[:COMPARE_FIELDS]:
        rows.append(f"| {key.replace('_', ' ')} | " + " | ".join(_cell(p.attributes[key]) for p in products) + " |")
    cheapest = min((p for p in products if p.price is not None), key=lambda p: p.price, default=None)
    tail = f"\nThe cheapest is **{md_text(cheapest.title)}** at {price_of(cheapest)}." if cheapest and len(products) > 1 else ""
    return "Here is how they compare:\n" + "\n".join(rows) + tail


def _cell(value: str) -> str:
    return md_text(value[:60])


def order_summary(order: Order, max_lines: int = 8) -> str:
    verb = "was returned" if order.kind == "return" else "was placed"
    lines = [f"{abs(l.quantity):g} × **{md_text(l.title)}**" + (f" ({money(l.unit_price, order.currency)} each)"
                                                       if l.unit_price is not None else "")
             for l in order.lines[:max_lines]]
    more = f" and {len(order.lines) - max_lines} more lines" if len(order.lines) > max_lines else ""
    total = f"; total {money(order.total, order.currency)}" if order.total is not None else ""
    return (f"Order {order.id} {verb} on {when(order.placed)}: {order.items} items in {len(order.lines)} lines"
            f"{total}. Items: " + "; ".join(lines) + more + ".")


def stream(text: str) -> Iterator[str]:
    """Word-sized chunks (whitespace kept), so a UI can paint the reply as it comes."""
    yield from re.findall(r"\S+\s*|\s+", text)
