"""The messages a new user typed into the demo that went wrong (issue "real customers' words"),
each with the behaviour it should get, on the full Online Retail catalogue and customer
17850's real orders, with the real parser and embedder."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow
CUSTOMER = "17850"


def chat(assistant, *messages, user=None):
    session, result = None, None
    for message in messages:
        result = assistant.turn(session, user, message)
        session = result.session_id
    return result


def titles(result) -> list[str]:
    return [p.title.upper() for p in result.products]


def test_a_childs_present_reads_the_age_as_an_age_not_a_budget(retail):
    result = chat(retail, "I need a birthday present for my 8 year old niece, she loves unicorns")
    assert result.parse.slots.max_price is None and result.products
    assert not [t for t in titles(result) if re.search(r"\bCARD\b|GIFT BAG|WRAP|\b8\b", t)], titles(result)


def test_gift_for_mum_is_a_gift_not_wrapping(retail):
    result = chat(retail, "gift for my mum under £5")
    assert result.products and all(p.price <= 5 for p in result.products)
    assert not [t for t in titles(result) if re.search(r"GIFT BAG|WRAP|GIFT TAPE|TISSUE", t)], titles(result)


def test_dinosaurs_are_what_a_dinosaur_fan_gets(retail):
    for message in ("something for a 5 year old boy who loves dinosaurs", "pressie for a 6yo who loves dinosaurs"):
        result = chat(retail, message)
        assert result.parse.slots.max_price is None, message
        assert sum("DINOSAUR" in t for t in titles(result)) >= 3, (message, titles(result))


def test_a_bare_product_word_is_a_search(retail):
    result = chat(retail, "doormat")
    assert result.parse.intent == "search"
    assert result.products and all("DOORMAT" in t for t in titles(result))


@pytest.mark.xfail(reason="known gap: the stock embedder does not link 'keep my tea warm' to a tea cosy; it passes "
                          "here (one customer's events) but not on a demo home, where tea towels outrank it; the tuned "
                          "embedder and a need-to-kind expansion were measured and did not help", strict=False)
def test_a_need_without_product_words_finds_what_meets_it(retail):
    result = chat(retail, "i need to keep my tea warm")
    assert any("TEA COSY" in t for t in titles(result)), titles(result)


def test_christmas_decorations_then_red_keeps_the_thread(retail):
    first = chat(retail, "christmas decorations for a small flat")
    assert "gender" not in first.parse.slots.attributes
    assert sum("CHRISTMAS" in t for t in titles(first)) >= 3
    red = retail.turn(first.session_id, None, "anything in red?")
    # Kind first: a red decoration on top, or plainly no red one and the nearest decorations.
    assert red.products and ("RED" in titles(red)[0] or "says red" in red.reply), (titles(red), red.reply)
    assert all("CHRISTMAS" in t for t in titles(red)[:3]), titles(red)


def test_questions_and_similar_after_candles(retail):
    shown = chat(retail, "candles")
    asked = retail.turn(shown.session_id, None, "is it scented?")
    assert asked.parse.intent == "product_question" and "colour" not in asked.parse.slots.attributes
    assert "doesn't say" in asked.reply or "SCENT" in asked.reply.upper()
    bigger = retail.turn(shown.session_id, None, "show me something similar but bigger")
    assert bigger.parse.intent == "similar" and bigger.parse.slots.price_change is None
    assert sum("CANDLE" in t for t in titles(bigger)) >= 3, titles(bigger)


def test_comparing_title_only_products_says_what_differs(retail):
    shown = chat(retail, "jumbo bag")
    compared = retail.turn(shown.session_id, None, "compare the first two")
    assert compared.parse.intent == "compare"
    assert "only in its name" in compared.reply and compared.reply.count("\n|") >= 3


def test_returning_a_named_item_finds_the_customers_own_order_line(retail):
    for message in ("I want to return the lantern", "can i send back the lantern i bought, it's the wrong colour"):
        result = chat(retail, message, user=CUSTOMER)
        assert result.parse.intent == "return_item", message
        assert "LANTERN" in result.reply.upper() and result.orders and result.orders[0].user_id == CUSTOMER


def test_what_happened_to_a_returned_item_does_not_stop_it_being_found(retail):
    for message in ("the lantern i got last week its chipped, can i send it back",
                    "my lantern arrived with a dent, i want to return it"):
        result = chat(retail, message, user=CUSTOMER)
        assert result.parse.intent == "return_item", message
        assert "LANTERN" in result.reply.upper() and result.orders and result.orders[0].user_id == CUSTOMER, \
            (message, result.reply)


def test_a_broken_item_is_never_answered_with_another_order(retail):
    result = chat(retail, "the mug arrived smashed, i want my money back", user=CUSTOMER)
    assert result.parse.intent == "return_item"
    if result.orders:  # the customer's own order line that holds a mug
        assert "MUG" in result.reply.upper() and all(o.user_id == CUSTOMER for o in result.orders)
    else:
        assert "can't find" in result.reply


def test_order_history_lists_the_customers_orders(retail):
    result = chat(retail, "what did I order recently?", user=CUSTOMER)
    assert result.parse.intent == "order_history"
    assert result.orders and all(o.user_id == CUSTOMER for o in result.orders)


def test_complaints_and_double_charges_get_the_right_help(retail):
    angry = chat(retail, "honestly the worst service ever, nobody answers my emails", user=CUSTOMER)
    assert angry.parse.intent == "complaint" and "Talk to a person" in angry.suggestions
    charged = chat(retail, "you charged me twice for the same order", user=CUSTOMER)
    assert charged.parse.intent == "payment_issue"
    refund = chat(retail, "i want a refund", user=CUSTOMER)
    assert "demanding compensations" not in refund.reply


def test_cart_view_and_remove_by_name(retail):
    shown = chat(retail, "lunch box")
    added = retail.turn(shown.session_id, None, "add the first one to my cart")
    assert added.parse.intent == "add_to_cart"
    listed = retail.turn(shown.session_id, None, "what's in my basket?")
    assert listed.parse.intent == "view_cart" and [p.id for p in listed.products] == [added.products[0].id]
    name = added.products[0].title.split()[-1].lower()
    removed = retail.turn(shown.session_id, None, f"take the {name} out of my basket")
    assert removed.parse.intent == "remove_from_cart" and "Removed" in removed.reply
    assert "empty" in retail.turn(shown.session_id, None, "show my cart").reply


def test_not_that_one_and_without_exclude(retail):
    shown = chat(retail, "christmas decorations")
    other = retail.turn(shown.session_id, None, "not those, something else")
    assert other.products and not {p.id for p in other.products} & {p.id for p in shown.products}
    plain = retail.turn(shown.session_id, None, "any without glitter")
    assert plain.products and not [t for t in titles(plain) if "GLITTER" in t]


def test_misspelt_product_words_still_find_the_product(retail):
    for message, word in [("alarm clok for the bedroom", "CLOCK"), ("umbrela for school", "UMBRELLA"),
                          ("hot water botle", "HOT WATER BOTTLE")]:
        found = titles(chat(retail, message))
        assert found and all(word in t for t in found), (message, found)


def test_support_messages_get_the_support_intent_they_are(retail):
    for message, intent in [("i cant get into my account, the reset link never comes", "recover_password"),
                            ("which cards can i pay with", "check_payment_methods"),
                            ("can you leave my parcel with the neighbour", "delivery_options")]:
        result = chat(retail, message, user=CUSTOMER)
        assert result.parse.intent == intent and not result.products, (message, result.parse.intent)


def test_pointing_at_products_before_any_were_shown_writes_nothing(retail):
    first = chat(retail, "compare the first two")
    assert not first.products and "nothing on screen" in first.reply
    added = retail.turn(first.session_id, None, "add the cheaper one")
    assert not added.products and "Added" not in added.reply
    assert "Your cart is empty" in retail.turn(first.session_id, None, "what's in my basket?").reply


def test_pointing_with_a_typo_before_anything_was_shown_is_still_pointing(retail):
    from assistant.decide import only_pointing as _only_pointing

    result = chat(retail, "whats the diffrence between the first two")
    assert not result.products and "nothing on screen" in result.reply, result.reply
    assert _only_pointing(["diffrence", "betwen", "secnd"]) and not _only_pointing(["diffrence", "mugs"])
    assert not _only_pointing(["tea"]) and not _only_pointing(["sweeter"])  # short or real words stay words


def test_a_colour_then_not_that_one_keeps_what_is_shopped_for(retail):
    shown = chat(retail, "lantern")
    silver = retail.turn(shown.session_id, None, "in silver")
    assert silver.products and all("LANTERN" in t for t in titles(silver)), titles(silver)
    other = retail.turn(shown.session_id, None, "not that one")
    assert other.parse.intent == "refine" and other.products
    assert all("LANTERN" in t for t in titles(other)) and not {p.id for p in other.products} & {
        p.id for p in silver.products}


def test_an_occasion_naming_the_product_is_searched_for(retail):
    found = titles(chat(retail, "birthday card"))
    assert found and all("BIRTHDAY" in t and "CARD" in t for t in found), found


def test_a_negated_material_in_a_first_request_is_left_out(retail):
    result = chat(retail, "do u have any candle holders that arent glass")
    assert result.products and all("CANDLE" in t for t in titles(result)), titles(result)
    assert not [t for t in titles(result) if "GLASS" in t], titles(result)


def test_a_housewarming_gift_is_not_read_word_by_word(retail):
    result = chat(retail, "hi, looking for something for my sisters first flat, a housewarming present")
    assert result.products and not [t for t in titles(result) if re.search(r"\bFIRST\b|GIFT WRAP|\bCARD\b", t)], \
        titles(result)
    cheaper = retail.turn(result.session_id, None, "cheaper?")
    assert cheaper.products and not [t for t in titles(cheaper) if re.search(r"\bCARD\b|WRAP|SISTERS", t)], \
        titles(cheaper)
    top = max(p.price for p in result.products)
    assert all(p.price < top for p in cheaper.products)


def test_asked_for_a_colour_one_product_lacks_the_answer_points_at_one_shown_that_has_it(retail):
    from retrieval.lexicon import COLOURS

    shown = chat(retail, "got any cake stands")
    words = [set(t.lower().split()) for t in titles(shown)]
    colour = next((c for c in sorted(COLOURS) if any(c in w for w in words) and not all(c in w for w in words)), None)
    if colour is None:
        pytest.skip(f"no colour word tells the shown cake stands apart: {titles(shown)}")
    lacking = next(i for i, w in enumerate(words) if colour not in w)
    having = [t for t, w in zip(titles(shown), words) if colour in w]
    ordinal = ["first", "second", "third", "fourth", "fifth"][lacking]
    answer = retail.turn(shown.session_id, None, f"is the {ordinal} one in {colour}")
    assert "doesn't say" in answer.reply and having[0] in answer.reply.upper(), answer.reply
    assert "kind:" not in answer.reply  # a kind derived from titles is not a catalogue fact


def test_a_name_that_matches_nothing_shown_is_never_another_product(retail):
    shown = chat(retail, "hiya do you sell teapots")
    if any("BLUE" in t for t in titles(shown)):
        pytest.skip(f"a blue teapot is shown: {titles(shown)}")
    asked = retail.turn(shown.session_id, None, "how much is the blue one")
    assert "None of the products shown" in asked.reply and not asked.products, asked.reply
    added = retail.turn(shown.session_id, None, "add the blue one to my basket")
    assert not added.reply.startswith("Added"), added.reply
    assert "cart is empty" in retail.turn(shown.session_id, None, "what's in my basket").reply.lower()


def test_the_cheapest_comes_first_and_nicer_means_pricier(retail):
    cheapest = chat(retail, "cheapest wall clock you have")
    prices = [p.price for p in cheapest.products]
    assert prices == sorted(prices) and all("CLOCK" in t for t in titles(cheapest)), titles(cheapest)
    nicer = retail.turn(cheapest.session_id, None, "something a bit nicer maybe up to £15")
    assert nicer.products and all(max(prices) < p.price <= 15 for p in nicer.products), \
        [(p.title, p.price) for p in nicer.products]


def test_make_that_three_sets_the_quantity_rather_than_adding_three_more(retail):
    shown = chat(retail, "hiya do you sell teapots")
    first = shown.products[0].title.upper()
    added = retail.turn(shown.session_id, None, "add the first one to my basket")
    assert added.reply.startswith("Added 1"), added.reply
    for message, held in (("actually make that 3", 3), ("make it 1", 1)):
        answer = retail.turn(shown.session_id, None, message)
        assert f"{held} ×" in answer.reply and first in answer.reply.upper(), (message, answer.reply)
        cart = retail.turn(shown.session_id, None, "what's in my basket")
        assert f"{held} × **{first}" in cart.reply.upper(), cart.reply
