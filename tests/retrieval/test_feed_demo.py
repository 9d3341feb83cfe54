"""Both demo stores export as feeds whose every row validates against the schema in the repository."""

from __future__ import annotations

import csv
import json

import jsonschema
import pytest

from retrieval.feed import FIELDS, SCHEMA_PATH
from tests.assistant.conftest import shop_home  # noqa: F401  (session fixture reused)
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("collection", ["online-retail", "flipkart"])
def test_each_demo_store_exports_rows_that_validate_in_both_formats(shop_home, tmp_path, collection):  # noqa: F811
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
    reports = {}
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"feed.{fmt}"
        reports[fmt] = json.loads(run_cli("--home", str(shop_home), "feed", "export", "--format", fmt,
                                          "--collection", collection, "--out", str(out), "--json").output)
        with out.open(encoding="utf-8", newline="") as handle:
            rows = [json.loads(line) for line in handle] if fmt == "jsonl" else \
                [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
        assert len(rows) == reports[fmt]["rows_written"] > 0
        if fmt == "jsonl":  # one row a line, to any reader (str.splitlines splits on U+2028 too)
            assert len(out.read_text(encoding="utf-8").splitlines()) == len(rows)
        for row in rows:
            validator.validate(row)
            assert float(row["price"].split()[0]) > 0
    assert reports["jsonl"]["fields"] == reports["csv"]["fields"]
    assert set(reports["jsonl"]["unfilled"]) <= set(FIELDS) and "price" not in reports["jsonl"]["unfilled"]
