"""Three suggested replies for a support agent, for the customer's latest message.

Each suggestion is built from records only — the customer's own orders and returns, the
catalogue, the Bitext reply patterns — and passes the same grounding check as the
assistant's replies. Sources: (1) and (2) two differently worded support replies (or the
assistant's own answer for a shopping request), (3) products picked for this customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.grounding import Grounding, check_reply
from assistant.replies import results_reply
from assistant.schema import SUPPORT_INTENTS
from assistant.session import Session


@dataclass
class Suggestion:
    text: str
    source: str
    products: list[str] = field(default_factory=list)


def suggest_replies(assistant, session: Session, n: int = 3) -> list[Suggestion]:
    """``n`` grounded suggestions for the last customer message of ``session``."""
    # The request to talk to a person (or a greeting) is not what the agent needs to answer.
    customer = [m for m in session.messages if m.role == "customer"]
    last = next((m for m in reversed(customer) if m.intent not in _NOT_A_REQUEST), customer[-1] if customer else None)
    if last is None:
        return [Suggestion("Hello! How can I help you today?", "greeting")]
    parse = assistant.parser.parse(last.text, bool(session.shown))
    out: list[Suggestion] = []
    if parse.intent in SUPPORT_INTENTS:
        facts, orders = assistant.support.facts(parse.intent, parse.slots, last.text, session.user_id)
        facts = _for_agent(facts)
        values = {"order_id": orders[0].id, "invoice_id": orders[0].id} if len(orders) == 1 else {}
        for i, opener in enumerate(assistant.support.openings(parse.intent, session.id, 2, values)):
            text = f"{opener} {facts}".strip()
            if not check_reply(text, Grounding(orders=orders, message=last.text)):
                out.append(Suggestion(text, "support pattern + records" if i == 0 else "alternative wording"))
    else:
        shown = assistant.shown_products(session)
        if shown:
            text = results_reply(shown[:3], [None] * 3, "Here are the options we talked about:")
            out.append(Suggestion(text, "products shown in the chat", [p.id for p in shown[:3]]))
    out += _recommendations(assistant, session)
    fallback = Suggestion("Thanks for waiting — I'm looking into this for you now.", "holding reply")
    while len(out) < n:
        out.append(fallback)
    return out[:n]


_NOT_A_REQUEST = {"contact_human_agent", "greeting", "thanks"}


def _for_agent(facts: str) -> str:
    """The customer-facing facts minus the "ask for a person" advice: the agent is the person."""
    kept = [x for x in re.split(r"(?<=[.!?])\s+", facts) if "talk to a person" not in x and "this chat" not in x]
    return " ".join(kept) or "I'll take care of this for you now."


def _recommendations(assistant, session: Session) -> list[Suggestion]:
    if assistant.recommend is None:
        return []
    picks = assistant.recommend(session.user_id, 3, session.id)
    found = assistant.lookup([pid for pid, _ in picks])
    products = [found[pid] for pid, _ in picks if pid in found]
    if not products:
        return []
    reasons = [reason for pid, reason in picks if pid in found]
    text = results_reply(products, reasons, "You might also like:")
    if check_reply(text, Grounding(products=products)):
        return []
    return [Suggestion(text, "recommendations for this customer", [p.id for p in products])]
