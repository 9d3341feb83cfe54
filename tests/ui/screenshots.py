"""The pictures in ``docs/ui``, taken from a running server with trained behaviour models
(so cards carry reasons):

    shopassist serve --port 7860 --collection online-retail   # after `shopassist demo`
    python -m tests.ui.screenshots --url http://127.0.0.1:7860 --password PASSWORD [--owner-password P] --out docs/ui
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.ui import driver as ui


def widget(url: str, out: Path, customer: str, message: str) -> None:
    browser = ui.chromium(1280, 1150)
    try:
        browser.get(f"{url}/?customer={customer}")
        ui.chat(browser, message, customer)
        browser.save_screenshot(str(out / "widget.png"))
    finally:
        browser.quit()


def console(url: str, out: Path, user: str, password: str, customer: str) -> None:
    from gradio_client import Client
    from selenium.webdriver.common.by import By

    client = Client(url + "/", verbose=False)
    turn = client.predict("where is my order 536365", "", customer, api_name="/ask")
    client.predict(turn["session"], customer, api_name="/talk_to_person")
    browser = ui.chromium(1280, 1400)
    try:
        ui.agent_login(browser, url, user, password)
        ui.wait(browser, lambda d: "536365" in d.find_element(By.ID, "ag-suggestions").text)
        browser.find_element(By.ID, "ag-pick-0").click()
        ui.wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#ag-draft textarea").get_attribute("value"))
        browser.save_screenshot(str(out / "agent.png"))
    finally:
        browser.quit()


def insights(url: str, out: Path, user: str, password: str) -> None:
    """The owner's page, whole (run the server on a home with some weeks of turns, such as
    after `shopassist demo --simulate-month`)."""
    from selenium.webdriver.common.by import By

    from ui.insights import PANELS

    browser = ui.chromium(1280, 5200)
    try:
        ui.agent_login(browser, url, user, password, path="/insights/")
        for panel in PANELS:
            ui.wait(browser, lambda d, p=panel: d.find_elements(By.CSS_SELECTOR, f"#in-plot-{p} .vega-embed .role-mark"))
        browser.save_screenshot(str(out / "insights.png"))
    finally:
        browser.quit()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", default="agent")
    ap.add_argument("--password", required=True)
    ap.add_argument("--customer", default="17850")
    ap.add_argument("--message", default="a gift for my mum under £20")
    ap.add_argument("--owner", default="owner")
    ap.add_argument("--owner-password", help="the insights page too (its owner's password)")
    ap.add_argument("--out", type=Path, default=Path("docs/ui"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    url = args.url.rstrip("/")
    widget(url, args.out, args.customer, args.message)
    console(url, args.out, args.user, args.password, args.customer)
    if args.owner_password:
        insights(url, args.out, args.owner, args.owner_password)


if __name__ == "__main__":
    main()
