"""A conversation belongs to the identity that opened it, and the human loop: an agent's
reply reaches only the conversation's owner, and the assistant is quiet while an agent holds it."""

from __future__ import annotations

import pytest

from assistant.replies import AGENT_HOLDS, HANDED_BACK, HANDOFF
from tests.assistant.conftest import CUSTOMERS

pytestmark = pytest.mark.slow
OWNER, OTHER = CUSTOMERS


def test_a_guest_naming_a_customers_session_gets_a_fresh_one(assistant_for):
    assistant = assistant_for("online-retail")
    owner = assistant.turn(None, OWNER, "white hanging heart t-light holder")
    assert assistant.sessions.signed(owner.session_id)  # issued here: 128 random bits and their tag

    hijack = assistant.turn(owner.session_id, None, "where is my order 536365")
    assert hijack.session_id != owner.session_id
    assert "sign in" in hijack.reply and not hijack.orders
    cart = assistant.turn(owner.session_id, None, "add the first one to my cart")
    assert cart.session_id not in (owner.session_id,)
    assert not [e for e in assistant.events.session_events(owner.session_id) if e.type == "add_to_cart"]
    assert assistant.sessions.get(owner.session_id).user_id == OWNER
    assert [m.role for m in assistant.sessions.get(owner.session_id).messages] == ["customer", "assistant"]


def test_made_up_session_ids_are_not_adopted_unless_a_local_tool_names_them(assistant_for):
    assistant = assistant_for("online-retail")
    web = assistant.turn("536365", OTHER, "hello")
    assert web.session_id != "536365" and assistant.sessions.get("536365") is None
    local = assistant.turn("my-test-chat", OTHER, "hello", named=True)
    assert local.session_id == "my-test-chat"
    again = assistant.turn("my-test-chat", OWNER, "hello", named=True)  # named, but someone else's
    assert again.session_id != "my-test-chat"


def test_clicks_are_recorded_under_the_callers_own_identity(assistant_for):
    assistant = assistant_for("online-retail")
    owner = assistant.turn(None, OWNER, "white hanging heart t-light holder")
    product = owner.products[0].id
    assert assistant.record(owner.session_id, None, product, "add_to_cart") is not None  # a guest, their session id
    assert assistant.record(owner.session_id, OTHER, product, "view") is not None
    written = [e for e in assistant.events.session_events(owner.session_id)]
    assert written == []  # neither click was filed under the owner's conversation
    assert assistant.record(owner.session_id, OWNER, product, "add_to_cart").id == product
    assert [(e.user_id, e.type) for e in assistant.events.session_events(owner.session_id)] == [(OWNER, "add_to_cart")]
    assert assistant.record(None, None, "no-such-product", "view") is None


def test_an_agent_reply_reaches_only_the_owner_and_the_assistant_waits(assistant_for):
    assistant = assistant_for("online-retail")
    first = assistant.turn(None, OWNER, "where is my order 536365")
    asked = assistant.handoff(first.session_id, OWNER)
    assert asked.reply == HANDOFF and asked.session_id == first.session_id and asked.handoff
    assert assistant.queue()[0].id == first.session_id  # hand-offs first

    assistant.agent_reply(first.session_id, "Hi, I'm Sam. Your parcel left on Friday.", 0, "answer", True)
    assert assistant.updates(first.session_id, None) == []  # a guest holding the id gets nothing
    assert assistant.updates(first.session_id, OTHER) == []
    fresh = assistant.updates(first.session_id, OWNER)
    assert [(m.role, m.text) for m in fresh] == [("agent", "Hi, I'm Sam. Your parcel left on Friday.")]
    assert assistant.updates(first.session_id, OWNER) == []  # sent once

    quiet = assistant.turn(first.session_id, OWNER, "thanks, and can you also show me red mugs?")
    assert quiet.reply == AGENT_HOLDS and not quiet.products
    assistant.hand_back(first.session_id)
    assert [m.text for m in assistant.updates(first.session_id, OWNER)] == [HANDED_BACK]
    back = assistant.turn(first.session_id, OWNER, "red retrospot lunch bag")
    assert back.products and back.session_id == first.session_id
    stored = assistant.session(first.session_id).messages
    sent = [m for m in stored if m.role == "agent"]
    assert sent[0].suggestion == 0 and sent[0].suggestion_kind == "answer" and sent[0].edited


def test_three_suggestions_differ_in_kind_and_substance(assistant_for):
    from assistant.suggest import suggest_replies

    assistant = assistant_for("online-retail")
    first = assistant.turn(None, OWNER, "where is my order 536365")
    assistant.handoff(first.session_id, OWNER)
    made = suggest_replies(assistant, assistant.session(first.session_id))
    assert [s.kind for s in made] == ["answer", "clarify", "action"]
    assert len({s.text for s in made}) == 3
    assert "1 December 2010" in made[0].text  # the answer quotes the order record
    assert made[1].text.rstrip().endswith("?")  # the clarifying one asks
    assert "536365" in made[2].text  # the action names what it acts on


def test_a_non_ascii_customer_id_is_served(assistant_for):
    assistant = assistant_for("online-retail")
    first = assistant.turn(None, "josé-客户", "white hanging heart t-light holder")
    assert first.products
    again = assistant.turn(first.session_id, "josé-客户", "add the first one to my cart")
    assert again.session_id == first.session_id
    assert [e.user_id for e in assistant.events.session_events(first.session_id)] == ["josé-客户"]
    assert "can't find" in assistant.turn(first.session_id, "josé-客户", "where is my order 536365").reply


def test_console_report_counts_suggestion_use_and_edits(assistant_for, shop_settings):
    import json

    from tests.conftest import run_cli

    assistant = assistant_for("online-retail")
    first = assistant.turn(None, OWNER, "where is my order 536365")
    before = json.loads(run_cli("--home", str(shop_settings.home), "console-report", "--json").stdout)
    assistant.agent_reply(first.session_id, "Checking now.", 1, "clarify", False)
    assistant.agent_reply(first.session_id, "Done, edited.", 2, "action", True)
    assistant.agent_reply(first.session_id, "Typed by hand.")
    after = json.loads(run_cli("--home", str(shop_settings.home), "console-report", "--json").stdout)
    assert after["replies"] - before["replies"] == 3 and after["typed"] - before["typed"] == 1
    assert after["kinds"]["clarify"]["sent"] - before["kinds"]["clarify"]["sent"] == 1
    assert after["kinds"]["action"]["edited"] - before["kinds"]["action"]["edited"] == 1
    assert set(after["kinds"]) == {"answer", "clarify", "action"}
