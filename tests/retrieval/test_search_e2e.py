"""End to end: real catalogues, the real embedder, both real Qdrant engines."""

import pytest

from retrieval.catalog import load_catalog
from retrieval.indexer import index_products
from retrieval.search import HybridSearcher, open_searcher
from retrieval.stores.base import SearchFilter
from retrieval.stores.client import ClientStore, connect
from retrieval.stores.edge import EdgeStore
from tests.conftest import FLIPKART, ONLINE_RETAIL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def flipkart_slice():
    products, report = load_catalog(FLIPKART, "flipkart")
    assert report.rejected == [] and len(products) == 1002
    footwear = [p for p in products if p.category[:1] == ("footwear",)][:60]
    others = [p for p in products if p.category[:1] != ("footwear",)][:140]
    return footwear + others


@pytest.fixture(params=["edge", "qdrant-client"])
def searcher(request, tmp_path, flipkart_slice, encoder, lexical):
    store = (EdgeStore(tmp_path / "edge" / "fk") if request.param == "edge"
             else ClientStore(connect(path=str(tmp_path / "client")), "fk"))
    products, report = flipkart_slice, load_catalog(FLIPKART, "flipkart")[1]
    index_products(products, store, encoder, lexical, report, collection="fk",
                   state_dir=tmp_path / "state", progress=False)
    assert report.indexed == len(products) and store.count() == len(products)
    yield HybridSearcher(store, encoder, lexical)
    store.close()


def test_filtered_search_stays_inside_the_filter(searcher):
    results = searcher.search("women's sandals", SearchFilter(max_price=500), top_k=10)
    assert results, "expected sandals under 500"
    assert all(c.product.price is not None and c.product.price <= 500 for c in results)
    assert results[0].product.category[0] == "footwear"
    assert sum(c.product.category[:1] == ("footwear",) for c in results[:5]) >= 4

    for flt, check in [
        (SearchFilter(min_price=1000), lambda p: p.price >= 1000),
        (SearchFilter(category="footwear"), lambda p: "footwear" in p.category),
        (SearchFilter(category="womens footwear", max_price=700),
         lambda p: "womens footwear" in p.category and p.price <= 700),
    ]:
        found = searcher.search("comfortable shoes", flt, top_k=20)
        assert found and all(check(c.product) for c in found)


def test_obvious_query_finds_its_product(searcher, flipkart_slice):
    for product in flipkart_slice[::25]:
        results = searcher.search(product.title, top_k=5)
        assert product.id in [c.product.id for c in results], product.title


def test_brand_filter_and_scores_by_source(searcher, flipkart_slice):
    brand = next(p.brand for p in flipkart_slice if p.brand and p.category[0] == "footwear")
    results = searcher.search("shoes", SearchFilter(brand=brand.upper()), top_k=5)
    assert results and all(c.product.brand.lower() == brand.lower() for c in results)
    assert "fused" in results[0].scores and "dense" in results[0].scores


def test_reindex_is_idempotent_and_removes_gone_products(tmp_path, flipkart_slice, encoder, lexical):
    store = EdgeStore(tmp_path / "fk")
    state = tmp_path / "state"
    report = load_catalog(FLIPKART, "flipkart")[1]
    index_products(flipkart_slice[:50], store, encoder, lexical, report, collection="fk", state_dir=state, progress=False)
    again = load_catalog(FLIPKART, "flipkart")[1]
    index_products(flipkart_slice[:40], store, encoder, lexical, again, collection="fk", state_dir=state, progress=False)
    assert (again.indexed, again.unchanged, again.removed) == (0, 40, 10)
    assert store.count() == 40
    store.close()


def test_online_retail_slice(tmp_path, encoder, lexical):
    products, report = load_catalog(ONLINE_RETAIL, "online-retail")
    assert report.products == len(products) > 3500
    assert any("POST" in r.reason for r in report.rejected)
    sample = sorted(products, key=lambda p: p.id)[:300]
    sample += [p for p in products if p.id == "85123A"]
    store = EdgeStore(tmp_path / "or")
    index_products(sample, store, encoder, lexical, report, collection="or", state_dir=tmp_path / "s", progress=False)
    searcher = HybridSearcher(store, encoder, lexical)
    top = searcher.search("white hanging heart t-light holder", top_k=3)
    assert top[0].product.id == "85123A" and top[0].product.currency == "GBP"
    assert report.derived_kinds > 250 and top[0].product.attributes["kind"] in {"t-light", "holder"}
    kind = top[0].product.attributes["kind"]  # the derived layer is a payload filter like any attribute
    same = searcher.search("something for the table", SearchFilter(attributes={"kind": kind}), top_k=10)
    assert same and all(c.product.attributes["kind"] == kind for c in same)
    cheap = searcher.search("christmas decoration", SearchFilter(max_price=1.0), top_k=10)
    assert cheap and all(c.product.price <= 1.0 for c in cheap)
    # the catalogue's words were recorded at indexing: a misspelt query finds what the right spelling finds
    spelled = open_searcher(store, encoder, lexical, tmp_path / "s", "or")
    assert spelled.speller is not None
    assert spelled.speller.correct("whte hangng heart t-light holdr") == "white hanging heart t-light holder"
    right = [c.product.id for c in spelled.search("white hanging heart t-light holder", top_k=3)]
    fixed = [c.product.id for c in spelled.search("whte hangng heart t-light holdr", top_k=3)]
    # fused ranks can tie exactly, so only the top hit's place is fixed
    assert fixed[0] == right[0] == "85123A" and set(fixed) == set(right)
    unspelled = open_searcher(store, encoder, lexical, tmp_path / "s", "or", spelling=False)
    assert unspelled.speller is None
    store.close()


def test_onnx_query_path_matches_torch(tmp_path):
    import numpy as np

    from retrieval.encoder import SentenceEncoder

    fast = SentenceEncoder("default", cache_dir=tmp_path / "onnx")
    queries = ["women's sandals", "gift for my mum under £20", "WHITE HANGING HEART T-LIGHT HOLDER",
               "ß ü 日本語 🎁", "word " * 200]
    reference = fast.encode(queries)
    for query, ref in zip(queries, reference):
        assert float(np.dot(fast.encode_query(query), ref)) > 0.999, query
    assert len(list((tmp_path / "onnx").glob("*.onnx"))) == 1
    fresh = SentenceEncoder("default", cache_dir=tmp_path / "onnx")
    fresh.encode_query("cached export loads without torch model")
    assert fresh._model is None  # the cached graph needs no torch model


class _Interrupting:
    """The real encoder, interrupted (like Ctrl-C) after ``calls`` batches."""

    def __init__(self, inner, calls):
        self.inner, self.calls, self.name = inner, calls, inner.name

    @property
    def dim(self):
        return self.inner.dim

    def encode(self, texts, batch_size=64, show_progress=False):
        if self.calls == 0:
            raise KeyboardInterrupt
        self.calls -= 1
        return self.inner.encode(texts, batch_size)


def test_interrupted_index_run_completes_when_rerun(tmp_path, flipkart_slice, encoder, lexical, monkeypatch):
    import retrieval.indexer as indexer

    monkeypatch.setattr(indexer, "CHUNK", 40)
    store, state = EdgeStore(tmp_path / "fk"), tmp_path / "state"
    products = flipkart_slice[:100]
    with pytest.raises(KeyboardInterrupt):
        index_products(products, store, _Interrupting(encoder, 1), lexical, load_catalog(FLIPKART, "flipkart")[1],
                       collection="fk", state_dir=state, progress=False)
    assert store.count() == 40 and indexer.read_meta(state, "fk")["complete"] is False
    report = load_catalog(FLIPKART, "flipkart")[1]
    index_products(products, store, encoder, lexical, report, collection="fk", state_dir=state, progress=False)
    assert (report.indexed, report.unchanged, store.count()) == (60, 40, 100)
    assert indexer.read_meta(state, "fk")["complete"] is True
    store.close()
