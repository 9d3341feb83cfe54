"""``/healthz`` answers at once from a check kept fresh by its own thread."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shopassist.database import DatabaseError
from ui.health import HealthCheck
from ui.server import add_replica_routes


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_the_last_check_decides_and_a_check_too_old_is_unhealthy():
    clock, down = Clock(), []

    def ping(timeout_s):
        if down:
            raise DatabaseError("PostgreSQL did not answer")

    health = HealthCheck(ping, stale_s=5.0, clock=clock)
    assert health.status() == (False, "not checked yet")
    health.check()
    assert health.status() == (True, None)
    clock.now += 6  # the checker has not run for longer than stale_s
    assert health.status() == (False, "stale")
    health.check()
    down.append(1)
    health.check()
    assert health.status() == (False, "DatabaseError")
    down.clear()
    health.check()
    assert health.status() == (True, None)


def test_healthz_answers_at_once_while_the_database_hangs_and_reports_it():
    hanging, pings = threading.Event(), []

    def ping(timeout_s):
        pings.append(timeout_s)
        if hanging.is_set():
            time.sleep(timeout_s)
            raise DatabaseError("the health check is still waiting for PostgreSQL")

    app = FastAPI()
    add_replica_routes(app, SimpleNamespace(sessions=SimpleNamespace(db=SimpleNamespace(ping=ping))))
    with TestClient(app) as client:
        ok = client.get("/healthz")
        assert ok.status_code == 200 and ok.json()["ok"] is True and ok.headers["x-shopassist-replica"]
        hanging.set()
        deadline = time.monotonic() + 5
        while (answer := client.get("/healthz")).status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        answer = client.get("/healthz")
        assert time.monotonic() - started < 0.2  # not the 0.5 s the hanging ping takes
        assert answer.status_code == 503 and answer.json()["error"] == "DatabaseError"
    assert len(pings) >= 2 and all(t == 0.5 for t in pings)


def test_the_checker_stops_with_the_app():
    app = FastAPI()
    add_replica_routes(app, SimpleNamespace(sessions=SimpleNamespace(db=SimpleNamespace(ping=lambda t: None))))
    with TestClient(app):
        assert any(t.name == "healthz" for t in threading.enumerate())
    time.sleep(0.1)
    assert not any(t.name == "healthz" and t.is_alive() for t in threading.enumerate())
