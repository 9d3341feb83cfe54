"""Spans → slots: the code half of parsing (numbers, currencies, ordinals, directions)."""

import pytest

from assistant.parse.normalise import currency_of, parse_amount, parse_reference, slot_pairs, spans_to_slots
from assistant.parse.schema import TurnParse
from tests.assistant.helpers import spans


@pytest.mark.parametrize("text,amount,currency", [
    ("£20", 20.0, "GBP"), ("1,499.99 rupees", 1499.99, "INR"), ("rs 2k", 2000.0, "INR"),
    ("twenty quid", 20.0, "GBP"), ("$15", 15.0, "USD"), ("€9.50", 9.5, "EUR"), ("500", 500.0, None),
])
def test_amounts_and_currencies(text, amount, currency):
    assert parse_amount(text) == amount
    assert currency_of(text) == currency


@pytest.mark.parametrize("text,kind,index", [
    ("the second one", "position", 1), ("the 3rd", "position", 2), ("number 4", "position", 3),
    ("#2", "position", 1), ("the last one", "position", -1), ("it", "current", None),
    ("that one", "current", None), ("the cheapest one", "cheapest", None),
    ("the most expensive one", "priciest", None), ("the least expensive one", "cheapest", None),
    ("the ski lunch box", "name", None), ("pehla wala", "position", 0), ("doosri wali", "position", 1),
    ("aakhri wala", "position", -1), ("that'll", "current", None), ("thats", "current", None),
])
def test_references(text, kind, index):
    ref = parse_reference(text)
    assert (ref.kind, ref.index) == (kind, index)


def test_spans_to_slots_builds_typed_slots():
    text = "red cotton dresses for women from zara between £10 and £30, two of them"
    slots = spans_to_slots(spans(text, ("colour", "red"), ("material", "cotton"), ("category", "dresses"),
                                 ("gender", "women"), ("brand", "zara"), ("min_price", "£10"),
                                 ("max_price", "£30"), ("quantity", "two")))
    assert (slots.min_price, slots.max_price, slots.currency, slots.quantity) == (10.0, 30.0, "GBP", 2)
    assert slots.attributes == {"colour": "red", "material": "cotton", "gender": "women"}
    assert slots.category == "dresses" and slots.brand == "zara"
    assert slots.query == "red cotton dresses women zara"


def test_price_band_and_direction():
    slots = spans_to_slots(spans("around 200 rupees", ("price", "200 rupees")))
    assert (slots.min_price, slots.max_price, slots.currency) == (150.0, 250.0, "INR")
    assert spans_to_slots(spans("anything cheaper?", ("price_change", "cheaper"))).price_change == "lower"
    assert spans_to_slots(spans("more expensive ones", ("price_change", "more expensive"))).price_change == "higher"


def test_a_budget_said_around_an_amount_is_what_can_be_spent():
    from assistant.parse.normalise import price_direction
    from assistant.parse.schema import Span
    for text in ("budget around 1500", "my budget is about £20", "can spend roughly 500"):
        amount = text.split()[-1]
        span = Span(start=text.index(amount), end=len(text), type="price", text=amount)
        assert price_direction(text, span) == "max_price", text
    plain = "something around 1500"
    assert price_direction(plain, Span(start=17, end=21, type="price", text="1500")) == "price"


def test_slot_pairs_compare_normalised_values():
    a = spans_to_slots(spans("under £20", ("max_price", "£20")))
    b = spans_to_slots(spans("under 20 pounds", ("max_price", "20 pounds")))
    assert slot_pairs(a) == slot_pairs(b) == {("max_price", "20.00"), ("currency", "GBP")}


def test_parse_json_is_schema_valid():
    parse = TurnParse(intent="search", slots=spans_to_slots(spans("mugs under £5", ("max_price", "£5"))))
    assert TurnParse.model_validate_json(parse.model_dump_json()) == parse
    assert parse.to_json() == {"intent": "search", "slots": {"max_price": 5.0, "currency": "GBP"}, "by": "model"}
    with pytest.raises(ValueError):
        TurnParse(intent="make_coffee")


def test_a_budget_word_in_another_clause_or_with_plus_is_no_ceiling():
    from assistant.parse.normalise import price_direction
    from assistant.parse.schema import Span
    for text, amount, kind in (("no budget, around 3000 is fine", "3000", "price"), ("budget 2000 plus", "2000", "min_price"),
                               ("budget is flexible, ideally 1500 or more", "1500", "min_price")):
        start = text.index(amount)
        assert price_direction(text, Span(start=start, end=start + len(amount), type="price", text=amount)) == kind, text


def test_a_bare_article_tagged_as_a_reference_points_at_nothing():
    text = "also do u have diapers? newborn size, the pant style ones"
    slots = spans_to_slots(spans(text, ("reference", "the"), ("query", "diapers")))
    assert slots.references == []
