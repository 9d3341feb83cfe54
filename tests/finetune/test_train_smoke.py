"""A tiny end-to-end fine-tuning run: build data → LoRA train → load → evaluate."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from shopassist.cli import cli
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def run(*args):
    return run_cli(*args).stdout


def test_build_train_eval_smoke(tmp_path, llm_dir):
    home, data = str(tmp_path / "home"), str(tmp_path / "data")
    base = ["--home", home, "--llm", llm_dir]
    stats = json.loads(run(*base, "finetune", "build-data", "--out", data, "--scale", "0.02", "--json"))
    assert stats["splits"]["train"]["examples"] > 50

    adapter = tmp_path / "adapter"
    summary = json.loads(run(*base, "finetune", "train", "--data", data, "--out", str(adapter), "--limit", "48",
                             "--epochs", "1", "--batch-size", "16", "--layers", "2", "--json"))
    assert summary["steps"] == 3 and summary["examples"] == 48
    assert 0 <= summary["validation"]["intent_accuracy"] <= 1 and summary["validation"]["json_validity"] == 1.0
    meta = json.loads((adapter / "parser.json").read_text())
    assert meta["lora"] and meta["layers"] == 2 and meta["training"]["steps"] == 3
    assert (adapter / "adapter_model.safetensors").is_file() and (adapter / "heads.safetensors").is_file()

    further = tmp_path / "further"  # going on from the adapter: its intents, one more step
    summary = json.loads(run(*base, "finetune", "train", "--data", data, "--out", str(further), "--limit", "16",
                             "--epochs", "1", "--batch-size", "16", "--layers", "2", "--init", str(adapter),
                             "--json"))
    assert summary["steps"] == 1 and json.loads((further / "parser.json").read_text())["intents"] == meta["intents"]
    wrong = run_cli(*base, "finetune", "train", "--data", data, "--out", str(tmp_path / "x"), "--limit", "16",
                    "--layers", "3", "--init", str(adapter), ok=False)
    assert wrong.exit_code == 1 and "other settings" in wrong.output
    empty = tmp_path / "empty"
    empty.mkdir()
    none = run_cli(*base, "finetune", "train", "--data", data, "--out", str(tmp_path / "y"), "--init", str(empty),
                   ok=False)
    assert none.exit_code == 1 and "no turn-parser adapter" in none.output

    baseline = tmp_path / "baseline"
    run(*base, "finetune", "train", "--data", data, "--out", str(baseline), "--limit", "32", "--epochs", "1",
        "--batch-size", "16", "--layers", "2", "--no-lora")
    assert not (baseline / "adapter_model.safetensors").exists()

    report = tmp_path / "report"
    metrics = json.loads(run(*base, "finetune", "eval", "--data", data, "--adapter", str(adapter), "--baseline",
                             str(baseline), "--latency-turns", "3", "--out", str(report), "--json"))
    for name in ("lora", "untuned"):
        result = metrics["results"][name]
        assert result["json_validity"] == 1.0 and set(result["by_source"]) == {"bitext", "shopper", "written"}
        assert result["latency"]["turns"] == 3
    assert (report / "report.md").is_file() and (report / "parser_scores.png").is_file()


def test_train_without_data_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "finetune", "train", "--data", str(tmp_path / "none")])
    assert result.exit_code == 1 and "build-data" in result.output
