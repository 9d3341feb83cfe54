"""Real stores for dialogue tests: the Flipkart catalogue and a slice of Online Retail
(two customers' invoices), indexed once per test session with the real embedder."""

from __future__ import annotations

import pandas as pd
import pytest

from shopassist.settings import load_settings
from tests.conftest import DATA_DIR, FLIPKART, ONLINE_RETAIL, run_cli

CUSTOMERS = ("17850", "13047")


def _run(*args):
    return run_cli(*args)


@pytest.fixture(scope="session")
def shop_home(tmp_path_factory):
    """A home with `flipkart` and `online-retail` (slice) collections and the slice's events."""
    home = tmp_path_factory.mktemp("shop-home")
    _run("--home", str(home), "index", "--catalog", str(FLIPKART), "--format", "flipkart", "--collection", "flipkart")
    frame = pd.read_csv(ONLINE_RETAIL, dtype={"CustomerID": str, "InvoiceNo": str, "StockCode": str})
    frame = frame[frame["CustomerID"].str.removesuffix(".0").isin(CUSTOMERS)]
    slice_csv = home / "retail_slice.csv"
    frame.to_csv(slice_csv, index=False)
    _run("--home", str(home), "index", "--catalog", str(slice_csv), "--format", "online-retail",
         "--collection", "online-retail")
    _run("--home", str(home), "events", "ingest", str(slice_csv))
    return home


@pytest.fixture
def shop_settings(shop_home, llm_dir, monkeypatch):
    monkeypatch.setenv("SHOPASSIST_HOME", str(shop_home))
    return load_settings(overrides={"home": shop_home, "data_dir": DATA_DIR, "llm": llm_dir}, environ={})


@pytest.fixture
def assistant_for(shop_settings, parser):
    """``assistant_for(collection)`` → an Assistant sharing the session's loaded parser."""
    from assistant.service import open_assistant

    opened = []

    def make(collection: str):
        opened.append(open_assistant(shop_settings, collection, parser=parser))
        return opened[-1]

    yield make
    for a in opened:
        a.close()


@pytest.fixture(scope="module")
def retail(tmp_path_factory, llm_dir, parser):
    """The full Online Retail catalogue with customer 17850's real orders, on the real models
    (one home per test module)."""
    from assistant.service import open_assistant

    home = tmp_path_factory.mktemp("full-retail")
    run_cli("--home", str(home), "index", "--catalog", str(ONLINE_RETAIL), "--format", "online-retail",
            "--collection", "online-retail")
    frame = pd.read_csv(ONLINE_RETAIL, dtype={"CustomerID": str, "InvoiceNo": str, "StockCode": str})
    mine = home / "mine.csv"
    frame[frame["CustomerID"].str.removesuffix(".0") == "17850"].to_csv(mine, index=False)
    run_cli("--home", str(home), "events", "ingest", str(mine))
    settings = load_settings(overrides={"home": home, "data_dir": DATA_DIR, "llm": llm_dir}, environ={})
    assistant = open_assistant(settings, "online-retail", parser=parser)
    yield assistant
    assistant.close()
