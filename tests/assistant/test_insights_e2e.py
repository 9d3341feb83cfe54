"""Insights from real turns on the real models: what the engine records as it answers, read
back by ``shopassist insights``."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


def test_a_thing_five_customers_asked_for_and_the_shop_lacks_is_a_demand_gap(assistant_for, shop_home, llm_dir):
    assistant = assistant_for("online-retail")
    wordings = ["do u sell cordless drills?", "have you got a cordless drill", "looking for cordless drills",
                "do you sell cordless drills", "any cordless drill?"]
    for wording in wordings:  # five guests: five conversations, five owners
        assistant.turn(None, None, wording)  # an honest no, or the nearest things: none a drill
    bought = assistant.turn(None, "17850", "white hanging heart t-light holder")
    assert bought.products
    assistant.close()  # one process owns the embedded store at a time: the command opens it next
    answer = run_cli("--home", str(shop_home), "insights", "--json", "--collection", "online-retail")
    report = json.loads(answer.stdout)  # the embedder's loading bar goes to stderr
    assert set(report) >= {"gaps", "misreads", "intents", "funnel", "differences", "human", "products", "reasons",
                           "hidden", "since", "until", "k"}
    drills = [g for g in report["gaps"] if "drill" in g["phrase"]]
    assert drills and drills[0]["customers"] >= 5 and len(drills[0]["nearest"]) == 3
    assert all("drill" in e for e in drills[0]["examples"])
    csv = run_cli("--home", str(shop_home), "insights", "--csv").stdout.splitlines()
    assert csv[0] == "panel,group,measure,value" and any(line.startswith("gaps,") for line in csv)
