"""Multi-turn dialogues on the real parser, real embedder and real embedded Qdrant.

Every turn is checked against the catalogue: a product shown or named, or a price stated,
must exist in the data exactly (0 invented products, prices or orders).
"""

from __future__ import annotations


import pytest

from assistant.grounding import amounts_in, names_in
from retrieval.adapters import load_flipkart
from tests.conftest import FLIPKART

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flipkart():
    return {p.id: p for p in load_flipkart(FLIPKART)[0]}


def assert_grounded(result, catalogue, extra_amounts=()):
    titles = {p.title for p in catalogue.values()}
    prices = {round(v, 2) for p in catalogue.values() for v in (p.price, p.price_max) if v is not None}
    for card in result.products:
        product = catalogue[card.id]
        assert (card.title, card.price) == (product.title, product.price)
    for name in names_in(result.reply):
        assert name in titles, name
    for amount in amounts_in(result.reply):
        assert amount in prices or amount in extra_amounts, (amount, result.reply)


def test_search_cheaper_second_compare(assistant_for, flipkart):
    assistant = assistant_for("flipkart")
    first = assistant.turn(None, None, "show me women's tops under 1000")
    session = first.session_id
    assert first.parse.intent == "search" and first.parse.slots.max_price == 1000
    assert len(first.products) >= 3 and all(p.price <= 1000 for p in first.products)
    assert all("top" in (p.title + p.category).lower() for p in first.products)

    cheaper = assistant.turn(session, None, "anything cheaper?")
    assert cheaper.parse.intent == "refine" and cheaper.parse.slots.price_change == "lower"
    first_prices = sorted(p.price for p in first.products)
    assert cheaper.products and max(p.price for p in cheaper.products) < first_prices[len(first_prices) // 2]
    assert not {p.id for p in cheaper.products} & {p.id for p in first.products}
    assert all("top" in (p.title + p.category).lower() for p in cheaper.products)

    second = assistant.turn(session, None, "tell me more about the second one")
    assert second.parse.intent == "product_question"
    assert [p.id for p in second.products] == [cheaper.products[1].id]
    assert cheaper.products[1].title in second.reply

    compare = assistant.turn(session, None, "compare it with the first")
    assert compare.parse.intent == "compare"
    assert {p.id for p in compare.products} == {cheaper.products[1].id, cheaper.products[0].id}
    assert "| price |" in compare.reply

    for result in (first, cheaper, second, compare):
        assert_grounded(result, flipkart)


def test_add_to_cart_records_an_event(assistant_for, flipkart):
    assistant = assistant_for("flipkart")
    shown = assistant.turn(None, "shopper-1", "I need a wrist watch for men")
    added = assistant.turn(shown.session_id, "shopper-1", "add 2 of the first one to my cart")
    assert added.parse.intent == "add_to_cart" and added.parse.slots.quantity == 2
    assert [p.id for p in added.products] == [shown.products[0].id]
    events = assistant.events.user_events("shopper-1", ["add_to_cart"])
    assert [(e.product_id, e.quantity, e.session_id) for e in events] == [(shown.products[0].id, 2.0, shown.session_id)]
    assert_grounded(added, flipkart)


def test_handoff_flags_the_session(assistant_for):
    assistant = assistant_for("flipkart")
    result = assistant.turn(None, None, "I want to talk to a human agent")
    assert result.parse.intent == "contact_human_agent" and result.handoff
    queue = assistant.sessions.queue()
    assert queue[0].id == result.session_id and queue[0].handoff


def test_small_talk_and_out_of_scope_show_nothing(assistant_for):
    assistant = assistant_for("flipkart")
    for message, intent in (("hello there", "greeting"), ("thanks a lot!", "thanks"),
                            ("what's the capital of france", "out_of_scope")):
        result = assistant.turn(None, None, message)
        assert result.parse.intent == intent and result.products == []


def test_order_lookup_shows_real_facts_to_its_owner_only(assistant_for):
    assistant = assistant_for("online-retail")
    own = assistant.turn(None, "17850", "where is my order 536365")
    assert own.parse.intent == "track_order"
    assert "1 December 2010 at 08:26" in own.reply
    assert "WHITE HANGING HEART T-LIGHT HOLDER" in own.reply and "£2.55" in own.reply
    assert [o.id for o in own.orders] == ["536365"]

    other = assistant.turn(None, "13047", "where is my order 536365")
    assert "WHITE HANGING HEART" not in other.reply and "can't find an order 536365" in other.reply
    anonymous = assistant.turn(None, None, "where is my order 536365")
    assert "sign in" in anonymous.reply and not anonymous.orders


def test_a_session_belongs_to_one_customer(assistant_for):
    assistant = assistant_for("online-retail")
    first = assistant.turn(None, "17850", "white hanging heart t-light holder")
    other = assistant.turn(first.session_id, "13047", "tell me more about the first one")
    assert other.session_id != first.session_id  # a fresh session, none of 17850's context
    assert "WHITE HANGING HEART" not in other.reply
    assert assistant.sessions.get(other.session_id).user_id == "13047"
    assert assistant.sessions.get(first.session_id).user_id == "17850"


def test_stream_yields_the_reply_in_chunks(assistant_for):
    assistant = assistant_for("flipkart")
    items = list(assistant.stream_turn(None, None, "show me rings under 2000"))
    result, chunks = items[-1], items[:-1]
    assert len(chunks) > 5 and all(isinstance(c, str) for c in chunks)
    assert "".join(chunks) == result.reply and result.products


def test_vague_request_gets_one_clarifying_question_or_products_in_budget(assistant_for, flipkart):
    assistant = assistant_for("flipkart")
    ask = assistant.turn(None, None, "show me something nice under 2000")
    assert ask.parse.intent == "search"
    if ask.products:  # the whole message searched: everything shown keeps to the budget
        assert all(p.price <= 2000 for p in ask.products)
        assert_grounded(ask, flipkart)
        return
    assert "?" in ask.reply and len(ask.suggestions) >= 2
    for option in ask.suggestions:
        assert option in ask.reply
    picked = assistant.turn(ask.session_id, None, ask.suggestions[0])
    assert picked.products
    assert all(p.category.startswith(ask.suggestions[0]) and p.price <= 2000 for p in picked.products)
    assert_grounded(picked, flipkart)


def test_a_plain_category_request_searches(assistant_for, flipkart):
    assistant = assistant_for("flipkart")
    for message in ("show me computers", "do you have other sports?"):
        result = assistant.turn(None, None, message)
        assert result.products or "Which kind" in result.reply, (message, result.reply)
        assert_grounded(result, flipkart)


def test_a_budget_said_with_a_price_word_is_the_budget(assistant_for, flipkart):
    """"Nothing too pricey, under 500": the budget named is the limit, not "cheaper than the
    cheapest shown" (which left almost nothing)."""
    assistant = assistant_for("flipkart")
    first = assistant.turn(None, None, "show me some tops for women")
    said = assistant.turn(first.session_id, None, "nothing too pricey, under 500 pls")
    assert said.action == "refine" and said.products, said.reply
    assert all(p.price <= 500 for p in said.products), [p.price for p in said.products]
    assert max(p.price for p in said.products) >= min(p.price for p in first.products), "read as cheaper than all"
    for result in (first, said):
        assert_grounded(result, flipkart)
