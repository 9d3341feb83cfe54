import math
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.parsing import (
    Price, attribute_key, first_url, parse_attributes, parse_bool, parse_category, parse_price,
)


@pytest.mark.parametrize("text, expected", [
    ("$1,499.99 ", Price(1499.99, None, "USD")),
    ("Rs. 499", Price(499.0, None, "INR")),
    ("£2.55", Price(2.55, None, "GBP")),
    ("$299.99through-$449.99", Price(299.99, 449.99, "USD")),
    ("$10 - $20", Price(10.0, 20.0, "USD")),
    ("10 to 20 EUR", Price(10.0, 20.0, "EUR")),
    ("1.299,00 €", Price(1299.0, None, "EUR")),
    ("2,55", Price(2.55, None, None)),
    ("1,200", Price(1200.0, None, None)),
    ("₹ 12,999", Price(12999.0, None, "INR")),
    ("499.0", Price(499.0, None, None)),
    ("free", Price(0.0, None, None)),
    (12, Price(12.0, None, None)),
    (3.5, Price(3.5, None, None)),
])
def test_parse_price(text, expected):
    assert parse_price(text) == expected


@pytest.mark.parametrize("empty", ["", "   ", None, float("nan"), "N/A", "null"])
def test_empty_price_is_none(empty):
    assert parse_price(empty) is None


@pytest.mark.parametrize("bad, fragment", [
    ("call for price", "no number"),
    ("-5", "negative"),
    ("-$5.00", "negative"),
    ("1 2 3", "3 numbers"),
    ("10 x 20", "no range word"),
    (math.inf, "non-negative"),
    (True, "not a number"),
])
def test_bad_price_raises_with_reason(bad, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_price(bad)


def test_default_currency_applies_only_without_symbol():
    assert parse_price("12", default_currency="GBP").currency == "GBP"
    assert parse_price("$12", default_currency="GBP").currency == "USD"


@pytest.mark.parametrize("value, expected", [
    ("['footwear', 'womens footwear', 'ballerinas']", ("footwear", "womens footwear", "ballerinas")),
    ('["Clothing >> Women\'s Clothing >> Dresses"]', ("Clothing", "Women's Clothing", "Dresses")),
    ("Home > Kitchen > Mugs", ("Home", "Kitchen", "Mugs")),
    ("Garden/Tools", ("Garden", "Tools")),
    (["a", "b"], ("a", "b")),
    ("Toys", ("Toys",)),
    ("", ()),
    (None, ()),
])
def test_parse_category(value, expected):
    assert parse_category(value) == expected


def test_parse_attributes_formats():
    flipkart = "[{'key': 'Ideal For', 'value': 'Women'}, {'key': 'Color', 'value': 'Red'}, {'value': 'One Pair'}]"
    assert parse_attributes(flipkart) == {"ideal_for": "Women", "color": "Red"}
    ruby = '{"product_specification"=>[{"key"=>"Brand", "value"=>"Alisha"}]}'
    assert parse_attributes(ruby) == {"brand": "Alisha"}
    assert parse_attributes('{"size": "M", "material": "cotton"}') == {"size": "M", "material": "cotton"}
    assert parse_attributes("color: red; size: M") == {"color": "red", "size": "M"}
    assert parse_attributes("") == {}
    assert parse_attributes("just some words") == {}


def test_attribute_key_and_misc():
    assert attribute_key(" Outer Material ") == "outer_material"
    assert first_url('["http://a.example/x.jpg", "http://b.example/y.jpg"]') == "http://a.example/x.jpg"
    assert first_url("no url") is None


@pytest.mark.parametrize("value, expected", [
    ("yes", True), ("In Stock", True), ("0", False), ("out of stock", False), (3, True),
    ("12", True), ("", None), (False, False),
])
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


def test_parse_bool_rejects_nonsense():
    with pytest.raises(ValueError, match="neither yes/no nor a count"):
        parse_bool("maybe")


# --- long catalogue cells are parsed in linear time, with the results they always had ---


def _plain_category_split(text: str) -> tuple[str, ...]:
    """How ``parse_category`` split a path before it was made linear."""
    levels: list[str] = []
    for part in re.split(r"\s*(?:>>|>|/|\||›|»)\s*", text):
        part = " ".join(part.split())
        if part and part not in levels:
            levels.append(part)
    return tuple(levels)


@pytest.mark.parametrize("value, expected", [
    ("Home  >  Kitchen >> Mugs", ("Home", "Kitchen", "Mugs")),
    (" Clothing >>> Women's   Clothing / Dresses | Maxi › Long » Red ",
     ("Clothing", "Women's Clothing", "Dresses", "Maxi", "Long", "Red")),
    ("a > > b", ("a", "b")),
    ("Garden\t/\nTools / Garden", ("Garden", "Tools")),
    ("Home\u00a0>\u3000Decor", ("Home", "Decor")),
    (">>", ()),
])
def test_parse_category_separators_and_spaces(value, expected):
    assert parse_category(value) == expected == _plain_category_split(value)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab >/|›»\t\n\u00a0\u3000")), max_size=40))
def test_parse_category_splits_as_before(text):
    assert parse_category(text) == _plain_category_split(text.strip())


@pytest.mark.parametrize("text, negative", [
    ("(5)", True), ("( $ 5.00)", True), ("(£5", True), ("−3", True), ("(  ₹  12)", True),
    ("($ x)", False), ("5 (approx)", False),
])
def test_negative_prices_in_brackets(text, negative):
    if negative:
        with pytest.raises(ValueError, match="negative"):
            parse_price(text)
    else:
        try:
            parse_price(text)
        except ValueError as exc:
            assert "negative" not in str(exc)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("(-−$£€₹ \t1.,x")), max_size=12))
def test_negative_price_check_matches_the_plain_pattern(text):
    from retrieval.parsing import _NEGATIVE

    assert bool(_NEGATIVE.match(text)) == bool(re.match(r"^[-−]|^\(\s*[$£€₹]?\s*\d", text))


@pytest.mark.parametrize("parse, value", [
    (parse_category, "a" + " " * 100_000 + "b"),
    (parse_category, "a" + "\t " * 50_000 + "x"),
    (parse_category, "a " * 50_000),
    (parse_category, " > " * 33_000),
    (parse_category, "/ " * 50_000),
    (parse_price, "(" + " " * 100_000 + "x"),
    (parse_price, "( $" + " " * 100_000 + "x"),
    (parse_price, "1" * 100_000),
    (parse_price, "1," * 50_000),
    (parse_price, "1 - " * 25_000),
    (parse_attributes, "a: b, " * 16_000),
    (first_url, "http:/" * 16_000),
    (attribute_key, "a " * 50_000),
])
def test_parsers_are_fast_on_adversarial_cells(parse, value):
    started = time.perf_counter()
    try:
        parse(value)
    except ValueError:
        pass
    assert time.perf_counter() - started < 0.5


def test_a_price_too_large_for_a_float_is_rejected_not_infinite():
    import pytest

    from retrieval.parsing import parse_price

    with pytest.raises(ValueError, match="too large"):
        parse_price("9" * 400)
