"""A live `shopassist serve` on loopback over the dialogue tests' shop home."""

from __future__ import annotations

import pytest

from tests.assistant.conftest import shop_home  # noqa: F401  (session fixture reused)
from tests.ui import driver as ui

AGENT = ("agent", "test-password-123")
OWNER = ("owner", "owner-password-456")


def start_server(home, llm_dir, collection: str, **env_extra):
    """A `shopassist serve` process on a free loopback port; yields its URL, stops it after.
    Rate limits as configured by default, except where ``env_extra`` says."""
    from eval.http_bench import served

    env = {"SHOPASSIST_LLM": llm_dir, "SHOPASSIST_AGENT_USER": AGENT[0], "SHOPASSIST_AGENT_PASSWORD": AGENT[1],
           "SHOPASSIST_OWNER_USER": OWNER[0], "SHOPASSIST_OWNER_PASSWORD": OWNER[1],
           "SHOPASSIST_TURNS_PER_MINUTE_ADDRESS": "240", "SHOPASSIST_TURNS_PER_MINUTE_CUSTOMER": "30", **env_extra}
    with served(home, collection, env) as url:
        yield url


@pytest.fixture
def browser():
    if not ui.have_chromium():
        pytest.skip("chromium-driver is not installed (apt-get install chromium chromium-driver)")
    driver = ui.chromium()
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def server(shop_home, llm_dir):  # noqa: F811
    # the tests sign in as the same two customers many times a minute
    yield from start_server(shop_home, llm_dir, "online-retail", SHOPASSIST_TURNS_PER_MINUTE_CUSTOMER="200")
