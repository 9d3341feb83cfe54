"""``shopassist eval compare``: two runs of ``eval all`` side by side.

Every number in both ``metrics.json`` files is read as a dotted path ("dialogue.metrics.
shopping.flipkart.success") and sorted into quality figures (a score, a count, a rate) and
timings (seconds, milliseconds, throughput, memory), because the two kinds are judged
differently: a quality figure from the same seed and data should not move at all, while a
timing moves with the machine's load. The report says, per part, how many quality figures are
identical, how many moved and by how much, and lists the timings with their ratio.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

# Path words that mark a timing or a resource figure, not a quality one.
_TIMING = re.compile(r"(^|[._])(seconds|secs?|s|ms|latency|p50|p90|p95|p99|mean_ms|ttft|throughput|per_s|"
                     r"turns_per_s|rss|mb|memory|elapsed|took|wall|duration|time|minutes|epochs?|steps?|"
                     r"load_average[a-z_]*)($|[._])", re.I)


@dataclass(frozen=True)
class Figure:
    path: str
    before: float | None
    after: float | None

    @property
    def timing(self) -> bool:
        if self.path.rsplit(".", 1)[-1] in ("errors", "failed", "invented", "leaks"):
            return False  # counted under a timing part ("latency.load.errors") but never load noise
        return bool(_TIMING.search(self.path)) or "_ms" in self.path or "_s." in self.path + "."

    @property
    def same(self) -> bool:
        return self.before is not None and self.after is not None and math.isclose(self.before, self.after,
                                                                                  rel_tol=1e-9, abs_tol=1e-12)

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


def numbers(tree, prefix: str = "") -> dict[str, float]:
    """Every number in a JSON tree by its dotted path (list items by index; booleans skipped)."""
    out: dict[str, float] = {}
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for key, value in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)) and math.isfinite(value):
            out[path] = float(value)
        elif isinstance(value, (dict, list)):
            out.update(numbers(value, path))
    return out


def figures(before: dict, after: dict) -> list[Figure]:
    a, b = numbers(before), numbers(after)
    return [Figure(path, a.get(path), b.get(path)) for path in sorted(a.keys() | b.keys())]


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


def report(found: list[Figure], before_name: str, after_name: str, tolerance: float) -> str:
    """Markdown: per part, quality figures identical / within ``tolerance`` (relative) / beyond,
    the quality figures that moved, and every timing with its after/before ratio."""
    parts = sorted({f.path.split(".")[0] for f in found})
    lines = [f"# `eval all`: {before_name} vs {after_name}", "",
             f"Quality figures (scores, counts, rates) should not move with the same seed and data; timings move "
             f"with the machine's load. \"Within noise\" here: a relative change of at most {tolerance:.0%}.", "",
             "| part | quality figures | identical | within noise | beyond | only in one run | timings |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for part in parts:
        mine = [f for f in found if f.path.split(".")[0] == part]
        quality = [f for f in mine if not f.timing]
        both = [f for f in quality if f.delta is not None]
        same = sum(f.same for f in both)
        near = sum(not f.same and _relative(f) <= tolerance for f in both)
        lines.append(f"| {part} | {len(quality)} | {same} | {near} | {len(both) - same - near} | "
                     f"{len(quality) - len(both)} | {len(mine) - len(quality)} |")
    moved = [f for f in found if not f.timing and f.delta is not None and not f.same]
    lines += ["", "## Quality figures that moved", ""]
    if moved:
        lines += ["| figure | before | after | change |", "|---|---:|---:|---:|"]
        lines += [f"| `{f.path}` | {_fmt(f.before)} | {_fmt(f.after)} | "
                  f"{(f.delta / abs(f.before)) if f.before else float('inf'):+.1%} |" for f in moved]
    else:
        lines.append("None: every quality figure in both runs is identical.")
    timings = [f for f in found if f.timing and f.delta is not None]
    lines += ["", "## Timings (after / before)", "", "| figure | before | after | ratio |", "|---|---:|---:|---:|"]
    lines += [f"| `{f.path}` | {_fmt(f.before)} | {_fmt(f.after)} | "
              f"{(f.after / f.before if f.before else float('nan')):.2f} |" for f in timings]
    return "\n".join(lines) + "\n"


def _relative(f: Figure) -> float:
    scale = max(abs(f.before or 0.0), abs(f.after or 0.0))
    return abs(f.delta or 0.0) / scale if scale else 0.0


def run(before: Path, after: Path, out: Path | None = None, tolerance: float = 0.02) -> dict:
    """Compare two ``eval all`` folders (or their ``metrics.json`` files); write ``out/report.md``
    and ``out/metrics.json`` when ``out`` is given. Returns the counts."""
    load = [json.loads((p / "metrics.json" if p.is_dir() else p).read_text()) for p in (before, after)]
    found = figures(*load)
    text = report(found, str(before), str(after), tolerance)
    quality = [f for f in found if not f.timing and f.delta is not None]
    summary = {"quality": len(quality), "identical": sum(f.same for f in quality),
               "beyond_noise": [f.path for f in quality if not f.same and _relative(f) > tolerance],
               "only_in_one": [f.path for f in found if f.delta is None], "tolerance": tolerance}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.md").write_text(text)
        (out / "metrics.json").write_text(json.dumps(summary, indent=2))
    return {"summary": summary, "report": text}
