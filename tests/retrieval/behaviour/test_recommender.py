"""Behaviour models and reranker trained on a real slice of Online Retail (real embedder)."""

import time

import numpy as np
import pytest

from retrieval.adapters import load_online_retail
from retrieval.behaviour.events import Event, EventStore, events_to_frame
from retrieval.behaviour.loaders import load_online_retail_events
from retrieval.behaviour.recommender import Recommender
from retrieval.behaviour.training import ItemTable, TrainedBehaviour, train_behaviour
from tests.conftest import ONLINE_RETAIL

pytestmark = pytest.mark.slow
SMALL = {"sasrec": {"dim": 32, "layers": 1, "epochs": 2, "max_seconds": 20}}


@pytest.fixture(scope="module")
def world(tmp_path_factory, encoder):
    products, _ = load_online_retail(ONLINE_RETAIL)
    events, countries, _ = load_online_retail_events(ONLINE_RETAIL)
    users = sorted({e.user_id for e in events if e.user_id})[:250]
    keep = set(users)
    sliced = [e for e in events if e.user_id in keep]
    bought = {e.product_id for e in sliced}
    never = [p for p in products if p.id not in bought][:100]
    catalog = [p for p in products if p.id in bought] + never
    vectors = encoder.encode([p.embedding_text() for p in catalog])
    items = ItemTable([p.id for p in catalog], [p.title for p in catalog],
                      np.array([np.nan if p.price is None else p.price for p in catalog]), vectors)
    trained = train_behaviour(events_to_frame(sliced), items, options=SMALL, progress=False)
    folder = tmp_path_factory.mktemp("behaviour")
    trained.save(folder)
    store = EventStore(folder / "events.sqlite")
    store.append(sliced)
    store.set_countries({u: countries[u] for u in users if u in countries})
    return {"folder": folder, "store": store, "users": users, "never": never, "trained": trained, "encoder": encoder}


def _recommender(world):
    return Recommender(TrainedBehaviour.load(world["folder"]), world["store"])


def test_known_customer_gets_reasoned_recommendations(world):
    rec = _recommender(world)
    user = max(world["users"], key=world["store"].count)
    results = rec.recommend(user, 10)
    assert len(results) == 10 and len({r.id for r in results}) == 10
    assert all(r.reason for r in results)
    assert {"id", "title", "price", "score", "reason"} == set(results[0].to_json())
    bought = {e.product_id for e in world["store"].user_events(user)}
    assert any(r.id in bought for r in results)  # a repeat-purchase store: own favourites show
    profile = rec.profile(user)
    assert profile.items_bought > 0 and profile.top_terms and "orders" in profile.describe()


def test_brand_new_customer_gets_cold_start_results(world):
    results = _recommender(world).recommend("never-seen-customer", 10)
    assert len(results) == 10
    assert all(r.reason == "popular with customers right now" for r in results)
    popularity = world["trained"].models["popularity"].score([])
    top_popular = {world["trained"].items.ids[i] for i in np.argsort(-popularity)[:30]}
    assert sum(r.id in top_popular for r in results) >= 7


def test_new_product_gets_content_neighbours(world):
    rec = _recommender(world)
    product = world["never"][0]
    world["store"].append([Event(product.id, "view", None, timestamp=time.time(), session_id="visit-new-product")])
    results = rec.recommend(None, 10, session_id="visit-new-product")
    items = world["trained"].items
    index = {pid: i for i, pid in enumerate(items.ids)}
    target = items.embeddings[index[product.id]]
    shown = np.mean([items.embeddings[index[r.id]] @ target for r in results[:5]])
    popular = np.mean([items.embeddings[i] @ target for i in np.argsort(-world["trained"].models["popularity"].score([]))[:5]])
    assert shown > popular + 0.1, (product.title, [r.title for r in results[:5]])


def test_live_events_change_the_next_recommendations(world):
    rec = _recommender(world)
    user = world["users"][3]
    before = [r.id for r in rec.recommend(user, 10)]
    cart = [p for p in world["never"][20:23]]
    world["store"].append([Event(p.id, "add_to_cart", user, timestamp=time.time()) for p in cart for _ in range(3)])
    after = [r.id for r in rec.recommend(user, 10)]
    assert after != before


def test_save_load_round_trip_gives_the_same_ranking(world):
    user = world["users"][10]
    fresh = Recommender(world["trained"], world["store"]).recommend(user, 10)
    loaded = _recommender(world).recommend(user, 10)
    assert [r.id for r in fresh] == [r.id for r in loaded]
