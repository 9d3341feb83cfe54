"""Production under attack: a flood of made-up sessions and real customers at once, through the
balancer of two replicas on PostgreSQL (:class:`eval.replicas.Cluster`).

Three kinds of traffic run side by side for the same seconds:

* ``hostile`` clients POST ``/api/turn`` back to back, no think time, each turn with a made-up,
  well-formed session id (32 random hex characters) and a dev-set message: every turn opens a
  new conversation, the costliest thing a stranger can ask for. They run in a process of their
  own so their Python work does not slow the measuring threads' clocks.
* ``customers`` real customers walk development-set conversations (the source ``eval load``
  uses), keeping each conversation's session and pausing 2-8 s after every answer.
* a probe GETs ``/healthz`` every 0.2 s, as a load balancer or orchestrator would.

The server is meant to stay honest under this: health answered quickly (or the balancer would
pull healthy replicas), real customers answered in time, no turn left hanging, and every turn
it cannot take refused at once with ``503``, a ``Retry-After`` header and a sentence in JSON.

    shopassist --home ~/.local/share/shopassist eval burst --collection flipkart --out docs/eval/burst
"""

from __future__ import annotations

import json
import multiprocessing
import random
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import numpy as np

from eval.devset import COLLECTIONS
from eval.load import THINK_S, conversations

HEALTH_EVERY_S = 0.2
HEALTH_TIMEOUT_S = 5.0
HEALTH_P95_MS = 100.0
CUSTOMER_P95_MS = 2000.0
SLOW_MS = 10_000.0  # a turn past this is one a customer has given up on
TURN_TIMEOUT_S = 30.0  # past SLOW_MS, so a hanging turn is measured as slow rather than cut short
RETRY_PAUSE_S = 0.01  # after a failed connection only: a refused socket would otherwise spin a core
RATE_LIMITS_OFF = {"SHOPASSIST_TURNS_PER_MINUTE_ADDRESS": "0", "SHOPASSIST_TURNS_PER_MINUTE_CUSTOMER": "0"}
TARGETS = ("healthz p95 ≤ 100 ms", "real customers' turn p95 ≤ 2 s", "no turn past 10 s",
           "every refusal a 503 with Retry-After and a message")


@dataclass
class Shot:
    """One request and what came back."""

    kind: str  # "hostile", "customer" or "health"
    start: float  # seconds since the run began
    ms: float
    status: int | None  # None: no HTTP answer (connection failed, timed out)
    retry_after: str | None = None
    message: str | None = None  # the JSON body's ``error``, when there is one
    failure: str | None = None  # no answer, or an answer that is not JSON: what there was instead
    session: str | None = None
    replica: str | None = None


def random_session(rng: random.Random) -> str:
    """A well-formed session id nobody was given: 32 hex characters."""
    return f"{rng.getrandbits(128):032x}"


def _answer(kind: str, start: float, t0: float, answer: httpx.Response) -> Shot:
    ms = (time.monotonic() - start) * 1000
    try:
        body = answer.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    error = body.get("error")
    return Shot(kind, start - t0, ms, answer.status_code, answer.headers.get("retry-after"),
                error if isinstance(error, str) else None,
                None if body else f"not JSON: {answer.text[:120]!r}", body.get("session"),
                answer.headers.get("x-shopassist-replica"))


def post_turn(http: httpx.Client, url: str, kind: str, message: str, session: str, customer: str,
              t0: float) -> Shot:
    """One ``POST /api/turn``; never raises."""
    start = time.monotonic()
    try:
        answer = http.post(f"{url}/api/turn", json={"message": message, "session_id": session,
                                                    "customer_id": customer})
    except httpx.HTTPError as exc:
        return Shot(kind, start - t0, (time.monotonic() - start) * 1000, None, failure=type(exc).__name__)
    return _answer(kind, start, t0, answer)


def _hostile(url: str, seed: int, messages: list[str], t0: float, deadline: float, out: list[Shot],
             made_up: bool = True) -> None:
    rng = random.Random(seed)
    with httpx.Client(timeout=TURN_TIMEOUT_S) as http:
        while time.monotonic() < deadline:
            session = random_session(rng) if made_up else ""
            shot = post_turn(http, url, "hostile", rng.choice(messages), session, "", t0)
            out.append(shot)
            if shot.status is None:
                time.sleep(RETRY_PAUSE_S)


def _swarm(url: str, clients: int, messages: list[str], seed: int, pipe, made_up: bool = True) -> None:
    """The hostile clients, in a process of their own: says it is ready, is sent when to start
    and stop (``time.monotonic`` is one clock for every process), sends back every shot."""
    pipe.send("ready")
    t0, deadline = pipe.recv()
    results: list[list[Shot]] = [[] for _ in range(clients)]
    threads = [threading.Thread(target=_hostile, args=(url, seed * 100_003 + i, messages, t0, deadline, results[i],
                                                       made_up), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pipe.send([s for r in results for s in r])


def _customer(url: str, seed: int, convs: list, think: tuple[float, float], t0: float, deadline: float,
              out: list[Shot]) -> None:
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, think[1]))  # customers arrive spread out, not all at once
    with httpx.Client(timeout=TURN_TIMEOUT_S) as http:
        while time.monotonic() < deadline:
            customer, messages = convs[rng.randrange(len(convs))]
            session = ""
            for message in messages:
                if time.monotonic() >= deadline:
                    return
                shot = post_turn(http, url, "customer", message, session, customer, t0)
                out.append(shot)
                if shot.status == 200 and shot.session:
                    session = shot.session
                time.sleep(rng.uniform(*think))


def _probe(url: str, every: float, t0: float, deadline: float, out: list[Shot]) -> None:
    with httpx.Client(timeout=HEALTH_TIMEOUT_S) as http:
        due = time.monotonic()
        while time.monotonic() < deadline:
            start = time.monotonic()
            try:
                out.append(_answer("health", start, t0, http.get(f"{url}/healthz")))
            except httpx.HTTPError as exc:
                out.append(Shot("health", start - t0, (time.monotonic() - start) * 1000, None,
                                failure=type(exc).__name__))
            due = max(due + every, time.monotonic())  # a slow probe delays the next, never doubles it
            time.sleep(max(0.0, due - time.monotonic()))


def percentiles(values: list[float], qs: tuple[int, ...] = (50, 95, 99)) -> dict:
    """n, the ``qs`` percentiles and the max, in the values' unit, to 0.1."""
    if not values:
        return {"n": 0}
    arr = np.asarray(values, dtype=float)
    return {"n": len(values), **{f"p{q}": round(float(np.percentile(arr, q)), 1) for q in qs},
            "max": round(float(arr.max()), 1)}


def is_sentence(text: str | None) -> bool:
    """Words a person can read: a capital first, end punctuation last, a few words between
    (not a code, a stack trace or an empty string)."""
    text = (text or "").strip()
    return len(text.split()) >= 3 and text[0].isupper() and text[-1] in ".!?)" and "Traceback" not in text


def proper_refusal(shot: Shot) -> bool:
    """A turn refused as the server promises: 503, a whole-second ``Retry-After`` and a JSON
    ``error`` sentence (the balancer's own 503 page, a 500 or a dropped connection are not)."""
    return (shot.status == 503 and (shot.retry_after or "").strip().isdigit() and int(shot.retry_after) > 0
            and is_sentence(shot.message))


def _examples(shots: list[Shot], n: int = 5) -> list[str]:
    return [f"{s.status or 'no answer'}: {s.message or s.failure}" for s in shots[:n]]


def summarise(shots: list[Shot], seconds: float) -> dict:
    """The run's figures from every shot: health, real customers, hostile clients, slow turns and
    whether every refusal was a proper one."""
    health = [s for s in shots if s.kind == "health"]
    turns = [s for s in shots if s.kind != "health"]
    mine = [s for s in turns if s.kind == "customer"]
    hostile = [s for s in turns if s.kind == "hostile"]
    refused = [s for s in turns if s.status != 200]
    improper = [s for s in refused if not proper_refusal(s)]
    health_failed = [s for s in health if s.status != 200]
    mine_failed = [s for s in mine if s.status != 200]
    hostile_other = [s for s in hostile if s.status not in (200, 503)]
    return {
        "seconds": round(seconds, 1),
        "health": {"probes": len(health), "ms": percentiles([s.ms for s in health], (50, 95)),
                   "failures": len(health_failed), "failure_examples": _examples(health_failed)},
        "customers": {"turns": len(mine), "answered": len(mine) - len(mine_failed),
                      "turn_ms": percentiles([s.ms for s in mine if s.status == 200]),
                      "errors": len(mine_failed), "refused_503": sum(s.status == 503 for s in mine),
                      "error_examples": _examples(mine_failed)},
        "hostile": {"turns": len(hostile), "turns_per_s": round(len(hostile) / max(seconds, 1e-9), 1),
                    "answered": sum(s.status == 200 for s in hostile),
                    "refused_503": sum(s.status == 503 for s in hostile),
                    "other_errors": len(hostile_other), "error_examples": _examples(hostile_other),
                    "answered_ms": percentiles([s.ms for s in hostile if s.status == 200]),
                    "refused_ms": percentiles([s.ms for s in hostile if s.status == 503])},
        "slow_turns": sum(s.ms > SLOW_MS for s in turns),
        "slowest_turn_ms": round(max((s.ms for s in turns), default=0.0), 1),
        "refusals": {"count": len(refused), "proper": len(refused) - len(improper),
                     "improper_examples": [asdict(s) for s in improper[:5]]},
        "answered_by_replica": _by_replica([s for s in turns if s.status == 200]),
    }


def _by_replica(shots: list[Shot]) -> dict[str, int]:
    """Answered turns per replica (its opaque id): both should share the load."""
    counts: dict[str, int] = {}
    for s in shots:
        counts[s.replica or "?"] = counts.get(s.replica or "?", 0) + 1
    return counts


def verdict(m: dict) -> dict[str, bool]:
    """Pass or fail for each target (a figure with no data fails: nothing was shown to hold)."""
    health_p95 = m["health"]["ms"].get("p95")
    mine_p95 = m["customers"]["turn_ms"].get("p95")
    return {TARGETS[0]: health_p95 is not None and health_p95 <= HEALTH_P95_MS,
            TARGETS[1]: mine_p95 is not None and mine_p95 <= CUSTOMER_P95_MS,
            TARGETS[2]: m["slow_turns"] == 0,
            TARGETS[3]: m["refusals"]["proper"] == m["refusals"]["count"]}


def burst(url: str, hostile: int = 60, customers: int = 20, seconds: float = 40.0, convs: list | None = None,
          think: tuple[float, float] = THINK_S, health_every: float = HEALTH_EVERY_S, seed: int = 0,
          made_up: bool = True) -> dict:
    """Hostile clients, real customers and the health probe against ``url`` for ``seconds``
    (turns started before then are finished and counted); returns :func:`summarise`'s figures
    with the targets' verdicts."""
    convs = convs if convs is not None else conversations()
    messages = sorted({m for _, msgs in convs for m in msgs})
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or sockets copied
    mine, theirs = ctx.Pipe()
    swarm = ctx.Process(target=_swarm, args=(url, hostile, messages, seed, theirs, made_up), daemon=True)
    swarm.start()
    if not mine.poll(120) or mine.recv() != "ready":
        swarm.kill()
        raise RuntimeError("the hostile clients' process did not start")
    t0 = time.monotonic()
    deadline = t0 + seconds
    mine.send((t0, deadline))
    results: list[list[Shot]] = [[] for _ in range(customers + 1)]
    threads = [threading.Thread(target=_customer, args=(url, seed * 100_003 + i, convs, think, t0, deadline,
                                                        results[i]), daemon=True) for i in range(customers)]
    threads.append(threading.Thread(target=_probe, args=(url, health_every, t0, deadline, results[-1]), daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if not mine.poll(seconds + TURN_TIMEOUT_S + 60):
        swarm.kill()
        raise RuntimeError("the hostile clients did not report back")
    shots = [s for r in results for s in r] + mine.recv()
    swarm.join(timeout=30)
    metrics = {"hostile_clients": hostile, "hostile_ids": "made-up" if made_up else "none",
               "customer_count": customers, "think_s": list(think),
               "health_every_s": health_every, "conversations": len(convs),
               **summarise(shots, time.monotonic() - t0)}
    metrics["targets"] = verdict(metrics)
    metrics["passed"] = all(metrics["targets"].values())
    return metrics


def store_conversations(collection: str) -> list:
    """The dev-set conversations of the store the collection holds; the support desk's only for
    the Online Retail store (its records name that store's customers and invoices)."""
    stores = [s for s, c in COLLECTIONS.items() if c == collection and s != "support"]
    if not stores:
        return conversations()
    return conversations(stores[0], support=COLLECTIONS["support"] == collection)


def run(home: Path, collection: str, out: Path, database_url: str | None = None, hostile: int = 60,
        customers: int = 20, seconds: float = 40.0, progress=print, made_up: bool = True) -> dict:
    """The benchmark on the production layout: two replicas on ``database_url`` (or a throwaway
    PostgreSQL started here) behind HAProxy, rate limits off (every client here has one address)."""
    from eval.replicas import production, warm

    convs = store_conversations(collection)
    with production(home, collection, database_url, RATE_LIMITS_OFF, "burst") as cluster:
        warm(cluster)
        progress(f"burst: {hostile} hostile clients, {customers} customers, {seconds:g} s via {cluster.url}")
        metrics = burst(cluster.url, hostile, customers, seconds, convs, made_up=made_up)
    metrics["collection"] = collection
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "report.md").write_text(report(metrics))
    return metrics


_HOSTILE_IDS = {"made-up": "with a made-up session id", "none": "with no session id, as a new customer's first turn"}


def _ms(figures: dict, q: str) -> str:
    return f"{figures[q]:g}" if q in figures else "–"


def report(m: dict) -> str:
    h, c, x, r = m["health"], m["customers"], m["hostile"], m["refusals"]
    measured = {TARGETS[0]: f"{_ms(h['ms'], 'p95')} ms", TARGETS[1]: f"{_ms(c['turn_ms'], 'p95')} ms",
                TARGETS[2]: f"{m['slow_turns']} (slowest {m['slowest_turn_ms']:g} ms)",
                TARGETS[3]: f"{r['proper']} of {r['count']}"}
    lines = ["# Burst: hostile clients and real customers at once, through the balancer", "",
             f"Two `shopassist serve` replicas on PostgreSQL behind HAProxy, {m.get('collection', '')} collection, "
             f"{m['seconds']:g} s. {m['hostile_clients']} hostile clients POST `/api/turn` back to back, each turn "
             f"{_HOSTILE_IDS[m.get('hostile_ids', 'made-up')]}; {m['customer_count']} real customers walk {m['conversations']} "
             f"development-set conversations pausing {m['think_s'][0]:g}-{m['think_s'][1]:g} s after each answer; `/healthz` is "
             f"probed every {m['health_every_s']:g} s. Every client runs on the servers' machine.", "",
             f"**{'PASS' if m['passed'] else 'FAIL'}**", "",
             "| target | measured | |", "|---|---:|---|"]
    lines += [f"| {name} | {measured[name]} | {'pass' if ok else 'FAIL'} |" for name, ok in m["targets"].items()]
    lines += ["", "| | n | p50 ms | p95 ms | p99 ms | max ms | errors |", "|---|---:|---:|---:|---:|---:|---|",
              f"| `/healthz` | {h['probes']} | {_ms(h['ms'], 'p50')} | {_ms(h['ms'], 'p95')} | – | "
              f"{_ms(h['ms'], 'max')} | {h['failures']} failed |",
              f"| real customers' turns (answered) | {c['turns']} | {_ms(c['turn_ms'], 'p50')} | "
              f"{_ms(c['turn_ms'], 'p95')} | {_ms(c['turn_ms'], 'p99')} | {_ms(c['turn_ms'], 'max')} | "
              f"{c['errors']} ({c['refused_503']} refused with 503) |",
              f"| hostile turns answered | {x['answered']} | {_ms(x['answered_ms'], 'p50')} | "
              f"{_ms(x['answered_ms'], 'p95')} | {_ms(x['answered_ms'], 'p99')} | {_ms(x['answered_ms'], 'max')} | |",
              f"| hostile turns refused (503) | {x['refused_503']} | {_ms(x['refused_ms'], 'p50')} | "
              f"{_ms(x['refused_ms'], 'p95')} | {_ms(x['refused_ms'], 'p99')} | {_ms(x['refused_ms'], 'max')} | |",
              "", f"Hostile clients sent {x['turns']} turns ({x['turns_per_s']:g}/s): {x['answered']} answered, "
              f"{x['refused_503']} refused with 503, {x['other_errors']} other errors. Real customers: "
              f"{c['answered']} of {c['turns']} turns answered. Answered turns per replica: "
              f"{', '.join(f'{k} {v}' for k, v in m['answered_by_replica'].items()) or 'none'}.", ""]
    examples = [("`/healthz` failures", h["failure_examples"]), ("real customers' errors", c["error_examples"]),
                ("hostile clients' other errors", x["error_examples"]),
                ("refusals without 503, Retry-After or a message",
                 [f"{e['status'] or 'no answer'} Retry-After={e['retry_after']}: {e['message'] or e['failure']}"
                  for e in r["improper_examples"]])]
    for title, items in examples:
        if items:
            lines += [f"Examples of {title}:", "", *[f"- {item}" for item in items], ""]
    return "\n".join(lines)
