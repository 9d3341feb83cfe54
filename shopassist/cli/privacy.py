"""Customer privacy and identity: ``shopassist forget --user ID`` deletes everything held
about a customer; ``shopassist customer-link --user ID`` makes a signed widget link."""

from __future__ import annotations

import sys

import click

from shopassist.cli.main import emit
from shopassist.settings import Settings, secret


@click.command()
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
        emit(done.to_json())
    else:
        click.echo(f"customer {user_id}: deleted {done.events} events and {done.sessions} sessions; "
                   "both files purged (write-ahead logs emptied)")


@click.command("customer-link")
@click.option("--user", "user_id", required=True, help="The signed-in customer's id.")
@click.option("--url", default="http://127.0.0.1:7860/", show_default=True, help="Where the widget is served.")
@click.option("--hours", type=float, help="How long the link stays valid (default: the customer_link_hours setting).")
@click.pass_obj
def customer_link(settings: Settings, user_id: str, url: str, hours: float | None) -> None:
    """The widget URL for a customer the shop has signed in (signed with `customer_secret`,
    valid for `--hours`); after that the widget serves the link's holder as a guest."""
    from urllib.parse import quote

    from shopassist.errors import ConfigError
    from ui.identity import sign, valid_customer_id

    if not settings.customer_secret:
        raise ConfigError("set customer_secret (env SHOPASSIST_CUSTOMER_SECRET, at least 32 characters) "
                          "to sign customer ids")
    if not valid_customer_id(user_id):
        raise ConfigError(f"{user_id!r} is not a usable customer id (at most 64 printable characters, no spaces "
                          "or markup)")
    if hours is not None and hours <= 0:
        raise ConfigError("--hours must be positive")
    token = sign(user_id, secret(settings.customer_secret), (hours or settings.customer_link_hours) * 3600)
    click.echo(f"{url.rstrip('/')}/?customer={quote(token)}")


@click.command("console-report")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def console_report(settings: Settings, as_json: bool) -> None:
    """How agents use the console's suggested replies: per kind (answer / clarify / action),
    how often one was sent and how often it was edited first, and how many replies were typed."""
    from assistant.service import console_usage

    report = console_usage(settings)
    if as_json:
        emit(report)
        return
    click.echo(f"agent replies: {report['replies']} ({report['typed']} typed from scratch)")
    for kind, row in report["kinds"].items():
        click.echo(f"  {kind:8s} sent {row['sent']:4d}  edited {row['edited']:4d}  edit rate {row['edit_rate']:.2f}")


COMMANDS = (forget, customer_link, console_report)  # added to the `shopassist` group by shopassist/cli/__init__.py
