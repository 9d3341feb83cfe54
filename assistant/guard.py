"""Keeping turns alive when a model or engine fails or is slow.

* ``GuardedParser``: the LLM parse gets a time budget; on an error or a timeout the turn is
  parsed by ``rule_parse`` (keywords, prices, order numbers) instead, and the LLM is skipped for
  a cool-down, then tried again — so the service recovers by itself.
* ``SearchUnavailable``: raised by the shopping tools when the vector store (e.g. a Qdrant
  server) cannot be reached; the engine answers with a plain sentence and keeps the session.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from assistant.normalise import currency_of, parse_amount
from assistant.schema import Slots, TurnParse
from shopassist.errors import ShopAssistError

log = logging.getLogger(__name__)
_ORDER = re.compile(r"\b([cC]?\d{6})\b")
_UNDER = re.compile(r"\b(?:under|below|less than|up to|max(?:imum)?|within)\s+([£$€₹]?\s?\d[\d,.]*\s?\w{0,3})", re.I)
_OVER = re.compile(r"\b(?:over|above|more than|at least|from)\s+([£$€₹]?\s?\d[\d,.]*\s?\w{0,3})", re.I)
_RULES = [  # (pattern, intent), first match wins
    (re.compile(r"\b(person|human|agent|someone real)\b", re.I), "contact_human_agent"),
    (re.compile(r"\brefund", re.I), "get_refund"),
    (re.compile(r"\bcancel", re.I), "cancel_order"),
    (re.compile(r"\b(where is|track|status of)\b.*\border\b|\border\b.*\b(where|arrive|status)\b", re.I), "track_order"),
    (re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening))\b[\s!.]*$", re.I), "greeting"),
    (re.compile(r"^\s*(thanks|thank you|cheers)\b", re.I), "thanks"),
]


SEARCH_DOWN = "Sorry, product search is unavailable right now. Please try again in a minute, or ask to talk to a person."


class SearchUnavailable(ShopAssistError):
    """The product search engine cannot be reached right now."""


@contextmanager
def engine_call():
    """Around a call into the vector store: our own errors pass through, anything else (a
    remote engine down or timing out) becomes ``SearchUnavailable`` so the turn degrades."""
    try:
        yield
    except ShopAssistError:
        raise
    except Exception as exc:
        log.warning("product search failed: %s", exc)
        raise SearchUnavailable(SEARCH_DOWN) from exc


def rule_parse(message: str, has_results: bool = False) -> TurnParse:
    """A parse without the LLM: good enough to search, track an order or hand off."""
    slots = Slots(query=message[:200] or None)
    order = _ORDER.search(message)
    if order:
        slots.order_id = order.group(1).upper()
    for pattern, field in ((_UNDER, "max_price"), (_OVER, "min_price")):
        found = pattern.search(message)
        amount = parse_amount(found.group(1)) if found else None
        if amount is not None:
            setattr(slots, field, amount)
            slots.currency = currency_of(found.group(1))
    for pattern, intent in _RULES:
        if pattern.search(message):
            return TurnParse(intent=intent, slots=slots, confidence=0.0)
    if has_results and re.search(r"\bcheaper\b|\bless expensive\b", message, re.I):
        slots.price_change = "lower"
        return TurnParse(intent="refine", slots=slots, confidence=0.0)
    return TurnParse(intent="search", slots=slots, confidence=0.0)


class GuardedParser:
    """Args:
        parser: the LLM turn parser (``parse(message, has_results)``).
        budget_s: longest a parse may take before the rule parse answers instead.
        cooldown_s: after a failure, how long to use the rule parse before trying the LLM again.
    """

    def __init__(self, parser, budget_s: float = 2.0, cooldown_s: float = 30.0, clock=time.monotonic):
        self.parser, self.budget_s, self.cooldown_s, self.clock = parser, budget_s, cooldown_s, clock
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse")
        self._down_until = 0.0
        self._busy = threading.Event()  # a timed-out parse may still hold the model
        self.fallbacks = 0

    def parse(self, message: str, has_results: bool = False) -> TurnParse:
        if self.clock() < self._down_until or self._busy.is_set():
            return self._fallback(message, has_results)
        self._busy.set()
        future = self._pool.submit(self.parser.parse, message, has_results)
        future.add_done_callback(lambda _: self._busy.clear())
        try:
            return future.result(timeout=self.budget_s)
        except FutureTimeout:
            log.warning("turn parser exceeded %.1f s; using the rule parse for %.0f s", self.budget_s, self.cooldown_s)
        except Exception:  # noqa: BLE001 (any model failure degrades the same way)
            log.exception("turn parser failed; using the rule parse for %.0f s", self.cooldown_s)
        self._down_until = self.clock() + self.cooldown_s
        return self._fallback(message, has_results)

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
