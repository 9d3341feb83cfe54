"""``shopassist feed export``: the catalogue as a product feed (JSONL or CSV) for assistant
platforms, with a report of what was written, what was skipped and which fields it lacks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shopassist.cli.main import COLLECTION, emit
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings

FEED_FORMATS = ("jsonl", "csv")  # retrieval.feed.FORMATS; not imported here to keep --help fast


@click.group()
def feed() -> None:
    """Product feeds: every product with its price, link, availability and identifiers."""


@feed.command("export")
@click.option("--format", "fmt", type=click.Choice(FEED_FORMATS), default="jsonl", show_default=True,
              help="jsonl: one JSON object per line; csv: a header of the feed fields, then one row per product.")
@click.option("--collection", type=COLLECTION, help="Collection to export (default: the `collection` setting).")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="The feed file; written beside itself first, so a failed export leaves no half file.")
@click.option("--link-template", metavar="URL",
              help="The product page for each product, e.g. 'https://shop.example/p/{id}' "
                   "({id} is replaced by the URL-quoted product id); default: the catalogue's url.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def export(settings: Settings, fmt: str, collection: str | None, out: Path, link_template: str | None,
           as_json: bool) -> None:
    """Write the products of a collection as a feed, and report what it could not fill."""
    from retrieval.feed import check_destination, check_link_template, export_feed
    from retrieval.stores import open_store

    # Every argument is checked before the store is opened: a typo costs no catalogue read.
    if link_template is not None:
        check_link_template(link_template)
    out = check_destination(out)
    name = collection or settings.collection
    with open_store(settings, name) as store:
        if not store.exists():
            raise ShopAssistError(f"collection {name!r} does not exist: index a catalogue into it first "
                                  f"(`shopassist index --catalog FILE --collection {name}`)")
        report = export_feed(store.iter_products(), out, fmt, link_template, total=store.count(),
                             progress=sys.stderr.isatty() or not as_json, collection=name)
    if as_json:
        emit(report.to_json())
    else:
        click.echo(report.summary())


COMMANDS = (feed,)  # added to the `shopassist` group by shopassist/cli/__init__.py
