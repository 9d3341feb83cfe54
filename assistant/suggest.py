"""Three suggested replies for a support agent, for the customer's latest request, each of a
different kind (the agent picks the move, not the wording):

- ``answer``: what our records say about it: the customer's own orders and returns, or the
  products discussed;
- ``clarify``: the question that would settle the request (which order, which item, what went
  wrong, what budget);
- ``action``: an offer to do something: pass it to the team that can act, or products picked
  for this customer.

Each is built from records only and passes the same grounding check as the assistant's
replies; all data in them is escaped where the wording is made (``assistant.replies``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.grounding import Grounding, check_reply
from assistant.orders import Order
from assistant.parse.schema import SUPPORT_INTENTS
from assistant.replies import HUMAN_TASKS, POLICY_TOPICS, md_text, results_reply, when
from assistant.session import Session
from assistant.support import ORDER_INTENTS, REFUND_INTENTS

KINDS = ("answer", "clarify", "action")
_NOT_A_REQUEST = {"contact_human_agent", "greeting", "thanks"}


@dataclass
class Suggestion:
    text: str
    kind: str  # one of KINDS
    source: str
    products: list[str] = field(default_factory=list)


def suggest_replies(assistant, session: Session) -> list[Suggestion]:
    """One suggestion of each kind for the last real request in ``session``."""
    customer = [m for m in session.messages if m.role == "customer"]
    last = next((m for m in reversed(customer) if m.intent not in _NOT_A_REQUEST), customer[-1] if customer else None)
    if last is None:
        return [Suggestion("Hello! How can I help you today?", "answer", "greeting"),
                Suggestion("What are you looking for today, and is it for yourself or a gift?", "clarify", "opening"),
                Suggestion("I can search our catalogue for you: just tell me what you need.", "action", "opening")]
    # The slots are read again; what the request is comes from the engine's own decision on it.
    parse = assistant.parser.parse(last.text, session.state.render())
    if last.intent and last.intent != parse.intent:
        parse = parse.model_copy(update={"intent": last.intent})
    facts, orders = "", []
    if parse.intent in SUPPORT_INTENTS:  # one look-up of the customer's records serves all three
        facts, orders = assistant.support.facts(parse.intent, parse.slots, last.text, session.user_id)
    made = [_answer(assistant, session, parse, facts, orders), _clarify(assistant, session, parse.intent, orders),
            _action(assistant, session, parse.intent, orders)]
    return [s if not check_reply(s.text, Grounding(orders=orders, products=_products(assistant, s),
                                                   message=last.text)) else _holding(s.kind) for s in made]


def _answer(assistant, session: Session, parse, facts: str, orders: list[Order]) -> Suggestion:
    if parse.intent in SUPPORT_INTENTS:
        values = {"order_id": orders[0].id, "invoice_id": orders[0].id} if len(orders) == 1 else {}
        opener = assistant.support.openings(parse.intent, session.id, 1, values)[0]
        return Suggestion(f"{opener} {_for_agent(facts)}".strip(), "answer", "support pattern + records")
    shown = assistant.shown_products(session)
    if shown:
        text = results_reply(shown[:3], [None] * 3, "Here are the options we talked about:")
        return Suggestion(text, "answer", "products shown in the chat", [p.id for p in shown[:3]])
    return Suggestion("Thanks for your message. I'm looking into this for you now.", "answer", "holding reply")


def _clarify(assistant, session: Session, intent: str, orders: list[Order]) -> Suggestion:
    if intent in ORDER_INTENTS or intent in REFUND_INTENTS:
        if len(orders) > 1 or (not orders and session.user_id):
            recent = orders or assistant.support.orders.recent(session.user_id)
            listing = "; ".join(f"{md_text(o.id)} ({when(o.placed)})" for o in recent[:3])
            text = f"Which order is this about{': ' + listing if listing else ''}? And which item, if not all of it?"
        elif orders:
            text = (f"Is this about the whole of order {md_text(orders[0].id)}, or one item in it? "
                    "And what went wrong: late, damaged, wrong item, or something else?")
        else:
            text = "Could you give me your order number and the e-mail address you ordered with?"
        return Suggestion(text, "clarify", "question about the order")
    if intent in POLICY_TOPICS:
        return Suggestion("Is this for an order you have already placed, or one you are thinking of placing?",
                          "clarify", "question about the situation")
    if intent in SUPPORT_INTENTS:
        return Suggestion("Could you tell me a little more about what happened, so I can sort out the right thing?",
                          "clarify", "question about the problem")
    shown = assistant.shown_products(session)
    about = "any of the ones I showed you, or something different" if shown else "what it is for and who it is for"
    return Suggestion(f"Happy to help you choose. Is there a budget I should stay within, and is it {about}?",
                      "clarify", "question about the need")


def _action(assistant, session: Session, intent: str, orders: list[Order]) -> Suggestion:
    if intent in SUPPORT_INTENTS:
        order = f"order {md_text(orders[0].id)}" if len(orders) == 1 else "your order"
        text = _ACTIONS.get(intent, "I'll pass this to the colleague who can {task} and make sure you hear back "
                                    "here.").format(order=order, task=HUMAN_TASKS.get(intent, "sort this out"))
        return Suggestion(text, "action", "offer to act")
    picks = _recommendations(assistant, session)
    if picks:
        return picks
    return Suggestion("I can put a few options together for you. Shall I search the catalogue now?",
                      "action", "offer to search")


_ACTIONS = {
    "get_refund": "I can start the return and refund for {order} now: shall I go ahead?",
    "track_refund": "I'll chase the refund for {order} with our payments team and write back here today.",
    "cancel_order": "I can cancel {order} for you now: shall I go ahead?",
    "change_order": "I can change {order} for you: tell me what should be different and I'll confirm here.",
    "track_order": "I'll check with the courier about {order} and write back here as soon as I hear.",
    "get_invoice": "I'll send you the invoice for {order} by e-mail now.",
    "check_invoice": "I'll send you the invoice for {order} by e-mail now.",
    "complaint": "I'm sorry about this. I'll pass it to our customer care lead with your details so it is put right.",
    "review": "Thank you: I'll pass your feedback on to the team.",
    "return_item": "I can arrange the return or exchange for {order} now: shall I go ahead?",
    "order_history": "Would you like me to send you a full list of your orders by e-mail?",
}


def _for_agent(facts: str) -> str:
    """The customer-facing facts minus the "ask for a person" advice: the agent is the person."""
    kept = [x for x in re.split(r"(?<=[.!?])\s+", facts) if "talk to a person" not in x and "this chat" not in x]
    return " ".join(kept) or "I'll take care of this for you now."


def _recommendations(assistant, session: Session) -> Suggestion | None:
    if assistant.recommend is None:
        return None
    picks = assistant.recommend(session.user_id, 3, session.id)
    found = assistant.lookup([pid for pid, _ in picks])
    products = [found[pid] for pid, _ in picks if pid in found]
    if not products:
        return None
    reasons = [reason for pid, reason in picks if pid in found]
    text = results_reply(products, reasons, "You might also like these; shall I add one to your cart?")
    return Suggestion(text, "action", "recommendations for this customer", [p.id for p in products])


def _products(assistant, suggestion: Suggestion):
    found = assistant.lookup(suggestion.products) if suggestion.products else {}
    return [found[i] for i in suggestion.products if i in found]


def _holding(kind: str) -> Suggestion:
    return Suggestion("Thanks for waiting — I'm looking into this for you now.", kind, "holding reply")
