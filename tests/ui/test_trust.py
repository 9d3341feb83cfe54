"""Identity, isolation, forget scope and the human loop through a live `shopassist serve`,
called as a program (or an attacker) would: gradio_client and plain HTTP on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from gradio_client import Client

from assistant.replies import AGENT_HOLDS
from retrieval.behaviour.events import EventStore
from tests.conftest import run_cli
from tests.ui.conftest import AGENT

pytestmark = pytest.mark.slow
OWNER = "17850"


def _customer(server):
    return Client(server + "/", verbose=False)


def _owner_session(server) -> dict:
    return _customer(server).predict("where is my order 536365", "", OWNER, api_name="/ask")


def test_a_guest_with_a_customers_session_id_gets_a_fresh_empty_session(server, shop_home):
    owner = _owner_session(server)
    assert "1 December 2010" in owner["reply"]
    guest = _customer(server)
    for message in ("recommend something for me", "where is my order 536365", "what did I buy last time?",
                    "tell me more about the first one"):
        reply = guest.predict(message, owner["session"], "", api_name="/ask")
        assert reply["session"] != owner["session"]
        assert "1 December 2010" not in reply["reply"] and "you have bought" not in reply["reply"]
        assert "WHITE HANGING HEART" not in reply["reply"]
    assert guest.predict(owner["session"], "", api_name="/updates") == []
    handed = guest.predict(owner["session"], "", api_name="/talk_to_person")
    assert handed["session"] != owner["session"]
    product = _customer(server).predict("white hanging heart t-light holder", "", OWNER, api_name="/ask")["products"][0]
    guest.predict(owner["session"], "", product["id"], api_name="/add_to_cart")
    events = EventStore(shop_home / "events.sqlite")
    try:
        assert events.session_events(owner["session"]) == []  # nothing filed under the owner's conversation
    finally:
        events.close()


def test_another_signed_in_customer_cannot_use_the_session_either(server):
    owner = _owner_session(server)
    other = _customer(server).predict("where is my order 536365", owner["session"], "13047", api_name="/ask")
    assert other["session"] != owner["session"] and "1 December 2010" not in other["reply"]
    assert _customer(server).predict(owner["session"], "13047", api_name="/updates") == []


def test_made_up_session_ids_are_never_adopted_and_forget_stays_in_scope(server, shop_home):
    events = EventStore(shop_home / "events.sqlite")
    before = [(e.user_id, e.product_id, e.type) for e in events.session_events("536365")]
    events.close()
    assert before and {u for u, _, _ in before} == {OWNER}
    attacker = _customer(server)
    turn = attacker.predict("white hanging heart t-light holder", "536365", "attacker-1", api_name="/ask")
    assert turn["session"] != "536365"
    attacker.predict("536365", "attacker-1", turn["products"][0]["id"], api_name="/add_to_cart")
    done = json.loads(run_cli("--home", str(shop_home), "forget", "--user", "attacker-1", "--json").stdout)
    assert done["sessions_deleted"] == 1 and done["events_deleted"] == 1
    events = EventStore(shop_home / "events.sqlite")
    try:
        assert [(e.user_id, e.product_id, e.type) for e in events.session_events("536365")] == before
    finally:
        events.close()


def test_an_agents_reply_reaches_the_owner_and_the_assistant_waits_for_hand_back(server):
    customer = _customer(server)
    first = customer.predict("where is my order 536365", "", OWNER, api_name="/ask")
    customer.predict(first["session"], OWNER, api_name="/talk_to_person")
    agent = Client(server + "/agent/", auth=AGENT, verbose=False)
    sent = agent.predict(first["session"], "Hello, this is Priya from the shop. It shipped today.", api_name="/send")
    assert sent == {"session": first["session"], "sent": True, "held": True}
    fresh = customer.predict(first["session"], OWNER, api_name="/updates")
    assert [(m["role"], m["from_person"]) for m in fresh] == [("agent", True)]
    assert "Priya" in fresh[0]["text"]
    assert customer.predict(first["session"], OWNER, api_name="/updates") == []
    held = customer.predict("and do you sell red mugs?", first["session"], OWNER, api_name="/ask")
    assert held["reply"] == AGENT_HOLDS and not held["products"]
    agent.predict(first["session"], api_name="/hand_back")
    back = customer.predict("red retrospot lunch bag", first["session"], OWNER, api_name="/ask")
    assert back["products"]


def test_the_console_answers_at_both_addresses(server):
    for path in ("/agent", "/agent/"):
        with urllib.request.urlopen(server + path, timeout=10) as response:
            assert response.status == 200 and "/agent/" in response.url


def _request(url: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers


def test_the_console_refuses_other_sites_and_sets_strict_cookies(server):
    login = f"username={AGENT[0]}&password={AGENT[1]}".encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert _request(server + "/agent/login", login, {**form, "Origin": "http://evil.example"})[0] == 403
    assert _request(server + "/agent/login", login, {**form, "Referer": "http://evil.example/page"})[0] == 403
    assert _request(server + "/agent/config", None, {"Origin": "http://evil.example"})[0] == 403
    status, headers = _request(server + "/agent/login", login, {**form, "Origin": server})
    assert status == 200
    cookies = headers.get_all("set-cookie")
    assert cookies and all("samesite=strict" in c.lower() for c in cookies)
    # the widget stays embeddable from any page
    assert _request(server + "/config", None, {"Origin": "http://shop.example"})[0] == 200


def test_the_insights_page_takes_only_the_owners_login_and_it_opens_nothing_else(server):
    """Agent and customer credentials are refused at /insights; the owner's login opens the
    insights page, not the console; the agent's opens the console, not the insights."""
    import httpx

    from tests.ui.conftest import OWNER

    with httpx.Client(base_url=server, timeout=10) as client:
        assert client.get("/insights/config").status_code == 401
        assert client.post("/insights/login", data={"username": AGENT[0], "password": AGENT[1]}).status_code == 400
        assert client.post("/insights/login", data={"username": "17850", "password": "17850"}).status_code == 400
        assert client.post("/insights/login", data={"username": OWNER[0], "password": OWNER[1]}).status_code == 200
        assert client.get("/insights/config").status_code == 200
        assert client.get("/agent/config").status_code == 401
        assert client.post("/agent/login", data={"username": OWNER[0], "password": OWNER[1]}).status_code == 400
    with httpx.Client(base_url=server, timeout=10) as agent:
        assert agent.post("/agent/login", data={"username": AGENT[0], "password": AGENT[1]}).status_code == 200
        assert agent.get("/agent/config").status_code == 200 and agent.get("/insights/config").status_code == 401


def test_production_mode_refuses_to_start_without_a_customer_secret(shop_home):
    env = {"SHOPASSIST_PRODUCTION": "true", "SHOPASSIST_AGENT_PASSWORD": "a-long-agent-password"}
    from click.testing import CliRunner

    from shopassist.cli import cli

    refused = CliRunner().invoke(cli, ["--home", str(shop_home), "serve", "--collection", "online-retail"], env=env)
    assert refused.exit_code != 0 and "customer_secret" in refused.output
    short = CliRunner().invoke(cli, ["--home", str(shop_home), "serve"], env={**env, "SHOPASSIST_CUSTOMER_SECRET": "short"})
    assert short.exit_code != 0 and "32 characters" in short.output


def test_a_non_ascii_customer_id_works_over_http(server):
    client = _customer(server)
    first = client.predict("white hanging heart t-light holder", "", "josé-客户", api_name="/ask")
    assert first["products"]
    again = client.predict("anything cheaper?", first["session"], "josé-客户", api_name="/ask")
    assert again["session"] == first["session"]
    assert client.predict(first["session"], "josé-客户", first["products"][0]["id"], api_name="/add_to_cart") \
        .startswith("Added")
