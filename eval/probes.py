"""Single turns after a shown list, each in a fresh session: what the engine does with them.

Two sets in ``eval/conversations`` (written by writers who never saw the engine; see its README):

* ``cart_probes.jsonl``: 110 turns that ask nothing of the cart (``no_cart``), 30 requests to buy
  (``buy``) and 20 praises of one product (``praise``);
* ``need_probes.jsonl``: 80 turns of talk (``talk``), 70 refinements of the need in hand
  (``refine``) and 30 questions about the shown products (``question``).

Each probe's ``setup`` messages are sent first (they show a list), then its ``turn``; the turn is
right when its action is one its group allows, and a ``no_cart`` turn is wrong whenever the cart
changed. ``shopassist eval probes --out DIR`` writes ``report.md``, ``metrics.json`` and every
probe with its action (``probes.jsonl``).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from eval.conversations import SET_DIR, STORES, _cart_events

SETS = ("cart_probes", "need_probes")
RIGHT = {"no_cart": {"answer", "chat", "compare", "deals", "more", "recommend", "refine", "search", "support",
                     "view_cart", "similar", "handoff", "out_of_scope", "nothing_shown"},
         "buy": {"add_to_cart"}, "praise": {"offer_add"},
         "talk": {"chat", "deals", "out_of_scope", "support"}, "refine": {"refine", "more"},
         "question": {"answer", "compare"}}


def read_probes(name: str) -> list[dict]:
    path = SET_DIR / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def probe(assistant, row: dict) -> dict:
    """One probe in a fresh session, deleted after."""
    session = None
    for message in row["setup"]:
        session = assistant.turn(session, None, message).session_id
    before = len(_cart_events(assistant, session))
    result = assistant.turn(session, None, row["turn"])
    changed = len(_cart_events(assistant, session)) != before
    assistant.events.delete_session_events(result.session_id)
    assistant.sessions.delete(result.session_id)
    right = result.action in RIGHT[row["expect"]] and not (row["expect"] == "no_cart" and changed)
    return {**row, "action": result.action, "rule": result.rule, "cart_changed": changed, "right": right}


def run(settings, out: Path, progress: Callable[[str], None] = print) -> dict:
    from assistant.service import open_assistant

    started, done, parser = time.perf_counter(), [], None
    rows = [dict(r, set=name) for name in SETS for r in read_probes(name)]
    for store, collection in STORES.items():
        assistant = open_assistant(settings, collection, parser=parser)
        parser = assistant.parser
        try:
            for row in (r for r in rows if r["store"] == store):
                done.append(probe(assistant, row))
            progress(f"{collection}: {sum(r['store'] == store for r in rows)} probes")
        finally:
            assistant.close()
    groups, right = Counter(r["expect"] for r in done), Counter(r["expect"] for r in done if r["right"])
    result = {"groups": {g: {"n": n, "right": right[g], "share": round(right[g] / n, 3)} for g, n in groups.items()},
              "offers_or_cart_changes_on_no_cart": sum(r["expect"] == "no_cart" and (
                  r["cart_changed"] or r["action"] in ("offer_add", "add_to_cart")) for r in done),
              "seconds": round(time.perf_counter() - started, 1)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(result, indent=2))
    (out / "probes.jsonl").write_text("".join(json.dumps(r) + "\n" for r in done))
    (out / "report.md").write_text(report(result))
    return result


def report(m: dict) -> str:
    lines = ["# Single turns after a shown list", "", "| group | probes | right | share |", "|---|---:|---:|---:|"]
    lines += [f"| {g} | {v['n']} | {v['right']} | {v['share']:.3f} |" for g, v in sorted(m["groups"].items())]
    lines += ["", f"Offers to add or cart changes on turns that ask nothing of the cart: "
                  f"**{m['offers_or_cart_changes_on_no_cart']}**", f"({m['seconds']} s)", ""]
    return "\n".join(lines)
