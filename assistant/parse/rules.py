"""``rule_parse``: a parse without the LLM (keywords, prices, order numbers), good enough to
search, track an order or hand off. ``GuardedParser`` answers with it when the LLM fails or is
slow."""

from __future__ import annotations

import re

from assistant.parse.normalise import currency_of, parse_amount
from assistant.parse.schema import Slots, TurnParse
from assistant.state import shows_results

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


def rule_parse(message: str, has_results: bool | str = False) -> TurnParse:
    """A parse without the LLM: good enough to search, track an order or hand off."""
    has_results = shows_results(has_results)
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
            return TurnParse(intent=intent, slots=slots, confidence=0.0, by="rules")
    if has_results and re.search(r"\bcheaper\b|\bless expensive\b", message, re.I):
        slots.price_change = "lower"
        return TurnParse(intent="refine", slots=slots, confidence=0.0, by="rules")
    return TurnParse(intent="search", slots=slots, confidence=0.0, by="rules")


_HINTS = [  # (pattern, intent, needs products on screen): unambiguous wordings, checked in order
    # Talk to the assistant about its own instructions: a probe, not a shopping request.
    (re.compile(r"\b(ignore|disregard|forget|override)\b.{0,25}\b(instructions?|rules|prompts?|guidelines)\b|"
                r"\bsystem prompt\b|\bdeveloper mode\b|\bjailbreak|\byou are now\b|\bDAN mode\b|"
                r"\b(reveal|print|show|repeat)\b.{0,25}\b(your|the|hidden)\s+"
                r"(instructions|prompt|configuration|config)\b",
                re.I), "out_of_scope", False),
    (re.compile(r"\b(what|which|list|show|remind)\b.{0,30}\b((did|have) i\s+(order|ordered|buy|bought|purchase|"
                r"purchased|get|got)|i(?:'ve| have)?\s+(ordered|bought|purchased))\b|\b(my|past|previous|recent|last|old)\s+(orders|purchases|order history)\b|"
                r"\border history\b", re.I), "order_history", False),
    (re.compile(r"\b(remove|take|delete|drop|get rid of)\b.{0,40}\b(out of|from)\s+(my\s+)?(cart|basket|bag|trolley)\b|"
                r"\b(remove|delete)\b.{0,30}\b(cart|basket)\b", re.I), "remove_from_cart", False),
    (re.compile(r"\b(what'?s|what is|show|view|see|check)\b.{0,15}\b(in\s+)?(my\s+)(cart|basket|trolley)\b|"
                r"^\s*(my\s+)?(cart|basket)\s*\??\s*$", re.I), "view_cart", False),
    (re.compile(r"\b(send (it |them |this |that )?back|return(ing)?|exchange|swap)\b.{0,60}\b(i (bought|ordered|got)|"
                r"arrived|came|broken|smashed|cracked|damaged|faulty|wrong (colour|color|size|item))\b|"
                r"\b(arrived|came)\s+(broken|smashed|cracked|damaged|faulty)\b|"
                r"\b(broken|smashed|cracked|chipped|damaged|faulty|dented|dent|torn|ripped|scratched|shattered|leaking|"
                r"stopped working)\b.{0,50}\b(money back|refund|replace|return|exchange|send (it |them )?back)\b",
                re.I), "return_item", False),
    (re.compile(r"^(?!.*\bpolic).*\b(return|send back|exchange|swap)\s+(the|my|this|that|these|those|it|them|a|an)\b"
                r"(?!.{0,12}\b(order|parcel|package)\b)", re.I), "return_item", False),
    (re.compile(r"\b(arrived|came|turned up|got here|was delivered)\b.{0,30}\b(broken|smashed|cracked|chipped|shattered|"
                r"crushed|dented|torn|ripped|damaged|bent|leaking|soaking|wet|rusty|chip|crack|dent|scratch|scratches|"
                r"stain|tear|hole)\b|"
                r"\b(broken|smashed|cracked|chipped|shattered|crushed|dented|torn|ripped|damaged|faulty|rusty|leaks|"
                r"leaking)\b.{0,30}\b(when|on) (i )?(opened|arrival|delivery|it arrived)|"
                r"\b(won'?t|doesn'?t|don'?t|does not|do not|will not) (switch|turn) on\b|\bdead out of the box\b|"
                r"\b(don'?t|doesn'?t|do not|does not) work( at all)?\b.{0,30}\b(tried|new batter|out of the box)",
                re.I), "return_item", False),
    (re.compile(r"\b(what|which)\s+(was|were)\s+(that|those|the|them)\b.{0,40}\b(i|we)\s+(got|bought|ordered|purchased)\b|"
                r"\b(i|we)\s+(got|bought|ordered|purchased)\b.{0,25}\b(last time|before|back in|last (month|year|week|"
                r"christmas)|ages ago|previously|in the spring|in the summer)\b", re.I), "order_history", False),
    (re.compile(r"^\s*(a\s+)?(human|real person|person|agent|operator)\b.{0,12}$|\b(speak|talk|chat)\s+(to|with)\s+"
                r"(someone|somebody|a (real )?(person|human)|an? (agent|advisor|adviser)|a member of staff|your team)\b|"
                r"\b(call me back|ring me back)\b", re.I), "contact_human_agent", False),
    (re.compile(r"\bcharged (me )?(twice|two times|double|2x)|\bdouble[- ]charged|\bcard\b.{0,20}\b(declined|rejected|"
                r"refused)|\bpayment\b.{0,20}\b(failed|didn'?t go through|not going through|won'?t go through)", re.I),
     "payment_issue", False),
    (re.compile(r"\b(worst|terrible|awful|appalling|disgusting|useless|rubbish|shocking|pathetic)\b.{0,25}\b(service|shop|"
                r"company|experience|support|customer care)\b|\b(nobody|no one|noone)\b.{0,15}\b(answers|replies|"
                r"responds|gets back|got back|helps)\b", re.I), "complaint", False),
    (re.compile(r"^\W*(?:actually,?\s+|ok,?\s+|can you\s+|please\s+)*(?:make|change)\s+"
                r"(?:it|that|them|those|the quantity)\s+(?:to\s+)?\d{1,3}\b", re.I), "add_to_cart", True),
    (re.compile(r"\b(similar|more like (this|that|these|those|the|it)|same (kind|sort|style|type)|like (that|this|the \w+) one|"
                r"along the same lines)\b", re.I), "similar", True),
    (re.compile(r"^\W*(no,?\s+)?(not (that|this|those|these)( one| ones)?|something else|anything else|(show me )?"
                r"(other|different) ones?|none of (those|these|them))\b.{0,30}$", re.I), "refine", True),
]


def hint_intent(message: str, has_results: bool | str) -> str | None:
    """The intent of a message whose wording settles it, whatever the model says; None if none does."""
    has_results = shows_results(has_results)
    for pattern, intent, needs_results in _HINTS:
        if (has_results or not needs_results) and pattern.search(message):
            return intent
    return None
