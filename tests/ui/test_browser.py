"""Real-browser tests: headless Chromium (Debian's package) drives both apps on loopback and
saves screenshots. Needs `apt-get install chromium chromium-driver` (CI installs them)."""

from __future__ import annotations

import shutil

import pytest

from tests.ui.conftest import AGENT

pytestmark = pytest.mark.slow
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    from pathlib import Path

    if not Path(CHROMEDRIVER).exists():
        pytest.skip("chromium-driver is not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,1400"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _wait(driver, condition, seconds=120):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.5).until(condition)


def test_widget_chat_cards_and_add_to_cart(server, browser, tmp_path, shop_home):
    from selenium.webdriver.common.by import By

    from retrieval.events import EventStore

    browser.get(server + "/?customer=13047")
    box = _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#sa-input textarea"))
    box.send_keys("a gift for my mum under £20")
    browser.find_element(By.ID, "sa-send").click()
    cards = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".sa-card") or None)
    assert cards and "£" in cards[0].text
    assert "Here is what I found" in browser.find_element(By.CSS_SELECTOR, ".message-wrap, [role='log']").text
    before = EventStore(shop_home / "events.sqlite").count("13047")
    add = [b for b in browser.find_elements(By.TAG_NAME, "button") if b.text == "Add to cart" and b.is_displayed()]
    add[0].click()
    _wait(browser, lambda d: "Added" in d.find_element(By.ID, "sa-status").text)
    assert EventStore(shop_home / "events.sqlite").count("13047") == before + 1
    browser.save_screenshot(str(tmp_path / "widget.png"))
    assert (tmp_path / "widget.png").stat().st_size > 10_000


def test_agent_console_login_pick_and_send(server, browser, tmp_path):
    from gradio_client import Client
    from selenium.webdriver.common.by import By

    customer = Client(server + "/", verbose=False)
    turn = customer.predict("where is my order 536365", "", "17850", api_name="/ask")
    customer.predict(turn["session"], "17850", api_name="/talk_to_person")

    browser.get(server + "/agent/")
    user = _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "input[type='text'], input:not([type])"))
    user.send_keys(AGENT[0])
    browser.find_element(By.CSS_SELECTOR, "input[type='password']").send_keys(AGENT[1])
    [b for b in browser.find_elements(By.TAG_NAME, "button") if b.text.strip().lower() == "login"][0].click()
    # the newest hand-off opens first: its transcript and three suggestions load
    try:
        _wait(browser, lambda d: "536365" in d.find_element(By.ID, "ag-suggestions").text)
    finally:
        browser.save_screenshot(str(tmp_path / "agent-open.png"))
        (tmp_path / "agent-open.html").write_text(browser.page_source)
    browser.find_element(By.ID, "ag-pick-0").click()
    draft = browser.find_element(By.CSS_SELECTOR, "#ag-draft textarea")
    _wait(browser, lambda d: draft.get_attribute("value"))
    browser.find_element(By.ID, "ag-send").click()
    _wait(browser, lambda d: "[agent]" in d.page_source)
    browser.save_screenshot(str(tmp_path / "agent.png"))
    assert (tmp_path / "agent.png").stat().st_size > 10_000
