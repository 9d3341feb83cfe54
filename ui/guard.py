"""Guards in front of the apps: turn rate limits, and the agent console's origin check,
cookie policy and login throttle.

The console authenticates by cookie, so any page an agent visits could otherwise call its API
with that cookie (cross-site request forgery): requests that carry another site's ``Origin``
(or ``Referer``) are refused, and the login cookie is re-issued ``SameSite=Strict``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import NamedTuple
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse


class RateLimiter:
    """At most ``limit`` events per key in any ``window_s`` seconds (0: unlimited)."""

    def __init__(self, limit: int, window_s: float = 60.0, clock=time.monotonic, max_keys: int = 100_000):
        self.limit, self.window_s, self.clock, self.max_keys = limit, window_s, clock, max_keys
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        if not self.limit:
            return True
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and now - times[0] >= self.window_s:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            if len(self._seen) > self.max_keys:  # forget idle keys rather than grow without bound
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.window_s}
            return True

    def blocked(self, key: str) -> bool:
        """Whether ``key`` is at its limit now, without counting an event."""
        now = self.clock()
        with self._lock:
            times = self._seen.get(key, ())
            return bool(self.limit) and sum(1 for t in times if now - t < self.window_s) >= self.limit

    def count(self, key: str) -> None:
        self.allow(key)


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


class ConsoleGuard:
    """ASGI middleware for the paths under ``prefix``.

    Args:
        allowed_origins: other origins that may call the console (``https://shop.example``).
        login_attempts: failed logins per client address allowed in ``login_window_s``.
    """

    def __init__(self, app, prefix: str = "/agent", allowed_origins: list[str] | tuple = (),
                 login_attempts: int = 5, login_window_s: float = 300.0, clock=time.monotonic,
                 failures=None):
        self.app, self.prefix = app, prefix.rstrip("/")
        self.allowed = {o.rstrip("/").lower() for o in allowed_origins}
        # failed logins: in this process, or (``failures``: a SharedFailures) in the database
        # every replica shares, so a password guesser gets no fresh budget per replica
        self.failures = failures or RateLimiter(login_attempts, login_window_s, clock)

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not (path == self.prefix or path.startswith(self.prefix + "/")):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not self._same_origin(headers, scope):
            await PlainTextResponse("cross-origin requests to the agent console are refused", 403)(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        login = scope["type"] == "http" and scope["method"] == "POST" and path.rstrip("/").endswith("/login")
        if login and await run_in_threadpool(self.failures.blocked, client):
            await PlainTextResponse("too many failed logins; wait a few minutes", 429)(scope, receive, send)
            return
        secure = scope.get("scheme") == "https" or headers.get("x-forwarded-proto", "").lower() == "https"

        async def guarded_send(message):
            if message["type"] == "http.response.start":
                if login and message["status"] >= 400:
                    await run_in_threadpool(self.failures.count, client)
                _strict_cookies(message, secure)
            await send(message)

        await self.app(scope, receive, guarded_send)

    def _same_origin(self, headers: Headers, scope) -> bool:
        claimed = headers.get("origin")
        if claimed is None and headers.get("referer"):
            claimed = _origin_of(headers["referer"]) or "null"
        if claimed is None:
            return True  # not a browser's cross-site request (programs, same-origin navigation)
        claimed = claimed.rstrip("/").lower()
        host = headers.get("host", "").lower()
        own = {f"http://{host}", f"https://{host}", f"ws://{host}", f"wss://{host}"}
        return claimed in own or claimed in self.allowed


def _strict_cookies(message, secure: bool = False) -> None:
    """Console cookies are ``SameSite=Strict``, and ``Secure`` when the browser came over TLS
    (directly, or through a balancer that says ``X-Forwarded-Proto: https``)."""
    headers = MutableHeaders(scope=message)
    cookies = headers.getlist("set-cookie")
    if not cookies:
        return
    del headers["set-cookie"]
    for cookie in cookies:
        parts = [p for p in cookie.split(";") if p.strip().lower().split("=")[0] not in ("samesite", "secure")]
        headers.append("set-cookie", ";".join(parts + [" SameSite=strict"] + ([" Secure"] if secure else [])))


class SharedFailures:
    """Failed logins per client address in the sessions database: every replica counts the
    same attempts. Same interface as ``RateLimiter`` (``blocked``, ``count``)."""

    def __init__(self, sessions, limit: int, window_s: float = 300.0, clock=time.time):
        self.sessions, self.limit, self.window_s, self.clock = sessions, limit, window_s, clock

    def blocked(self, key: str) -> bool:
        return self.sessions.login_failures(key, self.clock() - self.window_s) >= self.limit

    def count(self, key: str) -> None:
        now = self.clock()
        self.sessions.add_login_failure(key, now, now - self.window_s)


async def plain_response(send, status: int, body: bytes, headers: tuple = ()) -> None:
    """A plain-text answer sent straight from ASGI middleware, before any app has run."""
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


async def unhurried(started: float, pause_s: float) -> None:
    """Holds a refusal until ``pause_s`` after ``started`` (``time.monotonic()`` when the request
    came in): a client that retries at once cannot turn refusals into a load of their own, and
    waiting costs the server a timer, not a thread."""
    await asyncio.sleep(max(0.0, pause_s - (time.monotonic() - started)))


class Busy(Exception):
    """Past capacity: the caller answers 503 with Retry-After."""


class StillAnswering(Busy):
    """The conversation already has a turn running or waiting: the caller answers 429."""


class Lane(NamedTuple):
    """Turns of one kind: at most ``run`` of them at once, at most ``queue`` waiting."""

    name: str
    run: int
    queue: int


def lanes_for(capacity: int) -> tuple[Lane, ...]:
    """Conversations already under way first; then new ones (no id); last, turns naming an id this
    shop never issued (made up, or from before a change of ``data_key``): a flood of those cannot
    take the slots a new customer needs, nor those of the customers already talking."""
    return (Lane("in_progress", capacity, 2 * capacity),
            Lane("new", max(1, capacity // 2), max(1, capacity)),
            Lane("unknown", max(1, capacity // 8), max(1, capacity // 8)))


class Admission:
    """At most ``capacity`` turns run at once, each lane (``lanes_for``) within its own share;
    turns past that wait in the lane's bounded queue, each for at most ``wait_s``; any other is
    refused. Past capacity the service degrades to honest refusals instead of a pile of turns
    that all time out together. A freed slot goes to the first lane with a turn waiting that may
    run.

    A conversation has at most one turn running or waiting (its turns run one at a time anyway):
    a second one sent meanwhile is refused (``StillAnswering``), so one id cannot fill a queue.

    Example:
        >>> admission = Admission(capacity=16, wait_s=5)
        >>> async with admission.slot("in_progress", session_id):
        ...     ...  # run the turn
    """

    def __init__(self, capacity: int, wait_s: float, lanes: tuple[Lane, ...] | None = None):
        self.capacity, self.wait_s = capacity, wait_s
        self.lanes = {lane.name: lane for lane in (lanes or lanes_for(capacity))}
        self.running = 0
        self._running = dict.fromkeys(self.lanes, 0)
        self._waiting: dict[str, deque[asyncio.Future]] = {name: deque() for name in self.lanes}
        self._sessions: set = set()  # what names each conversation with a turn running or waiting

    def slot(self, lane: str, session: object = None):
        """A running slot in ``lane``, as an async context manager; ``session``: what names the
        conversation (its id with the verified customer), when it has one. Raises ``Busy``."""
        @asynccontextmanager
        async def held():
            if session and session in self._sessions:
                raise StillAnswering()
            if session:
                self._sessions.add(session)
            try:
                await self._acquire(lane)
                try:
                    yield
                finally:
                    self._release(lane)
            finally:
                self._sessions.discard(session)
        return held()

    def _may_run(self, lane: str) -> bool:
        return self.running < self.capacity and self._running[lane] < self.lanes[lane].run

    async def _acquire(self, lane: str) -> None:
        # every slot a waiting turn may take is handed over as it frees (``_release``), so only
        # turns of the same lane can be ahead of this one
        if self._may_run(lane) and not self._waiting[lane]:
            self._start(lane)
            return
        if len(self._waiting[lane]) >= self.lanes[lane].queue:
            raise Busy()
        granted = asyncio.get_running_loop().create_future()
        self._waiting[lane].append(granted)
        try:
            await asyncio.wait_for(granted, self.wait_s)
        except BaseException as exc:
            # given up (time out, or the request cancelled) just as a slot was handed over: pass
            # the slot on, or it would stay counted as running for good
            if granted.done() and not granted.cancelled():
                self._release(lane)
            if isinstance(exc, asyncio.TimeoutError):
                raise Busy() from None
            raise
        finally:
            if granted in self._waiting[lane]:
                self._waiting[lane].remove(granted)

    def _start(self, lane: str) -> None:
        self.running += 1
        self._running[lane] += 1

    def _release(self, lane: str) -> None:
        self.running -= 1
        self._running[lane] -= 1
        for name, queue in self._waiting.items():  # lanes in order of priority
            while queue and self._may_run(name):
                granted = queue.popleft()
                if not granted.done():  # one that gave up is skipped
                    self._start(name)
                    granted.set_result(True)
