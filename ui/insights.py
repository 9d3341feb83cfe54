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
import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402

from assistant.insights import Insights, InsightsReport, csv_rows  # noqa: E402

PANELS = {"gaps": "Demand gaps: asked for, not found", "misreads": "Misunderstandings",
          "intents": "What customers asked about, day by day", "funnel": "The funnel per A/B variant",
          "human": "The human loop", "products": "Recommendations: shown and bought"}
CSV_PANELS = {"gaps": ("gaps",), "misreads": ("misreads",), "intents": ("intents",),
              "funnel": ("funnel", "differences"), "human": ("human",), "products": ("products", "reasons")}
DAY_S = 86_400


class InsightsBackend:
    """The page's one call: a report for a date range (one at a time: it opens transcripts)."""

    def __init__(self, insights: Insights, clock: Callable[[], float] = time.time):
        self.insights, self.clock = insights, clock
        self.lock = threading.Lock()
        self.folder = Path(tempfile.mkdtemp(prefix="shopassist-insights-"))  # the CSVs, one per panel and range

    def report(self, start: str, end: str) -> InsightsReport:
        until = _day(end, self.clock(), last=True)
        since = _day(start, until - 30 * DAY_S)
        if since > until:
            raise gr.Error("The first day is after the last.")
        with self.lock:
            return self.insights.report(since, until)


def _day(text: str, default: float, last: bool = False) -> float:
    if not (text or "").strip():
        return default
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise gr.Error(f"{text!r} is not a date like 2026-11-01.") from None
    return day + (DAY_S - 1 if last else 0)


def _figure(title: str):
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=90)
    ax.set_title(title, fontsize=10)
    return fig, ax


def _empty(ax, k: int) -> None:
    ax.text(0.5, 0.5, f"nothing to show: no data, or fewer than {k} customers", ha="center", va="center",
            fontsize=9, color="grey", transform=ax.transAxes)
    ax.set_axis_off()


def _bars(title: str, labels: list[str], values: list[float], k: int, xlabel: str = ""):
    fig, ax = _figure(title)
    if not labels:
        _empty(ax, k)
    else:
        ax.barh(labels[::-1], values[::-1], color="#4c78a8")
        ax.set_xlabel(xlabel, fontsize=8)
        ax.tick_params(labelsize=8)
    fig.tight_layout()
    return fig


def gaps_plot(r: InsightsReport):
    return _bars("Customers who asked for what the shop lacks", [g.phrase for g in r.gaps[:10]],
                 [g.customers for g in r.gaps[:10]], r.k, "customers")


def misreads_plot(r: InsightsReport):
    return _bars("Misread turns by kind and decision rule", [f"{m.category}: {m.rule}" for m in r.misreads[:10]],
                 [m.turns for m in r.misreads[:10]], r.k, "turns")


def intents_plot(r: InsightsReport):
    fig, ax = _figure("Turns per day by intent")
    if not r.intents:
        _empty(ax, r.k)
    else:
        days = sorted(r.intents)
        totals: dict[str, int] = {}
        for intents in r.intents.values():
            for intent, n in intents.items():
                totals[intent] = totals.get(intent, 0) + n
        for intent in sorted(totals, key=totals.get, reverse=True)[:8]:
            ax.plot(days, [r.intents[d].get(intent, 0) for d in days], marker="o", markersize=3, label=intent)
        ax.legend(fontsize=7, ncol=2)
        ax.tick_params(labelsize=7)
        fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def funnel_plot(r: InsightsReport):
    fig, ax = _figure("Share of conversations reaching each stage (95 % interval)")
    if not r.funnel:
        _empty(ax, r.k)
    else:
        stages = list(r.funnel[0].stages)
        width = 0.8 / len(r.funnel)
        for i, f in enumerate(r.funnel):
            xs = [j + i * width for j in range(len(stages))]
            shares = [f.stages[s].share for s in stages]
            errors = [[f.stages[s].share - f.stages[s].low for s in stages],
                      [f.stages[s].high - f.stages[s].share for s in stages]]
            ax.bar(xs, shares, width, yerr=errors, capsize=3, label=f"{f.variant} ({f.chats})")
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(stages))], stages, fontsize=8)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def human_plot(r: InsightsReport):
    reasons = sorted(r.human.reasons.items(), key=lambda kv: -kv[1])[:10]
    return _bars("What hand-offs followed", [k.replace("_", " ") for k, _ in reasons], [v for _, v in reasons],
                 r.k, "hand-offs")


def products_plot(r: InsightsReport):
    fig, ax = _figure("Most shown products: shown to / bought by customers")
    if not r.products:
        _empty(ax, r.k)
    else:
        labels = [p.title[:32] for p in r.products][::-1]
        ys = range(len(labels))
        ax.barh([y + 0.2 for y in ys], [p.customers for p in r.products][::-1], 0.4, label="shown to")
        ax.barh([y - 0.2 for y in ys], [p.bought_after for p in r.products][::-1], 0.4, label="bought after")
        ax.set_yticks(list(ys), labels, fontsize=7)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


PLOTS = {"gaps": gaps_plot, "misreads": misreads_plot, "intents": intents_plot, "funnel": funnel_plot,
         "human": human_plot, "products": products_plot}


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
    }


HEADERS = {"gaps": ["asked for", "customers", "turns", "why", "nearest sold", "examples (redacted)"],
           "misreads": ["kind", "decision rule", "turns", "customers", "examples (redacted)"],
           "intents": ["day", "intent", "turns"],
           "funnel": ["variant", "conversations", "shown", "viewed", "carted", "purchased"],
           "human": ["the turn before asked", "hand-offs"],
           "products": ["product", "times shown", "customers shown", "bought after"]}


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
    rows = csv_rows(r)
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
    month_ago = datetime.fromtimestamp(backend.clock() - 30 * DAY_S, timezone.utc).date()
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
                outputs.append(gr.Plot(elem_id=f"in-plot-{panel}", show_label=False))
                outputs.append(gr.Dataframe(headers=HEADERS[panel], elem_id=f"in-table-{panel}", interactive=False,
                                            wrap=True))
                outputs.append(gr.DownloadButton("Export CSV", elem_id=f"in-csv-{panel}", size="sm"))

        def render(first: str, last: str):
            report = backend.report(first, last)
            files = write_csvs(report, backend.folder)
            rows = tables(report)
            values = [summary(report)]
            for panel in PANELS:
                figure = PLOTS[panel](report)
                values += [figure, rows[panel] or [[""] * len(HEADERS[panel])], files[panel]]
                plt.close(figure)
            return values

        show.click(render, [start, end], outputs, api_name="report")
        page.load(render, [start, end], outputs, api_name=False)
    return page
