"""The session store on its own: ids, expiry, transcript cap, what is stored, file mode."""

from __future__ import annotations

import stat
import time

from assistant.parse.schema import Slots
from assistant.state import Need
from assistant.session import SessionStore, issued_session_id, valid_session_id


def test_issued_ids_are_unguessable_and_made_up_ones_are_told_apart(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    ids = {store.new().id for _ in range(1000)}
    assert len(ids) == 1000 and all(issued_session_id(i) and len(i) == 48 and store.signed(i) for i in ids)
    assert not issued_session_id("536365") and not issued_session_id("my-chat")
    assert issued_session_id("ab" * 16)  # an id issued before ids carried a tag still counts as unguessable
    for bad in ("", "a" * 65, "../x", "a b", "x;DROP", "é"):
        assert not valid_session_id(bad) and store.get(bad) is None
    store.close()


def test_only_a_store_holding_the_data_key_signs_an_id(tmp_path):
    """A made-up id, an old untagged one, or one tagged under another key is not "in progress":
    the server can tell them apart from its own ids without reading the database."""
    store = SessionStore(tmp_path / "s.sqlite", data_key=b"k" * 32)
    twin = SessionStore(tmp_path / "t.sqlite", data_key=b"k" * 32)  # another replica, same key
    other = SessionStore(tmp_path / "o.sqlite", data_key=b"x" * 32)
    issued = store.new().id
    assert store.signed(issued) and twin.signed(issued) and not other.signed(issued)
    forged = issued[:32] + ("0" if issued[32] != "0" else "1") + issued[33:]
    for not_ours in (forged, issued[:32], "f" * 48, "", None, issued.upper(), issued + "0"):
        assert not store.signed(not_ours)
    for s in (store, twin, other):
        s.close()


def test_idle_sessions_expire_but_stay_readable_for_the_console(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite", ttl_s=60)
    session = store.new("17850")
    session.add("customer", "hello")
    session.updated = time.time() - 120
    store.save(session)
    assert store.get(session.id) is None
    assert store.peek(session.id).messages[0].text == "hello"
    store.close()


def test_the_transcript_is_capped_and_sequence_numbers_survive(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite", max_messages=10)
    session = store.new()
    for i in range(25):
        session.add("customer", f"message {i}")
    store.save(session)
    kept = store.get(session.id).messages
    assert [m.seq for m in kept] == list(range(15, 25)) and kept[-1].text == "message 24"
    store.close()


def test_the_stored_need_is_redacted_and_the_file_is_private(tmp_path):
    path = tmp_path / "s.sqlite"
    store = SessionStore(path)
    session = store.new()
    session.state.need = Need(query="call me on +44 20 7946 0958 or bob@example.com", for_whom="Bob Smith",
                              unwanted=["my card 4111 1111 1111 1111"])
    store.save(session)
    stored = store.get(session.id).state.need
    assert "7946" not in stored.query and "bob@" not in stored.query
    assert not any("4111" in w for w in stored.unwanted)
    assert session.state.need.query.startswith("call me on +44")  # the live turn keeps what it needs
    store.close()
    for file in tmp_path.glob("s.sqlite*"):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
