"""Concurrent turns' parses run together: the same answers as one at a time, each caller its
own, failures reaching every waiting caller, and load beyond the in-flight bound shed to the
rule parse instead of queueing past the budget."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.parse.batcher import ParseBatcher
from assistant.parse.guarded import GuardedParser
from assistant.parse.schema import TurnParse

MESSAGES = [
    "red dresses under £30", "hi", "where is my order 536365", "compare the first two",
    "i need a birthday present for my 8 year old niece, she loves unicorns", "is it dishwasher safe?",
    "cheaper ones", "can i send back the lantern i bought, it's the wrong colour", "doormat",
    "women's sandals below 500 rupees", "talk to a real person please", "thanks!",
]


class EchoParser:
    """Records each forward pass's size; the intent says which message it was."""

    def __init__(self, seconds: float = 0.05):
        self.seconds, self.sizes = seconds, []

    def parse_many(self, messages, has_results):
        self.sizes.append(len(messages))
        time.sleep(self.seconds)
        return [TurnParse(intent="search", slots={"query": m}, confidence=1.0 if r else 0.5)
                for m, r in zip(messages, has_results)]


def test_concurrent_callers_share_forward_passes_and_get_their_own_parse():
    inner = EchoParser()
    batcher = ParseBatcher(inner, max_batch=8, wait_ms=20)
    words = [f"message {i}" for i in range(24)]
    with ThreadPoolExecutor(24) as pool:
        parses = list(pool.map(lambda w: batcher.parse(w, w.endswith("3")), words))
    assert [p.slots.query for p in parses] == words
    assert [p.confidence for p in parses] == [1.0 if w.endswith("3") else 0.5 for w in words]
    assert sum(inner.sizes) == 24 and max(inner.sizes) > 1 and max(inner.sizes) <= 8
    assert batcher.batches == len(inner.sizes) < 24
    batcher.close()


def test_a_lone_turn_does_not_wait_for_company():
    inner = EchoParser(seconds=0.0)
    batcher = ParseBatcher(inner, max_batch=16, wait_ms=500)
    start = time.perf_counter()
    batcher.parse("hello")
    assert time.perf_counter() - start < 0.25
    batcher.close()


def test_a_failed_pass_reaches_every_caller_and_the_next_pass_works():
    class Flaky(EchoParser):
        def parse_many(self, messages, has_results):
            if any("boom" in m for m in messages):
                raise RuntimeError("model fell over")
            return super().parse_many(messages, has_results)

    batcher = ParseBatcher(Flaky(seconds=0.0), max_batch=4)
    with pytest.raises(RuntimeError, match="fell over"):
        batcher.parse("boom")
    assert batcher.parse("fine").slots.query == "fine"
    batcher.close()


def test_beyond_the_in_flight_bound_turns_get_the_rule_parse_at_once():
    gate = threading.Event()

    class Held:
        def parse(self, message, has_results=False):
            gate.wait(5)
            return TurnParse(intent="greeting", confidence=1.0)

    guarded = GuardedParser(Held(), budget_s=5, max_in_flight=2)
    with ThreadPoolExecutor(2) as pool:
        held = [pool.submit(guarded.parse, "hello") for _ in range(2)]
        time.sleep(0.1)
        start = time.perf_counter()
        assert guarded.parse("red mugs under £5").intent == "search"  # shed: the rule parse
        assert time.perf_counter() - start < 0.5 and guarded.fallbacks == 1
        gate.set()
        assert [f.result().intent for f in held] == ["greeting", "greeting"]
    assert guarded.parse("hello").intent == "greeting"  # room again


@pytest.mark.slow
def test_batched_parses_equal_one_at_a_time_on_the_real_parser(parser):
    alone = [parser.parse(m, i % 2 == 0) for i, m in enumerate(MESSAGES)]
    together = parser.parse_many(MESSAGES, [i % 2 == 0 for i in range(len(MESSAGES))])
    batcher = ParseBatcher(parser, max_batch=16, wait_ms=20)
    with ThreadPoolExecutor(len(MESSAGES)) as pool:
        threaded = list(pool.map(lambda i: batcher.parse(MESSAGES[i], i % 2 == 0), range(len(MESSAGES))))
    batcher.close()
    for one, many, via in zip(alone, together, threaded):
        for other in (many, via):
            assert other.intent == one.intent and other.slots == one.slots and other.spans == one.spans
            assert other.confidence == pytest.approx(one.confidence, abs=2e-3)
    assert batcher.batches < len(MESSAGES)


@pytest.mark.slow
def test_packed_rows_give_what_padded_batches_and_single_turns_give(parser):
    has_results = [i % 3 == 0 for i in range(len(MESSAGES))]
    assert parser.packing and parser._packs_ok  # the default backbone honours restarting positions
    packed = parser.parse_many(MESSAGES, has_results)
    parser.packing = False
    try:
        padded = parser.parse_many(MESSAGES, has_results)
    finally:
        parser.packing = True
    for one, other in zip(packed, padded):
        assert one.intent == other.intent and one.spans == other.spans and one.runner_up == other.runner_up
        assert one.confidence == pytest.approx(other.confidence, abs=1e-3)


def test_packs_hold_at_most_the_token_limit_and_keep_the_order():
    from types import SimpleNamespace

    from assistant.parse.parser import _packs

    turns = [SimpleNamespace(ids=[0] * n, n=i) for i, n in enumerate([100, 300, 200, 600, 50, 50])]
    packs = _packs(turns, 512)
    assert [[t.n for t in pack] for pack in packs] == [[0, 1], [2], [3], [4, 5]]
    assert all(sum(len(t.ids) for t in pack) <= 512 for pack in packs if len(pack) > 1)


@pytest.mark.slow
def test_the_onnx_graph_parses_as_the_torch_network_does(llm_dir, parser, tmp_path):
    from assistant.parse.onnx_net import OnnxParserNet
    from assistant.parse.parser import DEFAULT_ADAPTER, TurnParser

    fast = TurnParser(llm_dir, DEFAULT_ADAPTER, onnx_cache=tmp_path)
    has_results = [i % 2 == 0 for i in range(len(MESSAGES))]
    parses = fast.parse_many(MESSAGES, has_results)
    assert isinstance(fast.runner, OnnxParserNet) and len(list(tmp_path.glob("*.onnx"))) == 1
    for one, other in zip(parses, parser.parse_many(MESSAGES, has_results)):
        assert one.intent == other.intent and one.spans == other.spans and one.runner_up == other.runner_up
        assert one.confidence == pytest.approx(other.confidence, abs=1e-3)
    alone = [fast.parse(m, r) for m, r in zip(MESSAGES, has_results)]  # one turn per row as well
    assert [p.intent for p in alone] == [p.intent for p in parses]
    again = TurnParser(llm_dir, DEFAULT_ADAPTER, onnx_cache=tmp_path)
    again.parse("hi")
    assert isinstance(again.runner, OnnxParserNet) and len(list(tmp_path.iterdir())) == 1  # exported once


def test_packed_inputs_restart_positions_and_keep_turns_apart():
    from assistant.parse.onnx_net import packed_inputs

    feeds = packed_inputs([[7, 8, 9], [4, 5]])
    assert feeds["input_ids"].tolist() == [[7, 8, 9, 4, 5]] and feeds["position_ids"].tolist() == [[0, 1, 2, 0, 1]]
    mask = feeds["mask"][0, 0].astype(int).tolist()
    assert mask == [[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 1, 1]]
