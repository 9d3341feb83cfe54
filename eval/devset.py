"""The development set of real-sounding customer messages (``eval/devset``), through the whole
assistant: each record's context is replayed in a fresh session, then its message; the figures
are per store and per group.

* intent accuracy (the intent the engine acted on, as ``chat --json`` reports it);
* for messages that should show products: precision@5 (relevant products among the first five,
  over five; a turn showing nothing scores 0) and the share of turns showing a relevant one;
* the same precision for plain hybrid search of the raw message (``shopassist search``), the
  baseline the assistant must beat;
* price-slot accuracy where the record names a budget.
A product is relevant when its lower-cased title (plus category path) holds one of the record's
``any`` strings, all of ``all``, none of ``not``, and its price is within the budget.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from shopassist.settings import Settings

DEVSET = Path(__file__).resolve().parent / "devset" / "messages.jsonl"
COLLECTIONS = {"online_retail": "online-retail", "flipkart": "flipkart", "support": "online-retail"}
K = 5


def load(path: Path = DEVSET) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def relevant(title: str, category: str, price: float | None, rule: dict) -> bool:
    text = f"{title} {category}".lower()
    if rule.get("any") and not any(s.lower() in text for s in rule["any"]):
        return False
    if any(s.lower() not in text for s in rule.get("all") or []):
        return False
    if any(s.lower() in text for s in rule.get("not") or []):
        return False
    if price is not None and rule.get("max_price") is not None and price > rule["max_price"] + 1e-6:
        return False
    if price is not None and rule.get("min_price") is not None and price < rule["min_price"] - 1e-6:
        return False
    return True


def precision(shown: list[tuple[str, str, float | None]], rule: dict) -> tuple[float, bool]:
    hits = [relevant(t, c, p, rule) for t, c, p in shown[:K]]
    return sum(hits) / K, any(hits)


def run(settings: Settings, out: Path | None = None, path: Path = DEVSET, baseline: bool = True,
        progress=None) -> dict:
    from assistant.service import open_assistant

    records = load(path)
    assistants: dict[str, object] = {}
    rows = []
    for i, rec in enumerate(records):
        name = COLLECTIONS[rec["store"]]
        if name not in assistants:
            shared = next(iter(assistants.values())).parser.parser if assistants else None  # one model in memory
            assistants[name] = open_assistant(settings, name, parser=shared)
        rows.append(_one(assistants[name], rec, baseline))
        if progress and (i + 1) % 50 == 0:
            progress(f"devset: {i + 1}/{len(records)}")
    for assistant in assistants.values():
        assistant.close()
    metrics = summarise(rows)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        (out / "turns.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        (out / "report.md").write_text(report(metrics))
    return metrics


def _one(assistant, rec: dict, baseline: bool) -> dict:
    session = None
    for message in rec["context"]:
        session = assistant.turn(session, rec.get("customer"), message).session_id
    started = time.perf_counter()
    result = assistant.turn(session, rec.get("customer"), rec["text"])
    took_ms = (time.perf_counter() - started) * 1000
    assistant.events.delete_session_events(result.session_id)  # the replay leaves nothing in the home
    assistant.sessions.delete(result.session_id)
    row = {"id": rec["id"], "store": rec["store"], "group": rec["group"], "text": rec["text"],
           "gold": rec["intent"], "intent": result.parse.intent, "turn_ms": round(took_ms, 1),
           "shown": [p.title for p in result.products][:K]}
    gold_slots = rec.get("slots") or {}
    for name in ("max_price", "min_price"):
        if gold_slots.get(name) is not None:
            got = getattr(result.parse.slots, name)
            row[f"{name}_ok"] = got is not None and abs(got - float(gold_slots[name])) < 0.01
    rule = rec.get("relevant")
    if rule:
        shown = [(p.title, p.category or "", p.price) for p in result.products]
        row["p5"], row["hit"] = precision(shown, rule)
        if baseline:
            plain = assistant.shopper.searcher.search(rec["text"], None, K)
            row["plain_p5"], row["plain_hit"] = precision(
                [(c.product.title, c.product.category_path, c.product.price) for c in plain], rule)
    return row


def summarise(rows: list[dict]) -> dict:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["store"], row["group"])].append(row)
        groups[(row["store"], "all")].append(row)
        groups[("all", "all")].append(row)
    out = {}
    for (store, group), items in sorted(groups.items()):
        searched = [r for r in items if "p5" in r]
        priced = [r[k] for r in items for k in ("max_price_ok", "min_price_ok") if k in r]
        out[f"{store}/{group}"] = {
            "messages": len(items),
            "intent_accuracy": _mean([r["intent"] == r["gold"] for r in items]),
            "product_turns": len(searched),
            "precision_at_5": _mean([r["p5"] for r in searched]),
            "shows_relevant": _mean([r["hit"] for r in searched]),
            "plain_search_precision_at_5": _mean([r["plain_p5"] for r in searched if "plain_p5" in r]),
            "price_slot_accuracy": _mean(priced),
            **_latency([r["turn_ms"] for r in items if "turn_ms" in r]),
        }
    return out


def _latency(times: list[float]) -> dict:
    """Turn p50/p95 of the messages themselves (context turns are not timed)."""
    if not times:
        return {}
    return {"turn_p50_ms": round(float(np.percentile(times, 50)), 1),
            "turn_p95_ms": round(float(np.percentile(times, 95)), 1)}


def _mean(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else None


def report(metrics: dict) -> str:
    lines = ["# Development set: real-sounding messages through the assistant", "",
             "| store/group | messages | intent acc | product turns | P@5 | shows relevant | plain search P@5 "
             "| price slots | turn p50 / p95 ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    for key, m in metrics.items():
        timing = f"{m['turn_p50_ms']} / {m['turn_p95_ms']}" if "turn_p95_ms" in m else None
        cells = [m["messages"], m["intent_accuracy"], m["product_turns"], m["precision_at_5"], m["shows_relevant"],
                 m["plain_search_precision_at_5"], m["price_slot_accuracy"], timing]
        lines.append(f"| {key} | " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def parse_only(settings: Settings, path: Path = DEVSET) -> dict:
    """The turn parser alone on the development set (each message with whether results were
    on screen): intent accuracy per store and group, before any engine rule."""
    from assistant.parse.parser import TurnParser

    records = load(path)
    parses = TurnParser.from_settings(settings).parse_many([r["text"] for r in records],
                                                           [bool(r["context"]) for r in records])
    rows = [{"store": r["store"], "group": r["group"], "gold": r["intent"], "intent": p.intent}
            for r, p in zip(records, parses)]
    return {key: {"messages": m["messages"], "intent_accuracy": m["intent_accuracy"]}
            for key, m in summarise(rows).items()}


def parse_report(metrics: dict) -> str:
    lines = ["## Development set (hand-written, real-sounding messages): parser alone", "",
             "| store/group | messages | intent accuracy |", "|---|---|---|"]
    lines += [f"| {key} | {m['messages']} | {m['intent_accuracy']} |" for key, m in metrics.items()]
    return "\n".join(lines) + "\n"
