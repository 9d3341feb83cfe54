"""The grounding check: every product, price, order number and date a reply states must
be in the records the reply was built from (or in the customer's own message).

Replies format these facts one way (``replies``): titles in ``**bold**``, money with a
currency sign or code, dates as "1 December 2010 at 08:26". The check reads them back out;
any reply that fails is replaced before it reaches the customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.orders import Order
from assistant.replies import md_unescape, when
from retrieval.product import Product

_BOLD = re.compile(r"\*\*((?:\\.|[^*\\])+?)\*\*")
_AMOUNT = r"\d[\d,]*(?:\.\d+)?"
_CODE = r" (GBP|INR|USD|EUR)\b"
# A price is a currency sign then a number, or a number then a code. The second form is
# only tried where a run of digits and commas begins (``(?<![\d,])``, the run's leading
# commas skipped): a number that reaches no code from the run's first digit reaches none
# from a later one either, and trying every later digit made long runs (``1,1,1,…``)
# quadratic. The groups are those of the plain pattern, and so are the matches (see
# ``_money_numbers`` for the one place a search resumes inside a run).
_MONEY = re.compile(rf"([£₹$€])\s?({_AMOUNT})|(?<![\d,]),*({_AMOUNT}){_CODE}")
_CODED_REST = re.compile(rf",*({_AMOUNT}){_CODE}")
_RUN = re.compile(r"[\d,]*")
_ORDER = re.compile(r"\border (?:number )?([A-Za-z]?\d{4,})\b", re.I)
_DATE = re.compile(r"\b\d{1,2} [A-Z][a-z]+ \d{4} at \d{2}:\d{2}\b")


@dataclass
class Grounding:
    """The records a reply may draw on."""

    products: list[Product] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    message: str = ""
    computed: list[float] = field(default_factory=list)  # sums worked from these records ("3 × £2.95")

    def titles(self) -> set[str]:
        return {p.title for p in self.products} | {l.title for o in self.orders for l in o.lines}

    def amounts(self) -> set[float]:
        values = {v for p in self.products for v in (p.price, p.price_max) if v is not None}
        values |= {l.unit_price for o in self.orders for l in o.lines if l.unit_price is not None}
        values |= {o.total for o in self.orders if o.total is not None}
        values |= set(self.computed)
        return {round(v, 2) for v in values}


def names_in(text: str) -> list[str]:
    """The product names a reply states (bold), as plain text."""
    return [md_unescape(name) for name in _BOLD.findall(text)]


def _money_numbers(text: str):
    """The numbers ``_MONEY`` finds, as ``finditer`` of the plain pattern would, in linear time."""
    pos = 0
    while (match := _MONEY.search(text, pos)):
        yield match.group(2) or match.group(3)
        pos = match.end()
        if text.startswith(",", pos):
            # "£1.50,2 GBP": the sign's number ended inside a run of digits and commas,
            # where the lookbehind keeps the search from starting; "2 GBP" is still a price.
            rest = _CODED_REST.match(text, pos)
            if rest:
                yield rest.group(1)
                pos = rest.end()
            else:
                pos = _RUN.match(text, pos).end()


def amounts_in(text: str) -> list[float]:
    return [round(float(number.replace(",", "")), 2) for number in _money_numbers(text)]


def check_reply(reply: str, grounding: Grounding) -> list[str]:
    """Problems found (empty = grounded)."""
    problems = []
    titles = grounding.titles()
    for name in names_in(reply):
        if name not in titles:
            problems.append(f"unknown product {name!r}")
    # A known title is checked as a whole: "SET 10 CARDS OUT OF ORDER 17216" states no order.
    reply = _BOLD.sub(lambda m: " " if md_unescape(m.group(1)) in titles else m.group(0), reply)
    allowed = grounding.amounts() | set(amounts_in(grounding.message))
    for amount in amounts_in(reply):
        if amount not in allowed:
            problems.append(f"price {amount} not in the records")
    order_ids = {o.id.upper() for o in grounding.orders}
    for number in _ORDER.findall(reply):
        if number.upper() not in order_ids and number not in grounding.message:
            problems.append(f"order {number} not in the records")
    dates = {when(o.placed) for o in grounding.orders}
    for date in _DATE.findall(reply):
        if date not in dates:
            problems.append(f"date {date} not in the records")
    return problems

