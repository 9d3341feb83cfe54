"""The intent registry: for every intent the turn parser can name (``parse.schema.INTENTS``),
where the parser learnt it (``phrasing``): ``templates:<key>`` is
``finetune.templates.BANKS[bank][key]`` in both banks (generated shopper turns),
``written:<intent>`` the hand-written messages in ``finetune/written`` (real people's ways of
writing), ``bitext:<intent>`` the Bitext support utterances labelled with that intent
(``finetune.data.phrasing_banks`` lists what the data builder has).

What the assistant *does* with a turn is not keyed by intent: ``assistant.decide`` reads the
intent with the conversation's state and chooses an action, and ``assistant.engine.HANDLERS``
names the handler of each action.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.parse.schema import INTENTS, SUPPORT_INTENTS


@dataclass(frozen=True)
class IntentRoute:
    intent: str
    phrasing: str


_ROUTES = [
    *(IntentRoute(i, f"templates:{i}") for i in ("search", "refine", "compare", "product_question",
                                                  "recommend_for_me", "add_to_cart", "greeting", "thanks",
                                                  "out_of_scope")),
    *(IntentRoute(i, f"written:{i}") for i in ("similar", "view_cart", "remove_from_cart", "gift_help",
                                                "return_item", "order_history", "chitchat", "more", "deals",
                                                "affirm", "deny", "praise", "dislike")),
    *(IntentRoute(i, f"bitext:{i}") for i in SUPPORT_INTENTS if i not in ("return_item", "order_history")),
]
_BY_INTENT = {r.intent: r for r in _ROUTES}
# In the schema's order; an intent without a phrasing bank fails here, at import.
ROUTES: dict[str, IntentRoute] = {intent: _BY_INTENT[intent] for intent in INTENTS}


def route(intent: str) -> IntentRoute:
    """The intent's entry; anything unknown is treated as out of scope."""
    return ROUTES.get(intent, ROUTES["out_of_scope"])
