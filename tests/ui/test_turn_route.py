"""``POST /api/turn``'s answers for good, refused and failing turns (a stand-in engine)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shopassist.errors import ShopAssistError
from ui.server import add_turn_route
from ui.widget import FRIENDLY, TOO_FAST


class Backend:
    def __init__(self):
        self.calls = []

    def turn(self, session, customer, message, address=None):
        self.calls.append((session, customer, message))
        if message == "fast":
            raise ShopAssistError(TOO_FAST)
        if message == "crash":
            raise RuntimeError("secret internals")
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
        assert crashed.status_code == 500 and crashed.json() == {"error": FRIENDLY}
        assert "secret" not in crashed.text
        assert client.post("/api/turn", json={"message": ["x"]}).status_code == 400
        assert client.post("/api/turn", json=["mugs"]).status_code == 422
        assert client.post("/api/turn", json={"message": "x" * 20_000}).status_code == 413
