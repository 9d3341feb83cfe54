"""Turn-parser evaluation for the suite: the committed LoRA adapter (or the
``parser_adapter`` setting) on the held-out test split, beside the untuned baseline (heads on
the frozen LLM) when ``<home>/adapters/untuned`` exists. The split is built from the bundled
data if the home has none yet (same seed as `shopassist finetune build-data`)."""

from __future__ import annotations

from pathlib import Path

from assistant.parse.parser import adapter_folder
from finetune.data import build_bundled_dataset, read_examples
from finetune.evaluate import evaluate_adapter
from finetune.report import write_report
from shopassist.settings import Settings


def run(settings: Settings, out: Path, latency_turns: int = 200) -> dict:
    data = settings.home / "finetune" / "data"
    if not (data / "test.jsonl").is_file():
        build_bundled_dataset(settings.data_dir, data)
    examples = read_examples(data / "test.jsonl")
    folders = {"lora": adapter_folder(settings)}
    untuned = settings.home / "adapters" / "untuned"
    if (untuned / "parser.json").is_file():
        folders["untuned"] = untuned
    results = {name: evaluate_adapter(settings, folder, examples, latency_turns) for name, folder in folders.items()}
    metrics = {"split": "test", "data": str(data / "test.jsonl"), "adapters": {k: str(v) for k, v in folders.items()},
               "results": results}
    write_report(metrics, out)
    return metrics
