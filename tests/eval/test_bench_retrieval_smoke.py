"""The retrieval benchmark runs end to end on a tiny plan and writes what it promises."""

import json

import pytest

from tests.conftest import DATA_DIR, FLIPKART, ONLINE_RETAIL

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not (ONLINE_RETAIL.is_file() and FLIPKART.is_file()), reason="bundled data not found")
def test_tiny_benchmark_writes_json_and_markdown(tmp_path):
    from eval.bench_retrieval import Plan, run

    plan = Plan(index_repeats=2, catalogue_limits={"online-retail": 100, "flipkart": 20},
                real_queries=10, real_client_queries=10, sizes=(500,), edge_queries=10,
                client_queries={500: 10}, client_cap_s=20.0, warmup=1)
    results = run(tmp_path / "out", data_dir=DATA_DIR, plan=plan)

    data = json.loads((tmp_path / "out" / "bench_retrieval.json").read_text())
    assert data == json.loads(json.dumps(results))
    assert {"meta", "indexing", "search_real", "search_synthetic"} <= set(data)
    assert data["meta"]["cpu_count"] > 0 and data["meta"]["torch_threads"] > 0
    assert set(data["meta"]["versions"]) >= {"torch", "sentence-transformers", "qdrant-edge-py", "qdrant-client"}
    for name in ("online-retail", "flipkart"):
        cell = data["indexing"][name]
        assert cell["products"] > 0 and len(cell["raw_s"]) == len(cell["index_s"]) == 2
        assert cell["raw_products_per_s"] > 0 and cell["index_products_per_s"] > 0 and cell["ratio"] > 0
    assert set(data["search_real"]["rows"]) == {"edge", "qdrant-client"}
    assert {(b["size"], b["engine"]) for b in data["search_synthetic"]} == {(500, "edge"), (500, "qdrant-client")}
    rows = [c for cells in data["search_real"]["rows"].values() for c in cells]
    rows += [c for b in data["search_synthetic"] for c in b["rows"]]
    assert len(rows) == 12
    for row in rows:
        for part in ("end_to_end", "store", "encode"):
            assert row[part]["n"] > 0 and 0 < row[part]["p50_ms"] <= row[part]["p95_ms"]
    assert all(b["build_s"] > 0 for b in data["search_synthetic"])

    markdown = (tmp_path / "out" / "bench_retrieval.md").read_text()
    assert "| online-retail |" in markdown and "| synthetic | 500 | qdrant-client |" in markdown
