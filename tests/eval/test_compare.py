"""`eval compare`: two `eval all` runs side by side, quality figures apart from timings."""

import json

from eval.compare import figures, numbers, run
from tests.conftest import run_cli


def _metrics(success: float, p95: float, errors: int) -> dict:
    return {"dialogue": {"status": "ok", "seconds": 40.0,
                         "metrics": {"shopping": {"flipkart": {"success": success, "goals": 60}}}},
            "latency": {"status": "ok", "seconds": 90.0,
                        "metrics": {"load": {"turn_ms": {"p95": p95}, "errors": errors, "ok": True}}}}


def test_numbers_are_read_by_path_and_sorted_into_quality_and_timing():
    assert numbers({"a": {"b": [1, {"c": 2.5}], "flag": True, "name": "x"}}) == {"a.b.0": 1.0, "a.b.1.c": 2.5}
    found = {f.path: f for f in figures(_metrics(0.97, 900.0, 0), _metrics(0.97, 1200.0, 0))}
    success = found["dialogue.metrics.shopping.flipkart.success"]
    assert not success.timing and success.same
    assert found["latency.metrics.load.turn_ms.p95"].timing and found["dialogue.seconds"].timing
    assert not found["latency.metrics.load.errors"].timing  # an error count is never load noise


def test_a_moved_quality_figure_is_reported_beyond_noise(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    for folder, metrics in ((before, _metrics(0.97, 900.0, 0)), (after, _metrics(0.90, 950.0, 2))):
        folder.mkdir()
        (folder / "metrics.json").write_text(json.dumps(metrics))
    summary = run(before, after, tmp_path / "out")["summary"]
    assert summary["beyond_noise"] == ["dialogue.metrics.shopping.flipkart.success", "latency.metrics.load.errors"]
    assert summary["identical"] == 1  # goals
    report = (tmp_path / "out" / "report.md").read_text()
    assert "| `dialogue.metrics.shopping.flipkart.success` | 0.97 | 0.9 | -7.2% |" in report
    printed = json.loads(run_cli("eval", "compare", str(before), str(before), "--json").output)
    assert printed["beyond_noise"] == [] and printed["identical"] == printed["quality"] == 3
