"""The shop's tools for customers' AI agents: search, product facts, comparison,
recommendations, the cart, order status and the store's policies, as plain typed data.

Every result is built from catalogue records, the caller's own events and the store's settings,
never from model text. Catalogue text is returned as data: control, zero-width and
direction-changing characters are dropped (they can hide text from the person reading), and the
words themselves are never acted on. Identity is the caller's verified customer id (None: a
guest); a cart or an order that is not the caller's is answered exactly like one that does not
exist, so an agent cannot probe other customers' ids.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel

from assistant.engine import Assistant
from assistant.orders import Order
from assistant.policies import StorePolicies
from assistant.replies import cart_total
from assistant.session import valid_session_id
from assistant.store_errors import engine_call
from retrieval.product import Product
from retrieval.rerank import NoReranker
from retrieval.stores.base import SearchFilter
from shopassist.errors import CustomerError
from shopassist.plain_text import HIDDEN_FORMAT, http_url

MAX_PAGE_SIZE = 20
MAX_PAGES = 10  # deeper than this, a search should be narrowed, not paged
MAX_COMPARE = 5
MAX_QUANTITY = 99
MAX_LINES = 50
MAX_QUERY = 500
MAX_FILTERS = 10  # attribute filters or options per call: each becomes a condition for the engine
MAX_NAME = 100
SIGN_IN = ("This needs a signed-in customer: send the customer's token from the shop as "
           "'Authorization: Bearer TOKEN'.")
CartAction = Literal["add", "remove", "set_quantity"]


class ToolError(CustomerError):
    """A refusal or a mistake in the call, worded for the agent (and its customer)."""


# --------------------------------------------------------------------------- results
class ProductSummary(BaseModel):
    id: str
    title: str
    price: float | None = None
    price_max: float | None = None
    currency: str | None = None
    category: str = ""
    brand: str | None = None
    in_stock: bool | None = None
    url: str | None = None
    reason: str | None = None  # why it is suggested to this customer (personalised results only)


class ProductDetail(BaseModel):
    """Every field the catalogue has for a product; a field it lacks is null, never guessed."""

    id: str
    title: str
    description: str
    category: list[str]
    brand: str | None
    price: float | None
    price_max: float | None
    currency: str | None
    url: str | None
    image: str | None
    in_stock: bool | None
    attributes: dict[str, str]


class SearchPage(BaseModel):
    query: str
    page: int
    page_size: int
    results: list[ProductSummary]
    has_more: bool
    personalised: bool  # reordered for the signed-in customer's history


class Comparison(BaseModel):
    products: list[ProductSummary]
    differences: dict[str, list[str | float | bool | None]]  # field → its value for each product, in order
    same: dict[str, str | float | bool | None]  # fields every product shares
    not_found: list[str]


class Recommendations(BaseModel):
    customer: str
    results: list[ProductSummary]


class CartLine(BaseModel):
    product: ProductSummary
    quantity: int
    line_total: float | None  # None when the product has no single price (a range)


class Cart(BaseModel):
    cart_id: str
    lines: list[CartLine]
    items: int
    total: float | None  # None when a line has no single price, or the lines are in different currencies
    currency: str | None


class OrderLineOut(BaseModel):
    product_id: str
    title: str
    quantity: int
    unit_price: float | None


class OrderStatus(BaseModel):
    order_id: str
    status: Literal["placed", "returned"]
    placed_at: str  # ISO 8601, UTC
    lines: list[OrderLineOut]
    items: int
    total: float | None
    currency: str | None


class Policies(BaseModel):
    """The store's policies in its own words; null: the store has not written one (ask a person)."""

    delivery: str | None
    returns: str | None
    payment: str | None
    deals: str | None


# --------------------------------------------------------------------------- text as data
# the characters that reorder text (``HIDDEN_FORMAT``), and here also zero-width ones and marks
_HIDDEN = re.compile("[\u200b-\u200f\u2060-\u2064" + "".join(sorted(HIDDEN_FORMAT)) + "]")
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n"})


def as_data(text: str | None) -> str | None:
    """Catalogue text as plain data: printable characters, newlines and tabs only."""
    if text is None:
        return None
    text = _HIDDEN.sub("", text).translate(_LINE_BREAKS)
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c)[0] != "C")


def summary(product: Product, reason: str | None = None) -> ProductSummary:
    return ProductSummary(id=as_data(product.id), title=as_data(product.title), price=product.price,
                          price_max=product.price_max, currency=as_data(product.currency),
                          category=as_data(product.category_path), brand=as_data(product.brand),
                          in_stock=product.in_stock, url=http_url(product.url), reason=as_data(reason))


def detail(product: Product) -> ProductDetail:
    return ProductDetail(id=as_data(product.id), title=as_data(product.title),
                         description=as_data(product.description),
                         category=[as_data(c) for c in product.category], brand=as_data(product.brand),
                         price=product.price, price_max=product.price_max, currency=as_data(product.currency),
                         url=http_url(product.url), image=http_url(product.image), in_stock=product.in_stock,
                         attributes={as_data(k): as_data(v) for k, v in product.listed_attributes().items()})


# --------------------------------------------------------------------------- the tools
class ShopTools:
    """Args:
        assistant: the engine whose catalogue, reranker, events and sessions the tools use.
        policies: the store's policies (the same settings the assistant quotes).
    """

    def __init__(self, assistant: Assistant, policies: StorePolicies):
        self.assistant = assistant
        self.policies = policies

    def search(self, query: str, customer: str | None = None, *, min_price: float | None = None,
               max_price: float | None = None, category: str | None = None, brand: str | None = None,
               attributes: dict[str, str] | None = None, in_stock_only: bool = False, page: int = 1,
               page_size: int = 10) -> SearchPage:
        """Hybrid search with the filters; a signed-in customer's results are reordered by
        their history (each with its reason)."""
        query = _text(query, "query")
        if not 1 <= page <= MAX_PAGES or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ToolError(f"page must be 1 to {MAX_PAGES} and page_size 1 to {MAX_PAGE_SIZE}")
        flt = SearchFilter(min_price=min_price, max_price=max_price,
                           category=_text(category, "category", MAX_NAME) if category else None,
                           brand=_text(brand, "brand", MAX_NAME) if brand else None,
                           attributes=_pairs(attributes, "attributes"), in_stock_only=in_stock_only)
        shopper = self.assistant.shopper
        personal = bool(customer) and not isinstance(shopper.reranker, NoReranker)  # no behaviour models: as found
        with engine_call():
            pool = shopper.searcher.search(query, flt, page * page_size + 1)
            if personal and pool:
                pool = shopper.reranker.rerank(customer, pool, None)
        start = (page - 1) * page_size
        return SearchPage(query=query, page=page, page_size=page_size,
                          results=[summary(c.product, c.reason if personal else None)
                                   for c in pool[start:start + page_size]],
                          has_more=len(pool) > start + page_size, personalised=personal)

    def product(self, product_id: str) -> ProductDetail:
        return detail(self._product(product_id))

    def compare(self, product_ids: list[str]) -> Comparison:
        """The fields that differ between two to five products, and those they share."""
        ids = list(dict.fromkeys(_text(i, "product_id", 128) for i in product_ids[:MAX_COMPARE + 1]))
        if not 2 <= len(ids) <= MAX_COMPARE:
            raise ToolError(f"compare 2 to {MAX_COMPARE} different products")
        with engine_call():
            found = self.assistant.lookup(ids)
        products = [found[i] for i in ids if i in found]
        if len(products) < 2:
            raise ToolError("fewer than two of those products are in the catalogue")
        rows = [_fields(p) for p in products]
        names = list(dict.fromkeys(name for row in rows for name in row))
        differences, same = {}, {}
        for name in names:
            values = [row.get(name) for row in rows]
            if all(v == values[0] for v in values):
                same[name] = values[0]
            else:
                differences[name] = values
        return Comparison(products=[summary(p) for p in products], differences=differences, same=same,
                          not_found=[i for i in ids if i not in found])

    def recommend(self, customer: str | None, n: int = 5) -> Recommendations:
        customer = _signed_in(customer)
        if not 1 <= n <= MAX_PAGE_SIZE:
            raise ToolError(f"n must be 1 to {MAX_PAGE_SIZE}")
        with engine_call():
            picks = self.assistant.likely_next(customer, None, n)
        return Recommendations(customer=customer, results=[summary(p, why) for p, why in picks])

    def cart(self, customer: str | None, cart_id: str) -> Cart:
        customer = _signed_in(customer)
        lines = self.assistant.cart(_cart_id(cart_id), customer)  # its catalogue reads degrade on their own
        if lines is None:
            raise ToolError(f"No cart {cart_id} found for this customer.")
        return _cart(cart_id, lines)

    def update_cart(self, customer: str | None, product_id: str, action: CartAction, quantity: int = 1,
                    cart_id: str | None = None, options: dict[str, str] | None = None) -> Cart:
        """Add (``quantity`` more), remove (the whole line) or set a line's quantity; without a
        ``cart_id`` a new cart is started. ``options`` (size, colour…) must be the product's own."""
        customer = _signed_in(customer)
        if action not in ("add", "remove", "set_quantity"):
            raise ToolError("action must be add, remove or set_quantity")
        if not 0 <= quantity <= MAX_QUANTITY or (action == "add" and quantity == 0):
            raise ToolError(f"quantity must be 1 to {MAX_QUANTITY} (0 with set_quantity removes the line)")
        product = self._product(product_id)
        _check_options(product, _pairs(options, "options"))

        def target(held: float, lines: int) -> int:  # under the cart's lock: concurrent changes add up
            wanted = {"add": int(held) + quantity, "remove": 0, "set_quantity": quantity}[action]
            if wanted > MAX_QUANTITY:
                raise ToolError(f"a cart line holds at most {MAX_QUANTITY}")
            if wanted > held and product.in_stock is False:  # taking it out or lowering it still works
                raise ToolError(f"{as_data(product.id)} is out of stock")
            if wanted and not held and lines >= MAX_LINES:
                raise ToolError(f"a cart holds at most {MAX_LINES} different products")
            return wanted

        changed = self.assistant.set_in_cart(_cart_id(cart_id) if cart_id else None, customer, product, target,
                                             source="mcp")
        if changed is None:
            raise ToolError(f"No cart {cart_id} found for this customer.")
        session, lines = changed
        return _cart(session.id, lines)

    def order_status(self, customer: str | None, order_id: str) -> OrderStatus:
        customer = _signed_in(customer)
        order_id = _text(order_id, "order_id", 64)
        order = self.assistant.support.orders.get(order_id, customer)
        if order is None:  # the same words for someone else's order: no probing
            raise ToolError(f"No order {order_id} found for this customer.")
        return _order(order)

    def store_policies(self) -> Policies:
        return Policies(**{k: as_data(v) for k, v in self.policies.to_json().items()})

    def _product(self, product_id: str) -> Product:
        product_id = _text(product_id, "product_id", 128)
        with engine_call():
            product = self.assistant.lookup([product_id]).get(product_id)
        if product is None:
            raise ToolError(f"No product {product_id} in this catalogue.")
        return product


# --------------------------------------------------------------------------- helpers
def _text(value: str, name: str, limit: int = MAX_QUERY) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ToolError(f"{name} is empty")
    if len(value) > limit:
        raise ToolError(f"{name} is longer than {limit} characters")
    return value


def _pairs(pairs: dict[str, str] | None, name: str) -> dict[str, str]:
    if len(pairs or {}) > MAX_FILTERS:
        raise ToolError(f"at most {MAX_FILTERS} {name}")
    return {_text(str(k), f"{name} name", MAX_NAME): _text(str(v), f"{name} value", MAX_NAME)
            for k, v in (pairs or {}).items()}


def _signed_in(customer: str | None) -> str:
    if not customer:
        raise ToolError(SIGN_IN)
    return customer


def _cart_id(cart_id: str) -> str:
    if not valid_session_id(cart_id):
        raise ToolError(f"No cart {str(cart_id)[:64]} found for this customer.")
    return cart_id


def _fields(product: Product) -> dict[str, str | float | bool | None]:
    row = {"title": as_data(product.title), "price": product.price, "price_max": product.price_max,
           "currency": product.currency, "brand": as_data(product.brand),
           "category": as_data(product.category_path) or None, "in_stock": product.in_stock}
    row |= {f"attributes.{as_data(k)}": as_data(v) for k, v in product.listed_attributes().items()}
    return row


def _option_values(value: str) -> set[str]:
    return {v.strip().casefold() for v in re.split(r"[,/|;]", value) if v.strip()} | {value.strip().casefold()}


def _check_options(product: Product, options: dict[str, str]) -> None:
    """Each option named must be one of the product's attributes, with one of its values: the
    catalogue lists every variant as its own product, so an option only confirms the right one."""
    listed = {k.casefold(): v for k, v in product.listed_attributes().items()}
    for key, value in options.items():
        have = listed.get(str(key).casefold())
        if have is None:
            raise ToolError(f"{as_data(product.id)} has no option {str(key)[:40]!r}; its attributes are: "
                            f"{', '.join(sorted(as_data(k)[:40] for k in listed)) or 'none'}")
        if str(value).strip().casefold() not in _option_values(have):
            raise ToolError(f"{as_data(product.id)} comes in {key} {as_data(have)[:100]!r}, not {str(value)[:40]!r}")


def _cart(cart_id: str, lines: list[tuple[Product, float]]) -> Cart:
    # the assistant's own sum: no total over a price range or over two currencies
    out = [CartLine(product=summary(p), quantity=int(n), line_total=cart_total([(p, n)])) for p, n in lines]
    currencies = {p.currency for p, _ in lines}
    return Cart(cart_id=cart_id, lines=out, items=sum(line.quantity for line in out),
                total=cart_total(lines) if lines else 0.0,
                currency=currencies.pop() if len(currencies) == 1 and None not in currencies else None)


def _order(order: Order) -> OrderStatus:
    return OrderStatus(order_id=order.id, status="returned" if order.kind == "return" else "placed",
                       placed_at=datetime.fromtimestamp(order.placed, timezone.utc).isoformat(timespec="seconds"),
                       lines=[OrderLineOut(product_id=l.product_id, title=as_data(l.title), quantity=int(abs(l.quantity)),
                                           unit_price=l.unit_price) for l in order.lines],
                       items=order.items, total=order.total, currency=order.currency)
