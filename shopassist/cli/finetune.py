"""``shopassist finetune build-data|train|support-head|embedder|eval``: the turn parser's data, training and scores."""

from __future__ import annotations

import json
from pathlib import Path

import click

from shopassist.cli.main import emit
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings


def _data_dir(settings: Settings, data: str | None) -> Path:
    return Path(data) if data else settings.home / "finetune" / "data"


@click.group()
def finetune() -> None:
    """Build data for, train and evaluate the LoRA turn parser."""


@finetune.command("build-data")
@click.option("--out", type=click.Path(file_okay=False), help="Output folder (default: HOME/finetune/data).")
@click.option("--seed", default=13, show_default=True)
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.001, 10),
              help="Multiply the number of generated turns (and subsample Bitext when < 1).")
@click.option("--repeat", "repeats", multiple=True, metavar="FILE=N",
              help="Count the training lines of finetune/written/FILE.jsonl N times (new lines taught to an "
                   "adapter with `train --init`).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def build_data(settings: Settings, out, seed, scale, repeats, as_json) -> None:
    """Generate shopper turns from the bundled catalogues and split Bitext (train/validation/test)."""
    from finetune.data import build_bundled_dataset

    folder = _data_dir(settings, out)
    try:
        repeat = {name: int(times) for name, times in (r.split("=", 1) for r in repeats)}
    except ValueError:
        raise click.BadParameter("give FILE=N, e.g. conversation_more=4", param_hint="--repeat") from None
    if any(times < 1 for times in repeat.values()):
        raise click.BadParameter("N must be at least 1", param_hint="--repeat")
    try:
        stats = build_bundled_dataset(settings.data_dir, folder, seed, scale, repeat)
    except ValueError as exc:
        raise ShopAssistError(str(exc)) from exc
    if as_json:
        emit({"out": str(folder), **stats})
    else:
        for split, info in stats["splits"].items():
            click.echo(f"{split}: {info['examples']} examples {info['by_source']}")
        click.echo(f"written to {folder}")


@finetune.command("train")
@click.option("--data", type=click.Path(file_okay=False), help="Folder from build-data (default: HOME/finetune/data).")
@click.option("--out", type=click.Path(file_okay=False), help="Adapter folder (default: HOME/adapters/turn-parser).")
@click.option("--epochs", default=1.5, show_default=True, type=click.FloatRange(0.01, 100))
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(1, 1024))
@click.option("--lr", default=5e-4, show_default=True, help="LoRA learning rate (heads use 4x).")
@click.option("--lora-r", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--layers", type=click.IntRange(0, 1000), help="LLM blocks to use (default: the `parser_layers` setting).")
@click.option("--max-minutes", default=55.0, show_default=True, help="Stop (and save) after this long.")
@click.option("--limit", type=click.IntRange(1), help="Train on the first N examples only (smoke runs).")
@click.option("--no-lora", is_flag=True, help="Train only the heads on the frozen LLM (the untuned baseline).")
@click.option("--compact-state", is_flag=True,
              help="Read the state line in its short form ('lunch bag|yes|-|search'): fewer tokens a parse.")
@click.option("--init", type=click.Path(file_okay=False, exists=True),
              help="Go on training this adapter (its LoRA, heads and intents) instead of starting afresh.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def train(settings: Settings, data, out, epochs, batch_size, lr, lora_r, layers, max_minutes, limit, no_lora,
          compact_state, init, as_json) -> None:
    """LoRA-train the turn parser on the default (or configured) LLM and save the adapter."""
    from finetune.data import read_examples
    from finetune.train import TrainConfig, train_parser
    from shopassist.llm_assets import resolve_llm

    folder = _data_dir(settings, data)
    if not (folder / "train.jsonl").is_file():
        raise ShopAssistError(f"no training data in {folder}: run `shopassist finetune build-data` first")
    examples = read_examples(folder / "train.jsonl")[:limit]
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, head_lr=4 * lr, lora=not no_lora,
                         lora_r=lora_r, lora_alpha=2 * lora_r,
                         layers=settings.parser_layers if layers is None else layers,
                         max_minutes=max_minutes, threads=settings.torch_threads, compact_state=compact_state,
                         init=init)
    if init and no_lora:
        raise click.UsageError("--init goes on training an adapter's LoRA: leave out --no-lora")
    if init and not all((Path(init) / name).is_file() for name in ("parser.json", "heads.safetensors")):
        raise ShopAssistError(f"{init} is no turn-parser adapter (no parser.json or heads.safetensors): "
                              "give a folder that `finetune train` wrote")
    target = Path(out) if out else settings.home / "adapters" / "turn-parser"
    try:
        summary = train_parser(resolve_llm(settings), settings.llm, examples, target, config)
    except ValueError as exc:  # an adapter to go on from, trained with other settings
        raise ShopAssistError(str(exc)) from exc
    result = {"adapter": str(target), **summary}
    if (folder / "validation.jsonl").is_file():
        from finetune.evaluate import evaluate_adapter

        result["validation"] = evaluate_adapter(settings, target, read_examples(folder / "validation.jsonl"), 0)
        meta = json.loads((target / "parser.json").read_text())
        (target / "parser.json").write_text(json.dumps({**meta, "validation": result["validation"]}, indent=2))
    if as_json:
        emit(result)
    else:
        click.echo(f"adapter saved to {target} after {summary['steps']} steps ({summary['seconds']:.0f} s)")
        if "validation" in result:
            v = result["validation"]
            click.echo(f"validation: intent accuracy {v['intent_accuracy']}, slot F1 {v['slots']['f1']}")


@finetune.command("support-head")
@click.option("--data", type=click.Path(file_okay=False), help="Folder from build-data (default: HOME/finetune/data).")
@click.option("--out", type=click.Path(file_okay=False),
              help="Adapter folder to save it in (default: the `parser_adapter` setting's folder).")
@click.option("--per-intent", default=300, show_default=True, type=click.IntRange(10, 100_000),
              help="Most training examples taken for one intent.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def support_head(settings: Settings, data, out, per_intent, as_json) -> None:
    """Train the support head: which support intent a message is, from its sentence embedding,
    used when the parser says a message is support. Saved beside the parser's adapter."""
    from assistant.parse.parser import adapter_folder
    from finetune.data import read_examples
    from finetune.support_head import evaluate_support_head, train_support_head
    from retrieval.encoder import SentenceEncoder

    folder = _data_dir(settings, data)
    if not (folder / "train.jsonl").is_file():
        raise ShopAssistError(f"no training data in {folder}: run `shopassist finetune build-data` first")
    encoder = SentenceEncoder.from_settings(settings)
    head, info = train_support_head(read_examples(folder / "train.jsonl"), encoder, per_intent=per_intent,
                                    progress=not as_json)
    if (folder / "test.jsonl").is_file():
        info["test"] = evaluate_support_head(head, read_examples(folder / "test.jsonl"), encoder)
    target = Path(out) if out else adapter_folder(settings)
    head.save(target, info)
    if as_json:
        emit({"out": str(target), **info})
    else:
        click.echo(f"support head ({info['intents']} intents, {info['examples']} examples) saved to {target}")
        if "test" in info:
            click.echo(f"test split: support intent accuracy {info['test'].get('accuracy')} {info['test'].get('by_source')}")


@finetune.command("embedder")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the tuned model.")
@click.option("--max-minutes", default=60.0, show_default=True, help="Stop (and save) after this long.")
@click.option("--limit", type=click.IntRange(1), help="Use the first N products of each store only (smoke runs).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def embedder(settings: Settings, out, max_minutes, limit, as_json) -> None:
    """Fine-tune the embedder on the bundled catalogues and score it against the stock model on
    the development set (by meaning alone). Use it (setting `embedder`, then re-index) only if
    it wins; the verdict is in the output and in OUT/comparison.json."""
    from eval.embedder_devset import dense_precision
    from finetune.embedder import fit_embedder, mine_pairs
    from retrieval.adapters import load_flipkart, load_online_retail
    from retrieval.encoder import SentenceEncoder, resolve_embedder

    data = settings.data_dir
    stores = {"online_retail": load_online_retail(data / "online_retail" / "online_retail.csv.gz")[0][:limit],
              "flipkart": load_flipkart(data / "flipkart" / "products.csv")[0][:limit]}
    target = Path(out)
    summary = fit_embedder(resolve_embedder(settings.embedder), mine_pairs(stores["online_retail"] + stores["flipkart"]),
                           target, max_minutes=max_minutes, threads=settings.torch_threads, progress=not as_json)
    scores = {name: dense_precision(SentenceEncoder(model, settings.embed_max_seq_length), stores)
              for name, model in (("stock", settings.embedder), ("tuned", str(target)))}
    wins = all(scores["tuned"][s]["all"] > scores["stock"][s]["all"] for s in scores["stock"])
    result = {"out": str(target), "training": summary, "precision_at_5": scores,
              "verdict": "tuned wins: set `embedder` to it and re-index" if wins else "stock wins: keep the stock model"}
    (target / "comparison.json").write_text(json.dumps(result, indent=2))
    if as_json:
        emit(result)
        return
    click.echo(f"trained {summary['steps']} steps on {summary['pairs']} pairs in {summary['seconds']:.0f} s")
    for store in scores["stock"]:
        click.echo(f"{store}: P@5 stock {scores['stock'][store]['all']} / tuned {scores['tuned'][store]['all']}")
    click.echo(result["verdict"])


@finetune.command("eval")
@click.option("--data", type=click.Path(file_okay=False), help="Folder from build-data (default: HOME/finetune/data).")
@click.option("--split", default="test", show_default=True, type=click.Choice(["test", "validation", "train"]))
@click.option("--adapter", type=click.Path(file_okay=False), help="Adapter to score (default: the `parser_adapter` setting).")
@click.option("--baseline", type=click.Path(file_okay=False),
              help="A --no-lora adapter (heads on the untuned LLM) to report beside it.")
@click.option("--latency-turns", default=200, show_default=True, help="Single-turn parses timed for latency.")
@click.option("--out", type=click.Path(file_okay=False), help="Write report.md and metrics.json here.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def evaluate_cmd(settings: Settings, data, split, adapter, baseline, latency_turns, out, as_json) -> None:
    """Intent accuracy, slot P/R/F1, JSON validity and latency on a held-out split."""
    from assistant.parse.parser import adapter_folder
    from finetune.data import read_examples
    from finetune.evaluate import evaluate_adapter
    from finetune.report import write_report

    path = _data_dir(settings, data) / f"{split}.jsonl"
    if not path.is_file():
        raise ShopAssistError(f"{path} not found: run `shopassist finetune build-data` first")
    examples = read_examples(path)
    folders = {"lora": Path(adapter) if adapter else adapter_folder(settings)}
    if baseline:
        folders["untuned"] = Path(baseline)
    results = {name: evaluate_adapter(settings, folder, examples, latency_turns) for name, folder in folders.items()}
    metrics = {"split": split, "data": str(path), "adapters": {k: str(v) for k, v in folders.items()},
               "results": results}
    if out:
        write_report(metrics, Path(out))
    if as_json:
        emit(metrics)
    else:
        for name, r in results.items():
            click.echo(f"{name}: intent accuracy {r['intent_accuracy']} | slot F1 {r['slots']['f1']} | "
                       f"JSON validity {r['json_validity']} | p50 {r['latency'] and r['latency']['p50_ms']} ms")
            for source, s in r["by_source"].items():
                click.echo(f"  {source}: intent {s['intent_accuracy']}, slot F1 {s['slots']['f1']}, "
                           f"price/category F1 {s['price_category_slots']['f1']}")


COMMANDS = (finetune,)  # added to the `shopassist` group by shopassist/cli/__init__.py
