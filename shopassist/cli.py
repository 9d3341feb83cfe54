"""The ``shopassist`` command: the one thin layer that sits above every package.

User errors print a message and exit 1, never a traceback. Progress goes to stderr so
``--json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from shopassist.errors import ShopAssistError
from shopassist.settings import Settings, load_settings


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


class CollectionName(click.ParamType):
    """A ``--collection`` value: a plain name (it becomes a folder under the home), checked
    before anything is opened, so ``--collection ../..`` never reaches the disk."""

    name = "name"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from retrieval.stores import NAME_RULE, valid_name

        if not valid_name(value):
            self.fail(f"{value!r} is not a collection name: use {NAME_RULE}", param, ctx)
        return value


COLLECTION = CollectionName()


class _Errors(click.Group):
    """Turns ``ShopAssistError`` anywhere below into a one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ShopAssistError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.ClickException("interrupted; re-run the same command to finish") from None


@click.group(cls=_Errors)
@click.option("--home", type=click.Path(file_okay=False), help="Data folder (Qdrant, caches, events). Env: SHOPASSIST_HOME.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="TOML settings file. Env: SHOPASSIST_CONFIG.")
@click.option("--qdrant-url", help="Qdrant server/cluster URL; unset = embedded engine. Env: SHOPASSIST_QDRANT_URL.")
@click.option("--qdrant-api-key", help="API key for --qdrant-url. Env: SHOPASSIST_QDRANT_API_KEY.")
@click.option("--embedder", help="Sentence-transformer: 'default', a folder or a hub id. Env: SHOPASSIST_EMBEDDER.")
@click.option("--llm", help="Causal LM: 'default', a folder or a hub id. Env: SHOPASSIST_LLM.")
@click.version_option(package_name="shopassist")
@click.pass_context
def cli(ctx: click.Context, home, config_file, qdrant_url, qdrant_api_key, embedder, llm) -> None:
    """Offline conversational shopping assistant."""
    # Model-loading bars from the libraries are noise here; our own progress bars stay.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    overrides = {"home": home, "qdrant_url": qdrant_url, "qdrant_api_key": qdrant_api_key,
                 "embedder": embedder, "llm": llm}
    try:
        ctx.obj = load_settings(config_file, overrides)
    except ShopAssistError as exc:
        raise click.ClickException(str(exc)) from None


def _services(settings: Settings, collection: str | None):
    from retrieval.encoder import LexicalEncoder, SentenceEncoder
    from retrieval.stores import open_store

    return (open_store(settings, collection), SentenceEncoder.from_settings(settings), LexicalEncoder())


@cli.command()
@click.option("--catalog", "catalog_path", required=True, type=click.Path(dir_okay=False), help="Catalogue file (.csv, .jsonl, .parquet, optionally .gz).")
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", "csv", "jsonl", "parquet", "online-retail", "flipkart"]))
@click.option("--map", "maps", multiple=True, metavar="FIELD=COLUMN",
              help="Map a field (id,title,description,category,brand,price,currency,url,image,in_stock,attributes) to a column; repeatable.")
@click.option("--currency", help="Currency for prices that carry no symbol (e.g. GBP).")
@click.option("--collection", type=COLLECTION, help="Collection to write (default: the `collection` setting).")
@click.option("--recreate", is_flag=True, help="Drop the collection first (e.g. after changing the embedder).")
@click.option("--json", "as_json", is_flag=True, help="Print the validation report as JSON.")
@click.pass_obj
def index(settings: Settings, catalog_path, fmt, maps, currency, collection, recreate, as_json) -> None:
    """Load a catalogue, validate it and index it into Qdrant."""
    from retrieval.catalog import load_catalog, parse_map_options
    from retrieval.indexer import index_products

    mapping = parse_map_options(maps)
    products, report = load_catalog(catalog_path, fmt, mapping or None, default_currency=currency)
    if not products:
        raise ShopAssistError(f"no product could be read from {catalog_path}:\n{report.summary()}")
    name = collection or settings.collection
    store, encoder, lexical = _services(settings, name)
    with store:
        index_products(products, store, encoder, lexical, report, collection=name,
                       state_dir=settings.state_dir, batch_size=settings.embed_batch_size,
                       recreate=recreate, progress=sys.stderr.isatty() or not as_json)
        encoder.prepare_queries()  # export the fast query path now, not on the first search
    if as_json:
        _emit(report.to_json())
    else:
        click.echo(report.summary())


@cli.command()
@click.argument("query")
@click.option("--min-price", type=float)
@click.option("--max-price", type=float)
@click.option("--category", help="Any level of the category tree; 'a > b' for a path.")
@click.option("--brand")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Attribute filter, e.g. color=red; repeatable.")
@click.option("--in-stock", is_flag=True, help="Only products marked in stock.")
@click.option("--top-k", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--collection", type=COLLECTION, help="Collection to search (default: the `collection` setting).")
@click.option("--user", "user_id", help="Personalise the order for this customer (needs train-behaviour).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def search(settings: Settings, query, min_price, max_price, category, brand, attrs, in_stock,
           top_k, collection, user_id, as_json) -> None:
    """Hybrid (dense + BM25) search with payload filters."""
    from retrieval.indexer import check_embedder
    from retrieval.parsing import attribute_key
    from retrieval.search import HybridSearcher
    from retrieval.stores import SearchFilter

    if min_price is not None and max_price is not None and min_price > max_price:
        raise ShopAssistError(f"--min-price {min_price} is above --max-price {max_price}")
    attributes = {}
    for item in attrs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ShopAssistError(f"--attr {item!r}: expected KEY=VALUE, e.g. --attr color=red")
        attributes[attribute_key(key)] = value
    name = collection or settings.collection
    check_embedder(settings.state_dir, name, settings.embedder)
    store, encoder, lexical = _services(settings, name)
    flt = SearchFilter(min_price=min_price, max_price=max_price, category=category, brand=brand,
                       attributes=attributes, in_stock_only=in_stock)
    reranker = _reranker(settings, name) if user_id else None
    with store:
        searcher = HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k)
        searcher.search("warm up", flt, 1)  # loading the model and store is not search time
        started = time.perf_counter()
        if reranker is None:
            results = searcher.search(query, flt, top_k)
        else:
            results = reranker.rerank(user_id, searcher.search(query, flt, max(top_k, settings.prefetch)))[:top_k]
        took_ms = (time.perf_counter() - started) * 1000
    if as_json:
        rows = [{**c.to_json(), **({"reason": c.reason} if c.reason else {})} for c in results]
        _emit({"results": rows, "took_ms": round(took_ms, 2)})
        return
    if not results:
        click.echo("no products match")
    for rank, c in enumerate(results, 1):
        p = c.product
        price = "no price" if p.price is None else f"{p.price:,.2f} {p.currency or ''}".strip()
        click.echo(f"{rank:>2}. {p.title} | {price} | {p.category_path or '-'} | {p.brand or '-'} | score {c.score:.4f}")
    click.echo(f"({took_ms:.1f} ms)")


def _events(settings: Settings):
    from retrieval.behaviour.service import events_path
    from retrieval.behaviour.events import EventStore

    return EventStore(events_path(settings))


def _recommender(settings: Settings, collection: str, diversity: float = 0.0):
    from retrieval.behaviour.service import open_recommender

    return open_recommender(settings, _events(settings), collection, diversity)


def _reranker(settings: Settings, collection: str):
    from retrieval.behaviour.rerank import BehaviourReranker

    return BehaviourReranker(_recommender(settings, collection))


@cli.group()
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
    store = _events(settings)
    if replace:
        store.clear()
    store.append(loaded)
    store.set_countries(countries)
    if as_json:
        _emit({**report.to_json(), "stored_total": store.count()})
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


@cli.command("train-behaviour")
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
    store, encoder, lexical = _services(settings, name)
    started = time.perf_counter()
    with store:
        searcher = None if no_search_head else HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k)
        trained = train(settings, store, _events(settings), name, label_days, searcher)
    summary = {"collection": name, "folder": str(behaviour_dir(settings, name)), "items": len(trained.items.ids),
               "seconds": trained.seconds, "total_seconds": round(time.perf_counter() - started, 1)}
    _emit(summary) if as_json else click.echo("\n".join(f"{k}: {v}" for k, v in summary.items()))


@cli.command()
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
    recommender = _recommender(settings, collection or settings.collection, diversity)
    if users_file:
        for line in Path(users_file).read_text().splitlines():
            if line.strip():
                rows = recommender.recommend(line.strip(), top_k, session_id)
                _emit({"user": line.strip(), "results": [r.to_json() for r in rows]})
        return
    rows = recommender.recommend(user_id, top_k, session_id)
    if as_json:
        _emit({"results": [r.to_json() for r in rows]})
        return
    for rank, r in enumerate(rows, 1):
        click.echo(f"{rank:>2}. {r.title} | {r.price} | {r.reason}")


@cli.command()
@click.option("--user", "user_id", required=True)
@click.option("--collection", type=COLLECTION)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def profile(settings: Settings, user_id, collection, as_json) -> None:
    """A customer's profile: RFM, price band, top terms, recent items."""
    p = _recommender(settings, collection or settings.collection).profile(user_id)
    _emit({**p.to_json(), "summary": p.describe()}) if as_json else click.echo(p.describe())


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
        store, encoder, lexical = _services(settings, collection)
        with store:
            index_products(products, store, encoder, lexical, report, collection=collection,
                           state_dir=settings.state_dir, batch_size=settings.embed_batch_size)
            encoder.prepare_queries()
        click.echo(report.summary(max_issues=3))


def _demo_behaviour(settings: Settings) -> None:
    from retrieval.behaviour.service import behaviour_dir, train
    from retrieval.behaviour.loaders import load_online_retail_events
    from retrieval.search import HybridSearcher

    events = _events(settings)
    if events.count() == 0:
        loaded, countries, report = load_online_retail_events(_bundled(settings)[0][2])
        events.append(loaded)
        events.set_countries(countries)
        click.echo(report.summary(max_issues=0))
    if (behaviour_dir(settings, "online-retail") / "behaviour.json").is_file():
        click.echo("online-retail: behaviour models already trained")
        return
    click.echo("training behaviour models (first run only)...")
    store, encoder, lexical = _services(settings, "online-retail")
    with store:
        train(settings, store, events, "online-retail",
              searcher=HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k))


@cli.command()
@click.option("--reindex", is_flag=True, help="Index the bundled catalogues even if already indexed.")
@click.option("--no-serve", is_flag=True, help="Stop after the samples instead of opening the chat UI.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.pass_obj
def demo(settings: Settings, reindex, no_serve, port) -> None:
    """Index the bundled demo stores, load their behaviour, train (once), show samples, and
    serve the chat widget (Online Retail) at http://127.0.0.1:PORT/."""
    from retrieval.search import HybridSearcher
    from retrieval.stores import SearchFilter

    _demo_index(settings, reindex)
    _demo_behaviour(settings)
    samples = [("online-retail", "gift for my mum", SearchFilter(max_price=5)),
               ("flipkart", "women's sandals", SearchFilter(max_price=500))]
    for collection, query, flt in samples:
        store, encoder, lexical = _services(settings, collection)
        with store:
            results = HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k).search(query, flt, 5)
        click.echo(f"\n[{collection}] {query!r} (max price {flt.max_price}):")
        for c in results:
            click.echo(f"  - {c.product.title} | {c.product.price} {c.product.currency} | {c.product.category_path or '-'}")
    click.echo("\n[online-retail] recommendations for customer 17850:")
    for r in _recommender(settings, "online-retail").recommend("17850", 5):
        click.echo(f"  - {r.title} | {r.price} GBP | {r.reason}")
    if not no_serve:
        from ui.server import serve

        click.echo(f"\nchat widget: http://127.0.0.1:{port}/?customer=17850   agent console: "
                   f"http://127.0.0.1:{port}/agent   (Ctrl-C to stop)")
        serve(settings, "127.0.0.1", port, "online-retail")


@cli.group("eval")
def eval_group() -> None:
    """Offline evaluations with reports and plots."""


@eval_group.command("behaviour")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for report.md, metrics.json and plots.")
@click.option("--queries", default=1000, show_default=True, help="Test purchases used for the personalised-search MRR.")
@click.pass_obj
def eval_behaviour(settings: Settings, out, queries) -> None:
    """Time-split evaluation of the behaviour models and reranker on Online Retail."""
    from eval.behaviour import run

    metrics = run(Path(out), settings.data_dir, queries)
    click.echo((Path(out) / "report.md").read_text())
    click.echo(json.dumps(metrics["ratios"], indent=2))


def main() -> None:
    from shopassist.privacy import redact_logs

    redact_logs()
    cli(prog_name="shopassist")


# Command groups that live in their own modules register themselves on ``cli``.
from shopassist import cli_ab, cli_chat, cli_eval, cli_finetune, cli_privacy  # noqa: E402,F401


if __name__ == "__main__":
    main()
