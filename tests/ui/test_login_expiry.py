"""Agent logins expire: Gradio's real login route with our expiring token store."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ui.server import ExpiringTokens, _expire_logins


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_tokens_expire_after_ttl():
    clock = Clock()
    tokens = ExpiringTokens(60, clock)
    tokens["t"] = "agent"
    assert tokens.get("t") == "agent" and "t" in tokens
    clock.now += 61
    assert tokens.get("t") is None and "t" not in tokens and len(tokens) == 0


def test_a_login_stops_working_after_the_session_length():
    app = gr.mount_gradio_app(FastAPI(), gr.Blocks(), path="/agent", auth=("agent", "pw-123"))
    _expire_logins(app, "/agent", 60)
    clock = Clock()
    gradio_app = next(r.app for r in app.routes if getattr(r, "path", None) == "/agent")
    gradio_app.tokens.clock = clock
    with TestClient(app) as client:
        assert client.get("/agent/config").status_code == 401
        assert client.post("/agent/login", data={"username": "agent", "password": "wrong"}).status_code == 400
        assert client.post("/agent/login", data={"username": "agent", "password": "pw-123"}).status_code == 200
        assert client.get("/agent/config").status_code == 200
        clock.now += 3600
        assert client.get("/agent/config").status_code == 401
