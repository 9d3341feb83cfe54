"""Two `shopassist serve` replicas on a real PostgreSQL behind HAProxy with the shipped
deploy/haproxy.cfg: a conversation continues across replicas, and killing one mid-load loses
no acknowledged event and fails only the turns it had in flight."""

from __future__ import annotations

import shutil

import httpx
import pytest

from tests.conftest import FLIPKART, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres_server, llm_dir):
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    from eval.replicas import Cluster

    home = tmp_path_factory.mktemp("replicas")
    run_cli("--home", str(home), "index", "--catalog", str(FLIPKART), "--format", "flipkart",
            "--collection", "flipkart")
    url = postgres_server.create_database("replicas")
    env = {"SHOPASSIST_LLM": llm_dir, "SHOPASSIST_TURNS_PER_MINUTE_ADDRESS": "0",
           "SHOPASSIST_TURNS_PER_MINUTE_CUSTOMER": "0"}
    with Cluster(home, "flipkart", url, env) as running:
        yield running
    assert not list(home.glob("*.sqlite*"))  # the state lived in PostgreSQL only


def test_a_conversation_alternates_between_replicas_and_keeps_its_context(cluster):
    from eval.replicas import turn

    with httpx.Client(timeout=60) as http:
        first = turn(http, cluster.url, "running shoes for men", None)
        shown = first.product
        second = turn(http, cluster.url, "tell me more about the second one", first.session)
        third = turn(http, cluster.url, "add the first one to my cart", second.session)
        health = {http.get(f"{cluster.url}/healthz").headers["x-shopassist-replica"] for _ in range(4)}
    assert first.status == second.status == third.status == 200, (first, second, third)
    assert len(health) == 2  # the balancer spreads requests over both replicas
    assert all(len(name) == 12 and int(name, 16) >= 0 for name in health)  # opaque ids, no host names
    assert first.replica != second.replica != third.replica  # round robin: each turn on the other one
    assert first.session == second.session == third.session
    assert second.product and second.product != shown  # "the second one" of what replica 1 showed
    assert third.reply.startswith("Added") and third.product == shown
    from eval.replicas import stored_carts

    assert stored_carts(cluster.database_url).get((first.session, shown)) == 1


def test_killing_a_replica_mid_load_fails_only_its_turns_in_flight(cluster):
    from eval.replicas import failover

    m = failover(cluster, customers=6, seconds=24, kill_at=9, think=(0.3, 1.0))
    assert m["errors_not_in_flight"] == 0, m["errors"]
    assert m["errors_in_flight"] <= m["customers"]  # at most one turn per customer was on the way
    assert m["carts_acknowledged"] > 0 and m["carts_lost"] == []
    assert len(m["replicas_before_kill"]) == 2 and len(m["replicas_after_kill"]) == 1
    assert m["turns_after_kill"] > 0 and m["ok_after_kill"] == m["turns_after_kill"]
    assert m["conversations_across_replicas"] > 0
