"""``shopassist eval all``: every offline evaluation into one report.

Each part writes its own folder under ``DIR`` (report.md, metrics.json, plots); this module
runs them in order, times them, and writes ``DIR/report.md`` (the parts' reports one after the
other, image links rebased) and ``DIR/metrics.json`` (every figure, keyed by part). A part that
fails is reported as failed with its error; the others still run.
"""

from __future__ import annotations

import json
import re
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from shopassist.settings import Settings


def _retrieval(settings: Settings, out: Path) -> dict:
    from eval.retrieval_quality import run
    return run(settings, out)


def _behaviour(settings: Settings, out: Path) -> dict:
    from eval.behaviour import run
    return run(out, settings.data_dir, progress=False)


def _parser(settings: Settings, out: Path) -> dict:
    """The held-out test split, then the hand-written development set (parser alone)."""
    from eval import devset
    from eval.parser_eval import run
    metrics = run(settings, out)
    metrics["devset"] = devset.parse_only(settings)
    with (out / "report.md").open("a") as fh:
        fh.write("\n" + devset.parse_report(metrics["devset"]))
    return metrics


def _dialogue(settings: Settings, out: Path) -> dict:
    """With A/B variants configured, the same simulated customers meet every variant in turn
    (a paired comparison), and the figures are reported per variant."""
    from eval import devset
    from eval.dialogue_sim import run
    if not settings.ab_variants:
        metrics = run(settings, out)
        metrics["devset"] = devset.run(settings, out / "devset")
        with (out / "report.md").open("a") as fh:
            fh.write("\n" + re.sub(r"^# ", "## ", devset.report(metrics["devset"])))
        return metrics
    metrics = {name: run(settings.model_copy(update={"ab_variant": name}), out / name)
               for name in sorted(settings.ab_variants)}
    parts = [re.sub(r"^#", "##", (out / name / "report.md").read_text(), flags=re.M).replace("](", f"]({name}/")
             for name in metrics]
    (out / "report.md").write_text("# Dialogue simulation per A/B variant\n\n" + "\n".join(
        f"### variant `{name}`\n\n{text}" for name, text in zip(metrics, parts)))
    return {"variants": metrics}


def _latency(settings: Settings, out: Path) -> dict:
    from eval.http_bench import run, served
    with served(settings.home, "online-retail") as url:
        return run(url, out)


def _devset(settings: Settings, out: Path) -> dict:
    from eval import devset

    return devset.run(settings, out)


PARTS: dict[str, Callable[[Settings, Path], dict]] = {
    "retrieval": _retrieval, "behaviour": _behaviour, "parser": _parser, "dialogue": _dialogue, "latency": _latency,
    "devset": _devset}


def run_part(name: str, settings: Settings, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        metrics = PARTS[name](settings, out)
        status = "ok"
    except Exception as exc:  # noqa: BLE001 (one failing part must not hide the others' figures)
        metrics, status = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}, "failed"
    return {"status": status, "seconds": round(time.perf_counter() - start, 1), "metrics": metrics}


def run_all(settings: Settings, out: Path, parts: list[str] | None = None, progress=print) -> dict:
    results = {}
    for name in parts or list(PARTS):
        progress(f"[eval] {name} ...")
        results[name] = run_part(name, settings, out / name)
        progress(f"[eval] {name}: {results[name]['status']} in {results[name]['seconds']} s")
    (out / "metrics.json").write_text(json.dumps(results, indent=2, default=str))
    (out / "report.md").write_text(combined_report(results, out))
    return results


def combined_report(results: dict, out: Path) -> str:
    total = sum(r["seconds"] for r in results.values())
    lines = ["# shopassist offline evaluation", "", f"Total {total / 60:.1f} min.", "",
             "| part | status | seconds |", "|---|---|---|"]
    lines += [f"| [{name}](#{name}) | {r['status']} | {r['seconds']} |" for name, r in results.items()]
    for name, r in results.items():
        lines += ["", f"<a id=\"{name}\"></a>", ""]
        part = out / name / "report.md"
        if r["status"] != "ok":
            lines.append(f"## {name}: failed\n\n```\n{r['metrics']['error']}\n```")
        elif part.is_file():
            text = part.read_text()
            text = re.sub(r"^#", "##", text, flags=re.M)  # nest the part's headings
            lines.append(re.sub(r"(!\[[^\]]*\]\()(?!https?:|/)([^)]+\))", rf"\1{name}/\2", text))
    return "\n".join(lines) + "\n"
