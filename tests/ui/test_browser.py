"""Real-browser tests: headless Chromium (Debian's package) drives both apps on loopback and
saves screenshots. Needs `apt-get install chromium chromium-driver` (CI installs them)."""

from __future__ import annotations

import pytest

from tests.ui import driver as ui
from tests.ui.conftest import AGENT

pytestmark = pytest.mark.slow


@pytest.fixture
def browser():
    if not ui.have_chromium():
        pytest.skip("chromium-driver is not installed (apt-get install chromium chromium-driver)")
    driver = ui.chromium()
    yield driver
    driver.quit()


def test_widget_chat_cards_and_add_to_cart(server, browser, tmp_path, shop_home):
    from selenium.webdriver.common.by import By

    from retrieval.events import EventStore

    browser.get(server + "/?customer=13047")
    cards = ui.chat(browser, "a gift for my mum under £20", customer="13047")
    assert cards and "£" in cards[0].text
    assert "Here is what I found" in browser.find_element(By.CSS_SELECTOR, ".message-wrap, [role='log']").text
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
