"""Parsers for the messy cell values real catalogues contain.

Each parser takes one cell (any type) and returns a normalised value, ``None`` for an
empty cell, or raises ``ValueError`` with a message fit for the validation report.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass

_CURRENCY_MARKS: list[tuple[str, str]] = [
    ("US$", "USD"), ("USD", "USD"), ("$", "USD"),
    ("GBP", "GBP"), ("£", "GBP"),
    ("EUR", "EUR"), ("€", "EUR"),
    ("INR", "INR"), ("RS.", "INR"), ("RS ", "INR"), ("₹", "INR"),
    ("JPY", "JPY"), ("¥", "JPY"),
]
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_RANGE_WORDS = re.compile(r"\b(?:to|through|thru|and|-|–|—)\b|[-–—~]")
_EMPTY = {"", "nan", "none", "null", "n/a", "na", "-", "--"}
# "-5", "(5)", "( $ 5)". One optional ``\s*`` per gap: two adjacent ones (``\s*[$]?\s*``)
# try every split of a long run of spaces, which is quadratic.
_NEGATIVE = re.compile(r"[-−]|\(\s*(?:[$£€₹]\s*)?\d")
# Category levels are split on the separator alone; the spaces around it are dropped when
# each level's whitespace is normalised. (``\s*`` on both sides made every space of a long
# run a new start that read the rest of the run: quadratic.)
_CATEGORY_SEPARATOR = re.compile(r">>|>|/|\||›|»")


@dataclass(frozen=True)
class Price:
    """A parsed price: ``low`` is what filters compare; ``high`` is set for ranges."""

    low: float
    high: float | None = None
    currency: str | None = None


def is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _EMPTY


def detect_currency(text: str) -> str | None:
    upper = text.upper() + " "
    for mark, code in _CURRENCY_MARKS:
        if mark in upper:
            return code
    return None


def _to_number(token: str) -> float:
    token = token.replace(" ", "")
    if "," in token and "." in token:
        # Whichever separator comes last is the decimal point: 1,499.99 or 1.499,99.
        if token.rfind(",") > token.rfind("."):
            token = token.replace(".", "").replace(",", ".")
        else:
            token = token.replace(",", "")
    elif "," in token:
        head, _, tail = token.rpartition(",")
        # 1,499 is a thousands separator; 2,55 is a decimal comma.
        token = token.replace(",", "") if len(tail) == 3 else head.replace(",", "") + "." + tail
    elif token.count(".") > 1:
        token = token.replace(".", "")
    return float(token)


def parse_price(value: object, default_currency: str | None = None) -> Price | None:
    """Parse ``$1,499.99 ``, ``Rs. 499``, ``£2.55``, ``$299.99through-$449.99``, ``12``.

    Returns ``None`` for an empty cell; raises ``ValueError`` for text that holds no
    usable price (``call us``) or a negative one.
    """
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"price {value!r} is not a number")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"price {value!r} is not a non-negative number")
        return Price(float(value), None, default_currency)
    text = str(value).strip()
    if text.lower() == "free":
        return Price(0.0, None, default_currency)
    if _NEGATIVE.match(text):
        raise ValueError(f"price {text!r} is negative")
    numbers = [_to_number(m.group()) for m in _NUMBER.finditer(text)]
    if not numbers:
        raise ValueError(f"price {text!r} has no number in it")
    if not all(math.isfinite(n) for n in numbers):
        raise ValueError(f"price {text[:40]!r}… is too large to be a price")
    if len(numbers) > 2:
        raise ValueError(f"price {text!r} has {len(numbers)} numbers; expected a price or a range")
    currency = detect_currency(text) or default_currency
    if len(numbers) == 2:
        if not _RANGE_WORDS.search(_NUMBER.sub(" ", text)):
            raise ValueError(f"price {text!r} holds two numbers but no range word between them")
        low, high = sorted(numbers)
        return Price(low, high if high > low else None, currency)
    return Price(numbers[0], None, currency)


def _literal(text: str) -> object:
    """A JSON or Python literal (lists, dicts), including Ruby-style ``=>`` hashes."""
    for attempt in (text, text.replace("=>", ":")):
        try:
            return json.loads(attempt)
        except (json.JSONDecodeError, ValueError):
            pass
        try:
            return ast.literal_eval(attempt)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            pass
    return None


def parse_category(value: object) -> tuple[str, ...]:
    """A category path, top level first, from a list, ``A > B > C``, ``A/B`` or ``['a', 'b']``."""
    if is_empty(value):
        return ()
    if isinstance(value, (list, tuple)):
        items: list[object] = list(value)
    else:
        text = str(value).strip()
        parsed = _literal(text) if text[:1] in "[(" else None
        if isinstance(parsed, (list, tuple)):
            items = list(parsed)
        else:
            items = [text]
    levels: list[str] = []
    for item in items:
        for part in _CATEGORY_SEPARATOR.split(str(item)):
            part = " ".join(part.split())
            if part and part not in levels:
                levels.append(part)
    return tuple(levels)


def attribute_key(key: str) -> str:
    """``Outer Material`` → ``outer_material``: a stable payload key."""
    return re.sub(r"[^0-9a-z]+", "_", key.strip().lower()).strip("_")


def parse_attributes(value: object) -> dict[str, str]:
    """Key/value specs from a dict, a list of ``{'key', 'value'}`` pairs, or ``k: v, k: v`` text."""
    if is_empty(value):
        return {}
    parsed = value if isinstance(value, (dict, list)) else _literal(str(value).strip())
    if isinstance(parsed, dict) and len(parsed) == 1 and isinstance(next(iter(parsed.values())), list):
        parsed = next(iter(parsed.values()))  # {"product_specification": [...]}
    pairs: list[tuple[object, object]] = []
    if isinstance(parsed, dict):
        pairs = list(parsed.items())
    elif isinstance(parsed, list):
        for item in parsed:
            if isinstance(item, dict) and "key" in item and "value" in item:
                pairs.append((item["key"], item["value"]))
    elif isinstance(value, str):
        for chunk in re.split(r"[;,\n]", value):
            key, sep, val = chunk.partition(":")
            if sep:
                pairs.append((key, val))
    out: dict[str, str] = {}
    for key, val in pairs:
        k = attribute_key(str(key))
        v = " ".join(str(val).split())
        if k and v and not is_empty(v):
            out.setdefault(k, v)
    return out


_TRUE = {"true", "yes", "y", "1", "in stock", "instock", "available", "t"}
_FALSE = {"false", "no", "n", "0", "out of stock", "outofstock", "sold out", "unavailable", "f"}


def parse_bool(value: object) -> bool | None:
    """Stock flags: ``yes``/``in stock``/``1``/a positive count → True; ``no``/``0`` → False."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value > 0
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    try:
        return float(text) > 0
    except ValueError:
        raise ValueError(f"stock value {value!r} is neither yes/no nor a count") from None


def first_url(value: object) -> str | None:
    """The first URL of a cell that may hold a list of them."""
    if is_empty(value):
        return None
    match = re.search(r"https?://[^\s\"',\]]+", str(value))
    return match.group() if match else None
