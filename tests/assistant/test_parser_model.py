"""Encoding, BIO labels and word-level decoding with the real tokenizer (no model run)."""

from __future__ import annotations

import pytest

from assistant.parse.model import decode_spans, encode_turn, span_tags
from assistant.parse.normalise import slot_pairs, spans_to_slots
from tests.assistant.helpers import spans


@pytest.fixture(scope="module")
def tokenizer(llm_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(llm_dir)


@pytest.mark.parametrize("text,parts", [
    ("where can i find mangalsutra by decon", [("category", "mangalsutra"), ("brand", "decon")]),
    ("red mugs £2-£3", [("colour", "red"), ("category", "mugs"), ("min_price", "£2"), ("max_price", "£3")]),
    ("blue vases, nothing above 2.5 pounds", [("colour", "blue"), ("category", "vases"), ("max_price", "2.5 pounds")]),
    ("rings from 1,499 to 2,999", [("category", "rings"), ("min_price", "1,499"), ("max_price", "2,999")]),
    ("compare #5 vs this?", [("reference", "#5"), ("reference", "this")]),
    ("SHOW ME SILVER FABRIC MIRRORS UNDER 13 QUID", [("colour", "SILVER"), ("category", "FABRIC MIRRORS"),
                                                    ("max_price", "13 QUID")]),
])
def test_labels_decode_back_to_the_same_slots(tokenizer, text, parts):
    gold = spans(text, *parts)
    encoded = encode_turn(tokenizer, text, True)
    tags = span_tags(encoded, gold)
    assert len(tags) == len(encoded.offsets)
    decoded = decode_spans(encoded, [max(t, 0) for t in tags])
    assert slot_pairs(spans_to_slots(decoded)) == slot_pairs(spans_to_slots(gold))


def test_a_tagged_number_takes_its_currency_sign_along(tokenizer):
    text = "refund $12 please"  # Bitext marks only "12"
    encoded = encode_turn(tokenizer, text, True)
    decoded = decode_spans(encoded, [max(t, 0) for t in span_tags(encoded, spans(text, ("refund_amount", "12")))])
    slots = spans_to_slots(decoded)
    assert (slots.refund_amount, slots.currency) == (12.0, "USD")


def test_message_is_echoed_and_tagged_on_the_second_copy(tokenizer):
    encoded = encode_turn(tokenizer, "rings under 500", False)
    n = len(encoded.offsets)
    assert encoded.ids[encoded.tag_start:encoded.tag_start + n] == encoded.ids[encoded.tag_start - n - 1:encoded.tag_start - 1]
    assert encoded.tag_start + n == len(encoded.ids)


def test_a_word_never_splits_into_two_spans(tokenizer):
    text = "where can i find mangalsutra"
    encoded = encode_turn(tokenizer, text, False)
    # alternate tags inside the word: the word takes its first token's tag
    word_tokens = [i for i, (s, e) in enumerate(encoded.offsets) if s >= text.index("mangalsutra")]
    assert len(word_tokens) > 1
    from assistant.parse.schema import TAGS
    tags = [0] * len(encoded.offsets)
    for k, i in enumerate(word_tokens):
        tags[i] = TAGS.index("B-category" if k % 2 == 0 else "B-brand")
    assert [(s.type, s.text) for s in decode_spans(encoded, tags)] == [("category", "mangalsutra")]


def _scores(intents: list[str], probs: dict[str, float]):
    import torch

    return torch.log(torch.tensor([probs.get(name, 1e-6) for name in intents]))


def test_support_spread_over_neighbours_outweighs_the_top_shopping_intent(tokenizer):
    """The domain first, then the intent within it: 0.4 on one shopping intent loses to 0.55
    spread over three support intents, and the share travels with the parse."""
    import torch

    from assistant.parse.parser import TurnParser
    from assistant.parse.schema import INTENTS, TAGS

    encoded = encode_turn(tokenizer, "cancel everything, i've changed my mind", "for: -")
    tags = torch.zeros(len(encoded.ids), len(TAGS))
    spread = {"remove_from_cart": 0.40, "cancel_order": 0.30, "delete_account": 0.15, "change_order": 0.10,
              "greeting": 0.05}
    parse = TurnParser._parse(encoded, _scores(list(INTENTS), spread), tags, list(INTENTS))
    assert (parse.intent, parse.runner_up) == ("cancel_order", "remove_from_cart")
    assert parse.support_share == pytest.approx(0.55, abs=0.01) and parse.is_support_by() == parse.support_share
    shopping = {"search": 0.6, "return_item": 0.3, "greeting": 0.1}
    parse = TurnParser._parse(encoded, _scores(list(INTENTS), shopping), tags, list(INTENTS))
    assert parse.intent == "search" and parse.support_share == pytest.approx(0.3, abs=0.01)


def test_the_short_state_line_says_the_same_in_fewer_tokens(tokenizer):
    from assistant.state import compact_context, render_context

    line = render_context("lunch bag", True, "offer_add", "search")
    assert compact_context(line) == "lunch bag|yes|offer_add|search"
    assert compact_context(render_context(None, False, None, None)) == "-|no|-|-"
    assert compact_context("Results on screen: yes") == "Results on screen: yes"  # not a state line: as it is
    full, short = (encode_turn(tokenizer, "any in blue?", line, compact) for compact in (False, True))
    assert len(short.ids) < len(full.ids) - 5
    assert short.ids[short.tag_start:] == full.ids[full.tag_start:]  # the tagged copy is the same


def test_an_adapter_says_which_state_line_it_reads():
    from assistant.parse.parser import _reads

    assert _reads({"input": "state"}) == (True, False)
    assert _reads({"input": "state-compact"}) == (True, True)
    assert _reads({}) == (False, False)  # adapters trained before the state: the results flag alone
