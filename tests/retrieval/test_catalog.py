import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retrieval.catalog import auto_map, load_catalog, parse_map_options
from retrieval.tables import content_id
from shopassist.errors import CatalogError
from tests.conftest import FIXTURES

UNSEEN = FIXTURES / "unseen_layout.csv"
UNSEEN_MAP = {"title": "Name", "price": "Cost", "category": "Section", "description": "Details"}


def test_unseen_layout_with_map_reports_every_row():
    products, report = load_catalog(UNSEEN, mapping=UNSEEN_MAP)
    assert report.rows_read == 9
    assert report.duplicates_merged == 1  # the repeated Trail Running Shoe row
    assert [r.row for r in report.rejected] == [7]  # the row without a name (file line 7)
    assert "empty title" in report.rejected[0].reason
    unpriced = {w.row for w in report.warnings if "without a price" in w.reason}
    assert unpriced == {5, 6}  # the blank price and "call for price"
    assert report.products == len(products) == 7
    by_title = {p.title: p for p in products}
    assert by_title["Trail Running Shoe"].price == 1499.99
    boot = by_title["Leather Hiking Boot"]
    assert (boot.price, boot.price_max, boot.currency) == (299.99, 449.99, "USD")
    assert by_title["Wool Hiking Socks"].price is None
    assert by_title["Insulated Water Bottle"].currency == "GBP"
    assert by_title["Canvas Sneaker"].category == ("Footwear", "Casual")
    assert by_title["Canvas Sneaker"].attributes == {"colour": "white"}  # unmapped short column


def test_unseen_layout_is_auto_detected_without_map():
    _, report = load_catalog(UNSEEN)
    assert report.mapping == {"title": "Name", "price": "Cost", "category": "Section", "description": "Details"}


def test_content_ids_are_stable():
    first, _ = load_catalog(UNSEEN, mapping=UNSEEN_MAP)
    second, _ = load_catalog(UNSEEN, mapping=UNSEEN_MAP)
    assert [p.id for p in first] == [p.id for p in second]
    assert content_id("A", None, ()) != content_id("B", None, ())


def test_map_options_validation():
    assert parse_map_options(["title=Name", "price = Cost"]) == {"title": "Name", "price": "Cost"}
    with pytest.raises(CatalogError, match="unknown field 'cost'"):
        parse_map_options(["cost=Price"])
    with pytest.raises(CatalogError, match="expected field=column"):
        parse_map_options(["title"])
    with pytest.raises(CatalogError, match="lacks"):
        auto_map(["Name"], {"title": "Nom"})
    with pytest.raises(CatalogError, match="no title column"):
        auto_map(["Foo", "Bar"])


def test_jsonl_bad_lines_are_reported_and_the_rest_kept(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join([
        json.dumps({"sku": "A1", "name": "Mug", "price": "£3.50"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"sku": "A2", "name": "Bowl", "price": 4, "in_stock": "no"}),
        "",
        json.dumps({"sku": "A3", "name": "", "price": 1}),
    ]))
    products, report = load_catalog(path)
    assert [p.id for p in products] == ["A1", "A2"]
    assert {r.row for r in report.rejected} == {2, 3, 6}
    assert products[1].in_stock is False


def test_parquet(tmp_path):
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"id": ["x", "y"], "title": ["Lamp", "Chair"], "price": [10.0, None],
                             "brand": ["Lumo", None]}), path)
    products, report = load_catalog(path)
    assert [(p.id, p.price, p.brand) for p in products] == [("x", 10.0, "Lumo"), ("y", None, None)]
    assert report.rows_read == 2


def test_csv_with_wrong_field_count_and_semicolons(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("sku;title;price\n1;Mug;3,50\n2;Bowl\n3;Plate;4,00\n", encoding="cp1252")
    products, report = load_catalog(path)
    assert [(p.id, p.price) for p in products] == [("1", 3.5), ("3", 4.0)]
    assert report.rejected[0].row == 3 and "2 fields" in report.rejected[0].reason


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog(tmp_path / "nope.csv")
    with pytest.raises(CatalogError, match="unknown format"):
        load_catalog(UNSEEN, fmt="xml")
