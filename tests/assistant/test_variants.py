"""A/B variants: deterministic assignment, knobs that change the engine, figures per variant."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from assistant.variants import Variant, assign, parse_variants
from shopassist.errors import ConfigError
from tests.conftest import DATA_DIR, run_cli


def test_assignment_is_deterministic_and_even():
    variants = parse_variants({"a": {}, "b": {"rerank": False}, "c": {"diversity": 0.3}})
    assert [v.name for v in variants] == ["a", "b", "c"] and variants[1] == Variant("b", rerank=False)
    first = [assign(f"user{i}", variants).name for i in range(3000)]
    assert first == [assign(f"user{i}", variants).name for i in range(3000)]
    assert all(900 < n < 1100 for n in Counter(first).values())


@pytest.mark.parametrize("spec, says", [({"a": {"colour": 1}}, "unknown knob"), ({"a": {"diversity": 2}}, "within")])
def test_bad_variants_are_config_errors(spec, says):
    with pytest.raises(ConfigError, match=says):
        parse_variants(spec)


@pytest.mark.slow
def test_variant_knobs_and_report(shop_home, llm_dir, parser, tmp_path):
    from assistant.service import open_assistant
    from retrieval.behaviour.events import Event
    from shopassist.settings import load_settings

    variants = {"five": {}, "three": {"top_k": 3}}
    settings = load_settings(overrides={"home": shop_home, "data_dir": DATA_DIR, "llm": llm_dir,
                                        "ab_variants": variants}, environ={})
    users = {assign(f"ab-user-{i}", parse_variants(variants)).name: f"ab-user-{i}" for i in range(20)}
    assistant = open_assistant(settings, "online-retail", parser=parser)
    try:
        before = {s["variant"]: s for s in json.loads(run_cli("--home", str(shop_home), "ab", "report",
                                                              "--json").stdout)["variants"]}
        shown = {}
        for name, user in users.items():
            for _ in range(2):  # a second conversation of the same customer lands in the same variant
                # no kind named: the list is as long as the variant allows (a kind the small shop
                # has three of would show three in both)
                result = assistant.turn(None, user, "something red and white")
                assert assistant.sessions.get(result.session_id).variant == name
            shown[name] = len(result.products)
            assistant.events.append([Event(result.products[0].id, "add_to_cart", user, session_id=result.session_id)])
        assert shown == {"five": 5, "three": 3}
    finally:
        assistant.close()
    after = {s["variant"]: s for s in json.loads(run_cli("--home", str(shop_home), "ab", "report",
                                                         "--json").stdout)["variants"]}
    for name in variants:
        old = before.get(name, {"sessions": 0, "add_to_cart": 0, "turns": 0})
        assert after[name]["sessions"] - old["sessions"] == 2
        assert after[name]["turns"] - old["turns"] == 2
        assert after[name]["add_to_cart"] - old["add_to_cart"] == 1
