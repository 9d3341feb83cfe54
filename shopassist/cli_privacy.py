"""``shopassist forget --user ID``: delete everything held about one customer."""

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
