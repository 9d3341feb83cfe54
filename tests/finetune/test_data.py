"""The parser's training data: valid spans, and test phrasings/products unseen in training."""

import json

import pytest

from assistant.parse.schema import INTENTS
from finetune.data import build_dataset, read_examples
from retrieval.adapters import load_flipkart, load_online_retail
from tests.conftest import DATA_DIR, FLIPKART, ONLINE_RETAIL

BITEXT = DATA_DIR / "bitext_support" / "bitext_customer_support_sample.csv"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("parser-data")
    products = load_flipkart(FLIPKART)[0] + load_online_retail(ONLINE_RETAIL)[0][:1500]
    stats = build_dataset(products, BITEXT, out, seed=5, scale=0.2)
    return stats, {split: read_examples(out / f"{split}.jsonl") for split in ("train", "validation", "test")}


def test_every_span_points_at_its_text(dataset):
    _, splits = dataset
    for rows in splits.values():
        for ex in rows:
            assert ex.intent in INTENTS
            for span in ex.spans:
                assert ex.text[span.start:span.end] == span.text, ex


def test_test_split_has_unseen_templates_products_and_utterances(dataset):
    _, splits = dataset
    train, test = splits["train"], splits["test"]
    shopper_test = [e for e in test if e.source == "shopper"]
    assert shopper_test and all(e.template.startswith("test:") for e in shopper_test)
    assert all(e.template.startswith("train:") for e in train if e.source == "shopper")
    train_products = {e.product for e in train if e.product}
    assert not {e.product for e in shopper_test if e.product} & train_products
    assert not {e.text for e in test if e.source == "bitext"} & {e.text for e in train if e.source == "bitext"}


def test_every_intent_is_trained_and_tested(dataset):
    stats, splits = dataset
    assert {e.intent for e in splits["train"]} == set(INTENTS)
    assert {e.intent for e in splits["test"]} == set(INTENTS)
    assert stats["splits"]["test"]["by_source"]["bitext"] > 100
    # shopper slots the acceptance measures occur in the test split
    kinds = {s.type for e in splits["test"] for s in e.spans}
    assert {"max_price", "min_price", "category", "reference", "order_id"} <= kinds
    json.dumps(stats)


def test_repeated_written_lines_count_in_training_only(tmp_path):
    from finetune.data import written_examples

    lines = [{"text": f"add [{n}](quantity) of [those](reference)", "intent": "add_to_cart", "has_results": True,
              "context": {"kind": "mug", "shown": True, "pending": None, "last": "search"}} for n in range(2, 40)]
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    (tmp_path / "old.jsonl").write_text(json.dumps({"text": "hiya", "intent": "greeting", "has_results": False}) + "\n")
    once, thrice = written_examples(tmp_path), written_examples(tmp_path, {"new": 3})
    assert len(thrice["train"]) == 3 * (len(once["train"]) - 1) + 1  # "hiya" once, as it was
    assert thrice["validation"] == once["validation"] and thrice["test"] == once["test"]
    with pytest.raises(ValueError, match="no written file"):
        written_examples(tmp_path, {"newer": 2})
