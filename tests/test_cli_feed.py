"""``shopassist feed export`` end to end: a tiny catalogue indexed into a temporary home, then
exported in both formats, every row checked against the feed schema."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from retrieval.feed import FIELDS, FORMATS, SCHEMA_PATH
from shopassist.cli import cli
from tests.conftest import run_cli

CATALOGUE = [
    ["id", "title", "description", "price", "currency", "url", "image", "in_stock", "brand", "category",
     "EAN", "Model Number"],
    ["A1", "White heart T-light holder", "Hangs in a window.", "2.95", "GBP", "https://shop.example/a1",
     "https://img.example/a1.jpg", "yes", "Acme", "Home > Candles", "4006381333931", "WH-1"],
    ["A2", "Blue enamel mug", "", "", "GBP", "", "", "yes", "", "Kitchen", "", ""],
    ["A3", "Copper lantern", "", "12.50", "XYZ", "", "", "", "", "", "", ""],
    ["A/4", "=SUM(1+1) paper chain kit", "-10% this week", "£3.75", "", "", "", "no", "@home", "Party",
     "4006381333932", ""],
    ["A5", "Rose scented candle", "", "$4", "", "ftp://files.example/a5", "", "", "", "Home > Candles", "", ""],
    ["=A6", "Formula id mug", "", "3.00", "GBP", "", "", "", "", "", "", ""],
    ["A7", "Free sample sachet", "", "free", "GBP", "", "", "", "", "", "", ""],
    ["A8", "Brass lamp", "", "1.235", "KWD", "", "", "", "", "", "", ""],
    ["A9", "Tin lamp", "", "1.235", "GBP", "", "", "", "", "", "", ""],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> str:
    """A home with the tiny catalogue indexed as collection ``shop`` (the real embedder, once)."""
    folder = tmp_path_factory.mktemp("feed-shop")
    catalogue = folder / "catalogue.csv"
    with catalogue.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(CATALOGUE)
    home = str(folder / "home")
    with pytest.MonkeyPatch.context() as mp:  # the per-test env isolation is not yet in force here
        for name in [n for n in os.environ if n.startswith("SHOPASSIST_")]:
            mp.delenv(name)
        mp.setenv("HF_HUB_OFFLINE", "1")
        run_cli("--home", home, "index", "--catalog", str(catalogue), "--collection", "shop")
    return home


def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _export(home: str, *args: str) -> dict:
    out = run_cli("--home", home, "feed", "export", "--collection", "shop", "--json", *args).stdout
    return json.loads(out.strip().splitlines()[-1])


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        assert next(reader) == list(FIELDS)
        return [{k: v for k, v in zip(FIELDS, row) if v} for row in reader]


def test_export_both_formats_every_row_valid(shop, tmp_path):
    jsonl, table = tmp_path / "feed.jsonl", tmp_path / "feed.csv"
    report = _export(shop, "--format", "jsonl", "--out", str(jsonl))
    assert _export(shop, "--format", "csv", "--out", str(table))["rows_written"] == report["rows_written"]

    assert (report["products_read"], report["rows_written"]) == (9, 4)
    assert report["skipped"] == {
        "invalid_currency": {"count": 1, "examples": ["A3"]},
        "invalid_id": {"count": 1, "examples": ["'=A6'"],
                       "detail": "'=A6' begins with '=': a spreadsheet would run it as a formula"},
        "invalid_price": {"count": 1, "examples": ["A9"], "detail": "1.235 GBP states 3 decimals; GBP has 2 "
                                                                    "(ISO 4217), and the feed does not round a price"},
        "no_price": {"count": 1, "examples": ["A2"]},
        "zero_price": {"count": 1, "examples": ["A7"]},
    }
    assert report["unfilled"] == []
    # A5's ftp:// url never reaches the store (the catalogue reader keeps http(s) URLs only).
    assert report["dropped_values"] == {"gtin": {"count": 1, "examples": ["A/4"]}}

    validator = _validator()
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    table_rows = _csv_rows(table)
    assert len(rows) == len(table_rows) == 4
    for row in rows + table_rows:
        assert not list(validator.iter_errors(row)), row

    by_id = {r["id"]: r for r in rows}
    assert by_id["A1"] == {
        "id": "A1", "title": "White heart T-light holder", "description": "Hangs in a window.",
        "link": "https://shop.example/a1", "image_link": "https://img.example/a1.jpg", "price": "2.95 GBP",
        "availability": "in_stock", "brand": "Acme", "product_category": "Home > Candles",
        "gtin": "4006381333931", "mpn": "WH-1",
    }
    assert by_id["A/4"]["price"] == "3.75 GBP" and by_id["A/4"]["availability"] == "out_of_stock"
    assert "gtin" not in by_id["A/4"] and "link" not in by_id["A5"] and by_id["A5"]["price"] == "4.00 USD"
    assert by_id["A8"]["price"] == "1.235 KWD"  # the currency's own three decimals
    assert [r["id"] for r in table_rows] == [r["id"] for r in rows]  # ids unchanged in CSV too
    formula = next(r for r in table_rows if r["id"] == "A/4")
    assert formula["title"] == "'" + by_id["A/4"]["title"] and formula["brand"] == "'@home"
    assert formula["description"] == "'-10% this week"


def test_link_template_and_the_human_summary(shop, tmp_path):
    out = tmp_path / "feed.jsonl"
    text = run_cli("--home", shop, "feed", "export", "--collection", "shop", "--out", str(out),
                   "--link-template", "https://shop.example/p/{id}").stdout
    assert "wrote 4 of 9 products" in text and "no_price 1 (e.g. A2)" in text
    assert "invalid_id 1 (e.g. '=A6')" in text and "zero_price 1 (e.g. A7)" in text
    assert "fields no row has: none" in text
    links = {r["id"]: r["link"] for r in map(json.loads, out.read_text().splitlines())}
    assert links == {"A1": "https://shop.example/p/A1", "A/4": "https://shop.example/p/A%2F4",
                     "A5": "https://shop.example/p/A5", "A8": "https://shop.example/p/A8"}


@pytest.mark.parametrize("args, message", [
    (["--collection", "nothing-here", "--out", "{tmp}/f.jsonl"], "collection 'nothing-here' does not exist"),
    (["--out", "{tmp}/no/such/folder/f.jsonl"], "does not exist"),
    (["--out", "{tmp}"], "is a folder"),
    (["--out", "{tmp}/f.jsonl", "--link-template", "https://shop.example/p/"], "must contain {id}"),
    (["--out", "{tmp}/f.jsonl", "--link-template", "shop.example/{id}"], "must start with http:// or https://"),
    (["--out", "{tmp}/f.jsonl", "--format", "xml"], "'xml' is not one of 'jsonl', 'csv'"),
    (["--collection", "../..", "--out", "{tmp}/f.jsonl"], "is not a collection name"),
])
def test_errors_are_sentences_not_tracebacks(tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "feed", "export", *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "f.jsonl").exists() and not (tmp_path / "h" / "qdrant" / "nothing-here").exists()


def test_the_command_offers_the_formats_the_module_writes():
    from shopassist.cli.feed import FEED_FORMATS

    assert FEED_FORMATS == FORMATS
