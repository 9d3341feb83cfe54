"""Latency through the HTTP API on loopback, as a shop page would see it.

* time to first streamed token (``/ask_stream``) and full-turn time (``/ask``), one customer
  at a time;
* a load run: N simulated customers in parallel, each holding its own session and walking a
  short shopping script, for a bounded time: throughput, latency p50/p95 and errors.

Requests go through Gradio's HTTP API (``POST /gradio_api/call/<name>`` then the event
stream), the same path ``gradio_client`` and the browser use. The server is either given by
``--url`` or started here from the home (``shopassist --home``) with ``shopassist serve``.

    shopassist --home ~/.local/share/shopassist eval http-bench --out eval/out/http
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

FIRST_TURNS = ["a gift for my mum under £20", "red retrospot lunch bag", "candles under £5", "christmas decorations",
               "something for the kitchen", "white hanging heart t-light holder", "vintage doily", "party bunting"]
FOLLOW_UPS = ["anything cheaper?", "tell me more about the second one", "compare it with the first",
              "add the first one to my cart"]
CUSTOMERS = ["17850", "13047", "12583", "13748", "15100", "15291", "14688", "17809", ""]


@dataclass
class Call:
    ttft_ms: float | None
    total_ms: float
    text: str
    error: str | None = None


class Api:
    """Gradio's HTTP API for the widget's endpoints, over one pooled HTTP client."""

    def __init__(self, url: str, timeout: float = 120.0):
        self.url = url.rstrip("/")
        self.http = httpx.Client(timeout=timeout)

    def call(self, name: str, *args) -> Call:
        start = time.perf_counter()
        first = None
        last, error = None, None
        try:
            posted = self.http.post(f"{self.url}/gradio_api/call/{name}", json={"data": list(args)})
            posted.raise_for_status()
            event_id = posted.json()["event_id"]
            with self.http.stream("GET", f"{self.url}/gradio_api/call/{name}/{event_id}") as stream:
                event = None
                for line in stream.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event in ("generating", "complete"):
                        data = json.loads(line[5:])
                        if data and first is None:
                            first = time.perf_counter()
                        last = data[0] if data else last
                    elif line.startswith("data:") and event == "error":
                        error = line[5:].strip() or "error"
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        end = time.perf_counter()
        ttft = (first - start) * 1000 if first is not None else None
        text = last if isinstance(last, str) else json.dumps(last)
        return Call(ttft, (end - start) * 1000, text or "", error if error or last is not None else "no output")

    def close(self) -> None:
        self.http.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(home: Path, collection: str, port: int, extra_env: dict | None, log) -> subprocess.Popen:
    """A `shopassist serve` process on loopback ``port``, its log written to the file ``log``
    (a pipe nobody reads would block it once full)."""
    # Every simulated customer comes from this one loopback address: lift the per-address limit.
    env = {**os.environ, "SHOPASSIST_HOME": str(home), "GRADIO_ANALYTICS_ENABLED": "False",
           "SHOPASSIST_TURNS_PER_MINUTE_ADDRESS": "0", "SHOPASSIST_TURNS_PER_MINUTE_CUSTOMER": "0",
           "SHOPASSIST_AGENT_PASSWORD": os.environ.get("SHOPASSIST_AGENT_PASSWORD", "bench-only"), **(extra_env or {})}
    cmd = [str(Path(sys.executable).with_name("shopassist")), "serve", "--port", str(port), "--collection", collection]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)


@contextlib.contextmanager
def served(home: Path, collection: str, extra_env: dict | None = None):
    """``shopassist serve`` on a free loopback port for the life of the block."""
    port = _free_port()
    with tempfile.TemporaryFile("w+") as log:
        proc = start_serve(home, collection, port, extra_env, log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_up(proc, url, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_up(proc: subprocess.Popen, url: str, log, seconds: float = 300) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read()[-2000:]}")
        try:
            urllib.request.urlopen(url + "/config", timeout=2)
        except OSError:
            time.sleep(1)
            continue
        # The server warms its request path itself right after it starts listening; wait for
        # one queued API call to go through so measurements start on a warm server.
        from gradio_client import Client

        Client(url + "/", verbose=False).predict("", "", api_name="/updates")
        return
    raise RuntimeError("server did not start in time")


def _pct(values: list[float], extra: tuple[int, ...] = ()) -> dict:
    """n, p50, p95 (and the ``extra`` percentiles), mean."""
    if not values:
        return {"n": 0}
    arr = np.asarray(values)
    out = {"n": len(values)}
    for q in (50, 95, *extra):
        out[f"p{q}"] = round(float(np.percentile(arr, q)), 1)
    return {**out, "mean": round(float(arr.mean()), 1)}


def run_customers(threads: list[threading.Thread], started=None) -> float:
    """Starts the simulated customers' threads, waits for all, returns the seconds they took
    (from ``started.wait()`` when a barrier lines them up)."""
    for t in threads:
        t.start()
    if started is not None:
        started.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - began


def call_stats(calls: list[Call], elapsed: float) -> dict:
    """Turns, turn latency and errors of a load run's calls."""
    errors = [c.error for c in calls if c.error]
    return {"seconds": round(elapsed, 1), "turns": len(calls),
            "turn_ms": _pct([c.total_ms for c in calls if not c.error], (99,)),
            "errors": len(errors), "error_examples": errors[:5]}


def measure_ttft(url: str, conversations: int = 20) -> dict:
    """One customer at a time: a first turn by ``/ask`` (it returns the session), then the
    follow-ups streamed by ``/ask_stream`` in that session, timing the first token."""
    api = Api(url)
    ttft, stream_total, first_turns, errors = [], [], [], []
    try:
        api.call("ask", "hello", "", "")  # warm the models once; not counted
        for i in range(conversations):
            customer = CUSTOMERS[i % len(CUSTOMERS)]
            first = api.call("ask", FIRST_TURNS[i % len(FIRST_TURNS)], "", customer)
            if first.error:
                errors.append(first.error)
                continue
            first_turns.append(first.total_ms)
            session = json.loads(first.text)["session"]
            for message in FOLLOW_UPS:
                call = api.call("ask_stream", message, session, customer)
                if call.error or call.ttft_ms is None:
                    errors.append(call.error or "no token")
                    continue
                ttft.append(call.ttft_ms)
                stream_total.append(call.total_ms)
    finally:
        api.close()
    return {"ttft_ms": _pct(ttft), "streamed_turn_ms": _pct(stream_total), "ask_turn_ms": _pct(first_turns),
            "errors": len(errors), "error_examples": errors[:5]}


def _customer(url: str, index: int, deadline: float, start: threading.Barrier, out: list[Call]) -> None:
    api = Api(url)
    customer = CUSTOMERS[index % len(CUSTOMERS)]
    start.wait()
    turn = 0
    try:
        while time.perf_counter() < deadline:
            call = api.call("ask", FIRST_TURNS[(index + turn) % len(FIRST_TURNS)], "", customer)
            out.append(call)
            session = json.loads(call.text)["session"] if not call.error else ""
            for message in FOLLOW_UPS:
                if time.perf_counter() >= deadline or not session:
                    break
                out.append(api.call("ask", message, session, customer))
            turn += 1
    finally:
        api.close()


def load_run(url: str, customers: int = 50, seconds: float = 60.0) -> dict:
    """``customers`` simulated customers in parallel for ``seconds``; turns started before the
    deadline are finished and counted."""
    start = threading.Barrier(customers + 1)
    results: list[list[Call]] = [[] for _ in range(customers)]
    began = time.perf_counter()
    deadline = began + seconds
    threads = [threading.Thread(target=_customer, args=(url, i, deadline, start, results[i]), daemon=True)
               for i in range(customers)]
    elapsed = run_customers(threads, start)
    calls = [c for r in results for c in r]
    stats = call_stats(calls, elapsed)
    return {"customers": customers, **stats, "throughput_turns_per_s": round(len(calls) / elapsed, 2),
            "customers_served": sum(1 for r in results if any(not c.error for c in r))}


def run(url: str, out: Path, conversations: int = 20, customers: int = 50, seconds: float = 60.0) -> dict:
    metrics = {"ttft": measure_ttft(url, conversations), "load": load_run(url, customers, seconds)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "report.md").write_text(report(metrics))
    return metrics


def report(m: dict) -> str:
    t, load = m["ttft"], m["load"]
    return "\n".join([
        "# HTTP API latency and load (loopback)", "",
        "| measure | n | p50 ms | p95 ms |", "|---|---|---|---|",
        f"| time to first streamed token (/ask_stream) | {t['ttft_ms'].get('n', 0)} | {t['ttft_ms'].get('p50')} "
        f"| {t['ttft_ms'].get('p95')} |",
        f"| streamed turn, complete | {t['streamed_turn_ms'].get('n', 0)} | {t['streamed_turn_ms'].get('p50')} "
        f"| {t['streamed_turn_ms'].get('p95')} |",
        f"| first turn by /ask | {t['ask_turn_ms'].get('n', 0)} | {t['ask_turn_ms'].get('p50')} "
        f"| {t['ask_turn_ms'].get('p95')} |",
        f"| turn under load ({load['customers']} customers) | {load['turn_ms'].get('n', 0)} "
        f"| {load['turn_ms'].get('p50')} | {load['turn_ms'].get('p95')} |", "",
        f"Load: {load['customers']} concurrent customers for {load['seconds']} s: {load['turns']} turns, "
        f"{load['throughput_turns_per_s']} turns/s, {load['customers_served']} customers served, "
        f"{load['errors']} errors.",
        f"Sequential run errors: {t['errors']}.", ""])
