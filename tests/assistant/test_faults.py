"""Faults: a slow or broken LLM, an unreachable search engine. The turn degrades to the
rule parse or a plain message within its budget, and the service recovers by itself."""

from __future__ import annotations

import time

import pytest

from assistant.parse.guarded import GuardedParser
from assistant.parse.rules import rule_parse
from assistant.parse.schema import TurnParse
from assistant.replies import SEARCH_DOWN


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class SlowParser:
    def __init__(self, seconds):
        self.seconds, self.calls = seconds, 0

    def parse(self, message, has_results=False):
        self.calls += 1
        time.sleep(self.seconds)
        return TurnParse(intent="greeting")


class BrokenParser:
    calls = 0

    def parse(self, message, has_results=False):
        self.calls += 1
        raise RuntimeError("model file is gone")


@pytest.mark.parametrize("message, intent, slots", [
    ("where is my order 536365", "track_order", {"order_id": "536365"}),
    ("I want a refund", "get_refund", {}),
    ("please cancel order C536379", "cancel_order", {"order_id": "C536379"}),
    ("can I talk to a person", "contact_human_agent", {}),
    ("red mugs under £5", "search", {"max_price": 5.0, "currency": "GBP"}),
    ("sandals above 300 and under 800", "search", {"min_price": 300.0, "max_price": 800.0}),
    ("hello!", "greeting", {}),
])
def test_rule_parse(message, intent, slots):
    parse = rule_parse(message)
    assert parse.intent == intent
    assert {k: v for k, v in parse.slots.compact().items() if k in slots} == slots


def test_rule_parse_cheaper_refines_only_with_results_on_screen():
    assert rule_parse("anything cheaper?", has_results=True).slots.price_change == "lower"
    assert rule_parse("anything cheaper?", has_results=False).intent == "search"


def test_a_slow_llm_is_replaced_within_budget_and_retried_after_the_cooldown():
    clock, slow = Clock(), SlowParser(1.0)
    guarded = GuardedParser(slow, budget_s=0.2, cooldown_s=30, clock=clock)
    start = time.perf_counter()
    assert guarded.parse("red mugs under £5").intent == "search"  # the rule parse answered
    assert time.perf_counter() - start < 0.8
    assert guarded.parse("hello there friend").intent == "search" and slow.calls == 1  # cooling down
    time.sleep(1.0)  # the stuck parse finishes
    clock.now = 31
    slow.seconds = 0.0
    assert guarded.parse("anything").intent == "greeting" and slow.calls == 2  # recovered


def test_a_broken_llm_degrades_then_is_tried_again():
    clock, broken = Clock(), BrokenParser()
    guarded = GuardedParser(broken, budget_s=1, cooldown_s=10, clock=clock)
    guarded.warm()  # cannot load: starts degraded instead of failing to start
    assert guarded.parse("where is my order 536365").intent == "track_order" and broken.calls == 1
    clock.now = 11
    assert guarded.parse("where is my order 536365").intent == "track_order" and broken.calls == 2
    assert guarded.fallbacks == 2


@pytest.mark.slow
def test_search_outage_gives_a_plain_message_and_recovers(shop_home, llm_dir, parser, monkeypatch):
    from assistant.service import open_assistant
    from shopassist.settings import load_settings
    from tests.conftest import DATA_DIR

    settings = load_settings(overrides={"home": shop_home, "data_dir": DATA_DIR, "llm": llm_dir}, environ={})
    assistant = open_assistant(settings, "online-retail", parser=parser)
    try:
        store = assistant.shopper.searcher.store
        first = assistant.turn(None, "17850", "white hanging heart t-light holder")
        assert first.products

        def down(*args, **kwargs):
            raise ConnectionError("Connection refused")

        with monkeypatch.context() as patch:  # the engine (e.g. a Qdrant server) goes away
            patch.setattr(store, "hybrid", down)
            patch.setattr(store, "retrieve", down)
            start = time.perf_counter()
            during = assistant.turn(first.session_id, "17850", "red retrospot lunch bag")
            assert time.perf_counter() - start < 5
            assert during.reply == SEARCH_DOWN and not during.products
            assert "536365" in assistant.turn(first.session_id, "17850", "where is my order 536365").reply
        after = assistant.turn(first.session_id, "17850", "red retrospot lunch bag")
        assert after.products  # back by itself, same session
        assert len(assistant.sessions.get(first.session_id).messages) == 8
    finally:
        assistant.close()
