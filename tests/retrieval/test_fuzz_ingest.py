"""Property-based: arbitrary catalogue and event rows (missing fields, wrong types, huge
values, odd text) never crash ingestion; good rows are kept, bad ones reported by row."""

from __future__ import annotations

import csv
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.behaviour.loaders import load_event_table
from retrieval.catalog import load_catalog

ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "null", "NaN", "inf", "-1", "1e308", "9" * 400, "<script>x</script>",
                     "'; DROP TABLE events; --", '{"a": [1, 2]}', "£1,299.99", "$-5", "₹ 499", "😀🛒", "ﬁ\u200b\x00\x07"]),
)
VALUE = st.one_of(st.none(), ODD_TEXT, st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
                  st.booleans(), st.lists(st.integers(), max_size=3))
GOOD_PRODUCT = st.fixed_dictionaries({"id": st.from_regex(r"[A-Z]{2}\d{4}", fullmatch=True),
                                      "title": st.from_regex(r"[a-z]{3,10}( [a-z]{3,10}){1,3}", fullmatch=True),
                                      "price": st.floats(0.01, 10_000).map(lambda v: round(v, 2))})
BAD_PRODUCT = st.fixed_dictionaries({}, optional={"id": VALUE, "title": VALUE, "price": VALUE, "brand": VALUE,
                                                  "category": VALUE, "description": VALUE})


def _jsonl(path, rows):
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, default=str, allow_nan=True) + "\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(good=st.lists(GOOD_PRODUCT, min_size=1, max_size=8, unique_by=lambda r: r["id"]), bad=st.lists(BAD_PRODUCT, max_size=8),
       seed=st.randoms())
def test_catalogue_rows(tmp_path_factory, good, bad, seed):
    rows = good + bad
    seed.shuffle(rows)
    path = tmp_path_factory.mktemp("cat") / "catalog.jsonl"
    _jsonl(path, rows)
    products, report = load_catalog(path)
    assert report.rows_read == len(rows)
    assert {r["id"] for r in good} <= {p.id for p in products}
    assert len(products) + len(report.rejected) <= len(rows)
    assert all(1 <= issue.row <= len(rows) and issue.reason for issue in report.rejected)
    for p in products:
        assert p.title and (p.price is None or (p.price >= 0 and p.price < float("inf")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({}, optional={"user_id": VALUE, "product_id": VALUE, "type": VALUE,
                                                         "quantity": VALUE, "price": VALUE, "timestamp": VALUE}),
                     max_size=12))
def test_event_rows_csv(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("ev") / "events.csv"
    good = {"user_id": "u1", "product_id": "P1", "type": "purchase", "quantity": 2, "price": 3.5,
            "timestamp": "2011-01-02 10:00"}
    cells = [{k: str(v).replace("\x00", "") if v is not None else "" for k, v in row.items()} for row in [good] + rows]
    cells = [row for row in cells if any(v.strip() for v in row.values())]  # blank lines are skipped, not rows
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(good))
        writer.writeheader()
        writer.writerows(cells)
    events, report = load_event_table(path)
    assert report.rows_read == len(cells)
    assert report.events + len(report.rejected) == len(cells)
    assert events[0].product_id == "P1" and events[0].user_id == "u1"
    for e in events:
        assert e.product_id and e.timestamp == e.timestamp  # not NaN


def test_a_file_without_a_title_column_is_a_clear_error(tmp_path):
    import pytest

    from shopassist.errors import CatalogError

    path = tmp_path / "catalog.jsonl"
    _jsonl(path, [{"sku": "A1", "cost": 3}])
    with pytest.raises(CatalogError, match="--map title="):
        load_catalog(path)
