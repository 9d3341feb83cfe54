"""The grounding check rejects any product, price, order or date not in the records."""

from assistant.grounding import Grounding, check_reply
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
