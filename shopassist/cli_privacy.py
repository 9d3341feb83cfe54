"""Customer privacy and identity: ``shopassist forget --user ID`` deletes everything held
about a customer; ``shopassist customer-link --user ID`` makes a signed widget link."""

from __future__ import annotations

import sys

import click

from shopassist.cli import _emit, cli
from shopassist.settings import Settings


@cli.command()
@click.option("--user", "user_id", required=True, help="Customer id to forget.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (only asked at a terminal).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_obj
def forget(settings: Settings, user_id: str, yes: bool, as_json: bool) -> None:
    """Delete a customer's events, orders, sessions and transcripts everywhere in this home.
    Afterwards they are a new customer: `recommend --user ID` gives cold-start results."""
    from assistant.service import forget_user

    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete everything held about customer {user_id!r}? This cannot be undone", abort=True)
    done = forget_user(settings, user_id)
    if as_json:
        _emit(done.to_json())
    else:
        click.echo(f"customer {user_id}: deleted {done.events} events and {done.sessions} sessions")


@cli.command("customer-link")
@click.option("--user", "user_id", required=True, help="The signed-in customer's id.")
@click.option("--url", default="http://127.0.0.1:7860/", show_default=True, help="Where the widget is served.")
@click.pass_obj
def customer_link(settings: Settings, user_id: str, url: str) -> None:
    """The widget URL for a customer the shop has signed in (signed with `customer_secret`)."""
    from urllib.parse import quote

    from shopassist.errors import ConfigError
    from ui.identity import sign

    if not settings.customer_secret:
        raise ConfigError("set customer_secret (env SHOPASSIST_CUSTOMER_SECRET) to sign customer ids")
    click.echo(f"{url.rstrip('/')}/?customer={quote(sign(user_id, settings.customer_secret))}")
