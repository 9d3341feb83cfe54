"""The intent registry and the action table: every intent the parser can name has a training
phrasing bank that the data builder has, and every action ``decide`` can choose has a handler
(an engine method). Fast: no model, no store."""

from __future__ import annotations

import inspect

from assistant import replies
from assistant.decide import ACTIONS, RULES
from assistant.engine import HANDLERS, Assistant
from assistant.intents import ROUTES, route
from assistant.parse.schema import INTENTS
from finetune.data import phrasing_banks
from tests.conftest import DATA_DIR

BITEXT = DATA_DIR / "bitext_support" / "bitext_customer_support_sample.csv"


def test_every_intent_has_a_phrasing_bank():
    assert list(ROUTES) == list(INTENTS)
    for intent, entry in ROUTES.items():
        assert entry.intent == intent
        assert entry.phrasing.split(":", 1)[0] in ("templates", "bitext", "written"), intent


def test_every_action_has_a_handler_and_every_rule_a_unique_name():
    assert set(ACTIONS) <= set(HANDLERS)
    for name in HANDLERS.values():
        handler = getattr(Assistant, name, None)
        assert callable(handler), name
        assert list(inspect.signature(handler).parameters) == ["self", "session", "parse", "message", "kinds"], name
    names = [rule.__name__ for rule in RULES]
    assert len(names) == len(set(names))


def test_the_data_builder_has_every_intents_phrasing_bank():
    banks = phrasing_banks(BITEXT)
    assert {e.intent: e.phrasing for e in ROUTES.values() if e.phrasing not in banks} == {}
    assert {name.split(":", 1)[1] for name in banks} == set(INTENTS)  # and trains no intent the engine lacks


def test_an_unknown_intent_is_answered_as_out_of_scope():
    assert route("order_pizza") is ROUTES["out_of_scope"]
    assert replies.out_of_scope() == replies.OUT_OF_SCOPE
