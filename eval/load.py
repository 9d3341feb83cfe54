"""How many customers one server holds: simulated shoppers who pause between turns like people.

Each simulated customer walks conversations of the development set (``eval/devset``: the
Online Retail and support records, context turns then the message, as a signed-in customer when
the record has one), waits a think time drawn from 2-8 s after every answer, and goes on until
the run's time is up (a turn started before then is finished and counted). A ladder of customer
counts is run against one ``shopassist serve``; for each: turns/s, turn p50/p95/p99 and errors.
The figure that matters is the largest count held at turn p95 ≤ 1.0 s with no errors and the
model's parse for at least 99 % of turns (past its in-flight bound or time budget the server
answers with the rule parse: fast, but not the parser's quality).

The ladder runs against the settings as they are, through Gradio's API (what the widget and
``gradio_client`` use) and through the plain JSON route ``POST /api/turn``; ``--compare`` first
runs it on the serving path before batching (one turn at a time behind one lock, parses one by
one: ``serve_workers = 1``, ``parse_batch_size = 1``, Gradio's API), so the ratios are measured
side by side on the same machine. With ``--layout both`` the JSON-route ladder also runs on the
production layout (two replicas on PostgreSQL behind HAProxy, :mod:`eval.replicas`) in the same
run, for the ratio of customers held by the two layouts.

Also measured in-process: the parse cost per message at batch 1, 4 and 16, and where a turn's
time goes (parse, search, rerank, session store, the rest of the engine), with the HTTP share
taken from the lightest load step.
"""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

from eval.devset import load as load_devset
from eval.http_bench import Api, Call, call_stats, run_customers, served

THINK_S = (2.0, 8.0)
P95_TARGET_MS = 1000.0
MAX_RULE_SHARE = 0.01
# The serving path before this work: one turn at a time behind one lock, the parser in torch.
OLD_PATH = {"SHOPASSIST_SERVE_WORKERS": "1", "SHOPASSIST_PARSE_BATCH_SIZE": "1", "SHOPASSIST_PARSER_BACKEND": "torch"}
SINGLE_JSON = "batched, concurrent, JSON route"
CLUSTER = "two replicas on PostgreSQL behind HAProxy, JSON route"


class JsonApi:
    """``POST /api/turn``: the plain JSON route, with :class:`Api`'s ``call`` shape."""

    def __init__(self, url: str, timeout: float = 120.0):
        import httpx

        self.url, self.http = url.rstrip("/"), httpx.Client(timeout=timeout)

    def call(self, name: str, message: str, session: str, customer: str) -> Call:
        import httpx

        start = time.perf_counter()
        try:
            answer = self.http.post(f"{self.url}/api/turn", json={"message": message, "session_id": session,
                                                                   "customer_id": customer})
            error = None if answer.status_code == 200 else f"HTTP {answer.status_code}: {answer.text[:200]}"
            text = answer.text
        except httpx.HTTPError as exc:
            error, text = f"{type(exc).__name__}: {exc}", ""
        return Call(None, (time.perf_counter() - start) * 1000, text, error)

    def close(self) -> None:
        self.http.close()


def conversations(store: str = "online_retail", support: bool = True) -> list[tuple[str, list[str]]]:
    """(customer id or "", messages) for every dev-set record of the store and (unless
    ``support`` is false) of the support desk."""
    stores = (store, "support") if support else (store,)
    out = []
    for rec in load_devset():
        if rec["store"] in stores:
            out.append((rec.get("customer") or "", [*rec["context"], rec["text"]]))
    return out


def _shopper(url: str, convs: list, seed: int, deadline: float, out: list, think: tuple[float, float],
             route: str = "gradio") -> None:
    rng = random.Random(seed)
    api = JsonApi(url) if route == "json" else Api(url)
    time.sleep(rng.uniform(0, think[1]))  # customers arrive spread out, not all at once
    try:
        while time.perf_counter() < deadline:
            customer, messages = convs[rng.randrange(len(convs))]
            session = ""
            for message in messages:
                if time.perf_counter() >= deadline:
                    return
                call = api.call("ask", message, session, customer)
                out.append(call)
                if not call.error:
                    session = json.loads(call.text).get("session", session)
                time.sleep(rng.uniform(*think))
    finally:
        api.close()


def step(url: str, customers: int, seconds: float, convs: list, think=THINK_S, seed: int = 0,
         route: str = "gradio") -> dict:
    """One load level: ``customers`` shoppers for ``seconds``, through Gradio's API or the JSON route."""
    results: list[list] = [[] for _ in range(customers)]
    deadline = time.perf_counter() + seconds
    threads = [threading.Thread(target=_shopper, args=(url, convs, seed * 100_003 + i, deadline, results[i], think,
                                                       route), daemon=True) for i in range(customers)]
    elapsed = run_customers(threads)
    calls = [c for r in results for c in r]
    return {"customers": customers, **call_stats(calls, elapsed), "turns_per_s": round(len(calls) / elapsed, 2),
            "rule_parsed": sum(_by_rules(c.text) for c in calls if not c.error)}


def _by_rules(text: str) -> bool:
    """Whether the server answered with the rule parse (its model down, slow or over-busy)."""
    try:
        return json.loads(text).get("parse", {}).get("by") == "rules"
    except (ValueError, AttributeError):
        return False


def ladder(url: str, counts: list[int], seconds: float, convs: list, progress=print, route: str = "gradio") -> list[dict]:
    """Steps up the customer counts; stops once p95 is well past the target (saturated)."""
    steps = []
    for n in counts:
        result = step(url, n, seconds, convs, seed=n, route=route)
        steps.append(result)
        progress(f"load: {n} customers: {result['turns_per_s']} turns/s, p95 {result['turn_ms'].get('p95')} ms, "
                 f"{result['errors']} errors")
        if result["turn_ms"].get("p95", 0) > 3 * P95_TARGET_MS:
            break
    return steps


def held(steps: list[dict]) -> int:
    """The most customers served at turn p95 ≤ 1 s without errors and with the model's parse for
    at least 99 % of turns (a server shedding to the rule parse is fast but not as good); 0 if none."""
    ok = [s["customers"] for s in steps if s["errors"] == 0 and s["turn_ms"].get("p95", 1e9) <= P95_TARGET_MS
          and s.get("rule_parsed", 0) <= MAX_RULE_SHARE * max(1, s["turns"])]
    return max(ok, default=0)


def cluster_ladder(home: Path, collection: str, counts: list[int], seconds: float, convs: list,
                   database_url: str | None = None, progress=print) -> dict:
    """The ladder on the production layout (:func:`eval.replicas.production`: two replicas on
    ``database_url`` or a throwaway PostgreSQL, behind HAProxy), on the JSON route: the balancer
    spreads each ``/api/turn`` to either replica, whereas Gradio's API is pinned to one replica
    per browser, so the JSON route is the one on which both replicas share every step."""
    from eval.replicas import production, warm

    env = {"SHOPASSIST_TURNS_PER_MINUTE_ADDRESS": "0", "SHOPASSIST_TURNS_PER_MINUTE_CUSTOMER": "0"}
    with production(home, collection, database_url, env, "load") as cluster:
        warm(cluster)
        progress(f"load: {CLUSTER}")
        steps = ladder(cluster.url, counts, seconds, convs, progress, "json")
    return {"steps": steps, "held_customers": held(steps), "env": env, "layout": "cluster"}


def layout_ratio(paths: dict) -> float | None:
    """Customers held by the cluster over those held by one process, both on the JSON route;
    None when one process held none (no ratio to give)."""
    single = paths.get(SINGLE_JSON, {}).get("held_customers", 0)
    if not single or CLUSTER not in paths:
        return None
    return round(paths[CLUSTER]["held_customers"] / single, 2)


def parse_cost(parser, messages: list[str], sizes=(1, 4, 16), rounds: int = 3) -> dict:
    """Milliseconds per message when ``parse_many`` gets batches of each size."""
    out = {}
    for size in sizes:
        batches = [messages[i:i + size] for i in range(0, len(messages) - size + 1, size)][:max(1, 48 // size)]
        parser.parse_many(batches[0], [False] * len(batches[0]))  # warm this shape
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            for batch in batches:
                parser.parse_many(batch, [False] * len(batch))
            best = min(best, (time.perf_counter() - start) * 1000 / sum(len(b) for b in batches))
        out[str(size)] = round(best, 2)
    return out


class _Timer:
    """Wraps a method so its calls' time adds up under a name."""

    def __init__(self, totals: dict, name: str, fn):
        self.totals, self.name, self.fn = totals, name, fn

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.totals[self.name] = self.totals.get(self.name, 0.0) + time.perf_counter() - start


def turn_breakdown(assistant, convs: list, turns: int = 120) -> dict:
    """Mean milliseconds per turn in parse, search, rerank and the session store, and the rest."""
    totals: dict[str, float] = {}
    shopper = assistant.shopper
    patches = [(assistant, "parser", "parse"), (shopper, "searcher", "search"), (shopper, "reranker", "rerank"),
               (assistant, "sessions", "get"), (assistant, "sessions", "save")]
    saved = []
    for owner, attr, method in patches:
        target = getattr(owner, attr)
        saved.append((target, method, target.__dict__.get(method)))
        setattr(target, method, _Timer(totals, {"get": "session", "save": "session"}.get(method, method),
                                       getattr(target, method)))
    done, whole = 0, 0.0
    try:
        for customer, messages in convs:
            session = None
            for message in messages:
                start = time.perf_counter()
                session = assistant.turn(session, customer or None, message).session_id
                whole += time.perf_counter() - start
                done += 1
            if done >= turns:
                break
    finally:
        for target, method, original in saved:
            if original is None:
                delattr(target, method)
            else:
                setattr(target, method, original)
    parts = {"parse": totals.get("parse", 0.0), "search": totals.get("search", 0.0),
             "rerank": totals.get("rerank", 0.0), "session": totals.get("session", 0.0)}
    parts["other engine work"] = whole - sum(parts.values())
    return {"turns": done, "turn_ms": round(whole * 1000 / done, 1),
            "parts_ms": {k: round(v * 1000 / done, 1) for k, v in parts.items()}}


def run(home: Path, collection: str, out: Path, counts: list[int], seconds: float, compare: bool,
        settings=None, progress=print, layout: str = "single", database_url: str | None = None) -> dict:
    """The ladder on one ``serve`` process (``layout="single"``), and with ``layout="both"`` also
    on two replicas behind HAProxy (on ``database_url`` or a throwaway PostgreSQL)."""
    convs = conversations()
    metrics: dict = {"think_s": list(THINK_S), "seconds_per_step": seconds, "conversations": len(convs)}
    paths = [("one at a time, Gradio API (before)", OLD_PATH, "gradio")] if compare else []
    paths += [("batched, concurrent, Gradio API", {}, "gradio"), (SINGLE_JSON, {}, "json")]
    for name, env, route in paths:
        with served(home, collection, env) as url:
            progress(f"load: {name}")
            steps = ladder(url, counts, seconds, convs, progress, route)
        metrics.setdefault("paths", {})[name] = {"steps": steps, "held_customers": held(steps), "env": env}
    if layout == "both":
        metrics["paths"][CLUSTER] = cluster_ladder(home, collection, counts, seconds, convs, database_url, progress)
        metrics["cluster_over_single"] = layout_ratio(metrics["paths"])
    if settings is not None:
        metrics.update(_in_process(settings, collection, convs))
        one_process = [p for p in metrics["paths"].values() if p["env"] != OLD_PATH and p.get("layout") != "cluster"]
        light = min((s for p in one_process for s in p["steps"] if s["turn_ms"].get("n")),
                    key=lambda s: s["customers"], default=None)
        if light:
            metrics["http_share_ms"] = round(light["turn_ms"]["p50"] - metrics["breakdown"]["turn_ms"], 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    (out / "report.md").write_text(report(metrics))
    plot(metrics, out / "p95_by_customers.png")
    return metrics


def _in_process(settings, collection: str, convs: list) -> dict:
    from assistant.parse.parser import TurnParser
    from assistant.service import open_assistant

    parser = TurnParser.from_settings(settings)
    messages = [m for _, msgs in convs for m in msgs][:200]
    cost = parse_cost(parser, messages)
    runner, parser.runner = parser.runner, None
    torch_packed = parse_cost(parser, messages)
    parser.packing = False
    padded = parse_cost(parser, messages)
    parser.packing, parser.runner = True, runner
    one_by_one = settings.model_copy(update={"parse_batch_size": 1, "serve_workers": 1})
    assistant = open_assistant(one_by_one, collection, parser=parser)
    try:
        breakdown = turn_breakdown(assistant, convs)
    finally:
        assistant.close()
    return {"parse_ms_per_message": cost, "parse_backend": "onnx" if runner else "torch",
            "parse_ms_per_message_torch_packed": torch_packed, "parse_ms_per_message_padded": padded,
            "breakdown": breakdown}


def report(m: dict) -> str:
    lines = ["# Customers one server holds (`shopassist eval load`)", "",
             f"Simulated customers walk {m['conversations']} development-set conversations, pausing "
             f"{m['think_s'][0]:g}-{m['think_s'][1]:g} s after each answer; {m['seconds_per_step']:g} s per load step.", ""]
    for name, path in m["paths"].items():
        lines += [f"## {name}: holds **{path['held_customers']}** customers at turn p95 ≤ 1 s", "",
                  "| customers | turns/s | p50 ms | p95 ms | p99 ms | errors | rule-parsed turns |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for s in path["steps"]:
            t = s["turn_ms"]
            lines.append(f"| {s['customers']} | {s['turns_per_s']} | {t.get('p50', '–')} | {t.get('p95', '–')} | "
                         f"{t.get('p99', '–')} | {s['errors']} | {s.get('rule_parsed', 0)} of {s['turns']} |")
        lines.append("")
    names = [name for name, path in m["paths"].items() if path.get("layout") != "cluster"]
    before = m["paths"][names[0]]["held_customers"] if len(names) > 1 else 0
    for name in names[1:] if before else []:
        ratio = m["paths"][name]["held_customers"] / before
        lines += [f"Customers held, {name} / {names[0]}: **{ratio:.2f}×** (same machine, same run).", ""]
    if CLUSTER in m["paths"]:
        lines += _layouts(m)
    if "parse_ms_per_message" in m:
        cost = m["parse_ms_per_message"]
        padded = m.get("parse_ms_per_message_padded", {})
        packed = m.get("parse_ms_per_message_torch_packed", {})
        lines += ["## Parse cost per message (in-process)", "",
                  f"| batch | ms per message ({m.get('parse_backend', 'torch')}, packed) | torch, packed | torch, padded |",
                  "|---:|---:|---:|---:|"]
        lines += [f"| {size} | {ms} | {packed.get(size, '–')} | {padded.get(size, '–')} |"
                  for size, ms in cost.items()] + [""]
        b = m["breakdown"]
        lines += [f"## Where a turn's time goes (one at a time, {b['turns']} turns, mean {b['turn_ms']} ms)", "",
                  "| part | ms per turn |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in b["parts_ms"].items()]
        if "http_share_ms" in m:
            lines.append(f"| HTTP and the web server's queue (lightest load step p50 − in-process mean) | "
                         f"{m['http_share_ms']} |")
        lines.append("")
    return "\n".join(lines)


def _layouts(m: dict) -> list[str]:
    """The production layout against one process, both on the JSON route."""
    single, cluster = m["paths"].get(SINGLE_JSON, {}), m["paths"][CLUSTER]
    ratio = m.get("cluster_over_single")

    def top(path: dict) -> str:  # held at the ladder's last step: it may hold more
        last = (path.get("steps") or [{}])[-1].get("customers")
        return " (the ladder's top step: it may hold more)" if path.get("held_customers") == last else ""

    return ["## Layouts: one process vs two replicas behind HAProxy (JSON route)", "",
            "| layout | customers held at turn p95 ≤ 1 s |", "|---|---:|",
            f"| one `serve` process, its home's database | {single.get('held_customers', '–')}{top(single)} |",
            f"| two replicas on PostgreSQL behind HAProxy | {cluster['held_customers']}{top(cluster)} |", "",
            f"Customers held, two replicas / one process: **{f'{ratio:.2f}×' if ratio is not None else '–'}** "
            "(same machine, same run; both replicas share its cores).", ""]


def plot(m: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, p in m["paths"].items():
        steps = [s for s in p["steps"] if s["turn_ms"].get("n")]
        ax.plot([s["customers"] for s in steps], [s["turn_ms"]["p95"] for s in steps], marker="o", label=name)
    ax.axhline(P95_TARGET_MS, color="grey", linestyle="--", label="1 s")
    ax.set_xlabel("simulated customers (think time 2-8 s)")
    ax.set_ylabel("turn p95 (ms)")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
