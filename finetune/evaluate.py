"""Parser evaluation: intent accuracy, slot precision/recall/F1, JSON validity, latency.

Gold slots come from the gold spans through the same ``spans_to_slots`` the parser uses, so
a slot counts as right only when its normalised value matches exactly (prices compared to
the cent). Bitext and generated shopper turns are reported separately.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np

from assistant.parse.normalise import slot_pairs, spans_to_slots
from assistant.parse.parser import TurnParser
from assistant.parse.schema import TurnParse
from finetune.data import Example

PRICE_CATEGORY = {"min_price", "max_price", "category"}


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "support": tp + fn}


def _valid_json(parse: TurnParse) -> bool:
    try:
        TurnParse.model_validate_json(parse.model_dump_json())
        json.loads(json.dumps(parse.to_json()))
        return True
    except ValueError:
        return False


def score(examples: list[Example], parses: list[TurnParse]) -> dict:
    """Metrics of ``parses`` against the gold ``examples`` (same order)."""
    counts = {"all": [0, 0, 0], "price_category": [0, 0, 0]}
    per_slot: dict[str, list[int]] = {}
    correct = 0
    for ex, parse in zip(examples, parses):
        correct += parse.intent == ex.intent
        gold, pred = slot_pairs(spans_to_slots(ex.spans)), slot_pairs(parse.slots)
        for name in {n for n, _ in gold | pred}:
            g = {p for p in gold if p[0] == name}
            q = {p for p in pred if p[0] == name}
            tp, fp, fn = len(g & q), len(q - g), len(g - q)
            per_slot.setdefault(name, [0, 0, 0])
            for key in ("all", "price_category") if name in PRICE_CATEGORY else ("all",):
                counts[key] = [a + b for a, b in zip(counts[key], (tp, fp, fn))]
            per_slot[name] = [a + b for a, b in zip(per_slot[name], (tp, fp, fn))]
    n = max(1, len(examples))
    return {"examples": len(examples), "intent_accuracy": round(correct / n, 4),
            "slots": _prf(*counts["all"]), "price_category_slots": _prf(*counts["price_category"]),
            "per_slot": {k: _prf(*v) for k, v in sorted(per_slot.items())},
            "json_validity": round(sum(_valid_json(p) for p in parses) / n, 4)}


def latency(parser: TurnParser, examples: list[Example], n: int = 200, seed: int = 0) -> dict:
    """Single-turn parse latency (batch of one, as in a live chat), warm."""
    sample = random.Random(seed).sample(examples, min(n, len(examples)))
    parser.parse(sample[0].text, sample[0].parser_input)
    times = []
    for ex in sample:
        start = time.perf_counter()
        parser.parse(ex.text, ex.parser_input)
        times.append((time.perf_counter() - start) * 1000)
    return {"turns": len(times), "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1)}


def evaluate(parser: TurnParser, examples: list[Example], latency_turns: int = 200) -> dict:
    parses = parser.parse_many([e.text for e in examples], [e.parser_input for e in examples])
    report = {"overall": score(examples, parses)}
    for source in sorted({e.source for e in examples}):
        idx = [i for i, e in enumerate(examples) if e.source == source]
        report[source] = score([examples[i] for i in idx], [parses[i] for i in idx])
    if latency_turns:
        report["latency"] = latency(parser, examples, latency_turns)
    report["errors"] = [{"text": e.text, "gold": e.intent, "predicted": p.intent}
                        for e, p in zip(examples, parses) if e.intent != p.intent][:50]
    return report


def evaluate_adapter(settings, adapter: Path, examples: list[Example], latency_turns: int = 200) -> dict:
    """``evaluate`` for an adapter folder on the settings' LLM, shaped for reports:
    overall figures at the top, then ``by_source``, ``latency`` and ``errors``."""
    from shopassist.llm_assets import resolve_llm

    report = evaluate(TurnParser(resolve_llm(settings), adapter, settings.torch_threads), examples, latency_turns)
    overall = report.pop("overall")
    return {**overall, "by_source": {k: v for k, v in report.items() if k not in ("errors", "latency")},
            "latency": report.get("latency"), "errors": report["errors"]}
