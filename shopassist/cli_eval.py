"""``shopassist eval all|retrieval|parser|dialogue|latency``: the offline evaluations
(``eval behaviour`` lives in cli.py). Each writes report.md, metrics.json and plots."""

from __future__ import annotations

import json
from pathlib import Path

import click

from shopassist.cli import eval_group
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings

OUT = click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the report.")


def _one(name: str, settings: Settings, out: str) -> None:
    from eval.suite import run_part

    result = run_part(name, settings, Path(out))
    if result["status"] != "ok":
        raise ShopAssistError(f"eval {name} failed: {result['metrics']['error']}")
    report = Path(out) / "report.md"
    click.echo(report.read_text() if report.is_file() else json.dumps(result["metrics"], indent=2, default=str))
    click.echo(f"({result['seconds']} s; figures in {Path(out) / 'metrics.json'})")


@eval_group.command("all")
@OUT
@click.option("--part", "parts", multiple=True, type=click.Choice(["retrieval", "behaviour", "parser", "dialogue",
                                                                   "latency"]),
              help="Run only these parts (repeatable); default all.")
@click.pass_obj
def eval_all(settings: Settings, out, parts) -> None:
    """Every evaluation (retrieval, behaviour, parser, dialogue, latency) into one report:
    OUT/report.md, OUT/metrics.json, and each part's folder with its plots. Needs the demo
    stores indexed (`shopassist demo --no-serve`)."""
    from eval.suite import run_all

    results = run_all(settings, Path(out), list(parts) or None, progress=lambda m: click.echo(m, err=True))
    click.echo((Path(out) / "report.md").read_text())
    failed = [name for name, r in results.items() if r["status"] != "ok"]
    if failed:
        raise ShopAssistError(f"these parts failed (see {Path(out) / 'report.md'}): {', '.join(failed)}")


def _register(name: str, doc: str) -> None:
    @eval_group.command(name, help=doc)
    @OUT
    @click.pass_obj
    def command(settings: Settings, out) -> None:
        _one(name, settings, out)


_register("retrieval", "Flipkart retrieval quality: dense vs lexical vs hybrid vs hybrid + parsed filters "
                       "(nDCG@10, source recall@10, MRR, constraint precision@5).")
_register("parser", "Turn parser on the held-out test split: LoRA vs untuned, intent accuracy, slot F1, "
                    "JSON validity, latency.")
_register("dialogue", "Simulated customers with catalogue goals (success, turns, invented facts) and Bitext "
                      "support replays with real invoices (intent accuracy, data isolation).")
_register("latency", "Time to first token and turn latency through the HTTP API on loopback, and a load run "
                     "of 50 concurrent customers (throughput, p95, errors).")
