"""Real-browser tests: headless Chromium (Debian's package) drives both apps on loopback and
saves screenshots. Needs `apt-get install chromium chromium-driver` (CI installs them)."""

from __future__ import annotations

import pytest

from tests.ui import driver as ui
from tests.ui.conftest import AGENT

pytestmark = pytest.mark.slow


def test_widget_chat_cards_and_add_to_cart(server, browser, tmp_path, shop_home):
    from selenium.webdriver.common.by import By

    from retrieval.behaviour.events import EventStore

    browser.get(server + "/?customer=13047")
    cards = ui.chat(browser, "a gift for my mum under £20", customer="13047")
    assert cards and "£" in cards[0].text
    log = browser.find_element(By.CSS_SELECTOR, ".message-wrap, [role='log']").text
    assert "Here is what I found" in log or "Some gift ideas" in log, log  # a search, or a gift's ideas
    before = EventStore(shop_home / "events.sqlite").count("13047")
    add = [b for b in browser.find_elements(By.TAG_NAME, "button") if b.text == "Add to cart" and b.is_displayed()]
    add[0].click()
    ui.wait(browser, lambda d: "Added" in d.find_element(By.ID, "sa-status").text)
    assert EventStore(shop_home / "events.sqlite").count("13047") == before + 1
    browser.save_screenshot(str(tmp_path / "widget.png"))
    assert (tmp_path / "widget.png").stat().st_size > 10_000


def test_agent_console_login_pick_and_send(server, browser, tmp_path):
    from gradio_client import Client
    from selenium.webdriver.common.by import By

    customer = Client(server + "/", verbose=False)
    turn = customer.predict("where is my order 536365", "", "17850", api_name="/ask")
    customer.predict(turn["session"], "17850", api_name="/talk_to_person")

    ui.agent_login(browser, server, *AGENT)
    # the newest hand-off opens first: its transcript and three suggestions load
    ui.wait(browser, lambda d: "536365" in d.find_element(By.ID, "ag-suggestions").text)
    assert "**3.**" not in browser.find_element(By.ID, "ag-suggestions").text  # rendered, not raw markdown
    ui.insert_and_send(browser)
    browser.save_screenshot(str(tmp_path / "agent.png"))
    assert (tmp_path / "agent.png").stat().st_size > 10_000


@pytest.fixture
def shop_page(server, tmp_path):
    """A plain HTML shop page, served from another local origin, embedding the widget both ways."""
    import functools
    import http.server
    import threading

    from ui.embed import component_snippet, iframe_snippet

    (tmp_path / "iframe.html").write_text(
        f"<!doctype html><html><body><h1>My shop</h1>{iframe_snippet(server, customer='13047')}</body></html>")
    (tmp_path / "component.html").write_text(
        f"<!doctype html><html><body><h1>My shop</h1>{component_snippet(server)}</body></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("localhost", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://localhost:{httpd.server_address[1]}"
    httpd.shutdown()


def test_widget_embedded_by_iframe_in_a_plain_page(server, shop_page, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(shop_page + "/iframe.html")
    browser.switch_to.frame(ui.wait(browser, lambda d: d.find_element(By.TAG_NAME, "iframe")))
    # the customer id in the snippet reaches the widget (chat waits for it)
    cards = ui.chat(browser, "a gift for my mum under £20", customer="13047")
    assert "£" in cards[0].text
    browser.switch_to.default_content()
    browser.save_screenshot(str(tmp_path / "embed-iframe.png"))


def test_widget_embedded_as_web_component_in_a_plain_page(server, shop_page, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(shop_page + "/component.html")
    cards = ui.chat(browser, "white hanging heart t-light holder")
    assert cards and browser.find_element(By.TAG_NAME, "h1").text == "My shop"
    browser.save_screenshot(str(tmp_path / "embed-component.png"))


def test_an_agent_takes_over_and_the_customer_sees_the_reply(server, tmp_path):
    """Two browsers: a customer asks for a person; the agent sees the hand-off, inserts a
    suggestion, edits it and sends; the customer's page shows it within 2 s; the assistant
    stays quiet until the agent hands back."""
    import time

    from selenium.webdriver.common.by import By

    from assistant.replies import AGENT_HOLDS, HANDED_BACK, PERSON

    if not ui.have_chromium():
        pytest.skip("chromium-driver is not installed (apt-get install chromium chromium-driver)")
    customer, agent = ui.chromium(), ui.chromium()
    try:
        customer.get(server + "/?customer=13047")
        ui.chat(customer, "I need help with an order of mine please", customer="13047", cards=False)
        customer.find_element(By.ID, "sa-human").click()
        ui.wait(customer, lambda d: "member of our team" in ui.chat_text(d))

        ui.agent_login(agent, server, *AGENT)
        ui.wait(agent, lambda d: "I need help with an order" in d.find_element(By.ID, "ag-transcript").text)
        agent.find_element(By.ID, "ag-pick-0").click()
        draft = agent.find_element(By.CSS_SELECTOR, "#ag-draft textarea")
        ui.wait(agent, lambda d: draft.get_attribute("value"))
        draft.send_keys(" (Sam, customer care)")
        agent.find_element(By.ID, "ag-send").click()
        sent = time.monotonic()
        ui.wait(customer, lambda d: "Sam, customer care" in ui.chat_text(d), seconds=10)
        assert time.monotonic() - sent < 2.0
        assert PERSON in ui.chat_text(customer)

        ui.send(customer, "thanks! also do you sell red mugs?")
        ui.wait(customer, lambda d: AGENT_HOLDS in ui.chat_text(d))
        # the new message shows in the console without a click
        ui.wait(agent, lambda d: "do you sell red mugs" in d.find_element(By.ID, "ag-transcript").text, seconds=10)
        assert not [c for c in customer.find_elements(By.CSS_SELECTOR, ".sa-card") if c.is_displayed()]
        agent.save_screenshot(str(tmp_path / "agent-held.png"))

        agent.find_element(By.ID, "ag-handback").click()
        ui.wait(customer, lambda d: HANDED_BACK in ui.chat_text(d), seconds=10)
        ui.send(customer, "red retrospot lunch bag")
        ui.wait(customer, lambda d: [c for c in d.find_elements(By.CSS_SELECTOR, ".sa-card") if c.is_displayed()])
        customer.save_screenshot(str(tmp_path / "widget-agent.png"))
    finally:
        customer.quit()
        agent.quit()


def test_insights_page_shows_every_panel_with_a_plot_and_exports_csv(server, browser, shop_home, tmp_path):
    """The owner signs in at /insights: seven panels, a plot in each, the demand gap six customers
    asked for, and a panel's CSV downloaded."""
    import time

    from selenium.webdriver.common.by import By

    from assistant.facts import ShownCard, ToolCall, TurnFact
    from assistant.service import open_session_store
    from shopassist.settings import load_settings
    from tests.ui.conftest import OWNER
    from ui.insights import PANELS

    sessions = open_session_store(load_settings(overrides={"home": shop_home}, environ={}))
    for i in range(6):  # six customers, so that every panel has a group of at least five to show
        session = sessions.new(f"owner-test-{i}")
        session.add("customer", "got any cordless drills?", "search")
        session.add("assistant", "Here is what I found")
        sessions.save(session, TurnFact("search", "search", "request", kind="cordless drill", gap="cordless drill",
                                        gap_why="weak", shown=(ShownCard("85123A", "popular"),),
                                        example=f"got any cordless drills? ring me on 07946 09{i:02d}58"))
        session.add("customer", "no not those, a person please", "contact_human_agent")
        sessions.save(session, TurnFact("contact_human_agent", "handoff", "asks_for_a_person", handoff=True,
                                        follows="search", after_miss=True, correction=True, example="a person please"))
        # and each through an AI agent: the traffic panel shows sources only when every one has k customers
        agent = sessions.new(f"owner-test-{i}")
        agent.source = "mcp"
        agent.add("customer", "red retrospot lunch bag", "search")
        sessions.save(agent, TurnFact("search", "search", "request", shown=(ShownCard("85123A", "popular"),)))
        sessions.record_call(ToolCall("search_catalog", f"user:owner-test-{i}", True, 5, 12.0, f"owner-test-{i}"))
    sessions.close()
    ui.agent_login(browser, server, *OWNER, path="/insights/")
    for panel in PANELS:  # drawn in the browser: marks in each panel's plot, not its loading spinner
        ui.wait(browser, lambda d, p=panel: d.find_elements(By.CSS_SELECTOR, f"#in-plot-{p} .vega-embed .role-mark"))
    def filled(d):
        text = d.find_element(By.ID, "in-table-gaps").text
        return text if "cordless drill" in text else None
    gaps = ui.wait(browser, filled)
    assert "[phone]" in gaps and "07946" not in browser.page_source
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.CSS_SELECTOR, "#in-csv-gaps, #in-csv-gaps button").click()
    deadline = time.time() + 30
    while time.time() < deadline and not list(tmp_path.glob("insights-gaps-*.csv")):
        time.sleep(0.5)
    (csv_file,) = tmp_path.glob("insights-gaps-*.csv")
    lines = csv_file.read_text().splitlines()
    customers = [int(line.rsplit(",", 1)[1]) for line in lines if line.startswith("gaps,cordless drill,customers,")]
    assert lines[0] == "panel,group,measure,value" and customers and customers[0] >= 6  # other tests may add some
    browser.save_screenshot(str(tmp_path / "insights.png"))
    assert (tmp_path / "insights.png").stat().st_size > 10_000
