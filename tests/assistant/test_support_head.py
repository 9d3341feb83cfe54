"""The support head: trained on support examples, saved beside an adapter, used only to pick
among support intents when the parser already said a message is support."""

import numpy as np

from assistant.parse.schema import TurnParse
from assistant.parse.support_head import SupportHead, SupportRefinedParser
from finetune.data import Example
from finetune.support_head import evaluate_support_head, support_examples, train_support_head

WORDS = {"refund": 0, "money": 0, "password": 1, "login": 1, "invoice": 2, "receipt": 2, "sandals": 3}


class WordEncoder:
    """Unit vectors from keyword counts: enough signal for a linear head to learn."""

    name = "word-encoder"

    def encode(self, texts, batch_size=64, show_progress=False):
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.split():
                if word in WORDS:
                    out[i, WORDS[word]] += 1
            out[i] += 0.01
            out[i] /= np.linalg.norm(out[i])
        return out


def examples(n: int = 12) -> list[Example]:
    rows = []
    for i in range(n):
        rows += [Example(f"i want my money back {i}" if i % 2 else f"refund please {i}", False, "get_refund",
                         source="written" if i < 3 else "bitext"),
                 Example(f"forgot my password {i}" if i % 2 else f"login broken {i}", False, "recover_password",
                         source="bitext"),
                 Example(f"where is the invoice {i}" if i % 2 else f"need a receipt {i}", False, "get_invoice",
                         source="bitext"),
                 Example(f"red sandals {i}", False, "search", source="shopper")]
    return rows


def test_training_keeps_support_intents_capped_written_first():
    chosen = support_examples(examples(), per_intent=5, seed=1)
    assert {e.intent for e in chosen} == {"get_refund", "recover_password", "get_invoice"}
    refunds = [e for e in chosen if e.intent == "get_refund"]
    assert len(refunds) == 5 and [e.source for e in refunds[:3]] == ["written"] * 3


def test_head_learns_saves_and_loads_for_its_embedder_only(tmp_path):
    encoder = WordEncoder()
    head, info = train_support_head(examples(), encoder, per_intent=50, progress=False)
    assert info["intents"] == 3 and set(head.intents) == {"get_refund", "recover_password", "get_invoice"}
    held_out = [Example("refund money", False, "get_refund"), Example("password login", False, "recover_password"),
                Example("invoice receipt", False, "get_invoice")]
    assert evaluate_support_head(head, held_out, encoder)["accuracy"] == 1.0
    head.save(tmp_path, info)
    loaded = SupportHead.load(tmp_path, "word-encoder")
    assert loaded is not None and loaded.predict(encoder.encode(["my money"])[0])[0] == "get_refund"
    assert SupportHead.load(tmp_path, "another-embedder") is None
    assert SupportHead.load(tmp_path / "missing", "word-encoder") is None


class FixedParser:
    def __init__(self, intent):
        self.intent = intent

    def parse(self, message, has_results=False):
        return TurnParse(intent=self.intent, confidence=0.7)


def test_refiner_changes_only_support_intents():
    encoder = WordEncoder()
    head, _ = train_support_head(examples(), encoder, per_intent=50, progress=False)
    encode = lambda text: encoder.encode([text])[0]  # noqa: E731
    support = SupportRefinedParser(FixedParser("payment_issue"), head, encode).parse("forgot my password")
    assert support.intent == "recover_password" and support.runner_up == "payment_issue"
    assert support.confidence == 0.7
    shopping = SupportRefinedParser(FixedParser("search"), head, encode).parse("refund sandals")
    assert shopping.intent == "search"
