"""The CLI contract: commands, flags and JSON shapes the product owner checks."""

import json

import pytest
from click.testing import CliRunner

from shopassist.cli import cli
from tests.conftest import FIXTURES, FLIPKART, run_cli


run = run_cli


@pytest.mark.slow
def test_index_unseen_layout_with_map_then_filtered_search(tmp_path):
    home = str(tmp_path / "h")
    out = run("--home", home, "index", "--catalog", str(FIXTURES / "unseen_layout.csv"),
              "--map", "title=Name", "--map", "price=Cost", "--map", "category=Section",
              "--map", "description=Details", "--json").stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert report["products"] == 7 and report["indexed"] == 7 and report["rejected_count"] == 1
    assert {w["row"] for w in report["warnings"]} == {5, 6}

    result = json.loads(run("--home", home, "search", "hiking boots", "--max-price", "300", "--json").stdout)
    assert set(result) == {"results", "took_ms"}
    titles = [r["title"] for r in result["results"]]
    assert "Leather Hiking Boot" in titles  # its range starts at 299.99
    assert all(r["price"] is not None and r["price"] <= 300 for r in result["results"])
    assert "Trail Running Shoe" not in titles and "Wool Hiking Socks" not in titles
    for r in result["results"]:
        assert {"id", "title", "price", "category", "brand", "score"} <= set(r)

    again = json.loads(run("--home", home, "index", "--catalog", str(FIXTURES / "unseen_layout.csv"),
                           "--json").stdout.strip().splitlines()[-1])
    assert (again["indexed"], again["unchanged"], again["removed"]) == (0, 7, 0)


@pytest.mark.slow
def test_flipkart_acceptance(tmp_path):
    home = str(tmp_path / "h")
    run("--home", home, "index", "--format", "flipkart", "--catalog", str(FLIPKART))
    result = json.loads(run("--home", home, "search", "women's sandals", "--max-price", "500", "--json").stdout)
    assert len(result["results"]) == 10
    assert all(r["price"] <= 500 for r in result["results"])
    categories = [r["category"] for r in result["results"]]
    assert all(c.startswith("footwear > womens footwear") for c in categories[:5]), categories
    assert sum(c.startswith("footwear") for c in categories) >= 6, categories
    text = run("--home", home, "search", "watch", "--brand", "nonexistent-brand").stdout
    assert "no products match" in text


def test_errors_are_messages_not_tracebacks(tmp_path):
    home = str(tmp_path / "h")
    cases = [
        (["index", "--catalog", str(tmp_path / "missing.csv")], "does not exist"),
        (["index", "--catalog", str(FIXTURES / "unseen_layout.csv"), "--map", "cost=Cost"], "unknown field 'cost'"),
        (["index", "--catalog", str(FIXTURES / "unseen_layout.csv"), "--map", "title=Nom"], "lacks"),
        (["search", "x", "--min-price", "10", "--max-price", "5"], "above --max-price"),
        (["search", "x", "--attr", "red"], "expected KEY=VALUE"),
        (["search", "anything"], "run `shopassist index` first"),
        (["--qdrant-url", "http://127.0.0.1:9", "search", "anything"], "failed"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, ["--home", home, *args])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_bad_config_is_reported(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("colection = 'x'\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "search", "x"])
    assert result.exit_code == 1 and "unknown setting(s) colection" in result.output
