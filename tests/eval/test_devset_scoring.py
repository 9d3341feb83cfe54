"""The development set's scoring: relevance rules, precision@5, per-group summary and report."""

from eval.devset import load, precision, relevant, report, summarise


def test_relevance_rule_checks_words_exclusions_and_price():
    rule = {"any": ["tea cosy", "teapot"], "not": ["towel"], "max_price": 5.0}
    assert relevant("TEA COSY RED STRIPE", "", 4.95, rule)
    assert not relevant("TEA COSY RED STRIPE", "", 5.95, rule)
    assert not relevant("TEA TOWEL TEAPOT PRINT", "", 2.0, rule)
    assert not relevant("LUNCH BAG", "", 1.0, rule)


def test_precision_counts_relevant_products_among_five():
    rule = {"any": ["mug"]}
    shown = [("RED MUG", "", 1.0), ("BAG", "", 1.0), ("BLUE MUG", "", 2.0)]
    assert precision(shown, rule) == (0.4, True)
    assert precision([("BAG", "", 1.0)], rule) == (0.0, False)


def test_summary_groups_by_store_and_reports_turn_latency():
    rows = [{"store": "shop", "group": "need", "gold": "search", "intent": "search", "p5": 0.6, "hit": True,
             "plain_p5": 0.4, "plain_hit": True, "turn_ms": 100.0},
            {"store": "shop", "group": "need", "gold": "search", "intent": "greeting", "p5": 0.0, "hit": False,
             "plain_p5": 0.2, "plain_hit": True, "turn_ms": 300.0}]
    metrics = summarise(rows)
    need = metrics["shop/need"]
    assert need["intent_accuracy"] == 0.5 and need["precision_at_5"] == 0.3
    assert need["plain_search_precision_at_5"] == 0.3 and need["turn_p50_ms"] == 200.0
    assert metrics["all/all"]["messages"] == 2
    assert "| shop/need | 2 | 0.5 |" in report(metrics)


def test_the_committed_set_is_well_formed():
    records = load()
    assert len(records) >= 600
    assert {r["store"] for r in records} == {"online_retail", "flipkart", "support"}
    assert all(r["intent"] and isinstance(r["context"], list) for r in records)
    searches = [r for r in records if r.get("relevant")]
    assert all(r["relevant"].get("any") or r["relevant"].get("all") for r in searches)


def test_a_replayed_record_leaves_no_session_or_events_behind():
    from types import SimpleNamespace

    from eval.devset import _one

    deleted = []
    result = SimpleNamespace(session_id="s1", products=[], parse=SimpleNamespace(intent="search", slots=None))
    assistant = SimpleNamespace(
        turn=lambda session, customer, message: result,
        events=SimpleNamespace(delete_session_events=lambda sid: deleted.append(("events", sid))),
        sessions=SimpleNamespace(delete=lambda sid: deleted.append(("session", sid))))
    rec = {"id": "r1", "store": "flipkart", "group": "bare", "text": "mugs", "intent": "search", "context": ["hi"]}
    _one(assistant, rec, baseline=False)
    assert ("events", "s1") in deleted and ("session", "s1") in deleted
