"""The simulated month's pieces: what counts as sold, a gap read as a planted one, the check's
arithmetic, and moving a conversation back in time."""

from __future__ import annotations

import time

from assistant.facts import TurnFact
from assistant.insights import Gap, HumanLoop, InsightsReport, Misread
from assistant.session import SessionStore
from eval.insights_month import Truth, _same, backdate, check, planted_gaps, sold
from retrieval.product import Product

CATALOGUE = {"1": Product(id="1", title="COSY SLIPPER SHOES LARGE"), "2": Product(id="2", title="RECYCLED ACAPULCO MAT")}


def _report(phrases: list[str], misreads: dict[str, int]) -> InsightsReport:
    return InsightsReport("2026-11-01", "2026-12-01", 5, [Gap(p, 9, 9, {"weak": 9}) for p in phrases],
                          [Misread(k, "r", n, 9) for k, n in misreads.items()], {}, [], [],
                          HumanLoop(None, None, None, {}, {}, {}), [], {}, [], {})


def test_a_phrase_is_sold_when_one_title_holds_all_its_words():
    assert sold("slipper shoe", CATALOGUE) and sold("mats", CATALOGUE)
    assert not sold("running shoes", CATALOGUE) and not sold("yoga mat", CATALOGUE)
    assert "running shoes" in planted_gaps(CATALOGUE) and all(not sold(g, CATALOGUE) for g in planted_gaps(CATALOGUE))


def test_a_gap_is_read_as_the_planted_one_by_its_words():
    assert _same("cordless drill", "cordless drills") and _same("cordless drill", "drill")
    assert not _same("cordless drill", "printer ink") and not _same("yoga mat", "")


def test_the_check_counts_recall_precision_and_misreads_within_ten_percent():
    truth = Truth({"running shoes": set(range(9)), "yoga mat": set(range(6)), "dog food": set(range(3))},
                  corrections=20, outage_turns=40)
    good = check(_report(["running shoe", "yoga mats", "slipper shoes"], {"correction": 19, "rule_fallback": 43}),
                 truth, CATALOGUE)
    assert good["planted_gaps"] == ["running shoes", "yoga mat"]  # dog food: three customers, hidden by design
    assert good["gap_recall"] == 1.0 and good["top10_precision"] == round(2 / 3, 4) and not good["passed"]
    assert good["misreads"]["correction"]["within_10pct"] and good["misreads"]["rule_fallback"]["within_10pct"]
    fine = check(_report(["running shoe", "yoga mats"], {"correction": 20, "rule_fallback": 40}), truth, CATALOGUE)
    assert fine["passed"]
    off = check(_report(["running shoe", "yoga mats"], {"correction": 10, "rule_fallback": 40}), truth, CATALOGUE)
    assert not off["passed"] and not off["misreads"]["correction"]["within_10pct"]


def test_backdating_moves_every_row_of_a_conversation(tmp_path):
    store = SessionStore(tmp_path / "s.sqlite")
    session = store.new("17850")
    session.add("customer", "mugs", "search")
    store.save(session, TurnFact("search", "search", "request"))
    backdate(store.db, session.id, 10 * 86_400)
    (ts, day), = store.db.query("SELECT ts, day FROM turn_facts")
    (started, funnel_day), = store.db.query("SELECT started, day FROM funnel")
    assert time.time() - ts > 9.9 * 86_400 and day == int(ts // 86_400) and funnel_day == int(started // 86_400)
    store.close()
