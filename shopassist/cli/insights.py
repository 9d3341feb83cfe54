"""``shopassist insights``: the shop owner's figures (the ``/insights`` page's) in a terminal."""

from __future__ import annotations

import csv
import sys
import time

import click

from shopassist.cli.main import COLLECTION, emit
from shopassist.settings import Settings


@click.command("insights")
@click.option("--since", help="First day (UTC, 2026-11-01); default: 30 days before --until.")
@click.option("--until", help="Last day (UTC); default: today.")
@click.option("--collection", type=COLLECTION, help="Collection whose titles and nearest products are shown.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the report as CSV: panel, group, measure, value.")
@click.pass_obj
def insights(settings: Settings, since, until, collection, as_json, as_csv) -> None:
    """What customers asked for and did not find, where the assistant misread them, intents
    over time, the funnel per A/B variant, the human loop and recommendations. Groups of fewer
    than `insights_k` customers are left out."""
    from assistant.insights import csv_rows, date_range
    from shopassist.plain_text import safe_cell
    from assistant.service import open_insights

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    try:
        start, end = date_range(since, until, time.time())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since/--until") from None
    source, close = open_insights(settings, collection)
    try:
        report = source.report(start, end)
    finally:
        close()
    if as_json:
        emit(report.to_json())
    elif as_csv:
        out = csv.writer(sys.stdout)
        out.writerow(("panel", "group", "measure", "value"))
        out.writerows(tuple(map(safe_cell, row)) for row in csv_rows(report))
    else:
        _print(report)


def _print(report) -> None:
    click.echo(f"insights {report.since} .. {report.until} (groups of fewer than {report.k} customers hidden)")
    click.echo("\ndemand gaps (asked for, not found):")
    for g in report.gaps[:10]:
        nearest = f"; nearest: {', '.join(g.nearest)}" if g.nearest else ""
        click.echo(f"  {g.phrase}: {g.customers} customers, {g.turns} turns{nearest}")
    click.echo("\nmisunderstandings:")
    for m in report.misreads[:10]:
        click.echo(f"  {m.category} ({m.rule}): {m.turns} turns, {m.customers} customers")
    click.echo("\nfunnel per variant (share of conversations):")
    for f in report.funnel:
        stages = ", ".join(f"{k} {r.share:.1%} [{r.low:.1%}-{r.high:.1%}]" for k, r in f.stages.items())
        click.echo(f"  {f.variant}: {f.chats} conversations; {stages}")
    for d in report.differences:
        click.echo(f"  {d.b} vs {d.a}, {d.stage}: {d.diff:+.1%}: {d.verdict}")
    h = report.human
    if h.handoffs is None:
        click.echo(f"\nhand-offs: hidden (fewer than {report.k} customers)")
    else:
        click.echo(f"\nhand-offs: {h.handoffs} of {h.conversations} conversations ({h.rate:.1%}); "
                   f"first agent reply {h.first_reply_s or 'n/a'}; agent replies {h.replies or 'none'}")
    click.echo("\nmost shown products (bought after being shown):")
    for p in report.products:
        click.echo(f"  {p.title}: shown {p.shown} times to {p.customers} customers, bought by {p.bought_after}")
    click.echo(f"reasons: {report.reasons}")
    click.echo("\ntraffic by source (the widget, customers' AI agents over MCP):")
    for t in report.traffic:
        carted = f", {t.carted.share:.1%} reached the cart" if t.carted else ""
        tools = f"; tool calls: {', '.join(f'{k} {n}' for k, n in t.tools.items())} ({t.refused} refused)" \
            if t.tools else ""
        click.echo(f"  {t.source}: {t.conversations} conversations, {t.turns} turns{carted}{tools}")
    if report.hidden:
        click.echo(f"hidden groups: {report.hidden}")


COMMANDS = (insights,)  # added to the `shopassist` group by shopassist/cli/__init__.py
