"""Support turns: a Bitext reply pattern to open, then only facts from our own records.

The Bitext replies are written for an imaginary shop: they quote the asker's order number,
phone numbers, site sections and policies we do not have. So only their opening sentences
are kept, with the asker's slot value turned back into a placeholder and every sentence
that carries a ``{{placeholder}}``, a number or a policy claim dropped. What follows the
opener comes from the event store (orders, returns) or says plainly that this chat cannot
do it and a person can. The sentences themselves are worded in ``assistant.replies``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assistant import replies
from assistant.orders import Order, OrderBook
from assistant.parse.schema import Slots
from assistant.policies import StorePolicies
from assistant.query import lexical_words
from assistant.replies import FALLBACK_OPENERS, OPENER_SLOT, POLICY_TOPICS, SHOP_OPENERS

ORDER_INTENTS = {"track_order", "cancel_order", "change_order", "check_invoice", "get_invoice"}
REFUND_INTENTS = {"get_refund", "track_refund"}
FEEDBACK = {"complaint", "review"}
_DROP = re.compile(r"\{\{|\d|polic|fee|days|hours|guarantee|within|free|http|www|@|follow|steps|guide you|:$|\?", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ORDER_NUMBER = re.compile(r"\b[A-Za-z]?\d{5,}\b")


def load_openers(bitext_csv: Path | None) -> dict[str, list[str]]:
    """Per intent, the distinct opening sentences safe to reuse (see module doc). An opener
    may keep an ``{order_id}``/``{invoice_id}`` placeholder, filled only with a verified order."""
    if bitext_csv is None or not bitext_csv.is_file():
        return {}
    import pandas as pd

    frame = pd.read_csv(bitext_csv, usecols=["intent", "entity_type", "entity_value", "response"])
    out: dict[str, list[str]] = {}
    for row in frame.itertuples():
        text = str(row.response)
        if isinstance(row.entity_value, str) and row.entity_value:
            text = text.replace(row.entity_value, "{" + str(row.entity_type) + "}")
        kept = []
        for sentence in _SENTENCE.split(text.split("\n")[0])[:2]:
            bare = OPENER_SLOT.sub("", sentence)
            if _DROP.search(bare) or "{" in bare or "}" in bare or len(sentence) > 200:
                break
            kept.append(sentence.strip())
        opener = " ".join(kept)
        if opener and opener not in out.setdefault(row.intent, []):
            out[row.intent].append(opener)
    return out


class SupportDesk:
    """Answers support intents from openers + the order book."""

    def __init__(self, openers: dict[str, list[str]], orders: OrderBook, policies: StorePolicies | None = None):
        self.openers = openers
        self.orders = orders
        self.policies = policies or StorePolicies()

    def openings(self, intent: str, key: str, n: int = 1, values: dict[str, str] | None = None) -> list[str]:
        """``n`` openers for ``intent``, varied by ``key``; placeholders only where ``values``
        fills them."""
        values = values or {}
        if intent in SHOP_OPENERS and n == 1:
            return [SHOP_OPENERS[intent]]
        options = [o for o in self.openers.get(intent, []) if set(OPENER_SLOT.findall(o)) <= set(values)]
        options = options or FALLBACK_OPENERS
        start = int(hashlib.sha1(key.encode()).hexdigest()[:6], 16) % len(options)
        picked = [options[(start + i) % len(options)] for i in range(min(n, len(options)))]
        return [replies.fill_opener(o, values) for o in picked]

    def answer(self, intent: str, slots: Slots, message: str, user_id: str | None,
               key: str) -> tuple[str, str, list[Order]]:
        """``(opener, facts, orders cited)`` for a support turn; ``replies.support_reply`` words it."""
        facts, orders = self.facts(intent, slots, message, user_id)
        values = {"order_id": orders[0].id, "invoice_id": orders[0].id} if len(orders) == 1 else {}
        return self.openings(intent, key, 1, values)[0], facts, orders

    def facts(self, intent: str, slots: Slots, message: str, user_id: str | None) -> tuple[str, list[Order]]:
        if intent == "return_item":
            return self.return_facts(slots, message, user_id)
        if intent == "order_history":
            recent = self.orders.recent(user_id) if user_id else []
            return (replies.order_history(recent) if user_id else replies.SIGN_IN_FOR_ORDERS), recent
        if intent in ORDER_INTENTS:
            return self._order_facts(intent, slots, message, user_id)
        if intent in REFUND_INTENTS:
            return self._refund_facts(intent, user_id)
        if intent in POLICY_TOPICS:
            policy = self.policies.for_intent(intent)
            return (replies.policy(intent, policy) if policy else replies.policy_unknown(intent)), []
        if intent in FEEDBACK:
            return replies.FEEDBACK_SAVED, []
        return replies.not_from_chat(intent), []

    def _order_facts(self, intent: str, slots: Slots, message: str, user_id: str | None) -> tuple[str, list[Order]]:
        if not user_id:
            return replies.SIGN_IN_FOR_ORDERS, []
        number = slots.order_id or slots.invoice_id or _first_order_number(message)
        if not number:
            recent = self.orders.recent(user_id)
            if not recent:
                return replies.NO_ORDERS, []
            return replies.latest_orders(recent), recent
        order = self.orders.get(number, user_id)
        if order is None:
            return replies.order_not_found(number), []
        return replies.order_facts(intent, order), [order]

    def return_facts(self, slots: Slots, message: str, user_id: str | None,
                      product_id: str | None = None) -> tuple[str, list[Order]]:
        """The customer's own order line holding the item they name, or a plain "none of your
        orders has it" (never some other order)."""
        if not user_id:
            return replies.SIGN_IN_FOR_RETURNS, []
        named = returned_item(slots, message)
        if not named and not product_id:
            return replies.WHICH_TO_RETURN, []
        found = self.orders.holding(user_id, named, product_id)
        if found is None:
            return replies.return_not_found(named or "that item"), []
        order, line = found
        return replies.return_found(order, line.title, line.quantity), [order]

    def _refund_facts(self, intent: str, user_id: str | None) -> tuple[str, list[Order]]:
        if not user_id:
            return replies.SIGN_IN_FOR_RETURNS, []
        returns = self.orders.recent(user_id, kind="return", limit=2)
        if not returns:
            return replies.NO_RETURNS, []
        return replies.returns_facts(returns), returns


RETURN_FILLER = {"return", "returning", "returned", "send", "sending", "back", "exchange", "swap", "replace",
                 "replacement", "refund", "money", "broken", "smashed", "cracked", "damaged", "faulty", "arrived",
                 "came", "wrong", "colour", "color", "size", "bought", "ordered", "order", "purchase", "item",
                 "doesn", "don", "didn", "fit", "work", "working", "isn", "was", "want", "would", "like", "can",
                 "how", "do", "got", "received", "sent", "parcel", "package", "box", "today", "yesterday", "week",
                 "weeks", "days", "day", "month", "last", "ago", "after", "chipped", "shattered", "torn", "ripped",
                 "dented", "scratched", "stained", "leaking", "leaks", "bent", "rusty", "stopped", "defective",
                 "missing", "unhappy", "disappointed", "quality", "poor", "return", "refund", "it", "its"}


def returned_item(slots: Slots, message: str) -> str:
    """The words naming the item a customer wants to return, without the words about returning."""
    return " ".join(lexical_words(slots.query or message, RETURN_FILLER))


def _first_order_number(message: str) -> str | None:
    match = _ORDER_NUMBER.search(message)
    return match.group(0).upper() if match else None
