"""Around every MCP tool: who the caller is, how often they may call, what is recorded, and
what an agent is told when something breaks."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from mcp.server.mcpserver.exceptions import ToolError as McpToolError

from ui.guard import RateLimiter
from ui.identity import Identity, sign
from ui.mcp import BAD_TOKEN, McpBackend
from ui.widget import FRIENDLY, TOO_FAST

SECRET = "k" * 40


class _Sessions:
    def __init__(self):
        self.calls = []

    def record_call(self, call):
        self.calls.append(call)

    def pseudonym(self, text):
        return f"hash-of-{text}"


def _backend(limit: int = 0) -> McpBackend:
    tools = SimpleNamespace(assistant=SimpleNamespace(sessions=_Sessions()))
    return McpBackend(tools, SimpleNamespace(identity=Identity(SECRET)), None, RateLimiter(limit))


def _ctx(authorization: str | None = None, host: str = "10.1.2.3"):
    headers = {"authorization": authorization} if authorization is not None else {}
    return SimpleNamespace(headers=headers, request_context=SimpleNamespace(
        request=SimpleNamespace(client=SimpleNamespace(host=host))))


def _run(backend, ctx, work, tool="search_catalog"):
    return asyncio.run(backend.run(tool, ctx, work))


def test_a_signed_token_names_the_customer_and_the_call_is_recorded_without_its_arguments():
    backend, seen = _backend(), []
    result = _run(backend, _ctx(f"Bearer {sign('17850', SECRET)}"),
                  lambda customer: seen.append(customer) or SimpleNamespace(results=[1, 2, 3]))
    assert seen == ["17850"] and len(result.results) == 3
    [call] = backend.sessions.calls
    assert (call.tool, call.owner, call.user_id, call.ok, call.results, call.source) == \
        ("search_catalog", "user:17850", "17850", True, 3, "mcp")
    assert set(vars(call)) == {"tool", "owner", "ok", "results", "ms", "user_id", "session_id", "source", "ts"}


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_authorization_is_a_guest_counted_by_a_daily_hash_of_the_address(header):
    backend, seen = _backend(), []
    _run(backend, _ctx(header), lambda customer: seen.append(customer))
    day = int(time.time() // 86_400)
    assert seen == [None] and backend.sessions.calls[0].owner == f"guest:hash-of-10.1.2.3|{day}"


@pytest.mark.parametrize("header", [f"Bearer {t}" for t in (
    "17850", sign("17850", "another-shop-" + "z" * 30), sign("17850", SECRET, -1), "x" * 5000,
    sign("17850", SECRET).replace(".", ".\u00b2", 1))] + ["Basic abc", "Bearer", "Token abc", "bearer"])
def test_an_authorization_that_does_not_verify_is_refused_not_served_as_a_guest(header):
    backend = _backend()
    with pytest.raises(McpToolError, match="token is not valid"):
        _run(backend, _ctx(header), lambda customer: pytest.fail("the tool ran"))
    assert str(BAD_TOKEN) and backend.sessions.calls[0].ok is False


@pytest.mark.parametrize("header", ["bearer {}", "Bearer\t{}", "  BEARER   {}  "])
def test_the_bearer_scheme_is_read_as_http_says(header):
    seen = []
    _run(_backend(), _ctx(header.format(sign("17850", SECRET))), lambda customer: seen.append(customer))
    assert seen == ["17850"]


def test_a_flood_of_calls_waits_for_its_threads_and_past_a_queue_is_told_to_come_back():
    import threading

    backend = _backend()
    backend.capacity, backend.max_waiting, backend.refusal_pause_s = 2, 2, 0.0
    gate, running = threading.Event(), []

    def held(customer):
        running.append(1)
        gate.wait(5)

    async def main():
        calls = []
        for _ in range(5):  # one after another, as requests arrive
            calls.append(asyncio.create_task(backend.run("search_catalog", _ctx(), held)))
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        assert len(running) == 2  # two threads, two waiting, the fifth refused
        gate.set()
        return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(main())
    refused = [r for r in results if isinstance(r, McpToolError)]
    assert len(refused) == 1 and "busier than usual" in str(refused[0]) and len(running) == 4
    assert len(backend.sessions.calls) == 4  # the refusal is not written


def test_the_limit_counts_bad_tokens_by_address_and_refusals_are_not_written():
    backend = _backend(limit=3)
    for _ in range(3):
        with pytest.raises(McpToolError, match="token is not valid"):
            _run(backend, _ctx("Bearer forged.1.abc"), lambda customer: None)
    with pytest.raises(McpToolError, match=TOO_FAST.split(";")[0]):
        _run(backend, _ctx("Bearer forged.2.abc"), lambda customer: None)
    with pytest.raises(McpToolError, match=TOO_FAST.split(";")[0]):  # the same address as a guest
        _run(backend, _ctx(), lambda customer: None)
    assert len(backend.sessions.calls) == 3
    signed = _ctx(f"Bearer {sign('13047', SECRET)}")  # a signed-in customer has a budget of their own
    assert _run(backend, signed, lambda customer: customer) == "13047"


def test_an_unexpected_failure_reaches_the_agent_as_an_apology_with_a_reference():
    def broken(customer):
        raise RuntimeError("connection to db.internal:5432 refused for user shop")

    backend = _backend()
    with pytest.raises(McpToolError) as raised:
        _run(backend, _ctx(), broken)
    assert str(raised.value).startswith(FRIENDLY) and "db.internal" not in str(raised.value)
    assert backend.sessions.calls[0].ok is False
