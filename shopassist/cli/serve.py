"""``shopassist serve`` and ``shopassist demo``: the web apps, and the bundled demo that ends in them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from shopassist.cli.common import event_store, recommender_for, services
from shopassist.cli.main import COLLECTION
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings


def _bundled(settings: Settings) -> list[tuple[str, str, Path]]:
    data = settings.data_dir
    return [("online-retail", "online-retail", data / "online_retail" / "online_retail.csv.gz"),
            ("flipkart", "flipkart", data / "flipkart" / "products.csv")]


def _demo_index(settings: Settings, reindex: bool) -> None:
    from retrieval.catalog import load_catalog
    from retrieval.indexer import index_products, read_meta

    for collection, fmt, path in _bundled(settings):
        if not path.is_file():
            raise ShopAssistError(f"bundled data {path} not found: set `data_dir` (SHOPASSIST_DATA_DIR)")
        meta = read_meta(settings.state_dir, collection)
        if meta and meta.get("complete") and not reindex:
            click.echo(f"{collection}: already indexed ({meta.get('products')} products)")
            continue
        products, report = load_catalog(path, fmt)
        store, encoder, lexical = services(settings, collection)
        with store:
            index_products(products, store, encoder, lexical, report, collection=collection,
                           state_dir=settings.state_dir, batch_size=settings.embed_batch_size,
                           kinds=settings.derive_kinds)
            encoder.prepare_queries()
        click.echo(report.summary(max_issues=3))


def _demo_behaviour(settings: Settings) -> None:
    from retrieval.behaviour.service import behaviour_dir, train
    from retrieval.behaviour.loaders import load_online_retail_events
    from retrieval.search import HybridSearcher

    events = event_store(settings)
    if events.count() == 0:
        loaded, countries, report = load_online_retail_events(_bundled(settings)[0][2])
        events.append(loaded)
        events.set_countries(countries)
        click.echo(report.summary(max_issues=0))
    if (behaviour_dir(settings, "online-retail") / "behaviour.json").is_file():
        click.echo("online-retail: behaviour models already trained")
        return
    click.echo("training behaviour models (first run only)...")
    store, encoder, lexical = services(settings, "online-retail")
    with store:
        train(settings, store, events, "online-retail",
              searcher=HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k))


def _demo_samples(settings: Settings) -> None:
    """What the assistant makes of a few first messages (parse, decision, kind-first search)."""
    from assistant.service import open_assistant

    parser = None
    for collection, user, message in (("online-retail", "17850", "gift for my mum under £5"),
                                      ("flipkart", None, "women's sandals under 500")):
        assistant = open_assistant(settings, collection, parser=parser)
        parser = assistant.parser
        try:
            result = assistant.turn(None, user, message)
        finally:
            assistant.close()
        who = f" (customer {user})" if user else ""
        click.echo(f"\n[{collection}]{who} {message!r} → {result.action} ({result.rule}):")
        for card in result.products:
            click.echo(f"  - {card.title} | {card.price} {card.currency} | {card.category or '-'}")


@click.command()
@click.option("--reindex", is_flag=True, help="Index the bundled catalogues even if already indexed.")
@click.option("--no-serve", is_flag=True, help="Stop after the samples instead of opening the chat UI.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--simulate-month", is_flag=True,
              help="Before serving, run a month of simulated customers (with planted demand gaps and misreads) "
                   "through the assistant, so the insights page at /insights has a month to show (about a minute).")
@click.pass_obj
def demo(settings: Settings, reindex, no_serve, port, simulate_month) -> None:
    """Index the bundled demo stores, load their behaviour, train (once), show samples, and
    serve the chat widget (Online Retail) at http://127.0.0.1:PORT/."""
    _demo_index(settings, reindex)
    _demo_behaviour(settings)
    _demo_samples(settings)
    click.echo("\n[online-retail] recommendations for customer 17850:")
    for r in recommender_for(settings, "online-retail").recommend("17850", 5):
        click.echo(f"  - {r.title} | {r.price} GBP | {r.reason}")
    if simulate_month:
        from eval.insights_month import run as simulate

        with click.progressbar(length=30, label="a month of simulated customers", file=sys.stderr) as bar:
            result = simulate(settings, "online-retail", None, progress=lambda done, total: bar.update(done - bar.pos))
        click.echo(f"simulated {result['truth']['conversations']} conversations ({result['truth']['turns']} turns)")
    if not no_serve:
        from ui.server import serve as run

        click.echo(f"\nchat widget: http://127.0.0.1:{port}/?customer=17850   agent console: "
                   f"http://127.0.0.1:{port}/agent   shop insights: http://127.0.0.1:{port}/insights   "
                   "(Ctrl-C to stop)")
        run(settings, "127.0.0.1", port, "online-retail")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--collection", type=COLLECTION, help="Catalogue collection to shop in (default: the `collection` setting).")
@click.pass_obj
def serve(settings: Settings, host, port, collection) -> None:
    """Serve the customer widget at / and the agent console at /agent."""
    from ui.server import serve as run

    click.echo(f"customer widget: http://{host}:{port}/   agent console: http://{host}:{port}/agent", err=True)
    run(settings, host, port, collection)


COMMANDS = (serve, demo)  # added to the `shopassist` group by shopassist/cli/__init__.py
