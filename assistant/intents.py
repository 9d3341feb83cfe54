"""The intent registry: for every intent the turn parser can name (``parse.schema.INTENTS``),
what acts on it, what words its answer, and where the parser learnt it.

* ``handler``: the ``Assistant`` method that acts on the turn, by name (the engine calls
  ``handler(session, parse, message, reply)``);
* ``reply``: the composer in ``assistant.replies`` that words the answer (handed to the handler);
* ``phrasing``: the training phrasing bank the parser's examples of the intent come from:
  ``templates:<key>`` is ``finetune.templates.BANKS[bank][key]`` in both banks (generated shopper
  turns), ``written:<intent>`` the hand-written messages in ``finetune/written`` (real people's
  ways of writing), ``bitext:<intent>`` the Bitext support utterances labelled with that intent
  (``finetune.data.phrasing_banks`` lists what the data builder has).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from assistant import replies
from assistant.parse.schema import INTENTS, SUPPORT_INTENTS


@dataclass(frozen=True)
class IntentRoute:
    intent: str
    handler: str
    reply: Callable[..., str]
    phrasing: str


_ROUTES = [
    IntentRoute("search", "_new_search", replies.search_results, "templates:search"),
    IntentRoute("refine", "_refine", replies.refined_results, "templates:refine"),
    IntentRoute("compare", "_compare", replies.compare_reply, "templates:compare"),
    IntentRoute("product_question", "_question", replies.answer_question, "templates:product_question"),
    IntentRoute("recommend_for_me", "_recommend", replies.recommendations, "templates:recommend_for_me"),
    IntentRoute("add_to_cart", "_add_to_cart", replies.added_to_cart, "templates:add_to_cart"),
    IntentRoute("greeting", "_greet", replies.greeting, "templates:greeting"),
    IntentRoute("thanks", "_say", replies.thanks, "templates:thanks"),
    IntentRoute("out_of_scope", "_say", replies.out_of_scope, "templates:out_of_scope"),
    IntentRoute("similar", "_similar", replies.similar_results, "written:similar"),
    IntentRoute("view_cart", "_view_cart", replies.cart_contents, "written:view_cart"),
    IntentRoute("remove_from_cart", "_remove_from_cart", replies.removed_from_cart, "written:remove_from_cart"),
    IntentRoute("gift_help", "_new_search", replies.gift_ideas, "written:gift_help"),
    IntentRoute("return_item", "_return_item", replies.support_reply, "written:return_item"),
    IntentRoute("order_history", "_order_history", replies.order_history, "written:order_history"),
    IntentRoute("contact_human_agent", "_handoff", replies.handoff, "bitext:contact_human_agent"),
    *(IntentRoute(intent, "_support", replies.support_reply, f"bitext:{intent}")
      for intent in SUPPORT_INTENTS if intent not in ("contact_human_agent", "return_item", "order_history")),
]
_BY_INTENT = {r.intent: r for r in _ROUTES}
# In the schema's order; an intent without a route fails here, at import.
ROUTES: dict[str, IntentRoute] = {intent: _BY_INTENT[intent] for intent in INTENTS}


def route(intent: str) -> IntentRoute:
    """The intent's route; anything unknown is answered as out of scope."""
    return ROUTES.get(intent, ROUTES["out_of_scope"])
