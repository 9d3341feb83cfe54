"""``rule_parse``: a parse without the LLM (keywords, prices, order numbers), good enough to
search, track an order or hand off. ``GuardedParser`` answers with it when the LLM fails or is
slow."""

from __future__ import annotations

import re

from assistant.parse.normalise import currency_of, parse_amount
from assistant.parse.schema import Slots, TurnParse

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
