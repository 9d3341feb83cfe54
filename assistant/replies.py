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
_MARKUP = re.compile(r"([\\`*_\[\]<>|!~#$])")
# What renderers turn into links without any markup: schemes, www., e-mail, bare domains.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(?::(?=//)|@|\.(?=(?:com|net|org|info|biz|io|co|uk|in|ru|cn|xyz|top|"
                       r"app|dev|me|ly|to|gg|link|site|online|shop)\b))|\bwww\.")
_BLOCK_START = re.compile(r"(?m)^(\s*)(\d*)([-+=>.)])")  # list items, quotes, headings when a line starts so
PERSON = "A person from our team"


def md_text(text: str) -> str:
    """Text from a catalogue or a customer is data, not markup: escape everything Markdown or
    HTML would act on (links, images, tags, emphasis, headings, lists, quotes, table cells,
    maths) and break what a renderer would auto-link (``http://``, ``www.``, e-mail addresses,
    bare domains). Every reply, card status and console line passes its data through here."""
    text = _MARKUP.sub(r"\\\1", text)
    text = _AUTOLINK.sub(lambda m: m.group(0)[:-1] + "\\." if m.group(0).lower() == "www." else "\\" + m.group(0),
                         text)
    return _BLOCK_START.sub(r"\1\2\\\3", text)


def md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def chat_text(text: str, from_person: bool = False) -> str:
    """A customer's or an agent's own words as a chat bubble shows them: plain text; an
    agent's marked as coming from a person."""
    return f"**{PERSON}:** {md_text(text)}" if from_person else md_text(text)


def cart_status(product: Product | None, kind: str) -> str:
    if product is None:
        return "That product is no longer available."
    verb = "Added" if kind == "add_to_cart" else "Viewing"
    suffix = " to your cart." if kind == "add_to_cart" else "."
    return f"{verb} “{md_text(product.title)}”{suffix}"


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "price not listed"
    text = f"{amount:,.2f}".removesuffix(".00") if currency == "INR" else f"{amount:,.2f}"
    symbol = SYMBOLS.get(currency or "")
    return f"{symbol}{text}" if symbol else f"{text} {md_text(currency[:8])}" if currency else text


def price_of(product: Product) -> str:
    low = money(product.price, product.currency)
    if product.price_max is not None and product.price_max != product.price:
        return f"{low}–{money(product.price_max, product.currency)}"
    return low


def when(ts: float) -> str:
    moment = datetime.fromtimestamp(ts, tz=timezone.utc)
    return moment.strftime("%d %B %Y at %H:%M").lstrip("0")


def product_line(rank: int, product: Product, reason: str | None = None) -> str:
    extra = f" ({md_text(reason)})" if reason else ""
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
    return (f"Order {md_text(order.id)} {verb} on {when(order.placed)}: {order.items} items in {len(order.lines)} lines"
            f"{total}. Items: " + "; ".join(lines) + more + ".")


def stream(text: str) -> Iterator[str]:
    """Word-sized chunks (whitespace kept), so a UI can paint the reply as it comes."""
    yield from re.findall(r"\S+\s*|\s+", text)
