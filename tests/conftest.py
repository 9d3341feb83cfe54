"""Shared fixtures: an isolated home per test, real models loaded once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shopassist.settings import Settings, load_settings

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FLIPKART = DATA_DIR / "flipkart" / "products.csv"
ONLINE_RETAIL = DATA_DIR / "online_retail" / "online_retail.csv.gz"
FIXTURES = Path(__file__).parent / "fixtures"


def run_cli(*args: str, ok: bool = True):
    """Invokes ``shopassist`` in-process; with ``ok``, a non-zero exit fails with its output."""
    from click.testing import CliRunner

    from shopassist.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own settings or home."""
    for name in list(os.environ):
        if name.startswith("SHOPASSIST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SHOPASSIST_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(overrides={"home": tmp_path / "home", "data_dir": DATA_DIR})


@pytest.fixture(scope="session")
def encoder():
    """The real default embedder, loaded once."""
    from retrieval.encoder import SentenceEncoder

    enc = SentenceEncoder("default")
    enc.encode(["warm up"])
    return enc


@pytest.fixture(scope="session")
def lexical():
    from retrieval.encoder import LexicalEncoder

    return LexicalEncoder()


@pytest.fixture(scope="session")
def llm_dir(tmp_path_factory) -> str:
    """The default LLM converted once for the whole run (a plain model folder)."""
    from shopassist.llm_assets import resolve_llm

    home = tmp_path_factory.mktemp("llm-home")
    return resolve_llm(load_settings(overrides={"home": home}, environ={}))


@pytest.fixture(scope="session")
def parser(llm_dir):
    """The committed LoRA turn parser on the default LLM, loaded once."""
    from assistant.parse.parser import DEFAULT_ADAPTER, TurnParser

    loaded = TurnParser(llm_dir, DEFAULT_ADAPTER)
    loaded.parse("warm up")
    return loaded


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL for the session (Debian's binaries, a temporary folder, a Unix
    socket); the tests that need it skip, saying why, where it cannot be had."""
    from eval.temp_postgres import PostgresUnavailable, TempPostgres

    try:
        server = TempPostgres().start()
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL: {exc}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server, request) -> str:
    """The URL of a new, empty database on the session's server, dropped after the test."""
    import re
    import uuid

    name = re.sub(r"[^a-z0-9]", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def connect(request, tmp_path):
    """``connect(name)`` opens a new handle (its own connection or pool) on the test's database,
    SQLite or a real PostgreSQL; two handles on one database stand for two app replicas."""
    from shopassist.database import open_database

    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    opened = []

    def _connect(name: str = "store"):
        db = open_database(tmp_path, name, url, pool_size=4)
        opened.append(db)
        return db

    yield _connect
    for db in opened:
        db.close()

