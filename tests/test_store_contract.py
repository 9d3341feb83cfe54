"""The contract of the event store and the session store, run on both engines: SQLite (the
default) and a real PostgreSQL started for the test session. Two handles on one database
stand for two app replicas."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.parse.schema import Slots
from assistant.state import Need
from assistant.session import MIGRATIONS as SESSION_MIGRATIONS
from assistant.session import SessionStore
from retrieval.behaviour.events import MIGRATIONS as EVENT_MIGRATIONS
from retrieval.behaviour.events import Event, EventStore
from shopassist.database import DatabaseError, Migration, open_database


def _events(store: EventStore) -> None:
    store.append([Event("A", "view", "u1", timestamp=1.0, session_id="s1"),
                  Event("B", "add_to_cart", "u1", 2, 3.5, 2.0, "s1"),
                  Event("C", "purchase", "u2", 1, 9.99, 3.0, "536365"),
                  Event("D", "purchase", "u2", 3, None, 3.5, "536365"),
                  Event("E", "view", None, timestamp=4.0, session_id="chat-u1")])


def test_events_read_back_in_order_with_filters(connect):
    store = EventStore(connect())
    _events(store)
    assert [e.product_id for e in store.user_events("u1")] == ["A", "B"]
    assert [e.product_id for e in store.user_events("u1", ["add_to_cart"])] == ["B"]
    assert store.user_item_history("u2", ["purchase"]) == [("C", 3.0, 1.0), ("D", 3.5, 3.0)]
    assert [e.product_id for e in store.session_events("s1")] == ["A", "B"]
    assert store.count() == 5 and store.count("u1") == 2 and store.has_user("u2") and not store.has_user("u9")
    assert store.orders() == [("536365", "u2")]
    assert store.counts_by_session(["s1", "536365", "none"]) == {"s1": {"view": 1, "add_to_cart": 1},
                                                                 "536365": {"purchase": 2}}
    assert [e.product_id for e in store.iter_events(batch=2)] == ["A", "B", "C", "D", "E"]
    first = store.user_events("u1")[1]
    assert (first.quantity, first.price, first.timestamp, first.session_id) == (2.0, 3.5, 2.0, "s1")


def test_event_frame_has_the_same_columns_and_types(connect):
    store = EventStore(connect())
    _events(store)
    frame = store.frame()
    assert list(frame.columns) == ["user_id", "product_id", "type", "quantity", "price", "ts", "session_id"]
    assert [str(frame[c].dtype) for c in ("quantity", "price", "ts")] == ["float64"] * 3
    assert frame["price"].isna().sum() == 3 and frame["ts"].tolist() == [1.0, 2.0, 3.0, 3.5, 4.0]


def test_countries_are_upserted(connect):
    store = EventStore(connect())
    store.set_countries({"u1": "France", "u2": "EIRE"})
    store.set_countries({"u1": "United Kingdom"})
    assert (store.country("u1"), store.country("u2"), store.country("u3")) == ("United Kingdom", "EIRE", None)


def test_forget_deletes_only_the_user_and_their_own_chats_clicks(connect):
    store = EventStore(connect())
    _events(store)
    store.set_countries({"u1": "France", "u2": "EIRE"})
    # u1 names u2's invoice as one of "their" sessions: nobody else's rows may go.
    removed = store.delete_user("u1", ["chat-u1", "536365"])
    assert removed == 3
    assert store.count("u1") == 0 and store.count("u2") == 2 and store.count() == 2
    assert store.country("u1") is None and store.country("u2") == "EIRE"


def test_a_second_replica_sees_committed_events_at_once(connect):
    writer, reader = EventStore(connect()), EventStore(connect())
    writer.append([Event("A", "add_to_cart", "u1", timestamp=time.time())])
    assert reader.count("u1") == 1


DATA_KEY = bytes(range(32))


def _sessions(db, **kwargs) -> SessionStore:
    """A session store as replicas open it: every one with the shop's data key."""
    return SessionStore(db, data_key=DATA_KEY, **kwargs)


def _session(store: SessionStore, user: str | None = "17850", text: str = "hello"):
    session = store.new(user)
    session.add("customer", text)
    store.save(session)
    return session


def test_sessions_round_trip_and_any_replica_continues_them(connect):
    one, two = _sessions(connect()), _sessions(connect())
    session = _session(one, text="a lunch bag please")
    continued = two.get(session.id)
    assert continued.user_id == "17850" and continued.messages[0].text == "a lunch bag please"
    continued.add("assistant", "Here are lunch bags.")
    continued.state.shown = ["P1", "P2"]
    two.save(continued)
    again = one.get(session.id)
    assert [m.text for m in again.messages] == ["a lunch bag please", "Here are lunch bags."]
    assert again.state.shown == ["P1", "P2"] and one.ids_of("17850") == [session.id]


def test_sessions_expire_are_capped_and_stored_redacted(connect):
    store = _sessions(connect(), ttl_s=60, max_messages=10)
    old = _session(store)
    old.updated = time.time() - 120
    store.save(old)
    assert store.get(old.id) is None and store.peek(old.id) is not None
    long = store.new()
    for i in range(25):
        long.add("customer", f"message {i}")
    long.state.need = Need(query="mail bob@example.com")
    store.save(long)
    kept = store.get(long.id)
    assert [m.seq for m in kept.messages] == list(range(15, 25)) and "bob@" not in kept.state.need.query


def test_queue_reports_and_forget_on_sessions(connect):
    store = _sessions(connect())
    quiet, asked = _session(store, "u1"), _session(store, "u2")
    asked.handoff, asked.variant = True, "B"
    asked.add("agent", "Hi, Sam here", suggestion_kind="answer", edited=True)
    store.save(asked)
    quiet.updated = time.time() + 5
    store.save(quiet)
    assert [s.id for s in store.queue()] == [asked.id, quiet.id]
    assert [m.text for m in store.all_messages("agent")] == ["Hi, Sam here"]
    assert store.by_variant() == {"none": [(quiet.id, 1, "widget")], "B": [(asked.id, 1, "widget")]}
    assert store.delete_user("u1") == 1 and store.get(quiet.id) is None and store.get(asked.id) is not None


def test_a_conversation_is_held_by_one_replica_at_a_time(connect):
    db = connect()
    # SQLite is the one-process engine: its lock spans that process's threads.
    one, two = _sessions(db), _sessions(connect() if db.engine == "postgresql" else db)
    order = []
    entered = threading.Event()

    def first():
        with one.hold("s1"):
            entered.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(5)
    with two.hold("s2"):
        order.append("other session")  # another conversation is not held up
    with two.hold("s1"):
        order.append("second")
    thread.join()
    assert order == ["other session", "first done", "second"]


def test_migrations_are_versioned_and_rerun_safely(connect):
    db = connect()
    EventStore(db)
    _sessions(db)
    assert db.version("events") == 1 and db.version("sessions") == len(SESSION_MIGRATIONS)
    EventStore(connect())  # a second start applies nothing twice
    extra = Migration(2, sqlite="ALTER TABLE users ADD COLUMN segment TEXT",
                      postgresql="ALTER TABLE users ADD COLUMN segment TEXT")
    assert db.migrate("events", [*EVENT_MIGRATIONS, extra]) == 2
    assert db.migrate("events", [*EVENT_MIGRATIONS, extra]) == 2
    db.query("SELECT segment FROM users")
    with pytest.raises(DatabaseError, match="newer than this shopassist"):
        EventStore(connect())  # code that only knows version 1 refuses a version-2 schema
    assert _sessions(connect()).db.version("sessions") == len(SESSION_MIGRATIONS)


def test_migrations_racing_at_start_apply_once(connect):
    errors = []

    def start():
        try:
            EventStore(connect())
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and connect().version("events") == 1


def test_one_chat_sessions_events_and_transcript_can_be_deleted(connect):
    events, sessions = EventStore(connect()), _sessions(connect())
    chat = sessions.new("17850")
    sessions.save(chat)
    events.append([Event("P1", "add_to_cart", "17850", 1.0, 2.5, time.time(), chat.id),
                   Event("P2", "purchase", "17850", 3.0, 1.0, time.time(), "536365")])
    assert events.delete_session_events(chat.id) == 1 and events.delete_session_events("536365") == 0
    assert [e.product_id for e in events.user_events("17850")] == ["P2"]
    assert sessions.delete(chat.id) == 1 and sessions.peek(chat.id) is None


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_forget_waits_for_a_turn_in_flight_so_its_transcript_does_not_come_back(engine, tmp_path, request):
    from assistant.service import forget_user, open_stores
    from shopassist.settings import load_settings

    url = request.getfixturevalue("postgres_url") if engine == "postgresql" else None
    settings = load_settings(environ={}, overrides={"home": str(tmp_path), "database_url": url})
    sessions, events = open_stores(settings)
    chat = _session(sessions, "u9", "my secret phrase")
    in_flight, forgot = threading.Event(), []

    def turn():  # a turn that loaded the conversation and saves it back a moment later
        with sessions.hold(chat.id):
            loaded = sessions.get(chat.id)
            in_flight.set()
            time.sleep(0.4)
            if loaded is not None:
                loaded.add("customer", "one more thing")
                sessions.save(loaded)

    worker = threading.Thread(target=turn)
    worker.start()
    in_flight.wait(5)
    forgot.append(forget_user(settings, "u9"))
    worker.join()
    try:
        assert forgot[0].sessions == 1
        assert sessions.get(chat.id) is None and sessions.ids_of("u9") == []
    finally:
        sessions.close()
        events.close()


def test_a_flood_of_guests_asking_for_a_person_cannot_push_a_customers_hand_off_out_of_view(connect):
    store = _sessions(connect())
    customer = _session(store, "17850", "my parcel is lost")
    customer.handoff = True
    store.save(customer)
    for _ in range(60):  # made-up guests, each asking for a person after the customer did
        guest = _session(store, None, "talk to a person")
        guest.handoff = True
        store.save(guest)
    assert store.queue(50)[0].id == customer.id


def _files_holding(folder, needle: bytes) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        try:
            if path.is_file() and needle in path.read_bytes():
                found.append(str(path))
        except OSError:  # a file the server removed while we walked (a recycled log segment)
            continue
    return found


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_forgotten_customers_words_are_in_no_file_and_their_sealed_copies_cannot_be_opened(engine, tmp_path,
                                                                                             request):
    """The transcript is only ever written sealed under the customer's key; forget deletes the
    key, so a copy left in free pages, the write-ahead log or a backup opens no more."""
    import uuid

    from assistant.service import forget_user, open_stores
    from shopassist.settings import load_settings

    server = request.getfixturevalue("postgres_server") if engine == "postgresql" else None
    url = request.getfixturevalue("postgres_url") if server else None
    settings = load_settings(environ={}, overrides={"home": str(tmp_path / "home"), "database_url": url})
    phrase = f"marmalade zeppelin {uuid.uuid4().hex[:10]}"
    sessions, events = open_stores(settings)
    chat = _session(sessions, "u7", f"please post it to {phrase}")
    chat.state.need = Need(kind="lunch bag", query=f"lunch bag {phrase}")
    sessions.save(chat)
    guest = _session(sessions, None, f"guest says {phrase}")
    sealed = sessions.db.query("SELECT data FROM sessions WHERE id = ?", (chat.id,))[0][0]
    assert phrase in sessions.get(chat.id).messages[0].text  # readable while the customer is known
    sessions.close()
    events.close()

    forget_user(settings, "u7")
    if server is not None:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    folders = [tmp_path / "home"] + ([server.folder] if server else [])
    assert [f for folder in folders for f in _files_holding(folder, phrase.encode())] == []

    sessions, events = open_stores(settings)
    try:
        assert sessions.db.query("SELECT count(*) FROM data_keys WHERE owner = 'user:u7'")[0][0] == 0
        with pytest.raises(LookupError):  # the row's ciphertext, as a disk copy would hold it
            sessions._loaded(chat.id, "u7", sealed, None)
        assert phrase in sessions.get(guest.id).messages[0].text  # another owner's key is untouched
    finally:
        sessions.close()
        events.close()


def test_conversations_stored_before_sealing_are_sealed_when_the_store_opens(connect):
    db = connect()
    store = _sessions(db)
    chat = _session(store, "u5", "an old plain transcript")
    with db.transaction() as tx:  # as a store from before sealing wrote it
        tx.execute("UPDATE sessions SET data = ? WHERE id = ?", (chat.model_dump_json(), chat.id))
        tx.execute("DELETE FROM schema_versions WHERE store = 'sessions.sealed'")
    reopened = _sessions(connect())
    assert reopened.get(chat.id).messages[0].text == "an old plain transcript"
    assert db.query("SELECT data FROM sessions WHERE id = ?", (chat.id,))[0][0].startswith("sealed:")
    # Done once: a later start does not scan the table again (a plain row planted now stays).
    with db.transaction() as tx:
        tx.execute("UPDATE sessions SET data = ? WHERE id = ?", (chat.model_dump_json(), chat.id))
    _sessions(connect())
    assert not db.query("SELECT data FROM sessions WHERE id = ?", (chat.id,))[0][0].startswith("sealed:")


def test_a_session_whose_customer_was_forgotten_mid_save_is_gone_not_broken(connect):
    store = _sessions(connect())
    chat = _session(store, "u6", "hello")
    with store.db.transaction() as tx:  # the forget's key deletion, committed before the session's row went
        tx.execute("DELETE FROM data_keys WHERE owner = 'user:u6'")
    assert store.get(chat.id) is None and store.queue(10) == []
