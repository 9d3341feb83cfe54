"""The same contract for both engines (embedded Qdrant Edge and qdrant-client).

qdrant-client runs in its local mode (``QdrantClient(path=...)``): no Qdrant server can be
installed on the build machines, and local mode implements the same client API, so this
exercises exactly the code path used against a server or cluster.
"""

import numpy as np
import pytest

from retrieval.encoder import LexicalEncoder
from retrieval.product import Product
from retrieval.stores.base import PointData, SearchFilter
from retrieval.stores.client import ClientStore, connect
from retrieval.stores.edge import EdgeStore
from shopassist.errors import StoreBusyError, StoreError

DIM = 8
PRODUCTS = [
    Product(id="p1", title="red leather sandals", category=("footwear", "womens footwear", "sandals"),
            brand="Aw", price=450.0, currency="INR", in_stock=True, attributes={"color": "Red"}),
    Product(id="p2", title="blue running shoes", category=("footwear", "mens footwear", "sports shoes"),
            brand="Nike", price=2999.0, currency="INR", in_stock=True, attributes={"color": "Blue"}),
    Product(id="p3", title="white cotton shirt", category=("clothing", "mens clothing", "shirts"),
            brand="Nike", price=799.0, currency="INR", in_stock=False, attributes={"color": "White"}),
    Product(id="p4", title="red ceramic mug", category=("kitchen", "mugs"), price=None),
    Product(id="p5", title="garden hose reel", category=("garden",), brand="Hozelock",
            price=300.0, price_max=900.0, currency="INR"),
]


def _vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture(params=["edge", "qdrant-client"])
def store(request, tmp_path):
    if request.param == "edge":
        s = EdgeStore(tmp_path / "edge" / "c")
    else:
        s = ClientStore(connect(path=str(tmp_path / "client")), "c")
    yield s
    s.close()


def _fill(store, products=PRODUCTS):
    lex = LexicalEncoder()
    store.create(DIM)
    store.upsert([PointData(p, _vector(i), lex.encode_document(p.lexical_text())) for i, p in enumerate(products)])
    store.finish()


def _search(store, query_seed=0, text="red", flt=SearchFilter(), limit=10):
    hits = store.hybrid(_vector(query_seed), LexicalEncoder().encode_query(text), flt, limit, 50, 60)
    return [h.product_id for h in hits.fused], hits


def test_create_count_dim_retrieve(store):
    assert not store.exists() and store.dim() is None
    _fill(store)
    assert store.exists() and store.dim() == DIM and store.count() == 5
    assert [p.id for p in store.retrieve(["p3", "missing", "p1"])] == ["p3", "p1"]
    assert store.retrieve(["p5"])[0] == PRODUCTS[4]  # the product round-trips unchanged


def test_dense_query_ranks_its_own_vector_first(store):
    _fill(store)
    ids, hits = _search(store, query_seed=2, text="zzzz")
    assert hits.dense[0].product_id == "p3"


def test_lexical_hits_and_fusion(store):
    _fill(store)
    ids, hits = _search(store, query_seed=99, text="red")
    assert {h.product_id for h in hits.sparse} == {"p1", "p4"}
    assert set(ids) == {p.id for p in PRODUCTS}  # fusion of both lists


@pytest.mark.parametrize("flt, expected", [
    (SearchFilter(max_price=800), {"p1", "p3", "p5"}),
    (SearchFilter(min_price=500), {"p2", "p3"}),
    (SearchFilter(min_price=400, max_price=800), {"p1", "p3"}),
    (SearchFilter(category="footwear"), {"p1", "p2"}),
    (SearchFilter(category="Womens Footwear"), {"p1"}),
    (SearchFilter(category="footwear > sports shoes"), {"p2"}),
    (SearchFilter(brand="nike"), {"p2", "p3"}),
    (SearchFilter(attributes={"color": "red"}), {"p1"}),
    (SearchFilter(in_stock_only=True), {"p1", "p2"}),
    (SearchFilter(brand="nike", max_price=1000), {"p3"}),
    (SearchFilter(category="toys"), set()),
])
def test_filters(store, flt, expected):
    _fill(store)
    ids, hits = _search(store, flt=flt)
    assert set(ids) == expected
    assert {h.product_id for h in hits.dense} == expected


def test_upsert_is_idempotent_and_delete_removes(store):
    _fill(store)
    changed = PRODUCTS[0].model_copy(update={"price": 10.0})
    store.upsert([PointData(changed, _vector(0), LexicalEncoder().encode_document(changed.lexical_text()))])
    assert store.count() == 5
    assert store.retrieve(["p1"])[0].price == 10.0
    hashes = store.content_hashes()
    assert hashes["p1"] == changed.content_hash() and len(hashes) == 5
    store.delete(["p1", "p2"])
    assert store.count() == 3 and set(store.content_hashes()) == {"p3", "p4", "p5"}


def test_stopword_only_query_falls_back_to_dense(store):
    _fill(store)
    ids, hits = _search(store, text="the and of", limit=3)
    assert len(ids) == 3 and hits.sparse == []


def test_drop(store):
    _fill(store)
    store.drop()
    assert not store.exists()


def test_edge_store_is_owned_by_one_process(tmp_path):
    import subprocess
    import sys
    import textwrap

    folder = tmp_path / "edge" / "c"
    creator = EdgeStore(folder)
    _fill(creator)
    creator.close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from retrieval.stores.edge import EdgeStore
        s = EdgeStore({str(folder)!r}); s.count(); print("open", flush=True); time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreBusyError, match="in use by another shopassist process"):
            EdgeStore(folder).count()
    finally:
        holder.kill()
        holder.wait()
    assert EdgeStore(folder).count() == 5  # the lock died with its process


def test_missing_collection_says_how_to_fix(tmp_path):
    with pytest.raises(StoreError, match="run `shopassist index` first"):
        EdgeStore(tmp_path / "nothing").retrieve(["x"])


def test_export_returns_products_with_their_vectors(store):
    _fill(store)
    products, vectors = store.export()
    assert sorted(p.id for p in products) == sorted(p.id for p in PRODUCTS)
    by_id = {p.id: v for p, v in zip(products, vectors)}
    assert vectors.shape == (5, DIM)
    assert float(by_id["p3"] @ _vector(2)) > 0.999


def test_iter_products_yields_every_product_unchanged_across_batches(store):
    _fill(store)
    products = list(store.iter_products(batch=2))  # 5 products: three scroll pages
    assert sorted(products, key=lambda p: p.id) == sorted(PRODUCTS, key=lambda p: p.id)


def _scratch_folders(name):
    import tempfile
    from pathlib import Path
    return set(Path(tempfile.gettempdir()).glob(f"shopassist-{name}-*"))


def test_a_private_copy_serves_the_collection_refuses_writes_and_is_deleted_on_close(tmp_path):
    from retrieval.stores.edge import PrivateCopyStore
    original = EdgeStore(tmp_path / "pc1")
    _fill(original)
    original.close()
    before = _scratch_folders("pc1")
    copy = PrivateCopyStore(tmp_path / "pc1")
    assert copy.count() == 5 and len(_scratch_folders("pc1") - before) == 1
    with pytest.raises(StoreError, match="read-only"):
        copy.drop()
    copy.close()
    assert _scratch_folders("pc1") == before


def test_a_process_that_exits_without_closing_its_private_copy_leaves_no_copy(tmp_path):
    import subprocess
    import sys
    original = EdgeStore(tmp_path / "pc2")
    _fill(original)
    original.close()
    before = _scratch_folders("pc2")
    code = ("import sys; from retrieval.stores.edge import PrivateCopyStore; "
            "s = PrivateCopyStore(sys.argv[1]); print(s.count())")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "pc2")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "5", done.stderr
    assert _scratch_folders("pc2") == before
