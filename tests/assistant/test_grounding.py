"""The grounding check rejects any product, price, order or date not in the records."""

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.grounding import Grounding, amounts_in, check_reply
from assistant.orders import Order, OrderLine
from assistant.replies import order_summary, results_reply
from retrieval.product import Product

MUG = Product(id="1", title="BLUE POLKADOT MUG", price=2.55, currency="GBP")
ORDER = Order("536365", "17850", 1291192000.0, "purchase", (OrderLine("1", "BLUE POLKADOT MUG", 6, 2.55),), "GBP")


def test_replies_built_from_records_pass():
    grounding = Grounding(products=[MUG], orders=[ORDER])
    assert check_reply(results_reply([MUG], [None], "Found:"), grounding) == []
    assert check_reply(order_summary(ORDER), grounding) == []


def test_invented_facts_are_caught():
    grounding = Grounding(products=[MUG], orders=[ORDER], message="is order 999999 here?")
    assert check_reply("Try the **GOLDEN UNICORN LAMP**.", grounding)
    assert check_reply("**BLUE POLKADOT MUG** is now £0.99", grounding)
    assert check_reply("Order 536366 was placed on 2 December 2010 at 09:00.", grounding)
    assert check_reply("I can't find order 999999 on your account.", grounding) == []  # the customer's own number



def test_numbers_inside_a_known_title_are_not_claims():
    cards = Product(id="2", title="SET 10 CARDS OUT OF ORDER 17216", price=2.49, currency="GBP")
    grounding = Grounding(products=[cards])
    assert check_reply(results_reply([cards], [None], "Found:"), grounding) == []
    assert check_reply("**SET 10 CARDS OUT OF ORDER 17216**, and order 17216 is on its way.", grounding)


# --- the price pattern reads long text in linear time, with the results it always had ---

# The pattern before it was made linear: the reference for what ``amounts_in`` finds.
_PLAIN_MONEY = re.compile(r"([£₹$€])\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?) (GBP|INR|USD|EUR)\b")


def _plain_amounts(text: str) -> list[float]:
    return [round(float((m.group(2) or m.group(3)).replace(",", "")), 2) for m in _PLAIN_MONEY.finditer(text)]


@pytest.mark.parametrize("text, expected", [
    ("**BLUE POLKADOT MUG** is £2.55 (6 × £2.55 = £15.30).", [2.55, 2.55, 15.3]),
    ("Total 1,499.00 INR, was ₹ 1,999", [1499.0, 1999.0]),
    ("$299.99 to $449.99, or 12 USD, 3 EUR and €4", [299.99, 449.99, 12.0, 3.0, 4.0]),
    ("10 GBPS is not a price, 10 GBP is", [10.0]),
    ("£1.50,2 GBP", [1.5, 2.0]),  # the sign's number ends inside a run of digits and commas
    ("1.5,3 GBP", [53.0]),
    (",,7 EUR and order 536365", [7.0]),
    ("no prices here: 2010, 12:30", []),
])
def test_amounts_in_reads_the_formats_replies_use(text, expected):
    assert amounts_in(text) == expected == _plain_amounts(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["£", "$", "€", "₹", "1", "23", ",", ".", " ", "GBP", "USD", "x", "\n",
                                 "1,499.00", "£1.50", ",2 GBP", " INR", "GBPx"]), max_size=24).map("".join))
def test_amounts_in_finds_what_the_plain_pattern_found(text):
    assert amounts_in(text) == _plain_amounts(text)


@pytest.mark.parametrize("text", [
    "1" * 100_000,
    "1" * 100_000 + " ",
    "1," * 50_000,
    "1, " * 33_000,
    "1,,2" * 25_000 + " GB",
    "£1.5" + ",1" * 50_000,
    "1.1" * 33_000,
    "a " * 50_000,
    "**" + "\\*" * 50_000,
    "order " * 16_000 + "1" * 4_000,
])
def test_check_reply_is_fast_on_adversarial_text(text):
    started = time.perf_counter()
    check_reply(text, Grounding(message=text))
    assert time.perf_counter() - started < 0.5
