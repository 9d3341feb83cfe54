"""Dialogue benchmark: parse and turn latency with the default models, and a count of
invented facts over every turn.

Scripted conversations run against the indexed stores of a home (``shopassist demo`` makes
one): shopper dialogues on Flipkart and Online Retail (search → cheaper → "the second one" →
compare → add to cart), and support turns with real Online Retail invoice numbers asked by
their owners. Every product shown or named and every price or order stated is checked
against the catalogue and the event store.

    shopassist --home ~/.local/share/shopassist eval bench-assistant --out eval/out/assistant
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np

from assistant.grounding import amounts_in, names_in
from assistant.service import open_assistant
from retrieval.stores import open_store
from shopassist.settings import load_settings

SHOPPER_SCRIPT = ["show me {cat} under {price}", "anything cheaper?", "tell me more about the second one",
                  "compare it with the first", "add the first one to my cart"]
SUPPORT_SCRIPT = ["where is my order {invoice}", "I want a refund for it", "can I talk to a person?"]


class TimedParser:
    """Wraps a parser to time each parse inside a full turn."""

    def __init__(self, parser):
        self.parser = parser
        self.times: list[float] = []

    def parse(self, message: str, has_results: bool = False):
        start = time.perf_counter()
        out = self.parser.parse(message, has_results)
        self.times.append((time.perf_counter() - start) * 1000)
        return out


def _catalogue(settings, collection: str):
    with open_store(settings, collection) as store:
        products, _ = store.export()
    return {p.id: p for p in products}


def _goals(catalogue: dict, n: int, rng: random.Random) -> list[tuple[str, float]]:
    goals = []
    for product in rng.sample(list(catalogue.values()), min(len(catalogue), n * 5)):
        if product.price and product.category:
            goals.append((product.category[-1], product.price))
        elif product.price and not product.category:
            goals.append((" ".join(product.title.lower().split()[-2:]), product.price))
        if len(goals) == n:
            break
    return goals


def _invented(result, catalogue: dict, orders_amounts: set[float]) -> list[str]:
    # order lines name what was bought even when the catalogue no longer lists it
    titles = {p.title for p in catalogue.values()} | {l.title for o in result.orders for l in o.lines}
    prices = {round(v, 2) for p in catalogue.values() for v in (p.price, p.price_max) if v is not None}
    bad = [f"card {c.id}" for c in result.products
           if c.id not in catalogue or (catalogue[c.id].title, catalogue[c.id].price) != (c.title, c.price)]
    bad += [f"title {t}" for t in names_in(result.reply) if t not in titles]
    bad += [f"price {a}" for a in amounts_in(result.reply) if a not in prices | orders_amounts]
    return bad


def _order_amounts(result) -> set[float]:
    amounts = {o.total for o in result.orders if o.total is not None}
    return {round(a, 2) for a in amounts | {l.unit_price for o in result.orders for l in o.lines if l.unit_price}}


def run(home: Path, out: Path, dialogues: int = 20, seed: int = 0, generation: bool = True) -> dict:
    settings = load_settings(overrides={"home": home})
    rng = random.Random(seed)
    turn_ms, invented, intents, turns = [], [], {}, 0
    timed = None
    for collection in ("flipkart", "online-retail"):
        catalogue = _catalogue(settings, collection)
        assistant = open_assistant(settings, collection, parser=timed.parser if timed else None)
        timed = TimedParser(assistant.parser) if timed is None else timed
        assistant.parser = timed
        assistant.turn(None, None, "hello")  # load models before timing
        timed.times.pop()
        scripts = [[m.format(cat=cat, price=f"{price * 1.5:.0f}") for m in SHOPPER_SCRIPT]
                   for cat, price in _goals(catalogue, dialogues, rng)]
        users = [None] * len(scripts)
        if collection == "online-retail":
            for invoice, user in _invoices(assistant, dialogues, rng):
                scripts.append([m.format(invoice=invoice) for m in SUPPORT_SCRIPT])
                users.append(user)
        for script, user in zip(scripts, users):
            session = None
            for message in script:
                start = time.perf_counter()
                result = assistant.turn(session, user, message)
                turn_ms.append((time.perf_counter() - start) * 1000)
                session, turns = result.session_id, turns + 1
                intents[result.parse.intent] = intents.get(result.parse.intent, 0) + 1
                invented += [f"{collection}: {message!r}: {b}" for b in
                             _invented(result, catalogue, _order_amounts(result))]
        assistant.close()
    metrics = {
        "turns": turns, "dialogues": dialogues,
        "parse_ms": {"p50": _pct(timed.times, 50), "p95": _pct(timed.times, 95)},
        "turn_ms": {"p50": _pct(turn_ms, 50), "p95": _pct(turn_ms, 95)},
        "invented_facts": len(invented), "invented_examples": invented[:20], "intents": intents,
    }
    if generation:
        metrics["generation_ms"] = generation_ms(settings, [s[0] for s in scripts][:11])
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "report.md").write_text(_report(metrics))
    return metrics


def _invoices(assistant, n: int, rng: random.Random) -> list[tuple[str, str]]:
    orders = assistant.events.orders(limit=5000)
    return rng.sample(orders, min(n, len(orders)))


def generation_ms(settings, messages: list[str], new_tokens: int = 30) -> dict:
    """What the alternative design would cost: the same LLM generating a short JSON parse
    (``new_tokens`` tokens, greedy, after a one-line instruction) per message."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from shopassist.llm_assets import resolve_llm

    path = resolve_llm(settings)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    times = []
    for message in messages:
        chat = [{"role": "system", "content": "Return the intent and slots of the message as JSON."},
                {"role": "user", "content": message}]
        ids = tokenizer.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        start = time.perf_counter()
        with torch.inference_mode():
            model.generate(**ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                           pad_token_id=tokenizer.pad_token_id)
        times.append((time.perf_counter() - start) * 1000)
    return {"new_tokens": new_tokens, "p50": _pct(times[1:], 50), "p95": _pct(times[1:], 95)}


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 1) if values else float("nan")


def _report(m: dict) -> str:
    return "\n".join([
        "# Assistant dialogue benchmark", "",
        f"{m['turns']} turns ({m['dialogues']} scripted shopper dialogues per store + support dialogues "
        "with real invoices), default models, warm, this machine.", "",
        "| measure | p50 ms | p95 ms |", "|---|---|---|",
        f"| parse (inside the turn) | {m['parse_ms']['p50']} | {m['parse_ms']['p95']} |",
        f"| full turn | {m['turn_ms']['p50']} | {m['turn_ms']['p95']} |", "",
        f"Invented products, prices or orders: **{m['invented_facts']}**", "",
        "Intents seen: " + ", ".join(f"{k} {v}" for k, v in sorted(m["intents"].items())), "",
        *([f"For comparison, generating a {m['generation_ms']['new_tokens']}-token JSON parse with the same LLM "
           f"(greedy, no tagging heads): p50 {m['generation_ms']['p50']} ms, p95 {m['generation_ms']['p95']} ms "
           f"— {m['generation_ms']['p50'] / m['parse_ms']['p50']:.1f}× the one-pass parse.", ""]
          if "generation_ms" in m else [])])
