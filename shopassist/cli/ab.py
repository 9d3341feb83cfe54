"""``shopassist ab report``: sessions, turns and behaviour events per A/B variant."""

from __future__ import annotations

import click

from shopassist.cli.main import emit
from shopassist.settings import Settings


@click.group("ab")
def ab() -> None:
    """A/B variants (configure them with `ab_variants` in config.toml)."""


@ab.command("report")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def report(settings: Settings, as_json: bool) -> None:
    """Per variant: sessions, customer turns, product views, add-to-cart events, cart rate; and
    its sessions by source (the chat widget, customers' AI agents over MCP)."""
    from assistant.service import open_stores
    from assistant.variants import variant_report

    sessions, events = open_stores(settings)
    try:
        stats = variant_report(sessions, events)
    finally:
        sessions.close()
        events.close()
    if as_json:
        emit({"variants": [s.to_json() for s in stats]})
        return
    click.echo("variant      sessions   turns   views   carts   cart rate")
    for s in stats:
        click.echo(f"{s.variant:<12} {s.sessions:>8} {s.turns:>7} {s.views:>7} {s.carts:>7}   {s.cart_rate:.3f}")
        for source, tally in sorted(s.sources.items()):  # the widget's and AI agents' sessions apart
            click.echo(f"  {source:<10} {tally['sessions']:>8} sessions, {tally['sessions_with_cart']} with a cart")


COMMANDS = (ab,)  # added to the `shopassist` group by shopassist/cli/__init__.py
