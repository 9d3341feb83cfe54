"""How fast the insights are over a big store: 1,000,000 behaviour events and a month of turn
facts (rows as the engine writes them), on SQLite and on PostgreSQL, in one run.

Timed: the report alone (what `shopassist insights --json` computes, without the search for the
nearest products, which needs a collection), and the page's whole render (report, six plots,
tables, CSV files). Targets: page ≤ 2 s, `insights --json` ≤ 5 s.

    shopassist eval insights-bench --out docs/eval/insights/bench [--events 1000000]
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

from assistant.facts import DAY_S
from assistant.insights import Insights
from assistant.session import SessionStore
from retrieval.behaviour.events import EventStore
from shopassist.database import open_database

PAGE_S, JSON_S = 2.0, 5.0
INTENTS = ("search", "refine", "product_question", "add_to_cart", "greeting", "track_order", "get_refund",
           "contact_human_agent", "gift_help", "compare")
RULES = ("request", "refines_need", "pages_on", "asks_about_it", "asks_to_buy", "small_talk", "support_question")
REASONS = ("popular", "bought_together", "bought_before", "search", "profile", None)


def fill(db, events: int, customers: int, products: int, seed: int = 0, now: float | None = None) -> dict:
    """``events`` behaviour events and about a fifth as many turns (with cards and funnel rows) over
    the 30 days before ``now``; returns the row counts."""
    rng = random.Random(seed)
    now = now or time.time()
    sessions, store = SessionStore(db, data_key=bytes(range(32))), EventStore(db)
    users = [f"u{i}" for i in range(customers)]
    items = [f"p{i}" for i in range(products)]
    for start in range(0, events, 100_000):
        store.db.insert_many("events", ("user_id", "product_id", "type", "quantity", "price", "ts", "session_id"), [
            (rng.choice(users), rng.choice(items), rng.choice(("view", "view", "add_to_cart", "purchase")), 1.0, 2.5,
             now - rng.uniform(0, 30 * DAY_S), None) for _ in range(min(100_000, events - start))])
    turns, cards, chats = [], [], []
    for c in range(events // 20):  # a conversation of about four turns per twenty events
        user = rng.choice(users) if rng.random() < 0.6 else None
        sid, owner = f"s{c}", f"user:{user}" if user else f"session:s{c}"
        started = now - rng.uniform(0, 30 * DAY_S)
        chats.append((sid, int(started // DAY_S), owner, user, rng.choice(("control", "rerank")), started,
                      1, int(rng.random() < 0.5), int(rng.random() < 0.1)))
        for t in range(rng.randint(1, 7)):
            ts = started + 30 * t
            gap = rng.choice((None,) * 12 + ("cordless drill", "yoga mat", "coffee machine", f"odd thing {c % 500}"))
            turns.append((ts, int(ts // DAY_S), sid, owner, user, chats[-1][4], rng.choice(INTENTS), "search",
                          rng.choice(RULES), int(rng.random() < 0.03), "mug", gap, "weak" if gap else None,
                          int(rng.random() < 0.01), None, int(rng.random() < 0.04), 0, 0, 5, None))
            if t == 0:
                cards += [(ts, int(ts // DAY_S), sid, owner, user, chats[-1][4], rng.choice(items), rng.choice(REASONS))
                          for _ in range(5)]
    _bulk(db, "funnel", ("session_id", "day", "owner", "user_id", "variant", "started", "shown", "viewed", "carted"),
          chats)
    _bulk(db, "turn_facts", ("ts", "day", "session_id", "owner", "user_id", "variant", "intent", "action", "rule",
                             "by_rules", "kind", "gap", "gap_why", "handoff", "follows", "correction", "rephrased",
                             "after_miss", "shown", "example"), turns)
    _bulk(db, "shown_facts", ("ts", "day", "session_id", "owner", "user_id", "variant", "product_id", "reason"), cards)
    del sessions
    return {"events": events, "turns": len(turns), "cards": len(cards), "conversations": len(chats)}


def _bulk(db, table: str, columns: tuple, rows: list) -> None:
    for start in range(0, len(rows), 100_000):
        db.insert_many(table, columns, rows[start:start + 100_000])


def time_it(db, folder: Path, now: float) -> dict:
    """Seconds for the report and for the page's render, the first call and a second one."""
    from ui.insights import PLOTS, plot_frame, tables, write_csvs

    insights = Insights(SessionStore(db, data_key=bytes(range(32))), EventStore(db))
    out = {}
    for attempt in ("first", "second"):
        started = time.perf_counter()
        report = insights.report(now - 30 * DAY_S, now)
        json.dumps(report.to_json())
        out[f"json_{attempt}_s"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        report = insights.report(now - 30 * DAY_S, now)
        for panel in PLOTS:
            plot_frame(panel, report).to_json(orient="records")  # what Gradio sends the browser to draw
        tables(report)
        write_csvs(report, folder)
        out[f"page_{attempt}_s"] = round(time.perf_counter() - started, 3)
    out["gaps_shown"] = len(report.gaps)
    return out


def run(out: Path, events: int = 1_000_000, database_url: str | None = None, progress=print) -> dict:
    from eval.temp_postgres import TempPostgres

    now = time.time()
    results = {}
    with tempfile.TemporaryDirectory(prefix="shopassist-insights-bench-") as tmp:
        db = open_database(Path(tmp), "bench")
        results["sqlite"] = {"rows": fill(db, events, 20_000, 4_000, now=now)}
        progress(f"sqlite: {results['sqlite']['rows']}")
        results["sqlite"].update(time_it(db, Path(tmp), now))
        db.close()
        progress(f"sqlite: {results['sqlite']}")
        with TempPostgres() as pg:
            db = open_database(Path(tmp), "bench", database_url or pg.create_database("insights_bench"), pool_size=4)
            results["postgresql"] = {"rows": fill(db, events, 20_000, 4_000, now=now)}
            with db.transaction() as tx:  # fresh statistics, as autovacuum would have by now
                tx.execute("ANALYZE")
            results["postgresql"].update(time_it(db, Path(tmp), now))
            db.close()
        progress(f"postgresql: {results['postgresql']}")
    for engine in results.values():
        engine["page_ok"] = engine["page_second_s"] <= PAGE_S
        engine["json_ok"] = engine["json_second_s"] <= JSON_S
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(results, indent=2))
    (out / "report.md").write_text(report(results))
    return results


def report(results: dict) -> str:
    lines = ["# Insights over a big store", "",
             "1,000,000 behaviour events, 20,000 customers, 4,000 products, and a month of turns written as the "
             "engine writes them (about 4 turns, 5 cards and one funnel row per conversation), one run on this "
             "2-core machine. The report is what `shopassist insights --json` computes (without the nearest "
             "products, which search the collection); the page is the report with six plots' tables (the browser draws them), "
             "the tables and six CSV files. First call and a second one.", "",
             "| engine | rows | `insights --json` (target ≤ 5 s) | page (target ≤ 2 s) |", "|---|---|---|---|"]
    for name, r in results.items():
        rows = r["rows"]
        lines.append(f"| {name} | {rows['events']:,} events, {rows['turns']:,} turns, {rows['cards']:,} cards | "
                     f"{r['json_first_s']} s, {r['json_second_s']} s ({'pass' if r['json_ok'] else 'FAIL'}) | "
                     f"{r['page_first_s']} s, {r['page_second_s']} s ({'pass' if r['page_ok'] else 'FAIL'}) |")
    return "\n".join(lines) + "\n"
