"""The CLI contract: commands, flags and JSON shapes the product owner checks."""

import json

import pytest
from click.testing import CliRunner

from shopassist.cli import cli
from tests.conftest import FIXTURES, FLIPKART, run_cli


run = run_cli


@pytest.mark.slow
def test_index_unseen_layout_with_map_then_filtered_search(tmp_path):
    home = str(tmp_path / "h")
    out = run("--home", home, "index", "--catalog", str(FIXTURES / "unseen_layout.csv"),
              "--map", "title=Name", "--map", "price=Cost", "--map", "category=Section",
              "--map", "description=Details", "--json").stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert report["products"] == 7 and report["indexed"] == 7 and report["rejected_count"] == 1
    assert {w["row"] for w in report["warnings"]} == {5, 6}

    result = json.loads(run("--home", home, "search", "hiking boots", "--max-price", "300", "--json").stdout)
    assert set(result) == {"results", "took_ms"}
    titles = [r["title"] for r in result["results"]]
    assert "Leather Hiking Boot" in titles  # its range starts at 299.99
    assert all(r["price"] is not None and r["price"] <= 300 for r in result["results"])
    assert "Trail Running Shoe" not in titles and "Wool Hiking Socks" not in titles
    for r in result["results"]:
        assert {"id", "title", "price", "category", "brand", "score"} <= set(r)

    again = json.loads(run("--home", home, "index", "--catalog", str(FIXTURES / "unseen_layout.csv"),
                           "--json").stdout.strip().splitlines()[-1])
    assert (again["indexed"], again["unchanged"], again["removed"]) == (0, 7, 0)


@pytest.mark.slow
def test_flipkart_acceptance(tmp_path):
    home = str(tmp_path / "h")
    run("--home", home, "index", "--format", "flipkart", "--catalog", str(FLIPKART))
    result = json.loads(run("--home", home, "search", "women's sandals", "--max-price", "500", "--json").stdout)
    assert len(result["results"]) == 10
    assert all(r["price"] <= 500 for r in result["results"])
    categories = [r["category"] for r in result["results"]]
    assert all(c.startswith("footwear > womens footwear") for c in categories[:5]), categories
    assert sum(c.startswith("footwear") for c in categories) >= 6, categories
    text = run("--home", home, "search", "watch", "--brand", "nonexistent-brand").stdout
    assert "no products match" in text


def test_errors_are_messages_not_tracebacks(tmp_path):
    home = str(tmp_path / "h")
    cases = [
        (["index", "--catalog", str(tmp_path / "missing.csv")], "does not exist"),
        (["index", "--catalog", str(FIXTURES / "unseen_layout.csv"), "--map", "cost=Cost"], "unknown field 'cost'"),
        (["index", "--catalog", str(FIXTURES / "unseen_layout.csv"), "--map", "title=Nom"], "lacks"),
        (["search", "x", "--min-price", "10", "--max-price", "5"], "above --max-price"),
        (["search", "x", "--attr", "red"], "expected KEY=VALUE"),
        (["search", "anything"], "run `shopassist index` first"),
        (["--qdrant-url", "http://127.0.0.1:9", "search", "anything"], "failed"),
    ]
    for args, message in cases:
        result = CliRunner().invoke(cli, ["--home", home, *args])
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output and "Traceback" not in result.output


def test_bad_config_is_reported(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("colection = 'x'\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "search", "x"])
    assert result.exit_code == 1 and "unknown setting(s) colection" in result.output


# --- collection names: one rule for every --collection option and for open_store ---

BAD_NAMES = ["../..", "..", ".", "a/b", "a\\b", "", "a b", "a.b", "x" * 65, "~root", "a\x00b"]
GOOD_NAMES = ["catalog", "online-retail", "Flip_kart2", "x" * 64]


def _collection_options(group, path=()):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _collection_options(command, (*path, name))
        for param in command.params:
            if "--collection" in getattr(param, "opts", ()):
                yield (*path, name), param


def test_every_collection_option_checks_the_name():
    from shopassist.cli import COLLECTION

    found = {" ".join(path): param.type for path, param in _collection_options(cli)}
    assert {"index", "search", "train-behaviour", "recommend", "profile", "chat", "serve"} <= set(found)
    assert all(kind is COLLECTION for kind in found.values()), found


def test_index_collection_outside_the_home_is_refused_and_nothing_deleted(tmp_path):
    home = tmp_path / "h"
    (home / "qdrant" / "catalog").mkdir(parents=True)
    (home / "keep.txt").write_text("mine")
    (tmp_path / "keep.txt").write_text("mine too")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(cli, ["--home", str(home), "index", "--catalog", str(FIXTURES / "unseen_layout.csv"),
                                      "--collection", "../..", "--recreate"])
    assert result.exit_code != 0
    assert "'../..' is not a collection name" in result.output and "Traceback" not in result.output
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("args", [
    ["index", "--catalog", str(FIXTURES / "unseen_layout.csv")],
    ["search", "mugs"],
    ["train-behaviour"],
    ["recommend", "--user", "17850"],
    ["profile", "--user", "17850"],
    ["chat", "--message", "hi"],
    ["chat", "--batch", str(FIXTURES / "unseen_layout.csv")],
    ["serve", "--port", "9"],
])
@pytest.mark.parametrize("name", ["../..", "a/b", "x" * 65, ""])
def test_bad_collection_names_are_refused_by_every_command(tmp_path, args, name):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), *args, "--collection", name])
    assert result.exit_code == 2, result.output
    assert f"{name!r} is not a collection name: use 1 to 64 letters, digits, '-' or '_'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "h").exists()


def test_valid_name_is_the_collection_setting_rule_up_to_64_characters(tmp_path):
    from pydantic import ValidationError

    from retrieval.stores import valid_name
    from shopassist.settings import Settings

    for name in BAD_NAMES + GOOD_NAMES + ["é-ü", "a-", "-", "_"]:
        try:
            Settings(home=tmp_path, collection=name)
            setting_ok = True
        except ValidationError:
            setting_ok = False
        assert valid_name(name) == (setting_ok and len(name) <= 64), name
    assert not valid_name(None) and not valid_name(3)


@pytest.mark.parametrize("name", BAD_NAMES)
def test_open_store_refuses_a_name_that_is_not_plain(settings, tmp_path, name):
    from retrieval.stores import open_store
    from shopassist.errors import ConfigError

    if not name:
        return  # "" means the `collection` setting
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(ConfigError, match="is not a valid name: use 1 to 64 letters"):
        open_store(settings, name)
    remote = settings.model_copy(update={"qdrant_url": "http://127.0.0.1:9"})
    with pytest.raises(ConfigError, match="is not a valid name"):
        open_store(remote, name)
    assert sorted(tmp_path.rglob("*")) == before


# --- chat --batch: a bad line is answered with an error and the batch goes on ---

def test_chat_batch_reports_each_bad_line_and_goes_on(tmp_path, monkeypatch):
    import sys
    import types

    turns = []

    class FakeResult:
        def __init__(self, session, user, message):
            self.session, self.user, self.message = session, user, message

        def to_json(self):
            return {"reply": f"echo {self.message}", "session": self.session or "new", "user": self.user}

    class FakeAssistant:
        def turn(self, session, user, message, named=False):
            assert named  # the CLI is a local tool: it may name sessions
            turns.append((session, user, message))
            return FakeResult(session, user, message)

        def close(self):
            pass

    monkeypatch.setitem(sys.modules, "assistant.service",
                        types.SimpleNamespace(open_assistant=lambda settings, collection: FakeAssistant()))
    batch = tmp_path / "turns.jsonl"
    batch.write_bytes(b"\n".join([
        b'\xef\xbb\xbf{"message": "hi", "user": "17850"}',  # a BOM before the first line is fine
        json.dumps({"message": "hi", "session": 42}).encode(),
        json.dumps({"message": "hi", "user": ["17850"]}).encode(),
        json.dumps({"message": "hi", "user": True}).encode(),
        json.dumps({"message": 5}).encode(),
        json.dumps(["message", "hi"]).encode(),
        b"{not json",
        b'{"message": "caf\xe9"}',  # Latin-1, not UTF-8
        b"",
        json.dumps({"message": "bye", "session": "s1", "user": 17850}).encode(),
        b"[" * 100_000,
        json.dumps({"message": "\udc80"}).encode(),
        json.dumps({"message": "last"}).encode(),
    ]) + b"\n")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "h"), "chat", "--batch", str(batch),
                                      "--user", "guest-default"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["line"] for row in out] == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13]
    errors = {row["line"]: row["error"] for row in out if "error" in row}
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8, 11, 12}
    assert "`session` must be a string" in errors[2]
    assert "`user` must be a string" in errors[3] and "`user` must be a string" in errors[4]
    assert "`message` must be a string" in errors[5]
    assert "JSON object" in errors[6] and "not JSON" in errors[7] and "not UTF-8" in errors[8]
    assert "nests too deeply" in errors[11] and "valid Unicode" in errors[12]
    assert turns == [(None, "17850", "hi"), ("s1", "17850", "bye"), (None, "guest-default", "last")]
    assert [row["reply"] for row in out if "reply" in row] == ["echo hi", "echo bye", "echo last"]
