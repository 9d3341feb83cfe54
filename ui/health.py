"""The database check behind ``/healthz``, kept fresh by a thread of its own.

A load balancer asks every second and gives up after a few; a replica busy with turns must still
answer at once, or the balancer pulls a healthy replica and pours its load onto the others. So
the route never waits for the database: a checker thread pings it every ``every_s`` seconds on a
connection no turn can take, and the route answers from the last result. The answer is
"unhealthy" when the last ping failed, or when no ping has succeeded for ``stale_s`` (the
database hangs, or the checker cannot get the CPU).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)


class HealthCheck:
    """Example:
        >>> health = HealthCheck(db.ping).start()
        >>> ok, error = health.status()   # (True, None), or (False, "DatabaseError")
    """

    def __init__(self, ping: Callable[[float], None], every_s: float = 0.5, timeout_s: float = 0.5,
                 stale_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.ping, self.every_s, self.timeout_s, self.stale_s, self.clock = ping, every_s, timeout_s, stale_s, clock
        self._ok_at: float | None = None
        self._error: str | None = None
        self._failing = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "HealthCheck":
        self.check()  # a first answer before any request arrives
        self._thread = threading.Thread(target=self._run, name="healthz", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ends the checker after its current ping (without waiting for it: this runs on the
        server's event loop at shutdown)."""
        self._stop.set()

    def check(self) -> None:
        """One ping now; its result is what ``status`` reports until the next."""
        try:
            self.ping(self.timeout_s)
        except Exception as exc:  # noqa: BLE001 (any failure means: send customers elsewhere)
            self._error = type(exc).__name__
            if not self._failing:
                log.warning("health check failed: %s", self._error)
            self._failing = True
            return
        if self._failing:
            log.warning("health check passes again")
        self._ok_at, self._error, self._failing = self.clock(), None, False

    def status(self) -> tuple[bool, str | None]:
        """``(healthy, why not)`` from the last check, without waiting for the database."""
        if self._error is not None:
            return False, self._error
        if self._ok_at is None:
            return False, "not checked yet"
        if self.clock() - self._ok_at > self.stale_s:
            return False, "stale"
        return True, None

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.check()
