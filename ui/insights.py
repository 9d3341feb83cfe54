"""The shop owner's insights page (``/insights``, behind its own login): demand gaps,
misunderstandings, intents over time, the funnel per A/B variant, the human loop and
recommendations for a date range, each panel with a plot, a table and a CSV export.

Only aggregates reach the page (``assistant.insights``): groups of fewer than ``insights_k``
customers are left out, and example wording was redacted before it was stored.
"""

from __future__ import annotations

import csv
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import gradio as gr

from assistant.facts import DAY_S
from assistant.insights import DEFAULT_DAYS, Insights, InsightsReport, csv_rows, date_range
from shopassist.plain_text import safe_cell

PANELS = {"gaps": "Demand gaps: asked for, not found", "misreads": "Misunderstandings",
          "intents": "What customers asked about, day by day", "funnel": "The funnel per A/B variant",
          "human": "The human loop", "products": "Recommendations: shown and bought",
          "traffic": "Traffic: the chat widget and customers' AI agents"}
CSV_PANELS = {"gaps": ("gaps",), "misreads": ("misreads",), "intents": ("intents",),
              "funnel": ("funnel", "differences"), "human": ("human",), "products": ("products", "reasons"),
              "traffic": ("traffic",)}


class InsightsBackend:
    """The page's one call: a report for a date range (one at a time: it opens transcripts)."""

    def __init__(self, insights: Insights, clock: Callable[[], float] = time.time):
        self.insights, self.clock = insights, clock
        self.lock = threading.Lock()
        self.folder = Path(tempfile.mkdtemp(prefix="shopassist-insights-"))  # the CSVs, one per panel and range

    def report(self, start: str, end: str) -> InsightsReport:
        try:
            since, until = date_range(start, end, self.clock())
        except ValueError as exc:
            raise gr.Error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.") from None
        with self.lock:
            return self.insights.report(since, until)


# Each panel's plot: its component, the columns it draws, and the rows from a report. The
# browser draws them (Gradio's own plots), so the server only builds small tables.
def _gaps_rows(r: InsightsReport) -> list[tuple]:
    return [(g.phrase, g.customers) for g in r.gaps[:10]]


def _misreads_rows(r: InsightsReport) -> list[tuple]:
    return [(f"{m.category.replace('_', ' ')}: {m.rule}", m.turns) for m in r.misreads[:10]]


def _intents_rows(r: InsightsReport) -> list[tuple]:
    totals: dict[str, int] = {}
    for intents in r.intents.values():
        for intent, n in intents.items():
            totals[intent] = totals.get(intent, 0) + n
    top = sorted(totals, key=totals.get, reverse=True)[:8]
    return [(day, r.intents[day].get(intent, 0), intent) for day in sorted(r.intents) for intent in top]


def _funnel_rows(r: InsightsReport) -> list[tuple]:
    return [(f"{stage} · {f.variant}", f.stages[stage].share, f.variant) for stage in ("shown", "viewed", "carted",
                                                                                       "purchased") for f in r.funnel]


def _human_rows(r: InsightsReport) -> list[tuple]:
    return sorted(((k.replace("_", " "), v) for k, v in r.human.reasons.items()), key=lambda kv: -kv[1])[:10]


def _products_rows(r: InsightsReport) -> list[tuple]:
    return [(f"{p.title[:28]} · {label}", n, label) for p in r.products
            for label, n in (("shown to", p.customers), ("bought after", p.bought_after))]


def _traffic_rows(r: InsightsReport) -> list[tuple]:
    return [(label, n, t.source) for t in r.traffic
            for label, n in (("conversations", t.conversations), *t.tools.items()) if n]


PLOTS = {  # panel → (component, columns: x, y[, colour], rows)
    "gaps": (gr.BarPlot, ("asked for", "customers"), _gaps_rows),
    "misreads": (gr.BarPlot, ("kind: decision rule", "turns"), _misreads_rows),
    "intents": (gr.LinePlot, ("day", "turns", "intent"), _intents_rows),
    "funnel": (gr.BarPlot, ("stage · variant", "share of conversations", "variant"), _funnel_rows),
    "human": (gr.BarPlot, ("the turn before asked", "hand-offs"), _human_rows),
    "products": (gr.BarPlot, ("product · customers", "customers", "measure"), _products_rows),
    "traffic": (gr.BarPlot, ("conversations · agent tool calls", "count", "source"), _traffic_rows),
}


def plot_frame(panel: str, r: InsightsReport):
    """The panel's plot as a table (pandas), the columns ``PLOTS`` names."""
    import pandas as pd

    _, columns, rows = PLOTS[panel]
    frame = pd.DataFrame(rows(r), columns=list(columns))
    if panel == "intents":  # drawn as time, not as names
        frame["day"] = pd.to_datetime(frame["day"])
    return frame


def _plot(panel: str):
    component, columns, _ = PLOTS[panel]
    colour = columns[2] if len(columns) > 2 else None
    extra = {} if component is gr.LinePlot else {"x_label_angle": -30, "sort": "-y" if colour is None else None}
    # from zero: with one group (or equal ones) the scale would otherwise start at its value
    return component(x=columns[0], y=columns[1], color=colour, elem_id=f"in-plot-{panel}", show_label=False,
                     y_lim=[0, None], **extra)


def tables(r: InsightsReport) -> dict[str, list[list]]:
    return {
        "gaps": [[g.phrase, g.customers, g.turns, ", ".join(f"{k} {v}" for k, v in g.why.items()),
                  "; ".join(g.nearest), " | ".join(g.examples)] for g in r.gaps],
        "misreads": [[m.category, m.rule, m.turns, m.customers, " | ".join(m.examples)] for m in r.misreads],
        "intents": [[day, intent, n] for day, intents in sorted(r.intents.items()) for intent, n in intents.items()],
        "funnel": [[f.variant, f.chats, *(f"{s.share:.1%} [{s.low:.1%}, {s.high:.1%}]" for s in f.stages.values())]
                   for f in r.funnel],
        "human": [[k, v] for k, v in r.human.reasons.items()],
        "products": [[p.title, p.shown, p.customers, p.bought_after] for p in r.products],
        "traffic": [[t.source, t.conversations, t.turns, f"{t.carted.share:.1%}" if t.carted else "",
                     ", ".join(f"{tool} {n}" for tool, n in t.tools.items()), t.refused] for t in r.traffic],
    }


HEADERS = {"gaps": ["asked for", "customers", "turns", "why", "nearest sold", "examples (redacted)"],
           "misreads": ["kind", "decision rule", "turns", "customers", "examples (redacted)"],
           "intents": ["day", "intent", "turns"],
           "funnel": ["variant", "conversations", "shown", "viewed", "carted", "purchased"],
           "human": ["the turn before asked", "hand-offs"],
           "products": ["product", "times shown", "customers shown", "bought after"],
           "traffic": ["source", "conversations", "turns", "carted", "agents' tool calls", "refused calls"]}


def summary(r: InsightsReport) -> str:
    h = r.human
    lines = [f"**{r.since} to {r.until}.** Groups of fewer than {r.k} customers are left out"
             + (f" ({sum(r.hidden.values())} groups)." if r.hidden else ".")]
    if h.handoffs is not None:
        wait = f"; first agent reply p50 {h.first_reply_s['p50']} s" if h.first_reply_s else ""
        lines.append(f"**Hand-offs:** {h.handoffs} in {h.conversations} conversations ({h.rate:.1%}){wait}; "
                     f"agent replies: {', '.join(f'{k} {v}' for k, v in h.replies.items()) or 'none'}.")
    for d in r.differences:
        lines.append(f"**{d.b} against {d.a}, {d.stage}:** {d.diff:+.1%}: {d.verdict}.")
    if r.reasons:
        lines.append("**Why products were shown:** " + ", ".join(f"{k.replace('_', ' ')} {v:.0%}"
                                                                  for k, v in r.reasons.items()) + ".")
    return "\n\n".join(lines)


def write_csvs(r: InsightsReport, folder: Path) -> dict[str, str]:
    """One CSV per panel; the files of earlier reports are removed first (their wording may be a
    forgotten customer's)."""
    rows = [tuple(map(safe_cell, row)) for row in csv_rows(r)]
    for old in folder.glob("insights-*.csv"):
        old.unlink(missing_ok=True)
    out = {}
    for panel, names in CSV_PANELS.items():
        path = folder / f"insights-{panel}-{r.since}-{r.until}.csv"
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(("panel", "group", "measure", "value"))
            writer.writerows(row for row in rows if row[0] in names)
        out[panel] = str(path)
    return out


def build_insights(backend: InsightsBackend) -> gr.Blocks:
    today = datetime.fromtimestamp(backend.clock(), timezone.utc).date()
    month_ago = datetime.fromtimestamp(backend.clock() - DEFAULT_DAYS * DAY_S, timezone.utc).date()
    with gr.Blocks(title="Shop insights", delete_cache=(3600, 3600)) as page:
        gr.Markdown("## Shop insights")
        with gr.Row():
            start = gr.Textbox(label="From (YYYY-MM-DD)", value=month_ago.isoformat(), max_lines=1, elem_id="in-from")
            end = gr.Textbox(label="To (YYYY-MM-DD)", value=today.isoformat(), max_lines=1, elem_id="in-to")
            show = gr.Button("Show", variant="primary", elem_id="in-show")
        note = gr.Markdown(elem_id="in-summary")
        outputs = [note]
        for panel, title in PANELS.items():
            with gr.Group(elem_id=f"in-panel-{panel}"):
                gr.Markdown(f"### {title}")
                outputs.append(_plot(panel))
                outputs.append(gr.Dataframe(headers=HEADERS[panel], elem_id=f"in-table-{panel}", interactive=False,
                                            wrap=True))
                outputs.append(gr.DownloadButton("Export CSV", elem_id=f"in-csv-{panel}", size="sm"))

        def render(first: str, last: str):
            report = backend.report(first, last)
            files = write_csvs(report, backend.folder)
            rows = tables(report)
            values = [summary(report)]
            for panel in PANELS:
                values += [plot_frame(panel, report), rows[panel] or [[""] * len(HEADERS[panel])], files[panel]]
            return values

        show.click(render, [start, end], outputs, api_name="report")
        page.load(render, [start, end], outputs, api_name=False)
    return page
