"""Headless Chromium (Debian's package) driving the two apps: shared by the browser tests
and by ``python -m tests.ui.screenshots``, which makes the pictures in ``docs/ui``."""

from __future__ import annotations

import shutil
from pathlib import Path

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def have_chromium() -> bool:
    return Path(CHROMEDRIVER).exists()


def chromium(width: int = 1280, height: int = 1400):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait(driver, condition, seconds: float = 120):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.5).until(condition)


def chat(driver, message: str, customer: str | None = None, cards: bool = True):
    """Type a first message into the widget, send it, and return the product cards once they
    show (with ``cards=False``, once the reply has arrived). With ``customer``, first wait until
    the page has put that id into its field."""
    from selenium.webdriver.common.by import By

    if customer:
        wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#sa-customer textarea, #sa-customer input")
             .get_attribute("value") == customer)
    before = 0 if cards else len(chat_text(driver))
    send(driver, message)
    if not cards:  # the reply has arrived: the chat grew past the message and stopped growing
        import time

        def settled(d):
            first = chat_text(d)
            time.sleep(0.5)
            return len(first) > before + len(message) + 10 and chat_text(d) == first
        return wait(driver, settled)
    return wait(driver, lambda d: [c for c in d.find_elements(By.CSS_SELECTOR, ".sa-card") if c.is_displayed()]
                or None)


def settle(driver, seconds: float = 60) -> None:
    """Wait until the chat stops changing (a reply has finished streaming)."""
    import time

    def still(d):
        first = chat_text(d)
        time.sleep(0.7)
        return chat_text(d) == first
    wait(driver, still, seconds)


def send(driver, message: str) -> None:
    from selenium.webdriver.common.by import By

    box = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#sa-input textarea"))
    box.send_keys(message)
    driver.find_element(By.ID, "sa-send").click()


def chat_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "sa-chat").text


def agent_login(driver, url: str, user: str, password: str, path: str = "/agent/") -> None:
    """Sign in to the agent console (or, with ``path``, another app behind a login)."""
    from selenium.webdriver.common.by import By

    driver.get(url.rstrip("/") + path)
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "input[type='text'], input:not([type])")).send_keys(user)
    driver.find_element(By.CSS_SELECTOR, "input[type='password']").send_keys(password)
    [b for b in driver.find_elements(By.TAG_NAME, "button") if b.text.strip().lower() == "login"][0].click()


def insert_and_send(driver, pick: int = 0) -> None:
    """Click suggestion ``pick``, wait until it fills the draft box, and send it."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, f"ag-pick-{pick}").click()
    draft = driver.find_element(By.CSS_SELECTOR, "#ag-draft textarea")
    wait(driver, lambda d: draft.get_attribute("value"))
    driver.find_element(By.ID, "ag-send").click()
    wait(driver, lambda d: "[agent]" in d.page_source)
