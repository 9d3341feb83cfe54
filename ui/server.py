"""Both apps on one port: the customer widget at ``/``, the agent console at ``/agent``
(behind a login, same-origin only). One engine serves both; turns run side by side
(``serve_workers``), their parses batched, and per-session locks keep a conversation's writes
in order."""

from __future__ import annotations

import contextlib
import secrets
import sys
import threading
import time

from shopassist.errors import ConfigError
from shopassist.settings import Settings, secret
from ui.guard import plain_response


MIN_AGENT_PASSWORD = 12


def check_production(settings: Settings) -> None:
    """Production mode serves real customers: their identity must be verified (signed links)
    and the console must have a chosen password."""
    if not settings.production:
        return
    if not settings.customer_secret:
        raise ConfigError("production mode needs customer_secret (env SHOPASSIST_CUSTOMER_SECRET, at least 32 "
                          "characters): without it any visitor could claim any customer id")
    if settings.database_url and not settings.data_key:
        raise ConfigError("production mode on a shared database needs data_key (env SHOPASSIST_DATA_KEY, at least "
                          "32 characters), the same on every replica: it opens the sealed transcripts")
    if not settings.agent_password or len(secret(settings.agent_password)) < MIN_AGENT_PASSWORD:
        raise ConfigError(f"production mode needs an agent password of at least {MIN_AGENT_PASSWORD} characters: "
                          "set SHOPASSIST_AGENT_PASSWORD (and SHOPASSIST_AGENT_USER)")


def agent_credentials(settings: Settings) -> tuple[str, str]:
    """From settings; outside production mode a missing password is made up for this run and
    written to a file only its owner can read (never to the console or a log)."""
    if settings.agent_password:
        return settings.agent_user, secret(settings.agent_password)
    if settings.production:
        raise ConfigError("production mode needs agent credentials: set SHOPASSIST_AGENT_PASSWORD "
                          "(and SHOPASSIST_AGENT_USER)")
    return settings.agent_user, _made_up_password(settings, "agent", "agent console")


def owner_credentials(settings: Settings) -> tuple[str, str] | None:
    """The insights page's login, like the agent's; None in production mode without a chosen
    password (the page is then not served)."""
    if settings.owner_password:
        return settings.owner_user, secret(settings.owner_password)
    if settings.production:
        print("insights page off: production mode needs SHOPASSIST_OWNER_PASSWORD for it", file=sys.stderr)
        return None
    return settings.owner_user, _made_up_password(settings, "owner", "insights page")


def _made_up_password(settings: Settings, who: str, what: str) -> str:
    password = secrets.token_urlsafe(12)
    user = getattr(settings, f"{who}_user")
    path = settings.home / f"{who}-login.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(f"{user}\n{password}\n")
    print(f"{what} login for this run: user {user!r}, password in {path} "
          f"(set SHOPASSIST_{who.upper()}_PASSWORD to choose one)", file=sys.stderr)
    return password


class ExpiringTokens(dict):
    """Gradio keeps login tokens in a plain dict for the life of the process; this one
    forgets a token ``ttl`` seconds after it was issued, so an agent's login expires."""

    def __init__(self, ttl: float, clock=time.monotonic):
        super().__init__()
        self.ttl, self.clock, self.issued = ttl, clock, {}

    def __setitem__(self, token, user):
        self.issued[token] = self.clock()
        super().__setitem__(token, user)

    def _live(self, token) -> bool:
        if super().__contains__(token) and self.clock() - self.issued.get(token, 0.0) > self.ttl:
            super().__delitem__(token)
            self.issued.pop(token, None)
        return super().__contains__(token)

    def __contains__(self, token) -> bool:
        return self._live(token)

    def get(self, token, default=None):
        return super().get(token, default) if self._live(token) else default

    def __getitem__(self, token):
        if not self._live(token):
            raise KeyError(token)
        return super().__getitem__(token)

    def __delitem__(self, token):
        # Logging out a token that has just expired must not fail.
        self.issued.pop(token, None)
        if super().__contains__(token):
            super().__delitem__(token)

    def _purge(self) -> None:
        for token in list(super().keys()):
            self._live(token)

    def keys(self):
        self._purge()
        return super().keys()

    def items(self):
        self._purge()
        return super().items()

    def __iter__(self):
        self._purge()
        return super().__iter__()

    def __len__(self):
        self._purge()
        return super().__len__()


def _expire_logins(app, path: str, ttl: float) -> None:
    for route in app.routes:
        if getattr(route, "path", None) == path and hasattr(getattr(route, "app", None), "tokens"):
            route.app.tokens = ExpiringTokens(ttl)
            return
    raise RuntimeError(f"no Gradio app mounted at {path}")


def add_turn_route(app, widget, admission=None) -> None:
    """``POST /api/turn`` with ``{"message", "session_id", "customer_id"}``: one turn as plain
    JSON, the same checks as the widget's API (ids verified, rate limits, message length) without
    Gradio's queue and event stream, for shop pages, apps and load balancers."""
    import json

    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool

    from shopassist.errors import CustomerError
    from ui.guard import Admission, Busy, StillAnswering, unhurried
    from ui.widget import BUSY, STILL_ANSWERING, TOO_FAST, for_customer

    admission = admission or Admission(widget.workers, wait_s=QUEUE_WAIT_S)
    async def turn(request) -> JSONResponse:
        raw = await bounded_body(request, MAX_BODY)
        if raw is None:  # a message is at most 500 characters
            return JSONResponse({"error": "The request is too large."}, status_code=413)
        try:
            body = json.loads(raw)
        except ValueError:
            return JSONResponse({"error": "The body is not JSON."}, status_code=422)
        fields = [body.get(k) for k in ("message", "session_id", "customer_id")] if isinstance(body, dict) else []
        if not fields or not all(v is None or isinstance(v, str) for v in fields):
            return JSONResponse({"error": "Send a JSON object with a text message (and optional session_id, "
                                          "customer_id)."}, status_code=422 if not isinstance(body, dict) else 400)
        message, session, customer = (v or "" for v in fields)
        address = request.client.host if request.client else None
        started = time.monotonic()
        try:  # the turn runs in a worker thread: the server's event loop keeps serving others
            async with admission.slot(*widget.admission_ticket(session, customer)):
                return JSONResponse(await run_in_threadpool(widget.turn, session, customer, message, address))
        except Busy as exc:
            await unhurried(started, REFUSAL_PAUSE_S)
            if isinstance(exc, StillAnswering):
                return JSONResponse({"error": STILL_ANSWERING}, status_code=429, headers={"Retry-After": "1"})
            return JSONResponse({"error": BUSY}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})
        except CustomerError as exc:
            return JSONResponse({"error": str(exc)}, status_code=429 if str(exc) == TOO_FAST else 400)
        except Exception as exc:  # noqa: BLE001 (a plain sentence out; the details stay in the log)
            return JSONResponse({"error": for_customer(exc)}, status_code=500)

    app.add_route("/api/turn", turn, methods=["POST"], include_in_schema=False)


QUEUE_WAIT_S = 8.0  # a waiting turn gives up after this (a customer would rather retry than hang)
RETRY_AFTER_S = 3
REFUSAL_PAUSE_S = 1.0  # the least time before a refused turn is answered
HEALTH_TIMEOUT_S = 0.5  # the database check behind /healthz gives up after this (ui.health)
MAX_BODY = 16_384  # bytes of a turn's JSON body: a message is at most 500 characters


def declared_too_large(declared: str | bytes | None, limit: int) -> bool:
    """Whether a Content-Length header (absent: unknown) is past ``limit``, or not a number."""
    return declared is not None and (not declared.isdigit() or int(declared) > limit)


async def bounded_body(request, limit: int) -> bytes | None:
    """The request body, or None past ``limit`` bytes: refused by its Content-Length before a
    byte is read, and counted while streaming (a chunked body declares no length)."""
    if declared_too_large(request.headers.get("content-length"), limit):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


MAX_REQUEST = 1_048_576  # bytes of any request body: Gradio's own calls are small JSON


KEEP_ALIVE_S = 75  # idle keep-alive, above HAProxy's (60 s) and browsers' usual reuse window


class _RequestLimits:
    """Plain ASGI: file uploads are off (neither app takes a file, and Gradio keeps what it is
    sent), and no request body larger than ``MAX_REQUEST`` is read, by its declared length or,
    for a chunked one, by counting while it streams in."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"].rstrip("/").endswith("/upload") and "gradio_api" in scope["path"]:
            return await plain_response(send, 403, b"File uploads are turned off.")
        if declared_too_large(dict(scope.get("headers") or []).get(b"content-length"), MAX_REQUEST):
            return await plain_response(send, 413, b"The request is too large.")
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_REQUEST:
                raise _TooLarge()
            return message

        started = False

        async def sending(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _TooLarge:
            if not started:  # an app that answered before reading it all has had its say
                await plain_response(send, 413, b"The request is too large.")


class _TooLarge(Exception):
    pass


class _ReplicaHeader:
    """Plain ASGI (not BaseHTTPMiddleware) so Gradio's event streams pass through untouched."""

    def __init__(self, app, name: str):
        self.app, self.header = app, (b"x-shopassist-replica", name.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, send_with_header)


def add_replica_routes(app, assistant) -> None:
    """What a load balancer needs: ``GET /healthz`` (200 while this process can reach its
    database, 503 when not) and an ``X-Shopassist-Replica`` header with an opaque id of the
    process that answered, so operators and tests can see where a request went."""
    import logging
    import os
    import socket

    from fastapi.responses import JSONResponse

    from ui.health import HealthCheck

    # An opaque id, random at start (a hash of host and pid could be reversed by trying them):
    # the header reaches customers' browsers. The log says which process is which.
    real = f"{socket.gethostname()}-{os.getpid()}"
    name = secrets.token_hex(6)
    logging.getLogger(__name__).info("replica %s is %s", name, real)

    app.add_middleware(_ReplicaHeader, name=name)
    health = HealthCheck(assistant.sessions.db.ping, timeout_s=HEALTH_TIMEOUT_S).start()
    app.router.on_shutdown.append(health.stop)

    async def healthz(request) -> JSONResponse:  # answered on the event loop, from the last check
        ok, error = health.status()
        if not ok:
            return JSONResponse({"ok": False, "replica": name, "error": error}, status_code=503)
        return JSONResponse({"ok": True, "replica": name})

    app.add_route("/healthz", healthz, methods=["GET"], include_in_schema=False)


def build_app(settings: Settings, collection: str | None = None):
    """The FastAPI app with both Gradio apps mounted; returns ``(app, assistant)``."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse

    from assistant.service import open_assistant
    from ui.agent import ConsoleBackend, build_console
    from ui.cards import CSS
    from ui.embed import add_loader_route
    from ui.guard import Admission, ConsoleGuard, RateLimiter, SharedFailures
    from ui.identity import Identity
    from ui.widget import WidgetBackend, build_widget

    check_production(settings)
    credentials = agent_credentials(settings)
    assistant = open_assistant(settings, collection)
    # One server-wide lock only on the one-at-a-time path: otherwise turns run side by side (the
    # parser batches them; sessions are locked one by one in the engine).
    lock = threading.Lock() if settings.serve_workers == 1 else contextlib.nullcontext()
    limits = (RateLimiter(settings.turns_per_minute_customer), RateLimiter(settings.turns_per_minute_address))
    widget = WidgetBackend(assistant, Identity(secret(settings.customer_secret)), limits)
    console = ConsoleBackend(assistant)
    widget.lock = console.lock = lock
    widget.workers = settings.serve_workers
    app = FastAPI()
    owner = owner_credentials(settings)
    for prefix in ("/agent", "/insights") if owner else ("/agent",):
        app.add_middleware(ConsoleGuard, prefix=prefix, allowed_origins=settings.allowed_origins,
                           login_attempts=settings.login_attempts,
                           failures=SharedFailures(assistant.sessions, settings.login_attempts))

    # one admission for every way a turn comes in: the JSON route and agents' ask_shop_assistant
    admission = Admission(widget.workers, wait_s=QUEUE_WAIT_S)
    add_turn_route(app, widget, admission)
    if settings.mcp:
        _add_mcp(app, settings, widget, admission)
    add_replica_routes(app, assistant)
    app.add_middleware(_RequestLimits)  # outermost: refused before any other work

    @app.get("/agent", include_in_schema=False)
    def agent_root():  # the address people type: Gradio only answers under "/agent/"
        return RedirectResponse("/agent/", status_code=307)

    # The console first: a Gradio app mounted at "/" would otherwise swallow "/agent".
    # System fonts: the default theme fetches its font from the internet, which an offline shop lacks.
    theme = gr.themes.Default(font=["ui-sans-serif", "system-ui", "Helvetica", "Arial", "sans-serif"])
    console_app = build_console(console).queue(max_size=settings.queue_max_size)
    app = gr.mount_gradio_app(app, console_app, path="/agent", auth=credentials,
                              auth_message="Agent console: sign in", theme=theme)
    _expire_logins(app, "/agent", settings.agent_session_minutes * 60)
    if owner:
        app = _mount_insights(app, settings, assistant, theme, owner)
    add_loader_route(app)
    widget_app = build_widget(widget).queue(max_size=settings.queue_max_size)
    app = gr.mount_gradio_app(app, widget_app, path="", css=CSS, theme=theme)
    return app, assistant


def _add_mcp(app, settings: Settings, widget, admission) -> None:
    """The MCP server for customers' AI agents at ``/mcp`` (``ui.mcp``)."""
    from assistant.policies import StorePolicies
    from assistant.tools import ShopTools
    from ui.guard import RateLimiter
    from ui.mcp import McpBackend, add_mcp_route

    tools = ShopTools(widget.assistant, StorePolicies.from_settings(settings))
    add_mcp_route(app, McpBackend(tools, widget, admission, RateLimiter(settings.mcp_calls_per_minute),
                                  REFUSAL_PAUSE_S, settings.serve_workers))


def _mount_insights(app, settings: Settings, assistant, theme, credentials: tuple[str, str]):
    """The owner's insights page at ``/insights``, behind its own login and, like the console,
    the guard ``build_app`` puts in front of it (origin check, strict cookies, failed logins
    counted in the database)."""
    import gradio as gr
    from fastapi.responses import RedirectResponse

    from assistant.service import insights_over
    from ui.insights import InsightsBackend, build_insights

    @app.get("/insights", include_in_schema=False)
    def insights_root():
        return RedirectResponse("/insights/", status_code=307)

    source = insights_over(assistant.sessions, assistant.events, assistant.shopper.searcher, settings.insights_k)
    page = build_insights(InsightsBackend(source)).queue(max_size=16)
    app = gr.mount_gradio_app(app, page, path="/insights", auth=credentials, auth_message="Shop insights: sign in",
                              theme=theme)
    _expire_logins(app, "/insights", settings.agent_session_minutes * 60)
    return app


def _warm_up(url: str, deadline_s: float = 120.0) -> None:
    """One harmless API call through Gradio's queue once the server answers: its first request
    pays a one-off set-up (about 1.5 s here) that should not fall on the first customer."""
    import urllib.request

    from gradio_client import Client

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url + "config", timeout=2)
            Client(url, verbose=False).predict("", "", api_name="/updates")
            return
        except Exception:  # noqa: BLE001 (not up yet; or warm-up failed, which only costs time)
            time.sleep(0.5)


def serve(settings: Settings, host: str, port: int, collection: str | None = None) -> None:
    import uvicorn

    app, assistant = build_app(settings, collection)
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    threading.Thread(target=_warm_up, args=(f"http://{local}:{port}/",), daemon=True).start()
    try:
        # Behind a load balancer, the client address (rate limits) comes from X-Forwarded-For,
        # trusted only from the addresses in `trusted_proxies`.
        # An idle connection is kept longer than browsers and balancers keep theirs: when the
        # server closed first, a turn sent on the closing connection was reset (a POST is not
        # re-sent), the errors the load benchmark saw at think times near 5 s.
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True,
                    forwarded_allow_ips=",".join(settings.trusted_proxies) or "127.0.0.1",
                    timeout_keep_alive=KEEP_ALIVE_S)
    finally:
        assistant.close()
