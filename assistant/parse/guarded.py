"""``GuardedParser``: keeping turns alive when the LLM parse fails or is slow.

The LLM parse gets a time budget; on an error or a timeout the turn is parsed by ``rule_parse``
(keywords, prices, order numbers) instead, and the LLM is skipped for a cool-down, then tried
again — so the service recovers by itself.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from assistant.parse.rules import rule_parse
from assistant.parse.schema import TurnParse

log = logging.getLogger(__name__)


class GuardedParser:
    """Args:
        parser: the LLM turn parser (``parse(message, has_results)``), batching or not.
        budget_s: longest a parse may take before the rule parse answers instead.
        cooldown_s: after a failure, how long to use the rule parse before trying the LLM again.
        max_in_flight: parses waiting or running at once; a turn beyond them gets the rule parse
            at once (shedding load rather than queueing past the budget). 1 = one at a time,
            the behaviour before batching.
    """

    def __init__(self, parser, budget_s: float = 2.0, cooldown_s: float = 30.0, clock=time.monotonic,
                 max_in_flight: int = 1):
        self.parser, self.budget_s, self.cooldown_s, self.clock = parser, budget_s, cooldown_s, clock
        self.max_in_flight = max(1, max_in_flight)
        self._pool = ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="parse")
        self._down_until = 0.0
        self._count = threading.Lock()
        self._in_flight = 0  # a timed-out parse may still hold the model: it counts until done
        self.fallbacks = 0

    def parse(self, message: str, has_results: bool = False) -> TurnParse:
        with self._count:
            full = self._in_flight >= self.max_in_flight
            if not full and self.clock() >= self._down_until:
                self._in_flight += 1
            else:
                full = True
        if full:
            return self._fallback(message, has_results)
        future = self._pool.submit(self.parser.parse, message, has_results)
        future.add_done_callback(self._done)
        try:
            return future.result(timeout=self.budget_s)
        except FutureTimeout:
            log.warning("turn parser exceeded %.1f s; using the rule parse for %.0f s", self.budget_s, self.cooldown_s)
        except Exception:  # noqa: BLE001 (any model failure degrades the same way)
            log.exception("turn parser failed; using the rule parse for %.0f s", self.cooldown_s)
        self._down_until = self.clock() + self.cooldown_s
        return self._fallback(message, has_results)

    def pause(self, seconds: float) -> None:
        """The rule parse answers for the next ``seconds`` (0: the model again from now), as
        after a failure: for maintenance, and for simulated outages."""
        self._down_until = self.clock() + seconds if seconds > 0 else 0.0

    def _done(self, _future) -> None:
        with self._count:
            self._in_flight -= 1

    def warm(self) -> None:
        """Load the model now, outside the budget; if it cannot load, start degraded."""
        try:
            self.parser.parse("hello")
        except Exception as exc:  # noqa: BLE001
            log.warning("turn parser unavailable (%s); using the rule parse for now", exc)
            self._down_until = self.clock() + self.cooldown_s

    def _fallback(self, message: str, has_results: bool) -> TurnParse:
        self.fallbacks += 1
        return rule_parse(message, has_results)
