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
@click.option("--collection", help="Collection to write (default: the `collection` setting).")
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
@click.option("--collection", help="Collection to search (default: the `collection` setting).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def search(settings: Settings, query, min_price, max_price, category, brand, attrs, in_stock,
           top_k, collection, as_json) -> None:
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
    with store:
        searcher = HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k)
        searcher.search("warm up", flt, 1)  # loading the model and store is not search time
        started = time.perf_counter()
        results = searcher.search(query, flt, top_k)
        took_ms = (time.perf_counter() - started) * 1000
    if as_json:
        _emit({"results": [c.to_json() for c in results], "took_ms": round(took_ms, 2)})
        return
    if not results:
        click.echo("no products match")
    for rank, c in enumerate(results, 1):
        p = c.product
        price = "no price" if p.price is None else f"{p.price:,.2f} {p.currency or ''}".strip()
        click.echo(f"{rank:>2}. {p.title} | {price} | {p.category_path or '-'} | {p.brand or '-'} | score {c.score:.4f}")
    click.echo(f"({took_ms:.1f} ms)")


def _bundled(settings: Settings) -> list[tuple[str, str, Path]]:
    data = settings.data_dir
    return [("online-retail", "online-retail", data / "online_retail" / "online_retail.csv.gz"),
            ("flipkart", "flipkart", data / "flipkart" / "products.csv")]


@cli.command()
@click.option("--reindex", is_flag=True, help="Index the bundled catalogues even if already indexed.")
@click.pass_obj
def demo(settings: Settings, reindex) -> None:
    """Index the bundled demo stores (once) and run sample searches."""
    from retrieval.catalog import load_catalog
    from retrieval.indexer import index_products, read_meta
    from retrieval.search import HybridSearcher
    from retrieval.stores import SearchFilter

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
    samples = [("online-retail", "gift for my mum", SearchFilter(max_price=5)),
               ("flipkart", "women's sandals", SearchFilter(max_price=500))]
    for collection, query, flt in samples:
        store, encoder, lexical = _services(settings, collection)
        with store:
            results = HybridSearcher(store, encoder, lexical, settings.prefetch, settings.rrf_k).search(query, flt, 5)
        click.echo(f"\n[{collection}] {query!r} (max price {flt.max_price}):")
        for c in results:
            click.echo(f"  - {c.product.title} | {c.product.price} {c.product.currency} | {c.product.category_path or '-'}")


def main() -> None:
    cli(prog_name="shopassist")


if __name__ == "__main__":
    main()
