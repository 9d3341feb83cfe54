"""The burst benchmark's arithmetic on made-up shots (no servers): percentiles, what counts as a
proper refusal, the figures and the targets' verdicts; and the load ladder's layout ratio."""

import random

from eval.burst import (TARGETS, Shot, is_sentence, percentiles, proper_refusal, random_session, report,
                        store_conversations, summarise, verdict)
from eval.load import CLUSTER, SINGLE_JSON, layout_ratio
from eval.load import report as load_report

BUSY = "We're busier than usual right now; please try again in a few seconds."


def _refused(kind="hostile", ms=5.0, retry_after="3", message=BUSY, status=503):
    return Shot(kind, 1.0, ms, status, retry_after, message)


def _answered(kind="customer", ms=300.0, replica="a"):
    return Shot(kind, 1.0, ms, 200, session="s", replica=replica)


def _health(ms=10.0, status=200):
    return Shot("health", 1.0, ms, status)


def _calm() -> list[Shot]:
    return ([_health(10.0)] * 19 + [_health(40.0)] + [_answered(ms=ms) for ms in range(100, 1100, 10)]
            + [_answered("hostile", 800.0, "b")] * 5 + [_refused()] * 7)


def test_percentiles_give_n_the_asked_ones_and_the_max():
    figures = percentiles(list(range(0, 101)), (50, 95))
    assert figures == {"n": 101, "p50": 50.0, "p95": 95.0, "max": 100.0}
    assert percentiles([]) == {"n": 0}
    assert set(percentiles([3.0])) == {"n", "p50", "p95", "p99", "max"}


def test_made_up_session_ids_are_32_hex_characters_and_differ():
    rng = random.Random(1)
    ids = {random_session(rng) for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 32 and all(c in "0123456789abcdef" for c in i) for i in ids)


def test_a_proper_refusal_is_a_503_with_retry_after_and_a_sentence():
    assert proper_refusal(_refused())
    assert not proper_refusal(_refused(retry_after=None))  # no header
    assert not proper_refusal(_refused(retry_after="0"))
    assert not proper_refusal(_refused(retry_after="soon"))
    assert not proper_refusal(_refused(message=None))  # the balancer's own HTML page
    assert not proper_refusal(_refused(message="busy"))  # a code, not a sentence
    assert not proper_refusal(_refused(status=500))
    assert not proper_refusal(Shot("hostile", 1.0, 30_000.0, None, failure="ReadTimeout"))


def test_a_sentence_is_words_a_person_can_read():
    assert is_sentence(BUSY)
    assert not is_sentence("") and not is_sentence(None) and not is_sentence("ERR_BUSY")
    assert not is_sentence("Traceback (most recent call last): boom.")


def test_a_calm_run_passes_every_target():
    m = summarise(_calm(), 40.0)
    assert m["health"]["probes"] == 20 and m["health"]["failures"] == 0 and m["health"]["ms"]["max"] == 40.0
    assert m["customers"]["turns"] == 100 and m["customers"]["errors"] == 0
    assert m["hostile"] == {**m["hostile"], "turns": 12, "answered": 5, "refused_503": 7, "other_errors": 0}
    assert m["refusals"] == {"count": 7, "proper": 7, "improper_examples": []}
    assert m["slow_turns"] == 0 and m["answered_by_replica"] == {"a": 100, "b": 5}
    assert verdict(m) == {name: True for name in TARGETS}


def test_each_target_fails_on_its_own_figure():
    slow_health = summarise(_calm() + [_health(500.0)] * 5, 40.0)
    assert verdict(slow_health) == {**{n: True for n in TARGETS}, TARGETS[0]: False}
    slow_customers = summarise(_calm() + [_answered(ms=5000.0)] * 20, 40.0)
    assert verdict(slow_customers) == {**{n: True for n in TARGETS}, TARGETS[1]: False}
    hung = summarise(_calm() + [_refused(ms=10_500.0)], 40.0)  # a proper refusal, but far too late
    assert hung["slow_turns"] == 1 and verdict(hung) == {**{n: True for n in TARGETS}, TARGETS[2]: False}
    rude = summarise(_calm() + [_refused(retry_after=None), Shot("hostile", 2.0, 3.0, None, failure="ConnectError")],
                     40.0)
    assert rude["refusals"]["count"] == 9 and rude["refusals"]["proper"] == 7
    assert rude["hostile"]["other_errors"] == 1 and rude["hostile"]["refused_503"] == 8
    assert verdict(rude) == {**{n: True for n in TARGETS}, TARGETS[3]: False}


def test_a_refused_real_customer_counts_as_their_error_not_in_their_latency():
    m = summarise(_calm() + [_refused("customer", ms=1.0)] * 3, 40.0)
    assert m["customers"]["errors"] == 3 and m["customers"]["refused_503"] == 3
    assert m["customers"]["turn_ms"]["n"] == 100 and m["customers"]["answered"] == 100


def test_no_data_is_no_pass():
    m = summarise([], 40.0)
    assert verdict(m)[TARGETS[0]] is False and verdict(m)[TARGETS[1]] is False


def test_the_report_says_pass_or_fail_per_target():
    m = {"hostile_clients": 60, "customer_count": 20, "think_s": [2.0, 8.0], "health_every_s": 0.2,
         "conversations": 300, "collection": "flipkart",
         **summarise(_calm() + [_refused(retry_after=None)], 40.0)}
    m["targets"] = verdict(m)
    m["passed"] = all(m["targets"].values())
    text = report(m)
    assert "**FAIL**" in text and "| every refusal a 503 with Retry-After and a message | 7 of 8 | FAIL |" in text
    assert "| healthz p95 ≤ 100 ms |" in text and "Retry-After=None" in text
    assert "with a made-up session id" in text
    assert "with no session id" in report({**m, "hostile_ids": "none"})


def test_a_store_gets_its_own_conversations_and_support_only_where_it_belongs():
    flipkart = store_conversations("flipkart")
    retail = store_conversations("online-retail")
    assert flipkart and retail and len(retail) > len(flipkart) // 2
    assert not any(customer for customer, _ in flipkart)  # support records name Online Retail customers
    assert any(customer for customer, _ in retail)


def _path(held, last, layout=None):
    path = {"steps": [{"customers": n, "turns_per_s": 1, "errors": 0, "turns": 10, "rule_parsed": 0,
                       "turn_ms": {"n": 10, "p50": 100, "p95": 500, "p99": 600}} for n in range(5, last + 1, 5)],
            "held_customers": held, "env": {}}
    return {**path, "layout": layout} if layout else path


def test_the_load_ladder_gives_the_cluster_over_one_process_ratio():
    paths = {"batched, concurrent, Gradio API": _path(10, 20), SINGLE_JSON: _path(20, 25),
             CLUSTER: _path(35, 35, "cluster")}
    assert layout_ratio(paths) == 1.75
    assert layout_ratio({SINGLE_JSON: _path(0, 5), CLUSTER: _path(10, 10, "cluster")}) is None
    assert layout_ratio({SINGLE_JSON: _path(20, 25)}) is None
    metrics = {"think_s": [2.0, 8.0], "seconds_per_step": 30, "conversations": 3, "paths": paths,
               "cluster_over_single": layout_ratio(paths)}
    text = load_report(metrics)
    assert "two replicas / one process: **1.75×**" in text
    assert "| 35 (the ladder's top step: it may hold more) |" in text
    assert f"{CLUSTER} / batched" not in text  # the cluster is not one more single-process path
