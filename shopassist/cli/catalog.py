"""``shopassist index`` and ``shopassist search``: load a catalogue into a collection, search it."""

from __future__ import annotations

import sys
import time

import click

from shopassist.cli.common import reranker_for, services
from shopassist.cli.main import COLLECTION, emit
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings


@click.command()
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
    store, encoder, lexical = services(settings, name)
    with store:
        index_products(products, store, encoder, lexical, report, collection=name,
                       state_dir=settings.state_dir, batch_size=settings.embed_batch_size,
                       recreate=recreate, progress=sys.stderr.isatty() or not as_json, kinds=settings.derive_kinds)
        encoder.prepare_queries()  # export the fast query path now, not on the first search
    if as_json:
        emit(report.to_json())
    else:
        click.echo(report.summary())


@click.command()
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
    from retrieval.search import open_searcher
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
    store, encoder, lexical = services(settings, name)
    flt = SearchFilter(min_price=min_price, max_price=max_price, category=category, brand=brand,
                       attributes=attributes, in_stock_only=in_stock)
    reranker = reranker_for(settings, name) if user_id else None
    with store:
        searcher = open_searcher(store, encoder, lexical, settings.state_dir, name, settings.prefetch,
                                 settings.rrf_k, settings.spelling)
        searcher.search("warm up", flt, 1)  # loading the model and store is not search time
        started = time.perf_counter()
        if reranker is None:
            results = searcher.search(query, flt, top_k)
        else:
            results = reranker.rerank(user_id, searcher.search(query, flt, max(top_k, settings.prefetch)))[:top_k]
        took_ms = (time.perf_counter() - started) * 1000
    if as_json:
        rows = [{**c.to_json(), **({"reason": c.reason} if c.reason else {})} for c in results]
        emit({"results": rows, "took_ms": round(took_ms, 2)})
        return
    if not results:
        click.echo("no products match")
    for rank, c in enumerate(results, 1):
        p = c.product
        price = "no price" if p.price is None else f"{p.price:,.2f} {p.currency or ''}".strip()
        click.echo(f"{rank:>2}. {p.title} | {price} | {p.category_path or '-'} | {p.brand or '-'} | score {c.score:.4f}")
    click.echo(f"({took_ms:.1f} ms)")


COMMANDS = (index, search)  # added to the `shopassist` group by shopassist/cli/__init__.py
