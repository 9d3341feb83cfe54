"""`shopassist chat`: the JSON contract, sessions kept between calls, batch mode."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from shopassist.cli import cli

pytestmark = pytest.mark.slow


def chat(home, llm, *args):
    result = CliRunner().invoke(cli, ["--home", str(home), "--llm", llm, "chat", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_message_json_shape_and_session_continuity(shop_home, llm_dir):
    first = json.loads(chat(shop_home, llm_dir, "--collection", "flipkart", "--message",
                            "rings under 3000", "--json"))
    assert {"reply", "products", "parse", "session"} <= set(first)
    assert set(first["parse"]) == {"intent", "slots", "by"} and first["parse"]["intent"] == "search"
    assert first["parse"]["by"] == "model"
    assert first["parse"]["slots"]["max_price"] == 3000
    assert first["action"] == "search" and first["rule"] and first["state"]["need"]["max_price"] == 3000
    assert first["state"]["shown"] == [p["id"] for p in first["products"]]
    for product in first["products"]:
        assert {"id", "title", "price", "reason"} <= set(product) and product["price"] <= 3000

    again = json.loads(chat(shop_home, llm_dir, "--collection", "flipkart", "--session", first["session"],
                            "--message", "show me cheaper ones", "--json"))
    assert again["session"] == first["session"] and again["parse"]["intent"] == "refine"
    assert again["action"] == "refine" and again["state"]["need"].get("kind") == first["state"]["need"].get("kind")
    first_prices = sorted(p["price"] for p in first["products"])
    assert again["products"] and max(p["price"] for p in again["products"]) < first_prices[len(first_prices) // 2]
    assert not {p["id"] for p in again["products"]} & {p["id"] for p in first["products"]}


def test_batch_answers_every_line_and_reports_bad_ones(shop_home, llm_dir, tmp_path):
    batch = tmp_path / "turns.jsonl"
    batch.write_text("\n".join([
        json.dumps({"message": "where is my order 536365", "user": "17850"}),
        "{not json",
        json.dumps({"text": "no message field"}),
        json.dumps({"message": "hello", "session": 42}),
        json.dumps({"message": "hello", "user": {"id": "17850"}}),
        json.dumps(["hello"]),
        json.dumps({"message": "hello"}),
    ]) + "\n")
    lines = [json.loads(x) for x in chat(shop_home, llm_dir, "--collection", "online-retail", "--batch",
                                         str(batch)).splitlines()]
    assert [x["line"] for x in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert "1 December 2010" in lines[0]["reply"]
    assert all(set(x) == {"line", "error"} for x in lines[1:6]), lines[1:6]
    assert "`session` must be a string" in lines[3]["error"] and "`user` must be a string" in lines[4]["error"]
    assert lines[6]["parse"]["intent"] == "greeting"


def test_missing_collection_is_a_clear_error(tmp_path, llm_dir):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "empty"), "--llm", llm_dir, "chat",
                                      "--collection", "nothing", "--message", "hi"])
    assert result.exit_code == 1 and "shopassist index" in result.output


def test_interactive_chat_streams_replies(shop_home, llm_dir):
    result = CliRunner().invoke(cli, ["--home", str(shop_home), "--llm", llm_dir, "chat", "--collection", "flipkart"],
                                input="hello\nshow me rings under 2000\n\n", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "assistant> Hello!" in result.stdout
    assert "Here is what I found:" in result.stdout and "suggestions:" in result.stdout
