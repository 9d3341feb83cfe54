"""Writes the parser evaluation as ``report.md`` + ``metrics.json`` (+ a bar chart)."""

from __future__ import annotations

import json
from pathlib import Path


def _row(name: str, source: str, s: dict) -> str:
    pc = s["price_category_slots"]
    price_category = f"{pc['f1']:.4f}" if pc["support"] else "n/a (none in gold)"
    return (f"| {name} | {source} | {s['examples']} | {s['intent_accuracy']:.4f} | {s['slots']['precision']:.4f} | "
            f"{s['slots']['recall']:.4f} | {s['slots']['f1']:.4f} | {price_category} | "
            f"{s['json_validity']:.4f} |")


def write_report(metrics: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    lines = [f"# Turn parser evaluation ({metrics['split']} split)", "",
             f"Data: `{metrics['data']}`", "",
             "| model | source | turns | intent acc | slot P | slot R | slot F1 | price/category F1 | JSON valid |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in metrics["results"].items():
        lines.append(_row(name, "all", r))
        lines += [_row(name, source, s) for source, s in r["by_source"].items()]
    lines += ["", "| model | parse p50 ms | parse p95 ms | turns timed |", "|---|---|---|---|"]
    for name, r in metrics["results"].items():
        if r.get("latency"):
            lat = r["latency"]
            lines.append(f"| {name} | {lat['p50_ms']} | {lat['p95_ms']} | {lat['turns']} |")
    for name, r in metrics["results"].items():
        lines += ["", f"## Per-slot F1 ({name})", "", "| slot | P | R | F1 | support |", "|---|---|---|---|---|"]
        lines += [f"| {k} | {v['precision']} | {v['recall']} | {v['f1']} | {v['support']} |"
                  for k, v in r["per_slot"].items()]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    _plot(metrics, out / "parser_scores.png")


def _plot(metrics: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(metrics["results"])
    sources = list(next(iter(metrics["results"].values()))["by_source"])
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(1, len(names))
    labels = [f"{s}\nintent" for s in sources] + [f"{s}\nslot F1" for s in sources]
    for i, name in enumerate(names):
        by = metrics["results"][name]["by_source"]
        values = [by[s]["intent_accuracy"] for s in sources] + [by[s]["slots"]["f1"] for s in sources]
        ax.bar([x + i * width for x in range(len(values))], values, width, label=name)
    ax.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(labels))], labels)
    ax.set_ylim(0, 1)
    ax.legend()
    ax.set_title(f"Turn parser, {metrics['split']} split")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
