"""The console's guards on Gradio's real login routes (no models needed): login throttling,
logout after a login expired, origin checks; signed customer links with an expiry; rate limits."""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ui.guard import ConsoleGuard, RateLimiter
from ui.identity import Identity, sign, valid_customer_id, verify
from ui.server import _expire_logins

SECRET = "x" * 40


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _console(clock: Clock, attempts: int = 3):
    app = gr.mount_gradio_app(FastAPI(), gr.Blocks(), path="/agent", auth=("agent", "pw-123456789"))
    _expire_logins(app, "/agent", 60)
    next(r.app for r in app.routes if getattr(r, "path", None) == "/agent").tokens.clock = clock
    app.add_middleware(ConsoleGuard, prefix="/agent", login_attempts=attempts, clock=clock)
    return app


def _login(client, password: str):
    return client.post("/agent/login", data={"username": "agent", "password": password})


def test_failed_logins_are_throttled_per_address():
    clock = Clock()
    with TestClient(_console(clock)) as client:
        assert [_login(client, "wrong").status_code for _ in range(3)] == [400, 400, 400]
        assert _login(client, "pw-123456789").status_code == 429  # even the right password, for a while
        clock.now += 301
        assert _login(client, "pw-123456789").status_code == 200


def test_logout_works_after_the_login_expired_and_ends_the_token():
    clock = Clock()
    with TestClient(_console(clock)) as client:
        assert _login(client, "pw-123456789").status_code == 200
        assert client.get("/agent/config").status_code == 200
        clock.now += 3600
        out = client.get("/agent/logout", follow_redirects=False)
        assert out.status_code in (302, 307)
        assert client.get("/agent/config").status_code == 401
    with TestClient(_console(clock)) as client:
        assert _login(client, "pw-123456789").status_code == 200
        assert client.get("/agent/logout", follow_redirects=False).status_code in (302, 307)
        assert client.get("/agent/config").status_code == 401


def test_cross_origin_calls_are_refused_unless_allowed():
    app = _console(Clock())
    with TestClient(app, base_url="http://shop.test") as client:
        assert client.get("/agent/config", headers={"Origin": "http://evil.test"}).status_code == 403
        assert client.get("/agent/config", headers={"Origin": "null"}).status_code == 403
        assert client.get("/agent/config", headers={"Origin": "http://shop.test"}).status_code == 401  # ours: needs login
    allowed = gr.mount_gradio_app(FastAPI(), gr.Blocks(), path="/agent", auth=("agent", "pw-123456789"))
    allowed.add_middleware(ConsoleGuard, prefix="/agent", allowed_origins=["https://admin.shop.test"])
    with TestClient(allowed, base_url="http://shop.test") as client:
        assert client.get("/agent/config", headers={"Origin": "https://admin.shop.test"}).status_code == 401


def test_signed_links_expire():
    token = sign("17850", SECRET, ttl_s=60, now=1000)
    assert verify(token, SECRET, now=1030) == "17850"
    assert verify(token, SECRET, now=1061) is None
    forged = token.replace(".1060.", ".99999999999.")  # a later expiry with the old signature
    assert verify(forged, SECRET, now=1030) is None
    assert Identity(SECRET).customer(sign("17850", SECRET)) == "17850"
    assert Identity(SECRET).customer("17850") is None


def test_customer_ids_are_validated():
    assert valid_customer_id("17850") and valid_customer_id("josé-müller") and valid_customer_id("客户42")
    for bad in ("", "a b", "x" * 65, "<script>", "[a](b)", "a\x00b", "a\nb"):
        assert not valid_customer_id(bad), bad
    assert Identity().customer("  17850 ") == "17850" and Identity().customer("<b>x</b>") is None


def test_rate_limiter_window():
    clock = Clock()
    limiter = RateLimiter(2, 60, clock)
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a") and limiter.allow("b")
    clock.now += 61
    assert limiter.allow("a")
    assert RateLimiter(0).allow("anything")


class Engine:
    """Stands in for the assistant to count the turns that reach it."""

    def __init__(self):
        self.turns = 0

    def stream_turn(self, session, user, message, source="widget"):
        self.turns += 1
        yield "ok"


def test_the_widget_limits_turns_per_customer_and_per_address():
    import pytest

    from shopassist.errors import ShopAssistError
    from ui.widget import WidgetBackend

    engine = Engine()
    backend = WidgetBackend(engine, Identity(), (RateLimiter(2), RateLimiter(3)))
    list(backend.stream(None, "17850", "hi", "10.0.0.1"))
    list(backend.stream(None, "17850", "hi", "10.0.0.1"))
    with pytest.raises(ShopAssistError, match="quickly"):
        list(backend.stream(None, "17850", "hi", "10.0.0.2"))  # same customer, another address
    list(backend.stream(None, "13047", "hi", "10.0.0.1"))
    with pytest.raises(ShopAssistError, match="quickly"):
        list(backend.stream(None, "13047", "hi", "10.0.0.1"))  # the address's third turn went through; not a fourth
    assert engine.turns == 3


def test_failed_logins_are_counted_across_replicas_in_the_shared_database(tmp_path):
    from assistant.session import SessionStore
    from shopassist.database import open_database
    from ui.guard import SharedFailures

    clock = Clock()
    store = SessionStore(open_database(tmp_path, "sessions"))

    def replica():
        app = gr.mount_gradio_app(FastAPI(), gr.Blocks(), path="/agent", auth=("agent", "pw-123456789"))
        app.add_middleware(ConsoleGuard, prefix="/agent", failures=SharedFailures(store, 3, 300, clock))
        return app

    with TestClient(replica()) as one, TestClient(replica()) as two:
        assert [_login(c, "wrong").status_code for c in (one, two, one)] == [400, 400, 400]
        assert _login(two, "pw-123456789").status_code == 429  # the other replica knows
        clock.now += 301
        assert _login(two, "pw-123456789").status_code == 200
    store.close()


def test_console_cookies_are_secure_behind_tls():
    clock = Clock()
    with TestClient(_console(clock), base_url="https://shop.example") as client:
        answer = _login(client, "pw-123456789")
        assert answer.status_code == 200
        assert all("secure" in c.lower() and "samesite=strict" in c.lower()
                   for c in answer.headers.get_list("set-cookie"))


def test_a_guest_is_limited_by_address_whatever_session_id_they_send():
    import pytest

    from shopassist.errors import ShopAssistError
    from ui.widget import WidgetBackend

    engine = Engine()
    backend = WidgetBackend(engine, Identity(), (RateLimiter(2), RateLimiter(100)))
    for made_up in ("a" * 32, "b" * 32):
        list(backend.stream(made_up, None, "hi", "10.0.0.9"))
    with pytest.raises(ShopAssistError, match="quickly"):
        list(backend.stream("c" * 32, None, "hi", "10.0.0.9"))  # a fresh made-up id buys no fresh budget
