"""The two apps through their HTTP API on loopback (gradio_client), as a program would."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from gradio_client import Client

from retrieval.behaviour.events import EventStore
from tests.ui.conftest import AGENT

pytestmark = pytest.mark.slow


def test_a_message_gets_a_reply_with_product_cards(server):
    client = Client(server + "/", verbose=False)
    result = client.predict("a gift for my mum under £20", "", "", api_name="/ask")
    assert result["reply"] and result["products"] and result["session"]
    assert all(p["price"] <= 20 for p in result["products"])


def test_add_to_cart_writes_an_event(server, shop_home):
    client = Client(server + "/", verbose=False)
    result = client.predict("white hanging heart t-light holder", "", "17850", api_name="/ask")
    product = result["products"][0]["id"]
    message = client.predict(result["session"], "17850", product, api_name="/add_to_cart")
    assert "Added" in message
    events = EventStore(shop_home / "events.sqlite").session_events(result["session"])
    assert [(e.product_id, e.type, e.user_id) for e in events] == [(product, "add_to_cart", "17850")]


def test_handoff_reaches_the_agent_with_three_suggestions(server):
    customer = Client(server + "/", verbose=False)
    first = customer.predict("where is my order 536365", "", "17850", api_name="/ask")
    customer.predict(first["session"], "17850", api_name="/talk_to_person")
    agent = Client(server + "/agent/", auth=AGENT, verbose=False)
    suggestions = agent.predict(first["session"], api_name="/suggest")
    assert len(suggestions) == 3 and all(isinstance(s, str) and s for s in suggestions)


def test_agent_console_refuses_requests_without_credentials(server):
    with pytest.raises(Exception):
        Client(server + "/agent/", verbose=False).predict("x", api_name="/suggest")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server + "/agent/config", timeout=10)
    assert info.value.code in (401, 403)



def test_ask_stream_yields_growing_text_ending_in_the_full_reply(server):
    client = Client(server + "/", verbose=False)
    first = client.predict("white hanging heart t-light holder", "", "17850", api_name="/ask")
    job = client.submit("anything cheaper?", first["session"], "17850", api_name="/ask_stream")
    chunks = list(job)
    assert len(chunks) > 1 and all(b.startswith(a) for a, b in zip(chunks, chunks[1:]))
    assert chunks[-1].strip()


@pytest.mark.parametrize("message, says", [("x" * 100_000, "under 500 characters"), ("   ", "Please type a message")])
def test_bad_messages_get_a_plain_error_not_a_trace(server, message, says):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as info:
        Client(server + "/", verbose=False).predict(message, "", "", api_name="/ask")
    assert says in str(info.value) and "Traceback" not in str(info.value)


def test_the_plain_json_turn_route_keeps_the_conversation_and_its_checks(server):
    import httpx

    with httpx.Client(base_url=server, timeout=60) as http:
        first = http.post("/api/turn", json={"message": "lanterns", "customer_id": "17850"})
        assert first.status_code == 200 and first.json()["products"]
        session = first.json()["session"]
        cheaper = http.post("/api/turn", json={"message": "anything cheaper?", "session_id": session,
                                               "customer_id": "17850"}).json()
        top = min(p["price"] for p in first.json()["products"])
        assert cheaper["session"] == session and all(p["price"] < top for p in cheaper["products"])
        # another customer cannot continue it: they get a conversation of their own
        other = http.post("/api/turn", json={"message": "hi", "session_id": session, "customer_id": "13047"}).json()
        assert other["session"] != session
        assert http.post("/api/turn", json={"message": ""}).json() == {"error": "Please type a message."}
        assert http.post("/api/turn", json={"message": 5}).status_code == 400
        assert http.post("/api/turn", content=b"not json", headers={"content-type": "application/json"}).status_code == 422
