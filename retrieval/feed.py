"""Product feeds: the catalogue as the rows assistant platforms and marketplaces ingest.

Each stored ``Product`` becomes one row of the common feed fields (``FIELDS``). A field is
filled only from what the catalogue itself says (a link template the shop owner gives is the
one outside source); nothing is guessed. A product whose id cannot be carried unchanged (control
or invisible characters, edge whitespace, a formula start) or whose price cannot be stated
exactly (no price, more decimals than its currency has, zero, no or an unknown currency) is not
written but counted under its reason, and every row is checked against ``feed.schema.json``
before it is written. The report says what was written, what was skipped and why, and which
fields this catalogue cannot fill at all.

Example:
    >>> report = export_feed(store.iter_products(), Path("feed.jsonl"), "jsonl", total=store.count())
    >>> report.unfilled
    ['gtin', 'mpn']
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import secrets
import sys
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol, TextIO
from urllib.parse import quote

from retrieval.product import Product
from shopassist.errors import ConfigError, ShopAssistError
from shopassist.plain_text import FORMULA_START, HIDDEN_FORMAT, http_url, safe_cell

FIELDS: tuple[str, ...] = (
    "id", "title", "description", "link", "image_link", "price", "availability",
    "brand", "product_category", "gtin", "mpn",
)
FORMATS: tuple[str, ...] = ("jsonl", "csv")
SCHEMA_PATH = Path(__file__).with_name("feed.schema.json")

TITLE_MAX = 150
DESCRIPTION_MAX = 5000
IDENTIFIER_MAX = 70  # brand and mpn: what the common feed specs allow
EXAMPLES = 3
PROGRESS_MIN = 1000  # a bar for a few hundred rows is only noise

# ISO 4217 codes of circulating currencies. Fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN,
# UYI, UYW), precious metals, SDR and the testing / "no currency" codes (XTS, XXX) are valid
# ISO 4217 codes but no shop prices goods in them, so a catalogue that says so is wrong.
# ANG and XCG are both listed while the Caribbean guilder replaces the Antillean one.
ISO_4217: frozenset[str] = frozenset("""
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
    FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP
    MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER
    ZAR ZMW ZWG
""".split())

# ISO 4217 minor units (the exponent: how many decimals a price has) where they are not 2.
# The schema's price rule (``feed.schema.json``) lists the same codes.
ZERO_DECIMALS: frozenset[str] = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split())
THREE_DECIMALS: frozenset[str] = frozenset("BHD IQD JOD KWD LYD OMR TND".split())


def minor_units(code: str) -> int:
    """How many decimals a price in ``code`` has (ISO 4217): 0, 2 or 3."""
    return 0 if code in ZERO_DECIMALS else 3 if code in THREE_DECIMALS else 2


# Attribute names (after ``attribute_name``) that hold an identifier, best first. UPC-E is
# left out: its 8 digits are a compressed UPC-A whose check digit is not that of a GTIN-8.
GTIN_KEYS: tuple[str, ...] = ("gtin", "gtin14", "gtin13", "gtin12", "gtin8", "ean", "ean13", "ean8",
                              "upc", "upca", "isbn", "isbn13")
MPN_KEYS: tuple[str, ...] = ("mpn", "manufacturerpartnumber", "modelnumber", "modelid", "modelname")
BRAND_KEYS: tuple[str, ...] = ("brand",)

# Skip reasons, in the order a product is checked; a product is counted under the first.
# (``invalid_price`` is met twice: a negative or non-finite price before the currency is
# looked at, a price with more decimals than its currency has after.)
INVALID_ID = "invalid_id"
EMPTY_TITLE = "empty_title"
NO_PRICE = "no_price"
INVALID_PRICE = "invalid_price"
NO_CURRENCY = "no_currency"
INVALID_CURRENCY = "invalid_currency"
ZERO_PRICE = "zero_price"

# Every pattern of ``feed.schema.json`` forbids the characters of ``shopassist.plain_text.UNSAFE_CLASS``.

# What ``str.splitlines()`` splits on that ``json.dumps(ensure_ascii=False)`` leaves raw.
_JSONL_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


# ------------------------------------------------------------------------------ text and values

def clean_text(value: str) -> str:
    """Whitespace collapsed to single spaces, control characters removed.

    Line breaks and tabs become spaces first (removing them would join two words); other
    control characters, lone surrogates (which cannot be written as UTF-8) and the hidden
    bidirectional controls are dropped. U+2028 and U+2029 (line and paragraph separators) are
    whitespace, so they become spaces too.
    """
    kept = []
    for ch in value:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs") and ch not in HIDDEN_FORMAT:
            kept.append(ch)
    return " ".join("".join(kept).split())


def _unsafe_char(ch: str) -> bool:
    """A control character, a lone surrogate, U+2028/U+2029 or a hidden format character."""
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in HIDDEN_FORMAT


def id_problem(product_id: str) -> str | None:
    """Why ``product_id`` cannot go into a feed unchanged, or None when it can.

    An id must match the shop's own system, so it is never cleaned: one holding a control or
    invisible character (it would split a JSONL or CSV line, or read as another id), one with
    whitespace at either end, or one a spreadsheet would run as a formula (``=``, ``+``, ``-``,
    ``@``) is refused instead.
    """
    for ch in product_id:
        if _unsafe_char(ch):
            name = unicodedata.name(ch, "") if unicodedata.category(ch) != "Cs" else "a lone surrogate"
            return f"{product_id!r} holds U+{ord(ch):04X}" + (f" ({name})" if name else "")
    if product_id != product_id.strip():
        return f"{product_id!r} begins or ends with whitespace"
    if product_id.startswith(FORMULA_START):
        return f"{product_id!r} begins with {product_id[0]!r}: a spreadsheet would run it as a formula"
    return None


def shown_id(product_id: str) -> str:
    """``product_id`` as the report shows it: as is when it is a valid feed id, else as a Python
    string literal, so an invisible character is visible and nothing reaches a terminal raw."""
    return product_id if id_problem(product_id) is None else repr(product_id)


def cap_words(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary.

    A cut that would keep less than half the limit (one very long token) is made at the limit
    instead: a title of one word is worse than a title cut mid-word.
    """
    if len(text) <= limit:
        return text
    head = text[: limit + 1]  # a space right after the limit still ends a whole word
    cut = head.rsplit(" ", 1)[0].rstrip() if " " in head else ""
    return cut if len(cut) >= limit // 2 else text[:limit].rstrip()


def attribute_name(key: str) -> str:
    """``Model Number`` / ``model_number`` / ``model-number`` → ``modelnumber``."""
    return re.sub(r"[\s_\-]+", "", key.lower())


def gs1_check_digit_ok(digits: str) -> bool:
    """The GS1 mod-10 check: from the right, body digits weigh 3, 1, 3, ..."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def valid_gtin(value: str) -> str | None:
    """The GTIN in ``value`` (spaces and hyphens of a printed ISBN/EAN removed), or None when it
    is not 8, 12, 13 or 14 digits with a valid check digit. All zeros passes the check but is a
    placeholder, not an identifier."""
    digits = re.sub(r"[\s\-]", "", value)
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        return None
    if not digits.strip("0") or not gs1_check_digit_ok(digits):
        return None
    return digits


def check_link_template(template: str) -> str:
    """A ``--link-template``: an http(s) URL with ``{id}`` where the product id goes."""
    if not template.startswith(("http://", "https://")):
        raise ConfigError(f"--link-template {template!r} must start with http:// or https://")
    if "{id}" not in template:
        raise ConfigError(f"--link-template {template!r} must contain {{id}}, where the product id goes, "
                          "e.g. https://shop.example/p/{id}")
    if http_url(template.replace("{id}", "x")) is None:
        raise ConfigError(f"--link-template {template!r} is not a URL (no spaces, a host after the scheme)")
    return template


def template_link(template: str, product_id: str) -> str:
    # str.replace, not str.format: a template may hold other braces, and every character of the
    # id is quoted so an id like "a/b?c" stays one path segment.
    return template.replace("{id}", quote(product_id, safe=""))


def feed_price(product: Product) -> tuple[str | None, str | None, str | None]:
    """``("2.95 GBP", None, None)``, or ``(None, reason, detail)`` when the price cannot be
    stated exactly.

    The amount has as many decimals as the currency has minor units (ISO 4217: ``1500 JPY``,
    ``2.95 GBP``, ``1.235 KWD``). A catalogue price with more decimals than that is refused, not
    rounded: the feed would state a price the catalogue does not. A price of 0 is refused too:
    a feed listing a product as free makes a promise the catalogue may not mean. A range is
    listed at its lowest price (``price``), the one a customer can pay.
    """
    price = product.price
    if price is None:
        return None, NO_PRICE, None
    if not math.isfinite(price) or price < 0:
        return None, INVALID_PRICE, f"{price} is {'negative' if price < 0 else 'not a finite number'}"
    if not product.currency or not product.currency.strip():
        return None, NO_CURRENCY, None
    code = product.currency.strip().upper()
    if code not in ISO_4217:
        return None, INVALID_CURRENCY, None
    # str() of a float is the shortest text that reads back as it (2.675, not 2.67499...):
    # the catalogue's own digits. Normalised, its exponent says how many decimals it states.
    stated = Decimal(str(price)).normalize()
    units = minor_units(code)
    decimals = max(0, -stated.as_tuple().exponent)
    if decimals > units:
        return None, INVALID_PRICE, (f"{stated:f} {code} states {decimals} decimals; {code} has {units} "
                                     "(ISO 4217), and the feed does not round a price")
    if stated.is_zero():
        return None, ZERO_PRICE, None
    try:
        amount = stated.quantize(Decimal(1).scaleb(-units))
    except InvalidOperation:  # too many digits for a price anyone pays
        return None, INVALID_PRICE, f"{price} {code} has too many digits"
    return f"{amount:f} {code}", None, None


# ----------------------------------------------------------------------------------- rows

@dataclass(frozen=True)
class BuiltRow:
    """One product's row, or why it has none. ``dropped`` names fields the catalogue had a
    value for that the feed cannot use (a GTIN with a wrong check digit, an ftp:// link)."""

    row: dict[str, str] | None
    skipped: str | None = None
    dropped: tuple[str, ...] = ()
    detail: str | None = None  # what was wrong, for a skipped product


def _attribute_values(attributes: dict[str, str], keys: tuple[str, ...]) -> list[str]:
    """Cleaned, non-empty values of the attributes named by ``keys``, in the order of ``keys``."""
    by_name: dict[str, list[str]] = {}
    for key, value in attributes.items():
        text = clean_text(str(value))
        if text:
            by_name.setdefault(attribute_name(key), []).append(text)
    return [value for key in keys for value in by_name.get(key, [])]


def _identifier(candidates: list[str]) -> tuple[str | None, bool]:
    """The first candidate short enough to be an identifier; ``True`` when some were too long."""
    for value in candidates:
        if len(value) <= IDENTIFIER_MAX:
            return value, False
    return None, bool(candidates)


def _link_fields(product: Product, link_template: str | None) -> tuple[dict[str, str | None], list[str]]:
    """``link`` and ``image_link``, and which of them the catalogue had in an unusable form."""
    dropped: list[str] = []
    if link_template is not None:
        link = template_link(link_template, product.id)
    else:
        link = http_url(product.url)
        if product.url and link is None:
            dropped.append("link")
    image = http_url(product.image)
    if product.image and image is None:
        dropped.append("image_link")
    return {"link": link, "image_link": image}, dropped


def _identifier_fields(product: Product) -> tuple[dict[str, str | None], list[str]]:
    """``brand``, ``gtin`` and ``mpn`` from the product and its attributes, and which of them
    the catalogue had in an unusable form (a wrong check digit, too long)."""
    attributes = product.listed_attributes()  # never ``kind``: a guess from the title
    dropped: list[str] = []
    brand_name = clean_text(product.brand or "")
    brand, too_long = _identifier([brand_name] if brand_name else _attribute_values(attributes, BRAND_KEYS))
    if too_long:
        dropped.append("brand")
    gtin_values = _attribute_values(attributes, GTIN_KEYS)
    gtin = next((g for g in map(valid_gtin, gtin_values) if g), None)
    if gtin_values and gtin is None:
        dropped.append("gtin")
    mpn, too_long = _identifier(_attribute_values(attributes, MPN_KEYS))
    if too_long:
        dropped.append("mpn")
    return {"brand": brand, "gtin": gtin, "mpn": mpn}, dropped


def build_row(product: Product, link_template: str | None = None) -> BuiltRow:
    """The feed row of ``product`` (fields in ``FIELDS`` order, unknown ones left out)."""
    problem = id_problem(product.id)
    if problem is not None:
        return BuiltRow(None, INVALID_ID, detail=problem)
    title = cap_words(clean_text(product.title), TITLE_MAX)
    if not title:
        return BuiltRow(None, EMPTY_TITLE)
    price, reason, detail = feed_price(product)
    if price is None:
        return BuiltRow(None, reason, detail=detail)

    links, dropped_links = _link_fields(product, link_template)
    identifiers, dropped_identifiers = _identifier_fields(product)
    levels = [level for level in (clean_text(c) for c in product.category) if level]
    values: dict[str, str | None] = {
        "id": product.id, "title": title, "price": price,
        "description": cap_words(clean_text(product.description), DESCRIPTION_MAX),
        "availability": None if product.in_stock is None else ("in_stock" if product.in_stock else "out_of_stock"),
        "product_category": " > ".join(levels),
        **links, **identifiers,
    }
    row = {name: value for name in FIELDS if (value := values.get(name))}
    return BuiltRow(row, None, tuple(dropped_links + dropped_identifiers))


# ----------------------------------------------------------------------------- validation

def load_validator():
    """A JSON Schema (draft 2020-12) validator for one row, from ``feed.schema.json``."""
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_problem(validator, row: dict[str, Any]) -> tuple[str, str] | None:
    """``(reason, message)`` for a row the schema rejects, else None. The reason names the field
    and the rule (``schema: title maxLength``) so that rows failing alike are counted together."""
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(row))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "row"
    return f"schema: {where} {error.validator}", error.message[:200]


# -------------------------------------------------------------------------------- writers

class RowWriter(Protocol):
    def write(self, row: dict[str, str]) -> None: ...


class JsonlWriter:
    """One JSON object per line, UTF-8 as is (no ``\\u`` escapes) except for the characters
    ``str.splitlines()`` would end a line at (U+0085, U+2028, U+2029), escaped so a row stays one
    line to every reader. Rows never hold them (ids with them are refused, text is cleaned):
    this is the last guard."""

    def __init__(self, fh: TextIO):
        self.fh = fh

    def write(self, row: dict[str, str]) -> None:
        line = json.dumps(row, ensure_ascii=False)
        if any(ch in line for ch in _JSONL_LINE_BREAKS):
            line = "".join(_JSONL_LINE_BREAKS.get(ch, ch) for ch in line)
        self.fh.write(line + "\n")


class CsvWriter:
    """A header of ``FIELDS`` in their fixed order, then one row per product, empty cells for
    the fields it lacks. The ``id`` cell is written as is: an id is never changed, and one that
    starts like a formula never reaches a row (``invalid_id``)."""

    def __init__(self, fh: TextIO):
        self.writer = csv.writer(fh)
        self.writer.writerow(FIELDS)

    def write(self, row: dict[str, str]) -> None:
        self.writer.writerow([row.get(name, "") if name == "id" else safe_cell(row.get(name, ""))
                              for name in FIELDS])


WRITERS: dict[str, type] = {"jsonl": JsonlWriter, "csv": CsvWriter}


def check_destination(out: Path) -> Path:
    """``out`` when a feed can be written there; a sentence saying why not otherwise. Checked
    before the catalogue is read, so a typo costs nothing."""
    out = Path(out).expanduser()
    if out.is_dir():
        raise ShopAssistError(f"--out {out} is a folder: name the feed file, e.g. {out / 'feed.jsonl'}")
    folder = out.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ShopAssistError(f"cannot write the feed to {out}: {folder} {what}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ShopAssistError(f"cannot write the feed to {out}: the folder {folder} is not writable")
    return out


@contextmanager
def atomic_text_file(path: Path, newline: str | None = None) -> Iterator[TextIO]:
    """A text file that appears at ``path`` only when the block finishes: it is written beside
    ``path`` (same file system, so the rename is atomic) and renamed over it; a failed block
    removes it, so a reader never sees half a feed and an earlier feed stays as it was."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        # O_EXCL: never write through a file or link someone placed there; 0o666 & umask gives
        # the permissions any other file the user writes gets (a feed is meant to be published).
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise ShopAssistError(f"cannot write the feed to {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------- report

@dataclass
class Tally:
    """How many products, and the first few of their ids."""

    count: int = 0
    examples: list[str] = field(default_factory=list)
    detail: str | None = None  # what was wrong with the first product that has a detail

    def add(self, product_id: str, detail: str | None = None) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(product_id)
        if self.detail is None:
            self.detail = detail

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"count": self.count, "examples": self.examples}
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass
class FeedReport:
    """What an export did: rows written, products skipped by reason, per-field coverage."""

    out: str
    format: str
    collection: str | None = None
    link_template: str | None = None
    products_read: int = 0
    rows_written: int = 0
    skipped: dict[str, Tally] = field(default_factory=dict)
    dropped_values: dict[str, Tally] = field(default_factory=dict)
    fields: Counter = field(default_factory=Counter)

    def skip(self, reason: str, product_id: str, detail: str | None = None) -> None:
        self.skipped.setdefault(reason, Tally()).add(product_id, detail)

    def written(self, row: dict[str, str], dropped: tuple[str, ...]) -> None:
        self.rows_written += 1
        self.fields.update(row.keys())
        for name in dropped:
            self.dropped_values.setdefault(name, Tally()).add(row["id"])

    @property
    def skipped_count(self) -> int:
        return sum(t.count for t in self.skipped.values())

    @property
    def unfilled(self) -> list[str]:
        """The fields no written row has: what this catalogue cannot fill."""
        return [name for name in FIELDS if not self.fields[name]]

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "format": self.format,
            "out": self.out,
            "link_template": self.link_template,
            "products_read": self.products_read,
            "rows_written": self.rows_written,
            "skipped_count": self.skipped_count,
            "skipped": {reason: t.to_json() for reason, t in sorted(self.skipped.items())},
            "fields": {name: self.fields[name] for name in FIELDS},
            "unfilled": self.unfilled,
            "dropped_values": {name: t.to_json() for name, t in sorted(self.dropped_values.items())},
        }

    def summary(self) -> str:
        lines = [f"wrote {self.rows_written} of {self.products_read} products to {self.out} ({self.format})"]
        if self.skipped:
            reasons = ", ".join(f"{reason} {t.count} (e.g. {', '.join(t.examples)})"
                                for reason, t in sorted(self.skipped.items()))
            lines.append(f"skipped {self.skipped_count}: {reasons}")
        else:
            lines.append("skipped none")
        if self.dropped_values:
            dropped = ", ".join(f"{name} {t.count}" for name, t in sorted(self.dropped_values.items()))
            lines.append(f"values left out as unusable: {dropped}")
        lines.append(f"fields no row has: {', '.join(self.unfilled) or 'none'}")
        return "\n".join(lines)


# --------------------------------------------------------------------------------- export

def _progress(products: Iterable[Product], total: int | None, show: bool) -> Iterable[Product]:
    from tqdm import tqdm

    return tqdm(products, total=total, file=sys.stderr, unit=" products", desc="feed",
                disable=not show or (total is not None and total < PROGRESS_MIN))


def export_feed(
    products: Iterable[Product], out: Path, fmt: str, link_template: str | None = None, *,
    total: int | None = None, progress: bool = False, collection: str | None = None,
) -> FeedReport:
    """Write the feed of ``products`` to ``out`` in ``fmt`` (``FORMATS``) and report on it.

    ``out`` appears only once every product is written; on any error it is left untouched.
    """
    if fmt not in WRITERS:
        raise ConfigError(f"unknown feed format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if link_template is not None:
        check_link_template(link_template)
    out = check_destination(out)
    report = FeedReport(out=str(out), format=fmt, collection=collection, link_template=link_template)
    validator = load_validator()
    try:
        # newline="": csv writes its own \r\n line ends, JSONL plain \n, on every platform.
        with atomic_text_file(out, newline="") as fh:
            writer: RowWriter = WRITERS[fmt](fh)
            for product in _progress(products, total, progress):
                report.products_read += 1
                built = build_row(product, link_template)
                if built.row is None:
                    report.skip(built.skipped or "unknown", shown_id(product.id), built.detail)
                    continue
                problem = schema_problem(validator, built.row)
                if problem is not None:
                    report.skip(problem[0], shown_id(product.id), problem[1])
                    continue
                writer.write(built.row)
                report.written(built.row, built.dropped)
    except OSError as exc:  # disk full, a folder removed mid-export
        raise ShopAssistError(f"writing the feed to {out} failed: {exc.strerror or exc}") from None
    return report
