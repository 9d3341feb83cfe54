"""``shopassist eval mcp-bench``: how fast customers' AI agents are answered over MCP.

A live ``shopassist serve`` (MCP on, a customer secret set) is driven by the real MCP client
over streamable HTTP on loopback: ``search_catalog`` with the development set's first messages
as queries, half as a guest and half as signed-in customer 17850 (reranked by their history),
and ``ask_shop_assistant`` with the same kind of messages, each opening a conversation and
followed by one reply in it. The widget's JSON route answers the same turns in the same run,
so the MCP layer's cost is a ratio, not a figure from another day. The first call of each kind
is left out (it pays one-off set-up). Targets: ``search_catalog`` p95 ≤ 150 ms,
``ask_shop_assistant`` p95 ≤ 1 s.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import urllib.request
from pathlib import Path

from eval.burst import percentiles

DEVSET = Path(__file__).parent / "devset" / "messages.jsonl"
SEARCH_GROUPS = ("search_box", "bare", "typo", "need", "gift", "price_words")
FOLLOW_UP = "how much is the first one?"
TARGETS_MS = {"search_catalog": 150.0, "ask_shop_assistant": 1000.0}


def messages(store: str = "online_retail") -> tuple[list[str], list[str]]:
    """``(search queries, opening messages)`` of the development set: messages that need no
    conversation before them."""
    rows = [json.loads(line) for line in DEVSET.read_text().splitlines() if line.strip()]
    first = [r for r in rows if not r["context"] and r["store"] in (store, "support")]
    return ([r["text"] for r in first if r["group"] in SEARCH_GROUPS and r["store"] == store],
            [r["text"] for r in first])


async def _timed(client, tool: str, args: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    result = await client.call_tool(tool, args)
    elapsed = (time.perf_counter() - started) * 1000
    if result.is_error:
        raise RuntimeError(f"{tool} failed: {result.content[0].text}")
    return elapsed, result.structured_content


async def _drive(url: str, token: str, queries: list[str], openers: list[str]) -> dict[str, list[float]]:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    times: dict[str, list[float]] = {"search_catalog:guest": [], "search_catalog:customer": [],
                                     "ask_shop_assistant": []}
    async with httpx2.AsyncClient(timeout=60) as guest_http, \
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60) as customer_http:
        async with Client(streamable_http_client(url, http_client=guest_http)) as guest, \
                Client(streamable_http_client(url, http_client=customer_http)) as customer:
            for i, query in enumerate(queries):
                who, client = ("guest", guest) if i % 2 else ("customer", customer)
                elapsed, _ = await _timed(client, "search_catalog", {"query": query, "page_size": 10})
                times[f"search_catalog:{who}"].append(elapsed)
            for message in openers:
                elapsed, reply = await _timed(customer, "ask_shop_assistant", {"message": message})
                times["ask_shop_assistant"].append(elapsed)
                elapsed, _ = await _timed(customer, "ask_shop_assistant",
                                          {"message": FOLLOW_UP, "session_id": reply["session_id"]})
                times["ask_shop_assistant"].append(elapsed)
    return times


def _turn_route(base: str, token: str, openers: list[str]) -> list[float]:
    """The same turns through ``POST /api/turn`` (the widget's JSON route)."""
    def post(body: dict) -> tuple[float, dict]:
        request = urllib.request.Request(base + "/api/turn", json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        return (time.perf_counter() - started) * 1000, answer

    out = []
    for message in openers:
        elapsed, answer = post({"message": message, "customer_id": token})
        out.append(elapsed)
        elapsed, _ = post({"message": FOLLOW_UP, "session_id": answer["session"], "customer_id": token})
        out.append(elapsed)
    return out


def run(home: Path, out: Path, searches: int = 200, conversations: int = 50, customer: str = "17850") -> dict:
    from eval.http_bench import served
    from ui.identity import sign

    secret = secrets.token_urlsafe(32)
    queries, openers = messages()
    queries = (queries * (searches // max(1, len(queries)) + 1))[:searches + 1]
    openers = openers[:conversations + 1]
    env = {"SHOPASSIST_MCP": "true", "SHOPASSIST_CUSTOMER_SECRET": secret, "SHOPASSIST_MCP_CALLS_PER_MINUTE": "0"}
    with served(home, "online-retail", env) as base:
        token = sign(customer, secret)
        started = time.time()
        times = asyncio.run(_drive(base + "/mcp", token, queries, openers))
        route = _turn_route(base, token, openers)
        seconds = round(time.time() - started, 1)
    # the first call of each kind pays a one-off set-up: left out
    figures = {name: percentiles(values[1:], (50, 95)) for name, values in times.items()}
    figures["search_catalog"] = percentiles(times["search_catalog:guest"][1:] + times["search_catalog:customer"][1:],
                                            (50, 95))
    figures["api_turn (widget JSON route, same turns)"] = percentiles(route[1:], (50, 95))
    result = {"figures_ms": figures, "targets_ms": TARGETS_MS, "seconds": seconds, "customer": customer,
              "queries": len(queries), "conversations": len(openers),
              "ask_over_turn_route_p95": round(figures["ask_shop_assistant"]["p95"]
                                               / figures["api_turn (widget JSON route, same turns)"]["p95"], 2),
              "met": {tool: figures[tool]["p95"] <= target for tool, target in TARGETS_MS.items()}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def report(result: dict) -> str:
    lines = ["| calls | n | p50 ms | p95 ms | max ms | target p95 |", "|---|---|---|---|---|---|"]
    for name, f in result["figures_ms"].items():
        target = TARGETS_MS.get(name)
        lines.append(f"| {name} | {f['n']} | {f['p50']} | {f['p95']} | {f['max']} | "
                     f"{f'≤ {target:.0f} ms' if target else ''} |")
    lines.append(f"\nask_shop_assistant p95 / the JSON route's p95 for the same turns: "
                 f"{result['ask_over_turn_route_p95']}× · targets met: {result['met']}")
    return "\n".join(lines)
