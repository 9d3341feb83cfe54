"""The shop owner's insights from the facts kept as turns happen, on both engines: groups of
fewer than k customers hidden, wording redacted, a forgotten customer gone once recomputed."""

from __future__ import annotations

import time

import pytest

from assistant.facts import ShownCard, TurnFact
from assistant.insights import Insights, csv_rows, group_phrases, two_proportions, wilson
from assistant.session import SessionStore
from retrieval.behaviour.events import Event, EventStore
from shopassist.plain_text import safe_cell

DATA_KEY = bytes(range(32))
CARD = "4111 1111 1111 1111"


def _stores(connect):
    db = connect()
    return SessionStore(db, data_key=DATA_KEY), EventStore(db)


def _turn(sessions: SessionStore, user: str | None, fact: TurnFact, text: str = "hello", variant: str | None = None,
          session=None):
    session = session or sessions.new(user)
    session.variant = variant
    session.add("customer", text, fact.intent)
    session.add("assistant", "ok")
    sessions.save(session, fact)
    return session


def _report(sessions, events, **kwargs):
    now = time.time()
    return Insights(sessions, events, **kwargs).report(now - 86_400, now + 60)


def test_a_gap_shows_with_five_customers_not_four_redacted_and_gone_after_forget(connect):
    sessions, events = _stores(connect)
    for i in range(5):
        wording = "cordless drills" if i % 2 else "cordless drill"
        text = f"do u sell {wording}? pay with {CARD}, mail me at c{i}@example.com"
        _turn(sessions, f"c{i}", TurnFact("search", "search", "request", gap=wording, gap_why="not_sold",
                                          example=text), text)
    for i in range(4):
        _turn(sessions, f"g{i}", TurnFact("search", "search", "request", gap="garden hose", gap_why="empty",
                                          example="any garden hose?"))
    report = _report(sessions, events, nearest=lambda phrase: ["TOOL KIT", "SPANNER"])
    assert [(g.phrase, g.customers, g.turns, g.why) for g in report.gaps] == [
        ("cordless drill", 5, 5, {"not_sold": 5})]
    assert report.gaps[0].nearest == ["TOOL KIT", "SPANNER"] and report.hidden["gaps"] == 1
    examples = report.gaps[0].examples
    assert sorted(examples) == [f"do u sell cordless drill{s}? pay with [card], mail me at [email]" for s in ("", "s")]
    everything = str(report.to_json()) + str(csv_rows(report))
    assert "4111" not in everything and "@example.com" not in everything and "garden hose" not in everything

    sessions.delete_user("c0")
    again = _report(sessions, events)
    assert again.gaps == [] and again.hidden["gaps"] == 2  # four customers left: hidden


def test_phrases_of_one_meaning_are_grouped():
    pairs = {("hoover", "vacuum cleaner"): 0.86}

    def similar(phrases):
        return [[1.0 if a == b else pairs.get((a, b), pairs.get((b, a), 0.1)) for b in phrases] for a in phrases]

    groups = group_phrases(["hoover", "vacuum cleaner", "kettle"], similar)
    assert sorted(map(sorted, groups)) == [["hoover", "vacuum cleaner"], ["kettle"]]
    assert group_phrases(["hoover", "kettle"], None) == [["hoover"], ["kettle"]]


def test_misreads_intents_and_hand_offs_are_counted_per_rule_and_kept_to_k(connect):
    sessions, events = _stores(connect)
    for i in range(6):
        _turn(sessions, f"c{i}", TurnFact("search", "search", "request", by_rules=True, example="lunch box pls"))
        _turn(sessions, f"c{i}", TurnFact("refine", "refine", "objects_to_all_shown", correction=True,
                                          example="no i meant for kids"))
        _turn(sessions, f"c{i}", TurnFact("contact_human_agent", "handoff", "asks_for_a_person", handoff=True,
                                          follows="refine", after_miss=True, example="person please"))
    for i in range(3):  # only three customers fell back: not shown
        _turn(sessions, f"d{i}", TurnFact("greeting", "chat", "small_talk", by_rules=True))
    report = _report(sessions, events)
    found = {(m.category, m.rule): (m.turns, m.customers) for m in report.misreads}
    assert found == {("rule_fallback", "request"): (6, 6), ("correction", "objects_to_all_shown"): (6, 6),
                     ("handoff_after_misread", "asks_for_a_person"): (6, 6)}
    assert report.hidden["misreads"] == 1
    (day, intents), = report.intents.items()
    assert intents == {"search": 6, "refine": 6, "contact_human_agent": 6}  # greetings: three customers
    assert report.human.handoffs == 6 and report.human.reasons == {"refine": 6} and report.human.rate == round(6 / 21, 4)
    assert report.human.conversations == 9 + 6 * 2  # each _turn above opened a conversation


def test_the_funnel_per_variant_counts_purchases_after_a_chat_and_says_when_it_cannot_decide(connect):
    sessions, events = _stores(connect)
    now = time.time()
    for i in range(10):
        variant = "control" if i < 5 else "rerank"
        shown = (ShownCard("85123A", "popular"), ShownCard("22423", "bought_together"))
        session = _turn(sessions, f"c{i}", TurnFact("search", "search", "request", shown=shown), variant=variant)
        if i % 5 < 3:
            sessions.mark(session, "viewed")
        if i in (1, 6, 7):
            _turn(sessions, f"c{i}", TurnFact("add_to_cart", "add_to_cart", "asks_to_buy"), session=session)
        if i in (6, 7, 8):
            events.append([Event("85123A", "purchase", f"c{i}", 1, 2.55, now + 3600, "C1")])
    events.append([Event("85123A", "purchase", "c0", 1, 2.55, now - 3 * 86_400, "C0")])  # before the chat
    titles = {"85123A": "WHITE HANGING HEART T-LIGHT HOLDER"}
    kept = _report(sessions, events, titles=lambda ids: titles)  # k = 5: three buyers are too few to show
    assert {f.stages["purchased"].count for f in kept.funnel} == {0}
    assert {p.bought_after for p in kept.products} == {0}
    report = _report(sessions, events, titles=lambda ids: titles, k=3)
    funnel = {f.variant: f for f in report.funnel}
    assert funnel["control"].chats == 5 and funnel["rerank"].chats == 5
    assert {k: r.count for k, r in funnel["control"].stages.items()} == {"shown": 5, "viewed": 3, "carted": 1,
                                                                         "purchased": 0}
    assert {k: r.count for k, r in funnel["rerank"].stages.items()} == {"shown": 5, "viewed": 3, "carted": 2,
                                                                        "purchased": 3}
    assert all("too few conversations" in d.verdict for d in report.differences)
    products = {p.product_id: p for p in report.products}
    heart = products["85123A"]
    assert (heart.title, heart.shown, heart.customers, heart.bought_after) == (
        "WHITE HANGING HEART T-LIGHT HOLDER", 10, 10, 3)
    assert products["22423"].bought_after == 0 and products["22423"].title == "22423"  # no title known
    assert report.reasons == {"bought_together": 0.5, "popular": 0.5}


def test_intervals_and_the_difference_test():
    assert wilson(0, 0).share == 0.0
    rate = wilson(30, 100)
    assert rate.low < 0.3 < rate.high and 0.21 < rate.low < 0.22 and 0.39 < rate.high < 0.40
    assert two_proportions(wilson(300, 1000), wilson(360, 1000)) < 0.01
    assert two_proportions(wilson(30, 100), wilson(32, 100)) > 0.5


def test_hand_offs_of_fewer_than_k_customers_are_not_shown(connect):
    sessions, events = _stores(connect)
    for i in range(8):
        _turn(sessions, f"c{i}", TurnFact("search", "search", "request"))
    for i in range(4):
        _turn(sessions, f"c{i}", TurnFact("contact_human_agent", "handoff", "asks_for_a_person", handoff=True))
    human = _report(sessions, events).human
    assert human.conversations == 12 and human.handoffs is None and human.rate is None and human.reasons == {}



def test_a_closed_purchase_window_is_settled_once_and_read_back(connect):
    from assistant.facts import DAY_S

    sessions, events = _stores(connect)
    now = time.time()
    for i in range(6):
        fact = TurnFact("search", "search", "request", ts=now - 10 * DAY_S)
        _turn(sessions, f"c{i}", fact)
        events.append([Event("85123A", "purchase", f"c{i}", 1, 2.5, now - 8 * DAY_S, "C")] if i < 2 else [])
    recent = _turn(sessions, "c0", TurnFact("search", "search", "request"))
    events.append([Event("85123A", "purchase", "c0", 1, 2.5, now + 60, "D")])
    report = Insights(sessions, events, k=3).report(now - 20 * DAY_S, now + 120)
    assert report.funnel[0].stages["purchased"].count == 3
    settled = dict(sessions.db.query("SELECT session_id, bought FROM funnel"))
    assert settled[recent.id] is None and sorted(v for k, v in settled.items() if k != recent.id) == [0, 0, 0, 0, 1, 1]
    with sessions.db.transaction() as tx:  # the events are gone; the settled answers stay
        tx.execute("DELETE FROM events WHERE session_id = 'C'")
    again = Insights(sessions, events, k=3).report(now - 20 * DAY_S, now + 120)
    assert again.funnel[0].stages["purchased"].count == 3


def test_gap_phrases_are_redacted_labelled_by_most_customers_and_exported_safely(connect):
    sessions, events = _stores(connect)
    for i in range(5):
        _turn(sessions, f"c{i}", TurnFact("search", "search", "request", gap="garden hose", gap_why="empty"))
    _turn(sessions, "c0", TurnFact("search", "search", "request", gap="=garden hoses c0@example.com", gap_why="empty"))
    for _ in range(3):  # one customer repeating an odd wording cannot make it the label
        _turn(sessions, "c1", TurnFact("search", "search", "request", gap="garden hoses 07946 091258", gap_why="empty"))
    report = _report(sessions, events)
    (gap,) = report.gaps
    assert gap.phrase == "garden hose" and gap.customers == 5
    stored = [r[0] for r in sessions.db.query("SELECT gap FROM turn_facts")]
    assert not any("@example.com" in g or "091258" in g for g in stored)
    everything = str(report.to_json()) + str(csv_rows(report))
    assert "example.com" not in everything and "[phone]" not in everything  # wordings are not printed
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@cmd") == "'@cmd" and safe_cell(5) == 5



def test_forget_removes_every_row_of_a_customer_who_signed_in_mid_conversation(connect):
    sessions, events = _stores(connect)
    shown = (ShownCard("85123A", "popular"),)
    guest = _turn(sessions, None, TurnFact("search", "search", "request", shown=shown, gap="yoga mat", gap_why="weak"))
    guest.user_id = "c9"  # signs in: the same conversation goes on as the customer's
    _turn(sessions, "c9", TurnFact("search", "search", "request", shown=shown), session=guest)
    other = _turn(sessions, "c8", TurnFact("search", "search", "request", shown=shown))
    sessions.delete_user("c9")
    for table in ("turn_facts", "shown_facts", "funnel"):
        left = {r[0] for r in sessions.db.query(f"SELECT session_id FROM {table}")}
        assert left == {other.id}, table


def test_a_date_range_runs_from_the_first_day_to_the_end_of_the_last_in_utc():
    from assistant.facts import DAY_S
    from assistant.insights import DEFAULT_DAYS, date_range

    start = 1_793_491_200.0  # 2026-11-01 00:00 UTC
    assert date_range("2026-11-01", "2026-11-30", 0.0) == (start, start + 30 * DAY_S - 1)
    assert date_range(None, None, start + 5.0) == (start + 5.0 - DEFAULT_DAYS * DAY_S, start + 5.0)
    assert date_range(" ", "2026-11-01", 0.0) == (start + DAY_S - 1 - DEFAULT_DAYS * DAY_S, start + DAY_S - 1)
    for first, last, says in (("2026-13-01", None, "not a date"), ("1/11/2026", None, "not a date"),
                              ("2026-11-30", "2026-11-01", "after the last")):
        with pytest.raises(ValueError, match=says):
            date_range(first, last, start)


def test_agent_traffic_shows_beside_the_widget_and_small_groups_stay_hidden(connect):
    from assistant.facts import ToolCall

    sessions, events = _stores(connect)
    for i in range(5):
        _turn(sessions, f"w{i}", TurnFact("search", "search", "request", shown=(ShownCard("p1"),)))
        agent = sessions.new(f"a{i}")
        agent.source = "mcp"
        _turn(sessions, f"a{i}", TurnFact("add_to_cart", "add_to_cart", "request"), session=agent)
        sessions.record_call(ToolCall("search_catalog", f"user:a{i}", True, 10, 12.0, f"a{i}"))
        sessions.record_call(ToolCall("search_catalog", f"guest:{sessions.pseudonym(f'10.0.0.{i}')}", i > 0))
    for i in range(4):  # four customers read carts: too few to show
        sessions.record_call(ToolCall("get_cart", f"user:a{i}", True, 1, 3.0, f"a{i}"))
    traffic = {t.source: t for t in _report(sessions, events).traffic}
    assert (traffic["widget"].conversations, traffic["widget"].turns, traffic["widget"].tools) == (5, 5, {})
    mcp = traffic["mcp"]
    assert (mcp.conversations, mcp.turns, mcp.tools, mcp.refused) == (5, 5, {"search_catalog": 10}, 1)
    assert mcp.carted.share == 1.0 and traffic["widget"].carted.share == 0.0

    sessions.delete_user("a0")  # forget takes their calls too: four agent customers left, hidden
    again = {t.source: t for t in _report(sessions, events).traffic}
    assert again["mcp"].conversations == 0 and again["mcp"].tools == {"search_catalog": 9}
    # and the widget's conversations with them: the funnel's total less the widget's would give them away
    assert "widget" not in again
