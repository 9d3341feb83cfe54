"""Support turns: a Bitext reply pattern to open, then only facts from our own records.

The Bitext replies are written for an imaginary shop: they quote the asker's order number,
phone numbers, site sections and policies we do not have. So only their opening sentences
are kept, with the asker's slot value turned back into a placeholder and every sentence
that carries a ``{{placeholder}}``, a number or a policy claim dropped. What follows the
opener comes from the event store (orders, returns) or says plainly that this chat cannot
do it and a person can.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assistant.orders import Order, OrderBook
from assistant.replies import md_text, order_summary, when
from assistant.schema import Slots

ORDER_INTENTS = {"track_order", "cancel_order", "change_order", "check_invoice", "get_invoice"}
REFUND_INTENTS = {"get_refund", "track_refund"}
POLICY_TOPICS = {
    "check_refund_policy": "refund policy", "check_cancellation_fee": "cancellation fees",
    "delivery_period": "delivery times", "delivery_options": "delivery options",
    "check_payment_methods": "accepted payment methods",
}
HUMAN_TASKS = {
    "cancel_order": "cancel an order", "change_order": "change an order", "get_invoice": "send invoice documents",
    "check_invoice": "send invoice documents", "create_account": "open an account",
    "delete_account": "close an account", "edit_account": "edit account details",
    "switch_account": "switch accounts", "recover_password": "reset passwords",
    "registration_problems": "fix registration problems", "newsletter_subscription": "manage newsletter subscriptions",
    "payment_issue": "look into payments", "place_order": "place orders for you",
    "set_up_shipping_address": "set up a shipping address", "change_shipping_address": "change a shipping address",
    "contact_customer_service": "connect you by phone or email", "get_refund": "issue refunds",
    "track_refund": "see refund payments",
}
FEEDBACK = {"complaint", "review"}
_DROP = re.compile(r"\{\{|\d|polic|fee|days|hours|guarantee|within|free|http|www|@|follow|steps|guide you|:$|\?", re.I)
_FILLABLE = re.compile(r"\{(order_id|invoice_id)\}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ORDER_NUMBER = re.compile(r"\b[A-Za-z]?\d{5,}\b")
FALLBACK_OPENERS = ["I can help with that.", "Thanks for reaching out.", "Let me look into that for you."]


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
            bare = _FILLABLE.sub("", sentence)
            if _DROP.search(bare) or "{" in bare or "}" in bare or len(sentence) > 200:
                break
            kept.append(sentence.strip())
        opener = " ".join(kept)
        if opener and opener not in out.setdefault(row.intent, []):
            out[row.intent].append(opener)
    return out


class SupportDesk:
    """Answers support intents from openers + the order book."""

    def __init__(self, openers: dict[str, list[str]], orders: OrderBook):
        self.openers = openers
        self.orders = orders

    def openings(self, intent: str, key: str, n: int = 1, values: dict[str, str] | None = None) -> list[str]:
        """``n`` openers for ``intent``, varied by ``key``; placeholders only where ``values``
        fills them."""
        values = values or {}
        options = [o for o in self.openers.get(intent, []) if set(_FILLABLE.findall(o)) <= set(values)]
        options = options or FALLBACK_OPENERS
        start = int(hashlib.sha1(key.encode()).hexdigest()[:6], 16) % len(options)
        picked = [options[(start + i) % len(options)] for i in range(min(n, len(options)))]
        return [_FILLABLE.sub(lambda m: md_text(values[m.group(1)]), o) for o in picked]

    def reply(self, intent: str, slots: Slots, message: str, user_id: str | None, key: str) -> tuple[str, list[Order]]:
        facts, orders = self.facts(intent, slots, message, user_id)
        values = {"order_id": orders[0].id, "invoice_id": orders[0].id} if len(orders) == 1 else {}
        return f"{self.openings(intent, key, 1, values)[0]} {facts}".strip(), orders

    def facts(self, intent: str, slots: Slots, message: str, user_id: str | None) -> tuple[str, list[Order]]:
        if intent in ORDER_INTENTS:
            return self._order_facts(intent, slots, message, user_id)
        if intent in REFUND_INTENTS:
            return self._refund_facts(intent, user_id)
        if intent in POLICY_TOPICS:
            return (f"I don't have our {POLICY_TOPICS[intent]} in this chat and I won't guess; "
                    "say \"talk to a person\" and a colleague will confirm them for you."), []
        if intent in FEEDBACK:
            return "Your message is saved with this conversation, and you can ask to talk to a person at any time.", []
        task = HUMAN_TASKS.get(intent, "do that")
        return f"I can't {task} from this chat; say \"talk to a person\" and a colleague will pick it up.", []

    def _order_facts(self, intent: str, slots: Slots, message: str, user_id: str | None) -> tuple[str, list[Order]]:
        if not user_id:
            return "I can only look up orders for a signed-in customer: please sign in and ask again.", []
        number = slots.order_id or slots.invoice_id or _first_order_number(message)
        if not number:
            recent = self.orders.recent(user_id)
            if not recent:
                return "I can't find any orders on your account.", []
            listing = "; ".join(f"{md_text(o.id)} ({when(o.placed)}, {o.items} items)" for o in recent)
            return f"Your latest orders are {listing}. Which order number do you mean?", recent
        order = self.orders.get(number, user_id)
        if order is None:
            return f"I can't find an order {md_text(number[:40])} on your account. Please check the number.", []
        tail = {"track_order": " Our records don't include delivery tracking, so I can't say where the parcel is "
                               "now; a colleague can check with the courier if you ask to talk to a person.",
                "cancel_order": " I can't cancel orders from this chat; say \"talk to a person\" and a colleague "
                                "will help.",
                "change_order": " I can't change orders from this chat; say \"talk to a person\" and a colleague "
                                "will help."}.get(intent, " I can't send documents from this chat; a colleague can, "
                                                          "if you ask to talk to a person.")
        return order_summary(order) + tail, [order]

    def _refund_facts(self, intent: str, user_id: str | None) -> tuple[str, list[Order]]:
        if not user_id:
            return "I can only look up returns for a signed-in customer: please sign in and ask again.", []
        returns = self.orders.recent(user_id, kind="return", limit=2)
        if not returns:
            return ("I can't see any returns on your account. Refunds are handled by our team: say "
                    "\"talk to a person\" and a colleague will help."), []
        text = " ".join(order_summary(o) for o in returns)
        return (f"{text} Our records show the return but not the refund payment; a colleague can check it "
                "if you ask to talk to a person."), returns


def _first_order_number(message: str) -> str | None:
    match = _ORDER_NUMBER.search(message)
    return match.group(0).upper() if match else None
