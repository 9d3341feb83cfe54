"""The intent registry: every intent the parser can name has a handler (an engine method), a
reply composer (in ``assistant.replies``) and a training phrasing bank that the data builder
has. Fast: no model, no store."""

from __future__ import annotations

import inspect

from assistant import replies
from assistant.engine import Assistant
from assistant.intents import ROUTES, route
from assistant.parse.schema import INTENTS
from finetune.data import phrasing_banks
from tests.conftest import DATA_DIR

BITEXT = DATA_DIR / "bitext_support" / "bitext_customer_support_sample.csv"


def test_every_intent_has_a_handler_a_composer_and_a_phrasing_bank():
    assert list(ROUTES) == list(INTENTS)
    for intent, entry in ROUTES.items():
        assert entry.intent == intent
        handler = getattr(Assistant, entry.handler, None)
        assert callable(handler), (intent, entry.handler)
        assert list(inspect.signature(handler).parameters) == ["self", "session", "parse", "message", "reply"], intent
        assert callable(entry.reply) and getattr(replies, entry.reply.__name__, None) is entry.reply, intent
        assert entry.phrasing.split(":", 1)[0] in ("templates", "bitext", "written"), intent


def test_the_data_builder_has_every_intents_phrasing_bank():
    banks = phrasing_banks(BITEXT)
    assert {e.intent: e.phrasing for e in ROUTES.values() if e.phrasing not in banks} == {}
    assert {name.split(":", 1)[1] for name in banks} == set(INTENTS)  # and trains no intent the engine lacks


def test_an_unknown_intent_is_answered_as_out_of_scope():
    assert route("order_pizza") is ROUTES["out_of_scope"]
    assert route("out_of_scope").reply() == replies.OUT_OF_SCOPE
