"""``POST /api/turn``'s answers for good, refused and failing turns (a stand-in engine)."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shopassist.database import DatabaseError
from shopassist.errors import CustomerError
from ui.guard import Admission, Busy
from ui.server import add_turn_route
from ui.widget import FRIENDLY, TOO_FAST

PLANTED = "postgresql://shop:hunter2-planted@db.internal.example:5432/shop"


class Backend:
    workers = 2

    def __init__(self):
        self.calls = []

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


def test_past_capacity_turns_wait_in_a_bounded_queue_then_get_a_quick_refusal():
    async def scenario():
        admission = Admission(capacity=1, queue=1, wait_s=0.2)
        release = asyncio.Event()

        async def running():
            async with admission.slot():
                await release.wait()

        first = asyncio.create_task(running())
        await asyncio.sleep(0.01)
        waiting = asyncio.create_task(running())  # waits its turn...
        await asyncio.sleep(0.01)
        with pytest.raises(Busy):  # ...and the queue is full: refused at once, not after the wait
            async with admission.slot():
                pass
        with pytest.raises(Busy):  # the one waiting gives up after wait_s
            await waiting
        release.set()
        await first
        async with admission.slot():  # capacity is back
            pass
    asyncio.run(scenario())


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
