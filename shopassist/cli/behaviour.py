"""``shopassist events ingest``, ``train-behaviour``, ``recommend`` and ``profile``: behaviour
events, the models trained from them, and what they recommend."""

from __future__ import annotations

import time
from pathlib import Path

import click

from shopassist.cli.common import event_store, recommender_for, services
from shopassist.cli.main import COLLECTION, emit
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings


@click.group()
def events() -> None:
    """Behaviour events (views, carts, purchases, returns)."""


@events.command("ingest")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", "online-retail", "csv", "jsonl"]))
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN",
              help="Map a field (user_id,product_id,type,quantity,price,timestamp,session_id) to a column.")
@click.option("--replace", is_flag=True, help="Delete every stored event first.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def events_ingest(settings: Settings, path, fmt, maps, replace, as_json) -> None:
    """Load an events file into the event store (a missing type means purchase)."""
    from retrieval.behaviour.loaders import EVENT_FIELDS, load_event_table, load_online_retail_events

    mapping = {}
    for option in maps:
        key, sep, column = option.partition("=")
        if not sep or key.strip() not in EVENT_FIELDS or not column.strip():
            raise ShopAssistError(f"--map {option!r}: expected FIELD=COLUMN with FIELD one of {', '.join(EVENT_FIELDS)}")
        mapping[key.strip()] = column.strip()
    file = Path(path).expanduser()
    if fmt == "online-retail" or (fmt == "auto" and not mapping and _is_online_retail(file)):
        loaded, countries, report = load_online_retail_events(file)
    else:
        loaded, report = load_event_table(file, fmt, mapping)
        countries = {}
    store = event_store(settings)
    if replace:
        store.clear()
    store.append(loaded)
    store.set_countries(countries)
    if as_json:
        emit({**report.to_json(), "stored_total": store.count()})
    else:
        click.echo(report.summary())
        click.echo(f"  events stored in total {store.count()}")
    store.close()


def _is_online_retail(file: Path) -> bool:
    """The UCI Online Retail layout: its C-prefixed invoices are returns, which only the
    dedicated loader knows."""
    import pandas as pd

    if not file.name.lower().endswith((".csv", ".csv.gz")):
        return False
    try:
        columns = set(pd.read_csv(file, nrows=1).columns)
    except (OSError, ValueError):  # unreadable files get the generic loader's clear error
        return False
    return {"InvoiceNo", "StockCode", "Quantity", "UnitPrice", "CustomerID"} <= columns


@click.command("train-behaviour")
@click.option("--collection", type=COLLECTION, help="The catalogue collection whose products the models rank.")
@click.option("--label-days", default=90.0, show_default=True, help="Last days of events the reranker learns from.")
@click.option("--no-search-head", is_flag=True, help="Skip training the personalised-search reranker.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def train_behaviour_cmd(settings: Settings, collection, label_days, no_search_head, as_json) -> None:
    """Train popularity, co-purchase, Markov, SASRec+ and the reranker from the stored events."""
    from retrieval.behaviour.service import behaviour_dir, train
    from retrieval.search import HybridSearcher

    name = collection or settings.collection
    store, encoder, lexical = services(settings, name)
    started = time.perf_counter()
    with store:
        searcher = None if no_search_head else HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k)
        trained = train(settings, store, event_store(settings), name, label_days, searcher)
    summary = {"collection": name, "folder": str(behaviour_dir(settings, name)), "items": len(trained.items.ids),
               "seconds": trained.seconds, "total_seconds": round(time.perf_counter() - started, 1)}
    emit(summary) if as_json else click.echo("\n".join(f"{k}: {v}" for k, v in summary.items()))


@click.command()
@click.option("--user", "user_id", help="Customer id (an unknown id gets cold-start results).")
@click.option("--users", "users_file", type=click.Path(dir_okay=False), help="File with one customer id a line.")
@click.option("--session", "session_id", help="This visit's session id (its clicks count too).")
@click.option("--top-k", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--diversity", default=0.0, show_default=True, type=click.FloatRange(0, 1), help="MMR trade-off.")
@click.option("--collection", type=COLLECTION)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def recommend(settings: Settings, user_id, users_file, session_id, top_k, diversity, collection, as_json) -> None:
    """No-query recommendations with a reason for each."""
    if bool(user_id) == bool(users_file):
        raise ShopAssistError("give exactly one of --user ID or --users FILE")
    recommender = recommender_for(settings, collection or settings.collection, diversity)
    if users_file:
        for line in Path(users_file).read_text().splitlines():
            if line.strip():
                rows = recommender.recommend(line.strip(), top_k, session_id)
                emit({"user": line.strip(), "results": [r.to_json() for r in rows]})
        return
    rows = recommender.recommend(user_id, top_k, session_id)
    if as_json:
        emit({"results": [r.to_json() for r in rows]})
        return
    for rank, r in enumerate(rows, 1):
        click.echo(f"{rank:>2}. {r.title} | {r.price} | {r.reason}")


@click.command()
@click.option("--user", "user_id", required=True)
@click.option("--collection", type=COLLECTION)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def profile(settings: Settings, user_id, collection, as_json) -> None:
    """A customer's profile: RFM, price band, top terms, recent items."""
    p = recommender_for(settings, collection or settings.collection).profile(user_id)
    emit({**p.to_json(), "summary": p.describe()}) if as_json else click.echo(p.describe())


COMMANDS = (events, train_behaviour_cmd, recommend, profile)  # added to the `shopassist` group by shopassist/cli/__init__.py
