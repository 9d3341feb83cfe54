"""The product feed: rows built only from what the catalogue says, validated, written whole."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from retrieval.feed import (
    FIELDS, INVALID_CURRENCY, INVALID_ID, INVALID_PRICE, ISO_4217, NO_CURRENCY, NO_PRICE, SCHEMA_PATH,
    THREE_DECIMALS, ZERO_DECIMALS, ZERO_PRICE, JsonlWriter, atomic_text_file, build_row, cap_words,
    check_destination, check_link_template, clean_text, export_feed, feed_price, http_url,
    id_problem, load_validator, minor_units, schema_problem, valid_gtin,
)
from retrieval.product import Product
from shopassist.errors import ConfigError, ShopAssistError
from shopassist.plain_text import safe_cell

FULL = Product(
    id="85123A", title="White hanging heart T-light holder", description="A heart.\nFor tea lights.",
    category=("Home", "Candles"), brand="Acme", price=2.95, price_max=3.5, currency="GBP",
    url="https://shop.example/items/85123A", image="https://img.example/85123A.jpg", in_stock=True,
    attributes={"EAN": "4006381333931", "Model Number": "WH-1", "colour": "white", "kind": "holder"},
)


def _product(**changes) -> Product:
    base = {"id": "p1", "title": "Red mug", "price": 4.0, "currency": "GBP"}
    return Product(**{**base, **changes})


def _schema() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


# ------------------------------------------------------------------------------------ rows

def test_a_full_product_fills_every_field_from_the_catalogue():
    built = build_row(FULL)
    assert built.skipped is None and built.dropped == ()
    assert built.row == {
        "id": "85123A", "title": "White hanging heart T-light holder", "description": "A heart. For tea lights.",
        "link": "https://shop.example/items/85123A", "image_link": "https://img.example/85123A.jpg",
        "price": "2.95 GBP", "availability": "in_stock", "brand": "Acme", "product_category": "Home > Candles",
        "gtin": "4006381333931", "mpn": "WH-1",
    }
    assert list(built.row) == list(FIELDS)  # the fixed order
    assert _schema().is_valid(built.row)


def test_unknown_fields_are_left_out_never_invented():
    row = build_row(_product()).row
    assert row == {"id": "p1", "title": "Red mug", "price": "4.00 GBP"}
    assert _schema().is_valid(row)


@pytest.mark.parametrize("in_stock, expected", [(True, "in_stock"), (False, "out_of_stock"), (None, None)])
def test_availability_comes_from_in_stock(in_stock, expected):
    assert build_row(_product(in_stock=in_stock)).row.get("availability") == expected


@pytest.mark.parametrize("value, expected", [
    ("4006381333931", "4006381333931"),      # EAN-13
    ("036000291452", "036000291452"),        # UPC-A, leading zero kept
    ("96385074", "96385074"),                # GTIN-8
    ("00012345600012", "00012345600012"),    # GTIN-14
    ("978-0-306-40615-7", "9780306406157"),  # a printed ISBN-13
    ("4006381333932", None),                 # wrong check digit
    ("0306406152", None),                    # ISBN-10: not a GTIN length
    ("40063813339", None),                   # 11 digits
    ("400638133393A", None),
    ("00000000", None),                      # passes the check, but a placeholder
    ("４００６３８１３３３９３１", None),          # full-width digits are not GS1 digits
    ("4.006381333931e12", None),
])
def test_gtin_needs_a_gs1_length_and_check_digit(value, expected):
    assert valid_gtin(value) == expected


@pytest.mark.parametrize("key", ["gtin", "GTIN", "ean", "EAN 13", "upc", "UPC_A", "isbn", "Gtin-14"])
def test_gtin_is_read_from_any_identifier_attribute(key):
    assert build_row(_product(attributes={key: "4006381333931"})).row["gtin"] == "4006381333931"


def test_an_invalid_gtin_is_left_out_and_reported_as_dropped():
    built = build_row(_product(attributes={"ean": "4006381333932", "colour": "red"}))
    assert "gtin" not in built.row and built.dropped == ("gtin",)


def test_a_later_valid_gtin_attribute_is_used_when_the_first_is_invalid():
    built = build_row(_product(attributes={"upc": "123", "gtin": "96385074"}))
    assert built.row["gtin"] == "96385074" and built.dropped == ()


def test_mpn_from_mpn_or_model_attributes_best_first():
    assert build_row(_product(attributes={"model_name": "Classic", "MPN": "X-100"})).row["mpn"] == "X-100"
    assert build_row(_product(attributes={"model_name": "Classic", "Model Number": "MN-7"})).row["mpn"] == "MN-7"
    assert build_row(_product(attributes={"model_id": "ID-3", "model_name": "Classic"})).row["mpn"] == "ID-3"
    assert build_row(_product(attributes={"modelname": "Classic"})).row["mpn"] == "Classic"
    assert "mpn" not in build_row(_product(attributes={"style_code": "S1", "model": "M"})).row


def test_an_identifier_too_long_for_a_feed_is_dropped_not_cut():
    built = build_row(_product(brand="B" * 71, attributes={"mpn": "M" * 71}))
    assert "brand" not in built.row and "mpn" not in built.row
    assert set(built.dropped) == {"brand", "mpn"}


def test_brand_falls_back_to_a_brand_attribute():
    assert build_row(_product(attributes={"Brand": "Acme"})).row["brand"] == "Acme"
    assert build_row(_product(brand="Own", attributes={"brand": "Other"})).row["brand"] == "Own"


def test_kind_and_list_price_are_not_catalogue_facts():
    # ``kind`` is derived from the title at indexing: never a model name or identifier.
    row = build_row(_product(attributes={"kind": "mug", "list_price": "9.99"})).row
    assert row == {"id": "p1", "title": "Red mug", "price": "4.00 GBP"}


# ---------------------------------------------------------------------------------- links

def test_link_template_quotes_the_id_and_wins_over_the_url():
    product = _product(id="a/b c?d", url="https://catalogue.example/x")
    row = build_row(product, "https://shop.example/p/{id}?ref=feed").row
    assert row["link"] == "https://shop.example/p/a%2Fb%20c%3Fd?ref=feed"
    assert build_row(product).row["link"] == "https://catalogue.example/x"


def test_a_template_with_other_braces_is_not_formatted():
    assert build_row(_product(), "https://shop.example/{lang}/p/{id}").row["link"] == "https://shop.example/{lang}/p/p1"


@pytest.mark.parametrize("template, message", [
    ("https://shop.example/p/", "must contain {id}"),
    ("shop.example/p/{id}", "must start with http:// or https://"),
    ("ftp://shop.example/{id}", "must start with http:// or https://"),
    ("javascript:alert({id})", "must start with http:// or https://"),
    ("https:// shop.example/{id}", "is not a URL"),
])
def test_bad_link_templates_are_refused_with_a_sentence(template, message):
    with pytest.raises(ConfigError, match=message.replace("?", r"\?").replace("{", r"\{").replace("}", r"\}")):
        check_link_template(template)


def test_only_http_urls_are_links():
    built = build_row(_product(url="ftp://files.example/x", image="javascript:alert(1)"))
    assert "link" not in built.row and "image_link" not in built.row
    assert set(built.dropped) == {"link", "image_link"}
    assert build_row(_product(url="http://x.example/a b")).row.get("link") is None


@pytest.mark.parametrize("url", [
    "https://x.example/a\nb", "https://x.example/a\rb", "https://x.example/a\u2028b", "https://x.example/a\x01b",
    "https://x.example/a\x85b", "https://x.example/\u202eexe.txt", "https://x\x00.example/", "https://x.example/a\x7f",
])
def test_a_url_with_a_control_or_invisible_character_is_not_a_link(url):
    assert http_url(url) is None
    built = build_row(_product(url=url, image=url))
    assert "link" not in built.row and set(built.dropped) == {"link", "image_link"}


@pytest.mark.parametrize("ending", ["\n", "\r", "\r\n", "\u2028", " "])
def test_whitespace_around_a_url_is_not_part_of_it(ending):
    built = build_row(_product(url="https://x.example/a" + ending))
    assert built.row["link"] == "https://x.example/a" and _schema().is_valid(built.row)


# --------------------------------------------------------------------------------- prices

@pytest.mark.parametrize("price, currency, expected", [
    (2.95, "GBP", "2.95 GBP"),
    (3, "USD", "3.00 USD"),
    (2.5, "EUR", "2.50 EUR"),
    (0.01, "GBP", "0.01 GBP"),
    (1999, "inr", "1999.00 INR"),
    (1500.0, "JPY", "1500 JPY"),          # no minor unit: no decimals
    (1234567, "KRW", "1234567 KRW"),
    (25000.0, "VND", "25000 VND"),
    (1.235, "KWD", "1.235 KWD"),          # three decimals, written as the catalogue states them
    (1.2, "KWD", "1.200 KWD"),
    (5, "BHD", "5.000 BHD"),
    (0.005, "OMR", "0.005 OMR"),
])
def test_price_has_the_decimals_of_its_currency_and_an_iso_code(price, currency, expected):
    assert feed_price(_product(price=price, currency=currency)) == (expected, None, None)
    assert _schema().is_valid({"id": "p1", "title": "Red mug", "price": expected})


@pytest.mark.parametrize("code, units", [
    ("JPY", 0), ("KRW", 0), ("ISK", 0), ("XOF", 0), ("BIF", 0),
    ("KWD", 3), ("BHD", 3), ("TND", 3), ("GBP", 2), ("USD", 2), ("INR", 2), ("EUR", 2),
])
def test_minor_units_follow_iso_4217(code, units):
    assert minor_units(code) == units


def test_every_currency_with_other_minor_units_is_a_circulating_one():
    assert ZERO_DECIMALS | THREE_DECIMALS <= ISO_4217 and not ZERO_DECIMALS & THREE_DECIMALS


@pytest.mark.parametrize("price, currency, stated", [
    (2.675, "EUR", "2.675 EUR states 3 decimals; EUR has 2"),   # never rounded (it once became 2.68)
    (1.235, "GBP", "1.235 GBP states 3 decimals; GBP has 2"),
    (1234567.5, "JPY", "1234567.5 JPY states 1 decimals; JPY has 0"),
    (0.5, "KRW", "0.5 KRW states 1 decimals; KRW has 0"),
    (1.2345, "KWD", "1.2345 KWD states 4 decimals; KWD has 3"),
    (0.1 + 0.2, "USD", "0.30000000000000004 USD states 17 decimals; USD has 2"),
])
def test_a_price_with_more_decimals_than_its_currency_is_skipped_not_rounded(price, currency, stated):
    amount, reason, detail = feed_price(_product(price=price, currency=currency))
    assert (amount, reason) == (None, INVALID_PRICE)
    assert detail.startswith(stated) and "does not round" in detail
    built = build_row(_product(price=price, currency=currency))
    assert built.row is None and built.skipped == INVALID_PRICE and built.detail == detail


@pytest.mark.parametrize("price, currency", [(0.0, "GBP"), (0, "JPY"), (0.0, "KWD"), (-0.0, "USD")])
def test_a_price_of_zero_is_skipped_not_listed_as_free(price, currency):
    assert feed_price(_product(price=price, currency=currency)) == (None, ZERO_PRICE, None)
    assert build_row(_product(price=price, currency=currency)).skipped == ZERO_PRICE


def test_a_price_range_is_listed_at_its_lowest_price():
    assert build_row(_product(price=10.0, price_max=25.0)).row["price"] == "10.00 GBP"


@pytest.mark.parametrize("changes, reason", [
    ({"price": None}, NO_PRICE),
    ({"currency": None}, NO_CURRENCY),
    ({"currency": "  "}, NO_CURRENCY),
    ({"currency": "XYZ"}, INVALID_CURRENCY),
    ({"currency": "£"}, INVALID_CURRENCY),
    ({"currency": "XTS"}, INVALID_CURRENCY),  # ISO's testing code: no shop prices in it
    ({"currency": "XAU"}, INVALID_CURRENCY),
    ({"price": float("inf")}, INVALID_PRICE),
    ({"price": 1e40}, INVALID_PRICE),
])
def test_prices_that_cannot_be_stated_are_not_written(changes, reason):
    built = build_row(_product(**changes))
    assert built.row is None and built.skipped == reason


def test_a_negative_or_nan_price_is_invalid():
    # Product refuses these, so they can only come from an old or hand-made payload.
    for price, detail in ((-1.0, "-1.0 is negative"), (float("nan"), "nan is not a finite number")):
        product = Product.model_construct(id="p1", title="Red mug", price=price, currency="GBP")
        assert feed_price(product) == (None, INVALID_PRICE, detail)


def test_skip_details_reach_the_report(tmp_path):
    products = [_product(id="a", price=1.235), _product(id="b", price=1.999), _product(id="z", price=0.0)]
    report = export_feed(products, tmp_path / "f.jsonl", "jsonl").to_json()
    assert report["skipped"]["invalid_price"]["count"] == 2
    assert report["skipped"]["invalid_price"]["detail"].startswith("1.235 GBP states 3 decimals; GBP has 2")
    assert report["skipped"]["zero_price"] == {"count": 1, "examples": ["z"]}


# ----------------------------------------------------------------------------------- text

def test_text_is_cleaned_of_controls_and_extra_whitespace():
    assert clean_text("Red\x00 mug\n\twith \u202elid\u202c\x7f  \r\n") == "Red mug with lid"
    assert clean_text("line\nbreak") == "line break"  # a line break still separates words
    assert clean_text("caf\u00e9 \u0915\u094d\u200d\u0937") == "caf\u00e9 \u0915\u094d\u200d\u0937"  # ZWJ kept
    assert clean_text("half \ud800 surrogate") == "half surrogate"


def test_line_and_paragraph_separators_are_whitespace_in_text():
    assert clean_text("Red\u2028mug\u2029 with lid\u2028") == "Red mug with lid"
    assert clean_text("a\x85b\x1cc\x0bd\x0ce") == "a b c d e"  # the rest of what splitlines() splits on
    built = build_row(_product(title="Red\u2028mug", description="Line one\u2029line two", brand="Ac\u2028me",
                               category=("Home\u2028", "Mugs"), attributes={"mpn": "M\u20281"}))
    assert built.row["title"] == "Red mug" and built.row["description"] == "Line one line two"
    assert built.row["brand"] == "Ac me" and built.row["product_category"] == "Home > Mugs"
    assert built.row["mpn"] == "M 1"
    line = json.dumps(built.row, ensure_ascii=False)
    assert len(line.splitlines()) == 1


@pytest.mark.parametrize("ending", ["\n", "\r", "\r\n", "\u2028"])
def test_a_title_ending_in_a_line_break_is_cleaned_and_the_schema_refuses_it_raw(ending):
    row = build_row(_product(title="Red mug" + ending, description="Big" + ending)).row
    assert row["title"] == "Red mug" and row["description"] == "Big"
    validator = _schema()
    assert validator.is_valid(row)
    for name in ("title", "description", "brand", "mpn", "product_category"):
        assert not validator.is_valid({**row, name: "Red mug" + ending}), (name, ending)


def test_title_is_capped_at_150_at_a_word_boundary():
    title = " ".join(f"word{i}" for i in range(60))
    row = build_row(_product(title=title)).row
    assert len(row["title"]) <= 150
    assert title.startswith(row["title"]) and title[len(row["title"])] == " "


def test_a_cut_never_keeps_a_stub_of_one_short_word():
    assert cap_words("a " + "x" * 300, 150) == ("a " + "x" * 300)[:150]
    assert cap_words("exactly ten", 11) == "exactly ten"
    assert cap_words("abcde fghij", 10) == "abcde"
    assert cap_words("abcde fghij", 11) == "abcde fghij"


def test_description_is_capped_at_5000_and_an_empty_one_left_out():
    row = build_row(_product(description="lorem ipsum " * 1000)).row
    assert 4990 <= len(row["description"]) <= 5000 and not row["description"].endswith(" ")
    assert "description" not in build_row(_product(description=" \n\t ")).row


def test_a_title_of_only_control_characters_is_skipped():
    assert build_row(_product(title="\x00\x01\x02")).skipped == "empty_title"


# ---------------------------------------------------------------------------------- schema

def test_the_schema_is_draft_2020_12_and_strict():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"id", "title", "price"} and schema["additionalProperties"] is False
    assert list(schema["properties"]) == list(FIELDS)
    validator = _schema()
    ok = build_row(FULL).row
    bad = [
        {**ok, "colour": "white"},
        {**ok, "price": "2.95"}, {**ok, "price": "2.9 GBP"}, {**ok, "price": "-2.95 GBP"}, {**ok, "price": "2.95 gbp"},
        {**ok, "availability": "preorder"}, {**ok, "availability": "yes"},
        {**ok, "link": "javascript:alert(1)"}, {**ok, "link": "https://"}, {**ok, "image_link": "//img.example/x"},
        {**ok, "gtin": "40063813339A1"}, {**ok, "gtin": "1234567890"},
        {**ok, "title": "x" * 151}, {**ok, "title": " padded"}, {**ok, "description": ""},
        {k: v for k, v in ok.items() if k != "price"}, {k: v for k, v in ok.items() if k != "title"},
        # Python's $ matches before a final newline: every pattern must refuse these too
        {**ok, "id": "k\n"}, {**ok, "id": "k\r"}, {**ok, "id": "k\r\n"}, {**ok, "title": "t\n"},
        {**ok, "title": "t\r"}, {**ok, "description": "d\n"}, {**ok, "brand": "b\n"}, {**ok, "mpn": "m\r"},
        {**ok, "product_category": "Home\n"}, {**ok, "price": "2.95 GBP\n"}, {**ok, "gtin": "4006381333931\n"},
        {**ok, "link": "https://shop.example/x\n"}, {**ok, "image_link": "https://img.example/x\r"},
        {**ok, "title": "a\rb"}, {**ok, "title": "a\u2028b"}, {**ok, "title": "a\x85b"}, {**ok, "title": "a\u202eb"},
        {**ok, "id": "k\u2028"}, {**ok, "id": "a\u2029b"}, {**ok, "id": "a\u202eb"}, {**ok, "id": "\ufeffk"},
        {**ok, "id": " k"}, {**ok, "id": "k "}, {**ok, "id": "k\u00a0"}, {**ok, "id": "=k"}, {**ok, "id": "-1"},
        {**ok, "id": "+1"}, {**ok, "id": "@k"}, {**ok, "id": ""}, {**ok, "id": "x" * 101},
        # prices: the currency's own decimals, never zero
        {**ok, "price": "1.235 GBP"}, {**ok, "price": "1500.00 JPY"}, {**ok, "price": "1.23 KWD"},
        {**ok, "price": "1 GBP"}, {**ok, "price": "0.00 GBP"}, {**ok, "price": "0 JPY"}, {**ok, "price": "0.000 KWD"},
        {**ok, "price": "01.00 GBP"}, {**ok, "price": "1.2345 KWD"},
    ]
    for row in bad:
        assert not validator.is_valid(row), row
    good = [{**ok, "id": "a b"}, {**ok, "id": "A/4"}, {**ok, "id": "a=b"}, {**ok, "id": "x" * 100},
            {**ok, "price": "1500 JPY"}, {**ok, "price": "1.235 KWD"}, {**ok, "price": "0.50 GBP"}]
    for row in good:
        assert validator.is_valid(row), row


def _schema_patterns() -> dict[str, str]:
    found: dict[str, str] = {}

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found[where] = value
                else:
                    walk(value, f"{where}/{key}")

    walk(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")), "")
    return found


_AWKWARD = ["a", " ", "\n", "\r", "\t", "\x0b", "\x0c", "\x1c", "\x1f", "\x7f", "\x85", "\x9f", "\xa0",
            "\u1680", "\u180e", "\u200b", "\u200d", "\u2028", "\u2029", "\u202e", "\u2066", "\u3000", "\ufeff",
            "\U0001f600", "\u00e9", "=", "-", "+", "@", "/", "?", "#", ".", "0", "G"]
_SAMPLES = ["k", "a b", "https://x.example/a", "2.95 GBP", "1500 JPY", "1.235 KWD", "0.00 GBP", "4006381333931",
            *[text + end for text in ("k", "https://x.example/a", "2.95 GBP", "4006381333931")
              for end in ("\n", "\r", "\r\n", "\u2028")],
            *_AWKWARD, *["x" + c for c in _AWKWARD], *[c + "x" for c in _AWKWARD], *["x" + c + "x" for c in _AWKWARD],
            *["https://h" + c + "/p" for c in _AWKWARD], *["https://h/p" + c for c in _AWKWARD],
            *["2" + c + " GBP" for c in _AWKWARD]]


def test_no_schema_pattern_uses_a_dollar_or_a_dot():
    # $ matches before a final newline in Python; . matches \r and U+2028 in Python only.
    for where, pattern in _schema_patterns().items():
        assert not re.search(r"(?<!\\)[$.]", pattern.replace("\\.", "")), where


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node for ECMA-262 regular expressions")
def test_every_schema_pattern_means_the_same_in_python_and_ecma_262():
    patterns = _schema_patterns()
    script = """
    const {patterns, samples} = JSON.parse(require('fs').readFileSync(0, 'utf8'));
    const out = {};
    for (const [where, p] of Object.entries(patterns))
      for (const flags of ['', 'u']) out[where + ' /' + flags] = samples.map(s => new RegExp(p, flags).test(s));
    console.log(JSON.stringify(out));
    """
    result = subprocess.run(["node", "-e", script], input=json.dumps({"patterns": patterns, "samples": _SAMPLES}),
                            capture_output=True, text=True, encoding="utf-8", check=True, timeout=60)
    ecma = json.loads(result.stdout)
    assert len(ecma) == 2 * len(patterns) >= 20
    for key, matches in ecma.items():
        python = [bool(re.search(patterns[key.rsplit(" /", 1)[0]], s)) for s in _SAMPLES]
        differ = [s for s, a, b in zip(_SAMPLES, python, matches) if a != b]
        assert not differ, (key, differ)


def test_the_schema_price_rule_lists_the_same_minor_units():
    price = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["properties"]["price"]
    assert set(re.findall(r"[A-Z]{3}", price["if"]["pattern"])) == ZERO_DECIMALS
    assert set(re.findall(r"[A-Z]{3}", price["else"]["if"]["pattern"])) == THREE_DECIMALS


@pytest.mark.parametrize("value", _SAMPLES + ["a\ud800b", "k=", "a-b", "x" * 100])
def test_the_id_check_and_the_schema_agree(value):
    valid_in_schema = _schema().is_valid({"id": value, "title": "t", "price": "1.00 GBP"})
    assert (id_problem(value) is None) == valid_in_schema or "\ud800" in value
    if "\ud800" in value:  # a lone surrogate: no regular expression can refuse it portably
        assert id_problem(value) is not None


def test_a_row_the_schema_refuses_is_skipped_with_its_error(tmp_path):
    products = [_product(id="x" * 101), _product(id="y" * 101), _product(id="ok")]
    report = export_feed(products, tmp_path / "feed.jsonl", "jsonl")
    assert report.rows_written == 1
    assert report.skipped["schema: id maxLength"].count == 2
    assert "is too long" in report.skipped["schema: id maxLength"].detail
    assert schema_problem(load_validator(), build_row(_product()).row) is None
    assert schema_problem(load_validator(), {"id": "k\n", "title": "t", "price": "1.00 GBP"})[0] == "schema: id pattern"


# -------------------------------------------------------------------------------------- ids

@pytest.mark.parametrize("product_id, problem", [
    ("k\n", "U+000A"), ("k\r", "U+000D"), ("\nk", "U+000A"), ("a\x00b", "U+0000"), ("a\x85b", "U+0085"),
    ("a\u2028b", "U+2028 (LINE SEPARATOR)"), ("a\u2029", "U+2029 (PARAGRAPH SEPARATOR)"),
    ("a\u202eb", "U+202E (RIGHT-TO-LEFT OVERRIDE)"), ("\u2066a", "U+2066"), ("\ufeffa", "U+FEFF"),
    ("a\ud800", "a lone surrogate"),
    (" a", "whitespace"), ("a ", "whitespace"), ("a\u00a0", "whitespace"), ("\u3000a", "whitespace"),
    ("=SUM(A1)", "formula"), ("+44", "formula"), ("-5", "formula"), ("@acme", "formula"),
])
def test_an_id_that_cannot_be_written_unchanged_is_skipped_as_invalid_id(product_id, problem):
    assert problem in id_problem(product_id)
    # Product refuses a lone surrogate, so that one can only come from an old or hand-made payload.
    product = Product.model_construct(**{**_product().model_dump(), "id": product_id})
    built = build_row(product)
    assert built.row is None and built.skipped == INVALID_ID and built.detail == id_problem(product_id)


@pytest.mark.parametrize("product_id", ["85123A", "A/4", "a b", "a=b", "a-1", "x@y", "caf\u00e9", "\u65e5\u672c-1",
                                        "a\u200db", "\U0001f600", "'quoted"])
def test_ids_are_written_unchanged(product_id):
    assert id_problem(product_id) is None
    assert build_row(_product(id=product_id)).row["id"] == product_id


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_invalid_ids_are_reported_in_both_formats_and_never_written(tmp_path, fmt):
    bad = ["k\n", "k\r", "a\u2028b", "a\u2029b", "=HYPERLINK(1)", "-5", "\u202egnp.exe", " pad"]
    out = tmp_path / f"feed.{fmt}"
    report = export_feed([_product(id=i) for i in bad] + [_product(id="ok")], out, fmt)
    assert report.rows_written == 1
    tally = report.skipped[INVALID_ID]
    assert tally.count == len(bad)
    # shown as string literals: an invisible character is visible, nothing reaches a terminal raw
    assert tally.examples == [repr(i) for i in bad[:3]] == ["'k\\n'", "'k\\r'", "'a\\u2028b'"]
    assert tally.detail == "'k\\n' holds U+000A"
    summary = report.summary()
    assert "invalid_id 8" in summary and not any(ch in summary for ch in "\r\u2028\u2029\u202e")
    text = out.read_text(encoding="utf-8")
    assert len(text.splitlines()) == (1 if fmt == "jsonl" else 2)
    assert "'ok'" not in text and "ok" in text


def test_jsonl_rows_stay_one_line_even_with_line_separators(tmp_path):
    # Rows never hold them (ids are refused, text cleaned); the writer escapes them regardless.
    buffer = io.StringIO()
    JsonlWriter(buffer).write({"id": "a\u2028b", "title": "x\u2029y\x85z"})
    assert len(buffer.getvalue().splitlines()) == 1
    assert json.loads(buffer.getvalue()) == {"id": "a\u2028b", "title": "x\u2029y\x85z"}


# --------------------------------------------------------------------------- export, report

def _catalogue() -> list[Product]:
    return [
        FULL,
        _product(id="nop1", price=None), _product(id="nop2", price=None), _product(id="nop3", price=None),
        _product(id="nop4", price=None),
        _product(id="cur1", currency="ZZZ"),
        _product(id="out", in_stock=False, attributes={"gtin": "123"}),
        _product(id="fx", title="=HYPERLINK(\"http://evil.example\") mug", description="-5 off",
                 brand="@acme", attributes={"mpn": "+44"}),
        _product(id="=formula"),
    ]


def test_report_counts_rows_reasons_fields_and_unfilled(tmp_path):
    report = export_feed(_catalogue(), tmp_path / "feed.jsonl", "jsonl", collection="shop")
    data = report.to_json()
    assert (data["products_read"], data["rows_written"], data["skipped_count"]) == (9, 3, 6)
    assert data["skipped"] == {
        "invalid_currency": {"count": 1, "examples": ["cur1"]},
        "invalid_id": {"count": 1, "examples": ["'=formula'"],
                       "detail": "'=formula' begins with '=': a spreadsheet would run it as a formula"},
        "no_price": {"count": 4, "examples": ["nop1", "nop2", "nop3"]},
    }
    assert data["fields"]["id"] == 3 and data["fields"]["gtin"] == 1 and data["fields"]["availability"] == 2
    assert data["fields"]["link"] == 1 and data["fields"]["mpn"] == 2
    assert data["unfilled"] == []
    assert data["dropped_values"] == {"gtin": {"count": 1, "examples": ["out"]}}
    assert json.loads(json.dumps(data)) == data and data["collection"] == "shop"
    assert "wrote 3 of 9 products" in report.summary() and "no_price 4" in report.summary()


def test_unfilled_names_what_the_catalogue_cannot_fill(tmp_path):
    report = export_feed([_product(), _product(id="p2", in_stock=True)], tmp_path / "f.jsonl", "jsonl")
    assert report.unfilled == ["description", "link", "image_link", "brand", "product_category", "gtin", "mpn"]
    assert "fields no row has: description, link" in report.summary()


def test_jsonl_is_utf8_one_object_per_line_and_every_row_valid(tmp_path):
    out = tmp_path / "feed.jsonl"
    export_feed([*_catalogue(), _product(id="u", title="Crème brûlée set — 日本")], out, "jsonl")
    raw = out.read_bytes()
    assert "Crème brûlée set — 日本".encode() in raw and b"\\u" not in raw and b"\r\n" not in raw
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["85123A", "out", "fx", "u"]
    assert rows[2]["title"].startswith("=HYPERLINK")  # JSON is data, not a spreadsheet: kept exact
    validator = _schema()
    assert all(validator.is_valid(r) for r in rows)


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+44 20", "'+44 20"), ("-5 off", "'-5 off"), ("@acme", "'@acme"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), ("2.95 GBP", "2.95 GBP"),
])
def test_csv_cells_that_start_like_a_formula_are_quoted(value, expected):
    assert safe_cell(value) == expected


def test_csv_has_the_fixed_header_empty_cells_and_quoted_formulas(tmp_path):
    out = tmp_path / "feed.csv"
    export_feed(_catalogue(), out, "csv")
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(FIELDS)
    by_id = {r[0]: dict(zip(FIELDS, r)) for r in rows[1:]}
    assert set(by_id) == {"85123A", "out", "fx"}  # ids as they are: "=formula" is not written
    formula = by_id["fx"]
    assert formula["title"].startswith("'=HYPERLINK") and formula["description"] == "'-5 off"
    assert formula["brand"] == "'@acme" and formula["mpn"] == "'+44" and formula["link"] == ""
    assert by_id["out"]["availability"] == "out_of_stock" and by_id["out"]["gtin"] == ""
    validator = _schema()
    for row in by_id.values():
        assert validator.is_valid({k: v for k, v in row.items() if v}), row


def test_a_failed_export_leaves_the_old_feed_and_no_temporary_file(tmp_path):
    out = tmp_path / "feed.jsonl"
    out.write_text("the feed of yesterday\n")

    def products():
        yield FULL
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        export_feed(products(), out, "jsonl")
    assert out.read_text() == "the feed of yesterday\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]

    export_feed([FULL], out, "jsonl")
    assert json.loads(out.read_text())["id"] == "85123A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]


def test_the_file_appears_only_when_complete(tmp_path):
    out = tmp_path / "f.txt"
    with atomic_text_file(out) as fh:
        fh.write("partial")
        assert not out.exists()
    assert out.read_text() == "partial"


def test_unwritable_destinations_are_refused_before_anything_is_read(tmp_path):
    (tmp_path / "a-file").write_text("x")
    cases = [(tmp_path / "missing" / "feed.jsonl", "does not exist"),
             (tmp_path / "a-file" / "feed.jsonl", "is not a folder"),
             (tmp_path, "is a folder")]
    for out, message in cases:
        with pytest.raises(ShopAssistError, match=message):
            check_destination(out)

    def never():
        raise AssertionError("the catalogue was read")
        yield

    with pytest.raises(ShopAssistError, match="does not exist"):
        export_feed(never(), tmp_path / "missing" / "feed.jsonl", "jsonl")


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown feed format 'xml'"):
        export_feed([FULL], tmp_path / "f.xml", "xml")


def test_the_schema_ships_with_the_package():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert "feed.schema.json" in pyproject["tool"]["setuptools"]["package-data"]["retrieval"]
    assert SCHEMA_PATH.parent.name == "retrieval" and SCHEMA_PATH.is_file()
