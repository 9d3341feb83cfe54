"""The behaviour commands end to end on a real slice of Online Retail, through the CLI."""

import csv
import dataclasses
import json
import stat
from pathlib import Path

import pytest

from retrieval.adapters import load_online_retail
from retrieval.behaviour.loaders import load_online_retail_events
from tests.conftest import ONLINE_RETAIL, run_cli

pytestmark = pytest.mark.slow


MARK = "cust-zqx-"


def _models_hold_no_user_data(folder: Path) -> None:
    """Every file the training wrote (configs, weights, ranker) is free of customer ids: the
    models are per-product statistics and weights, so forgetting a customer needs no retraining."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert len(files) >= 5
    for path in files:
        assert MARK.encode() not in path.read_bytes(), path


def run(*args):
    return run_cli(*args).stdout


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_ingest_train_recommend(tmp_path, monkeypatch, engine, request):
    monkeypatch.setenv("SHOPASSIST_SASREC_MAX_SECONDS", "8")
    if engine == "postgresql":
        monkeypatch.setenv("SHOPASSIST_DATABASE_URL", request.getfixturevalue("postgres_url"))
    products, _ = load_online_retail(ONLINE_RETAIL)
    events, _, _ = load_online_retail_events(ONLINE_RETAIL)
    users = sorted({e.user_id for e in events if e.user_id})[:150]
    sliced = [e for e in events if e.user_id in set(users)]
    # distinctive ids, so the trained models can be searched for them byte by byte
    users = [f"{MARK}{u}" for u in users]
    sliced = [dataclasses.replace(e, user_id=f"{MARK}{e.user_id}") for e in sliced]
    wanted = {e.product_id for e in sliced}
    catalog, events_file = tmp_path / "catalog.csv", tmp_path / "events.csv"
    with catalog.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["sku", "name", "price"])
        writer.writerows([p.id, p.title, f"£{p.price}"] for p in products if p.id in wanted and p.price)
    with events_file.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer", "item", "kind", "qty", "when", "invoice"])
        writer.writerows([e.user_id, e.product_id, e.type, e.quantity, e.timestamp, e.session_id] for e in sliced)

    home = str(tmp_path / "h")
    run("--home", home, "index", "--catalog", str(catalog), "--collection", "shop")
    report = json.loads(run("--home", home, "events", "ingest", str(events_file), "--map", "user_id=customer",
                            "--map", "product_id=item", "--map", "type=kind", "--map", "quantity=qty",
                            "--map", "timestamp=when", "--map", "session_id=invoice", "--json"))
    assert report["events"] == len(sliced) and report["rejected_count"] == 0
    trained = json.loads(run("--home", home, "train-behaviour", "--collection", "shop", "--no-search-head", "--json"))
    assert set(trained["seconds"]) >= {"popularity", "itemknn", "markov", "sasrec", "ranker"}
    _models_hold_no_user_data(Path(trained["folder"]))

    known = json.loads(run("--home", home, "recommend", "--user", users[0], "--collection", "shop", "--json"))
    assert len(known["results"]) == 10
    assert all(set(r) == {"id", "title", "price", "score", "reason"} and r["reason"] for r in known["results"])
    cold = json.loads(run("--home", home, "recommend", "--user", "nobody", "--collection", "shop", "--json"))
    assert len(cold["results"]) == 10 and {r["reason"] for r in cold["results"]} == {"popular with customers right now"}

    ids = tmp_path / "ids.txt"
    ids.write_text(f"{users[1]}\nnobody\n\n{users[2]}\n")
    lines = [json.loads(line) for line in run("--home", home, "recommend", "--users", str(ids),
                                               "--collection", "shop").splitlines()]
    assert [line["user"] for line in lines] == [users[1], "nobody", users[2]]
    found = json.loads(run("--home", home, "search", "lantern", "--user", users[0], "--collection", "shop", "--json"))
    assert found["results"] and all(r["price"] is not None for r in found["results"])
    profile = json.loads(run("--home", home, "profile", "--user", users[0], "--collection", "shop", "--json"))
    assert profile["items_bought"] > 0 and profile["summary"]

    if engine == "postgresql":  # the events went to the server, not to a file beside the process
        assert not list(Path(home).glob("*.sqlite*"))
    else:
        _a_gift_with_nothing_said_gets_best_sellers(home, request.getfixturevalue("llm_dir"))
    _orders_are_read_owner_checked(home, sliced)
    _forget_makes_a_cold_start_customer(home, users[0], engine)


def _a_gift_with_nothing_said_gets_best_sellers(home, llm):
    said = json.loads(run("--home", home, "--llm", llm, "chat", "--collection", "shop", "--message",
                          "need a present for my dad, under £6", "--json"))
    assert (said["action"], said["rule"], said["parse"]["intent"]) == ("recommend", "gift_ideas", "gift_help"), said
    assert said["products"] and all(p["price"] <= 6 for p in said["products"])
    assert {p["reason"] for p in said["products"]} == {"popular with customers right now"}
    assert said["state"]["need"]["gift"] and said["state"]["need"]["for_whom"] == "dad"
    assert "What is he into?" in said["reply"]


def _stores(home):
    from assistant.service import open_stores
    from shopassist.settings import load_settings

    return open_stores(load_settings(overrides={"home": home}))


def _orders_are_read_owner_checked(home, events):
    from assistant.orders import OrderBook

    sessions, store = _stores(home)
    purchase = next(e for e in events if e.type == "purchase" and e.session_id)
    book = OrderBook(store, lambda ids: {})
    order = book.get(purchase.session_id, purchase.user_id)
    assert order is not None and order.user_id == purchase.user_id
    assert purchase.product_id in {line.product_id for line in order.lines}
    assert book.get(purchase.session_id, "someone-else") is None
    sessions.close()
    store.close()


def _forget_makes_a_cold_start_customer(home, user, engine):
    from retrieval.behaviour.events import Event

    sessions, events = _stores(home)
    chat = sessions.new(user)
    chat.add("customer", "sentinel-forget-me-7 please")
    chat.variant = "B"
    sessions.save(chat)
    sessions.close()
    before = events.count(user)
    product = events.user_events(user)[0].product_id
    # a click from the same chat before the customer signed in (no user id on the event)
    events.append([Event(product, "view", None, session_id=chat.id)])
    # someone else's order and a guest's purchase that share that session id: not theirs to forget
    events.append([Event(product, "purchase", "someone-else", session_id=chat.id),
                   Event(product, "purchase", None, session_id=chat.id)])
    events.close()
    report = json.loads(run("--home", home, "ab", "report", "--json"))
    assert {"variant": "B", "sessions": 1, "turns": 1} in [
        {k: v[k] for k in ("variant", "sessions", "turns")} for v in report["variants"]]

    done = json.loads(run("--home", home, "forget", "--user", user, "--json"))
    assert done == {"user": user, "sessions_deleted": 1, "events_deleted": before + 1}
    cold = json.loads(run("--home", home, "recommend", "--user", user, "--collection", "shop", "--json"))
    assert {r["reason"] for r in cold["results"]} == {"popular with customers right now"}
    profile = json.loads(run("--home", home, "profile", "--user", user, "--collection", "shop", "--json"))
    assert profile["items_bought"] == 0
    if engine == "sqlite":
        stored = b"".join(p.read_bytes() for p in Path(home).glob("sessions.sqlite*"))
        assert b"sentinel-forget-me-7" not in stored  # overwritten, not just unlinked
    sessions, kept = _stores(home)
    sessions.close()
    assert [(e.user_id, e.type) for e in kept.session_events(chat.id)] == [("someone-else", "purchase"),
                                                                          (None, "purchase")]
    kept.close()
    for path in Path(home).glob("*.sqlite*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    again = json.loads(run("--home", home, "forget", "--user", user, "--json"))
    assert again["events_deleted"] == 0 and again["sessions_deleted"] == 0
