"""``POST /api/turn``'s answers for good, refused and failing turns (a stand-in engine)."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shopassist.database import DatabaseError
from shopassist.errors import CustomerError
from ui.guard import Admission, Busy, Lane, StillAnswering, lanes_for
from ui.server import add_turn_route
from ui.widget import BUSY, FRIENDLY, STILL_ANSWERING, TOO_FAST

PLANTED = "postgresql://shop:hunter2-planted@db.internal.example:5432/shop"


class Backend:
    workers = 2

    def __init__(self):
        self.calls = []

    def admission_ticket(self, session, customer):  # ids starting "s" stand for ones issued here
        if not session:
            return "new", None
        return ("in_progress" if session.startswith("s") else "unknown"), (session, customer)

    def turn(self, session, customer, message, address=None):
        self.calls.append((session, customer, message))
        if message == "fast":
            raise CustomerError(TOO_FAST)
        if message == "crash":
            raise RuntimeError("secret internals")
        if message == "database":
            raise DatabaseError(f"cannot connect to PostgreSQL at {PLANTED}: connection refused for user shop")
        return {"reply": f"echo {message}", "session": session or "new"}


def test_turn_route_answers_json_and_plain_errors():
    app, backend = FastAPI(), Backend()
    add_turn_route(app, backend)
    with TestClient(app) as client:
        ok = client.post("/api/turn", json={"message": "mugs", "session_id": "s1", "customer_id": None})
        assert ok.status_code == 200 and ok.json() == {"reply": "echo mugs", "session": "s1"}
        assert backend.calls[-1] == ("s1", "", "mugs")
        assert client.post("/api/turn", json={"message": "fast"}).status_code == 429
        crashed = client.post("/api/turn", json={"message": "crash"})
        assert crashed.status_code == 500 and crashed.json()["error"].startswith(FRIENDLY)
        assert "secret" not in crashed.text
        assert client.post("/api/turn", json={"message": ["x"]}).status_code == 400
        assert client.post("/api/turn", json=["mugs"]).status_code == 422
        assert client.post("/api/turn", json={"message": "x" * 20_000}).status_code == 413


def test_a_database_error_reaches_the_customer_as_an_apology_and_the_log_under_its_reference(caplog):
    app = FastAPI()
    add_turn_route(app, Backend())
    with caplog.at_level(logging.ERROR), TestClient(app) as client:
        answer = client.post("/api/turn", json={"message": "database"})
    assert answer.status_code == 500
    for secret in ("hunter2", "db.internal", "user shop", "postgresql://"):
        assert secret not in answer.text
    reference = re.search(r"reference ([0-9a-f]{8})", answer.json()["error"]).group(1)
    assert any(reference in r.getMessage() and "db.internal" in r.getMessage() for r in caplog.records)


def test_a_large_body_is_refused_by_its_declared_length_before_it_is_read():
    app, backend = FastAPI(), Backend()
    add_turn_route(app, backend)
    with TestClient(app) as client:
        # a declared length past the limit is refused whatever follows; a body with no
        # declared length is counted as it streams in
        lied = client.post("/api/turn", content=b'{"message": "hi"}', headers={"content-length": "40000000"})
        assert lied.status_code == 413

        def chunks():
            yield b'{"message": "'
            for _ in range(40):
                yield b"x" * 1024
            yield b'"}'
        assert client.post("/api/turn", content=chunks()).status_code == 413
    assert backend.calls == []


async def _held(admission: Admission, release: asyncio.Event, lane: str = "new", session=None) -> None:
    """A turn that holds its slot until ``release`` is set."""
    async with admission.slot(lane, session):
        await release.wait()


def test_past_capacity_turns_wait_in_a_bounded_queue_then_get_a_quick_refusal():
    async def scenario():
        admission = Admission(capacity=1, wait_s=0.2, lanes=(Lane("new", 1, 1),))
        release = asyncio.Event()

        first = asyncio.create_task(_held(admission, release))
        await asyncio.sleep(0.01)
        waiting = asyncio.create_task(_held(admission, release))  # waits its turn...
        await asyncio.sleep(0.01)
        with pytest.raises(Busy):  # ...and the queue is full: refused at once, not after the wait
            async with admission.slot("new"):
                pass
        with pytest.raises(Busy):  # the one waiting gives up after wait_s
            await waiting
        release.set()
        await first
        async with admission.slot("new"):  # capacity is back
            pass
    asyncio.run(scenario())


def test_each_lane_keeps_to_its_share_and_a_freed_slot_goes_to_the_first_lane_waiting():
    """A flood of turns naming made-up ids cannot take the slots new customers and the
    customers already talking need; a freed slot goes to a conversation under way first."""
    async def scenario():
        admission = Admission(capacity=3, wait_s=1.0, lanes=(
            Lane("in_progress", 3, 4), Lane("new", 2, 2), Lane("unknown", 1, 1)))
        release, order = asyncio.Event(), []

        async def turn(lane, name, session=None):
            async with admission.slot(lane, session):
                order.append(name)
                await release.wait()

        tasks = [asyncio.create_task(turn("unknown", "made-up-1"))]
        await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(turn("unknown", "made-up-2")))  # its lane is full: waits
        await asyncio.sleep(0.01)
        with pytest.raises(Busy):  # and its queue of one is full
            async with admission.slot("unknown"):
                pass
        tasks.append(asyncio.create_task(turn("new", "first-visit")))  # a new customer still gets in
        await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(turn("in_progress", "talking", "s-abc")))  # and the last slot
        await asyncio.sleep(0.01)
        assert order == ["made-up-1", "first-visit", "talking"] and admission.running == 3
        tasks.append(asyncio.create_task(turn("new", "second-visit")))
        tasks.append(asyncio.create_task(turn("in_progress", "late-talker", "s-def")))
        await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*tasks)
        assert order[3:] == ["late-talker", "second-visit", "made-up-2"]
    asyncio.run(scenario())


def test_a_conversation_has_one_turn_at_a_time():
    async def scenario():
        admission = Admission(capacity=1, wait_s=0.5)
        release = asyncio.Event()

        running = asyncio.create_task(_held(admission, release, "in_progress", "s-abc"))
        await asyncio.sleep(0.01)
        with pytest.raises(StillAnswering):  # the same conversation again, before its answer
            async with admission.slot("in_progress", "s-abc"):
                pass
        other = asyncio.create_task(_held(admission, release, "in_progress", "s-def"))  # waits its turn
        await asyncio.sleep(0.01)
        assert not other.done()
        release.set()
        await asyncio.gather(running, other)
        async with admission.slot("in_progress", "s-abc"):  # answered: its next turn is welcome
            pass
    asyncio.run(scenario())


def test_a_turn_that_gives_up_as_its_slot_is_handed_over_passes_the_slot_on():
    """Cancelled (a client gone, or a time-out on Python 3.12+) just after a freed slot was handed
    to it: the slot must not stay counted as running for good."""
    async def scenario():
        admission = Admission(capacity=1, wait_s=5.0, lanes=(Lane("new", 1, 2),))
        release = asyncio.Event()

        first = asyncio.create_task(_held(admission, release))
        await asyncio.sleep(0.01)
        waiting = asyncio.create_task(_held(admission, release))
        await asyncio.sleep(0.01)
        release.set()
        await first  # its release hands the slot to the waiting turn...
        waiting.cancel()  # ...which is cancelled before it wakes
        await asyncio.gather(waiting, return_exceptions=True)
        assert admission.running == 0
        async with admission.slot("new"):  # and the slot is free for the next
            pass
    asyncio.run(scenario())


def test_the_ticket_reads_the_id_tag_and_keeps_a_guest_from_blocking_a_customer(tmp_path):
    from types import SimpleNamespace

    from assistant.session import SessionStore
    from ui.identity import Identity
    from ui.widget import WidgetBackend

    store = SessionStore(tmp_path / "s.sqlite")
    widget = WidgetBackend(SimpleNamespace(sessions=store), Identity())
    issued = store.new("17850").id
    assert widget.admission_ticket(issued, "17850") == ("in_progress", (issued, "17850"))
    assert widget.admission_ticket(issued, None) == ("in_progress", (issued, None))  # not the customer's key
    assert widget.admission_ticket("f" * 48, None)[0] == "unknown"
    assert widget.admission_ticket("536365", None)[0] == "unknown"
    for no_id in ("", None, "é" * 48, "../x"):
        assert widget.admission_ticket(no_id, None) == ("new", None)
    store.close()


def test_an_id_of_any_characters_gets_a_json_answer():
    app, backend = FastAPI(), Backend()
    add_turn_route(app, backend)
    with TestClient(app) as client:
        for odd in ("é" * 48, "\u0000" * 10, "x" * 5000):
            answer = client.post("/api/turn", json={"message": "hi", "session_id": odd})
            assert answer.headers["content-type"].startswith("application/json")


def test_lanes_follow_the_capacity():
    lanes = {lane.name: lane for lane in lanes_for(16)}
    assert lanes["in_progress"] == Lane("in_progress", 16, 32)
    assert lanes["new"].run == 8 and lanes["unknown"].run == 2
    assert all(lane.run >= 1 and lane.queue >= 1 for lane in lanes_for(1))


def _held_backend(gate: threading.Event) -> Backend:
    backend = Backend()
    answer = backend.turn

    def turn(session, customer, message, address=None):
        if message == "slow":
            gate.wait(5)
        return answer(session, customer, message, address)
    backend.turn = turn
    return backend


def test_a_second_message_while_the_first_is_answered_gets_429_with_a_sentence():
    app, gate = FastAPI(), threading.Event()
    add_turn_route(app, _held_backend(gate))
    with TestClient(app) as client:
        first = threading.Thread(target=client.post, args=("/api/turn",),
                                 kwargs={"json": {"message": "slow", "session_id": "s-abc"}})
        first.start()
        time.sleep(0.3)
        again = client.post("/api/turn", json={"message": "hello?", "session_id": "s-abc"})
        other = client.post("/api/turn", json={"message": "hi", "session_id": "s-xyz"})
        gate.set()
        first.join()
    assert again.status_code == 429 and again.json()["error"] == STILL_ANSWERING
    assert other.status_code == 200


def test_a_refusal_is_a_503_with_a_sentence_and_never_instant():
    """Made-up ids (not issued here) share the smallest lane: with it full, the next is refused,
    after a pause, so a client retrying at once cannot make refusals a load of their own."""
    from ui.server import REFUSAL_PAUSE_S

    app, gate = FastAPI(), threading.Event()
    add_turn_route(app, _held_backend(gate))  # two workers: one slot for made-up ids, one waiting
    with TestClient(app) as client:
        held = [threading.Thread(target=client.post, args=("/api/turn",),
                                 kwargs={"json": {"message": "slow", "session_id": f"made-up-{i}"}}) for i in range(2)]
        for t in held:
            t.start()
            time.sleep(0.2)
        started = time.monotonic()
        refused = client.post("/api/turn", json={"message": "hi", "session_id": "made-up-3"})
        took = time.monotonic() - started
        welcome = client.post("/api/turn", json={"message": "hi", "session_id": ""})  # a new customer
        gate.set()
        for t in held:
            t.join()
    assert refused.status_code == 503 and refused.headers["retry-after"] and refused.json()["error"] == BUSY
    assert took >= REFUSAL_PAUSE_S * 0.9
    assert welcome.status_code == 200


def test_a_body_that_grows_too_large_after_the_answer_began_gets_no_second_answer():
    import asyncio

    from ui.server import MAX_REQUEST, _RequestLimits

    async def answers_first(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while (await receive()).get("more_body"):
            pass

    chunks = iter([{"type": "http.request", "body": b"x" * 65536, "more_body": True}] * (MAX_REQUEST // 65536 + 2))
    sent = []

    async def receive():
        return next(chunks)

    async def send(message):
        sent.append(message)

    asyncio.run(_RequestLimits(answers_first)({"type": "http", "path": "/api/turn", "headers": []}, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start"]
