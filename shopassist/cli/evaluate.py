"""``shopassist eval ...``: every offline evaluation and benchmark.

The suite (``all|retrieval|behaviour|parser|dialogue|latency``) writes report.md, metrics.json
and plots; the benchmarks and the tunable runs of the suite's parts (``bench-assistant``,
``bench-rerank``, ``bench-retrieval``, ``http-bench``, ``retrieval-quality``, ``dialogue-sim``)
take the options their scripts took. The home is the global ``shopassist --home``.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

import click

from shopassist.cli.main import COLLECTION
from shopassist.errors import ShopAssistError
from shopassist.settings import Settings, secret

OUT = click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the report.")


@click.group("eval")
def eval_group() -> None:
    """Offline evaluations with reports and plots."""


def _one(name: str, settings: Settings, out: str) -> None:
    from eval.suite import run_part

    result = run_part(name, settings, Path(out))
    if result["status"] != "ok":
        raise ShopAssistError(f"eval {name} failed: {result['metrics']['error']}")
    report = Path(out) / "report.md"
    click.echo(report.read_text() if report.is_file() else json.dumps(result["metrics"], indent=2, default=str))
    click.echo(f"({result['seconds']} s; figures in {Path(out) / 'metrics.json'})")


@eval_group.command("all")
@OUT
@click.option("--part", "parts", multiple=True, type=click.Choice(["retrieval", "behaviour", "parser", "dialogue",
                                                                   "latency", "devset"]),
              help="Run only these parts (repeatable); default all.")
@click.pass_obj
def eval_all(settings: Settings, out, parts) -> None:
    """Every evaluation (retrieval, behaviour, parser, dialogue, latency) into one report:
    OUT/report.md, OUT/metrics.json, and each part's folder with its plots. Needs the demo
    stores indexed (`shopassist demo --no-serve`)."""
    from eval.suite import run_all

    results = run_all(settings, Path(out), list(parts) or None, progress=lambda m: click.echo(m, err=True))
    click.echo((Path(out) / "report.md").read_text())
    failed = [name for name, r in results.items() if r["status"] != "ok"]
    if failed:
        raise ShopAssistError(f"these parts failed (see {Path(out) / 'report.md'}): {', '.join(failed)}")


def _register(name: str, doc: str) -> None:
    @eval_group.command(name, help=doc)
    @OUT
    @click.pass_obj
    def command(settings: Settings, out) -> None:
        _one(name, settings, out)


_register("retrieval", "Flipkart retrieval quality: dense vs lexical vs hybrid vs hybrid + parsed filters "
                       "(nDCG@10, source recall@10, MRR, constraint precision@5).")
_register("parser", "Turn parser on the held-out test split: LoRA vs untuned, intent accuracy, slot F1, "
                    "JSON validity, latency.")
_register("dialogue", "Simulated customers with catalogue goals (success, turns, invented facts) and Bitext "
                      "support replays with real invoices (intent accuracy, data isolation).")
_register("devset", "The hand-written development set of real-sounding messages (eval/devset) through the "
                    "whole assistant, per store and group: intent accuracy, precision@5 and relevant-shown "
                    "rate against plain hybrid search, price slots.")
_register("latency", "Time to first token and turn latency through the HTTP API on loopback, and a load run "
                     "of 50 concurrent customers (throughput, p95, errors).")


@eval_group.command("compare")
@click.argument("before", type=click.Path(exists=True))
@click.argument("after", type=click.Path(exists=True))
@click.option("--out", type=click.Path(file_okay=False), help="Folder for report.md and metrics.json.")
@click.option("--tolerance", default=0.02, show_default=True, type=click.FloatRange(0, 1),
              help="Largest relative change of a quality figure counted as noise.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON instead of the report.")
def eval_compare(before, after, out, tolerance, as_json) -> None:
    """Two `eval all` runs (their folders or metrics.json files) side by side: per part, how many
    quality figures are identical, within noise or beyond it, and every timing's ratio."""
    from eval.compare import run

    result = run(Path(before), Path(after), Path(out) if out else None, tolerance)
    click.echo(json.dumps(result["summary"], indent=2) if as_json else result["report"])


@eval_group.command("behaviour")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for report.md, metrics.json and plots.")
@click.option("--queries", default=1000, show_default=True, help="Test purchases used for the personalised-search MRR.")
@click.pass_obj
def eval_behaviour(settings: Settings, out, queries) -> None:
    """Time-split evaluation of the behaviour models and reranker on Online Retail."""
    from eval.behaviour import run

    metrics = run(Path(out), settings.data_dir, queries)
    click.echo((Path(out) / "report.md").read_text())
    click.echo(json.dumps(metrics["ratios"], indent=2))


# --- benchmarks and tunable runs (formerly `python -m eval.NAME`) ---


@eval_group.command("retrieval-quality")
@OUT
@click.option("--queries", default=300, show_default=True, help="Queries made from held-out Flipkart products.")
@click.option("--seed", default=0, show_default=True)
@click.pass_obj
def retrieval_quality(settings: Settings, out, queries, seed) -> None:
    """`eval retrieval` with its query count and seed: Flipkart retrieval quality, dense vs lexical vs
    hybrid vs hybrid + parsed filters (needs the flipkart collection indexed)."""
    from eval.retrieval_quality import run

    started = time.perf_counter()
    run(settings, Path(out), queries, seed)
    click.echo((Path(out) / "report.md").read_text())
    click.echo(f"took {time.perf_counter() - started:.0f} s")


@eval_group.command("dialogue-sim")
@click.option("--out", default="eval/out/dialogue_sim", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the report.")
@click.option("--goals", default=60, show_default=True, help="Shopping goals per store.")
@click.option("--support", default=60, show_default=True, help="Support utterances with an order number.")
@click.option("--seed", default=0, show_default=True)
@click.pass_obj
def dialogue_sim(settings: Settings, out, goals, support, seed) -> None:
    """`eval dialogue` with its sizes and seed, for one variant: simulated customers with catalogue
    goals and Bitext support replays (needs both demo collections indexed)."""
    from eval.dialogue_sim import run

    metrics = run(settings, Path(out), goals, support, seed)
    click.echo(json.dumps({k: metrics[k] for k in ("shopping", "invented_rate", "support", "seconds")}, indent=2))


@eval_group.command("http-bench")
@click.option("--url", help="A running `shopassist serve`; otherwise one is started from the home.")
@click.option("--collection", type=COLLECTION, default="online-retail", show_default=True,
              help="Collection the started server shops in.")
@OUT
@click.option("--conversations", default=20, show_default=True, help="Sequential conversations timed.")
@click.option("--customers", default=50, show_default=True, help="Parallel customers in the load run.")
@click.option("--seconds", default=60.0, show_default=True, help="Length of the load run.")
@click.pass_obj
def http_bench(settings: Settings, url, collection, out, conversations, customers, seconds) -> None:
    """`eval latency` with its sizes, or against a running server: time to first token and turn
    latency through the HTTP API on loopback, and a load run of concurrent customers."""
    from eval.http_bench import report, run, served

    with (contextlib.nullcontext(url) if url else served(settings.home, collection)) as target:
        metrics = run(target, Path(out), conversations, customers, seconds)
    click.echo(report(metrics))


@eval_group.command("load")
@click.option("--collection", type=COLLECTION, default="online-retail", show_default=True,
              help="Collection the started servers shop in.")
@OUT
@click.option("--customers", default="5,10,20,40,60,80,120", show_default=True,
              help="Customer counts of the ladder, comma-separated (it stops once saturated).")
@click.option("--seconds", default=40.0, show_default=True, help="Length of each load step.")
@click.option("--compare/--no-compare", default=True, show_default=True,
              help="Also run the one-at-a-time serving path first, for the ratio in one run.")
@click.option("--layout", type=click.Choice(["single", "both"]), default="single", show_default=True,
              help="both: also run the ladder on two replicas on PostgreSQL (database_url, or a throwaway "
                   "server started here) behind HAProxy, and give the ratio of customers held.")
@click.pass_obj
def eval_load(settings: Settings, collection, out, customers, seconds, compare, layout) -> None:
    """Customers one `shopassist serve` holds at turn p95 ≤ 1 s: simulated shoppers with 2-8 s
    think time over a ladder of customer counts; turns/s, p50/p95/p99, errors, a plot; the parse
    cost per message at batch 1/4/16 and where a turn's time goes. With `--layout both`, the
    same ladder on the production layout too (two replicas behind HAProxy, JSON route)."""
    from eval.load import report, run

    try:
        counts = sorted({int(n) for n in customers.split(",") if n.strip()})
    except ValueError:
        raise click.BadParameter("give whole numbers separated by commas, e.g. 10,20,40", param_hint="--customers")
    if not counts or counts[0] < 1:
        raise click.BadParameter("give at least one count of 1 or more", param_hint="--customers")
    metrics = run(settings.home, collection, Path(out), counts, seconds, compare, settings,
                  progress=lambda line: click.echo(line, err=True), layout=layout,
                  database_url=secret(settings.database_url))
    click.echo(report(metrics))


@eval_group.command("failover")
@click.option("--collection", type=COLLECTION, default="flipkart", show_default=True,
              help="Collection the replicas shop in.")
@OUT
@click.option("--customers", default=8, show_default=True, help="Customers chatting through the load balancer.")
@click.option("--seconds", default=40.0, show_default=True, help="Length of the run.")
@click.option("--kill-at", default=15.0, show_default=True, help="Second at which replica 1 is killed (SIGKILL).")
@click.pass_obj
def eval_failover(settings: Settings, collection, out, customers, seconds, kill_at) -> None:
    """Two `shopassist serve` replicas on PostgreSQL (`database_url`, or a throwaway server
    started here) behind HAProxy (deploy/haproxy.cfg); one is killed mid-load. Lists the failed
    turns (in flight on the killed replica or not) and acknowledged cart additions lost."""
    from eval.replicas import report, run

    if not 0 < kill_at < seconds:
        raise click.BadParameter("must fall inside the run", param_hint="--kill-at")
    metrics = run(settings.home, collection, Path(out), secret(settings.database_url), customers, seconds, kill_at)
    click.echo(report(metrics))


@eval_group.command("insights-month")
@click.option("--collection", type=COLLECTION, default="online-retail", show_default=True,
              help="Collection the simulated customers shop in.")
@OUT
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366))
@click.option("--per-day", default=12, show_default=True, type=click.IntRange(1, 1000),
              help="Conversations per simulated day.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.pass_obj
def eval_insights_month(settings: Settings, collection, out, days, per_day, seed) -> None:
    """A month of simulated traffic through the real assistant, with planted demand gaps,
    corrections and parser outages, written into this home's stores (backdated over the month);
    then checks that the insights find them: planted gaps in the top 10 (≥ 80 %), top 10 the
    shop really lacks (≥ 0.8), misreads counted within 10 % of those planted."""
    from eval.insights_month import report_md, run

    with click.progressbar(length=days, label="simulating days", file=sys.stderr) as bar:
        result = run(settings, collection, Path(out), days, per_day, seed,
                     progress=lambda done, total: bar.update(done - bar.pos))
    click.echo(report_md(result))


@eval_group.command("insights-bench")
@OUT
@click.option("--events", default=1_000_000, show_default=True, type=click.IntRange(1000))
@click.pass_obj
def eval_insights_bench(settings: Settings, out, events) -> None:
    """The insights over a big synthetic store (EVENTS behaviour events and a month of turns) on
    SQLite and on a throwaway PostgreSQL (or `database_url`): `insights --json` ≤ 5 s, page ≤ 2 s."""
    from eval.insights_bench import report, run

    click.echo(report(run(Path(out), events, secret(settings.database_url), progress=lambda l: click.echo(l, err=True))))


@eval_group.command("mcp-bench")
@OUT
@click.option("--searches", default=200, show_default=True, type=click.IntRange(10))
@click.option("--conversations", default=50, show_default=True, type=click.IntRange(2))
@click.pass_obj
def eval_mcp_bench(settings: Settings, out, searches, conversations) -> None:
    """Customers' AI agents over MCP (the real client, streamable HTTP, a live serve of the home's
    online-retail store): search_catalog p95 ≤ 150 ms, ask_shop_assistant p95 ≤ 1 s."""
    from eval.mcp_bench import report, run

    click.echo(report(run(settings.home, Path(out), searches, conversations)))


@eval_group.command("burst")
@click.option("--collection", type=COLLECTION, default="flipkart", show_default=True,
              help="Collection the replicas shop in.")
@OUT
@click.option("--hostile", default=60, show_default=True, type=click.IntRange(0),
              help="Clients sending turns back to back with made-up session ids.")
@click.option("--customers", default=20, show_default=True, type=click.IntRange(0),
              help="Real customers holding conversations with 2-8 s think time.")
@click.option("--seconds", default=40.0, show_default=True, type=click.FloatRange(1), help="Length of the run.")
@click.option("--hostile-ids", type=click.Choice(["made-up", "none"]), default="made-up", show_default=True,
              help="What the hostile clients send as session id: a made-up one, or none (each turn then looks "
                   "like a new customer's first).")
@click.pass_obj
def eval_burst(settings: Settings, collection, out, hostile, customers, seconds, hostile_ids) -> None:
    """Production under attack: two `shopassist serve` replicas on PostgreSQL (`database_url`, or
    a throwaway server started here) behind HAProxy, flooded by hostile clients while real
    customers chat and `/healthz` is probed every 0.2 s. Pass/fail: healthz p95 ≤ 100 ms, real
    customers' turn p95 ≤ 2 s, no turn past 10 s, every refusal a 503 with Retry-After and a message."""
    from eval.burst import report, run

    metrics = run(settings.home, collection, Path(out), secret(settings.database_url), hostile, customers, seconds,
                  progress=lambda line: click.echo(line, err=True), made_up=hostile_ids == "made-up")
    click.echo(report(metrics))


@eval_group.command("bench-assistant")
@click.option("--out", default="eval/out/assistant", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the report.")
@click.option("--dialogues", default=20, show_default=True, help="Scripted dialogues per store.")
@click.option("--no-generation", is_flag=True, help="Skip timing the generative alternative.")
@click.pass_obj
def bench_assistant(settings: Settings, out, dialogues, no_generation) -> None:
    """Dialogue benchmark: parse and turn latency, and invented facts over every turn, on the demo
    stores (`shopassist demo` makes them)."""
    from eval.bench_assistant import run

    click.echo(json.dumps(run(settings.home, Path(out), dialogues, generation=not no_generation), indent=2))


@eval_group.command("bench-rerank")
@click.option("--collection", type=COLLECTION, default="online-retail", show_default=True)
@click.option("--runs", default=300, show_default=True, help="Interleaved timed rounds.")
@click.pass_obj
def bench_rerank(settings: Settings, collection, runs) -> None:
    """Warm serving latency of the behaviour layer: rerank 100 search results, recommend, profile
    (needs `shopassist train-behaviour` run on the collection)."""
    from eval.bench_rerank import run, summary

    for line in summary(run(settings, collection, runs)):
        click.echo(line)


@eval_group.command("bench-retrieval")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for bench_retrieval.json/.md.")
@click.option("--quick", is_flag=True, help="Fewer queries, 20k only (~3 minutes).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Bundled data folder (default: the data_dir setting).")
@click.option("--indexing-only", is_flag=True, help="Only the indexing-throughput part.")
@click.pass_obj
def bench_retrieval(settings: Settings, out, quick, data_dir, indexing_only) -> None:
    """Retrieval benchmark: indexing throughput and hybrid-search latency on both Qdrant engines."""
    from eval.bench_retrieval import render_markdown, run

    results = run(Path(out), quick=quick, data_dir=Path(data_dir) if data_dir else settings.data_dir,
                  indexing_only=indexing_only)
    click.echo(render_markdown(results))


@eval_group.command("conversations")
@click.option("--half", type=click.Choice(["dev", "sealed", "cart", "fresh", "fresh2", "fresh3", "fresh4", "fresh5"]), default="dev", show_default=True,
              help="Which set of eval/conversations to replay: the development half, the sealed half (only at a "
                   "change's start and end), the development conversations that test the cart, or the fresh set "
                   "written later by writers who saw neither the engine nor the other sets (fresh: session 18; fresh2 and fresh3: session 19; fresh4: session 21; fresh5: session 22).")
@click.option("--out", default="eval/out/conversations", show_default=True, type=click.Path(file_okay=False),
              help="Folder for report.md, metrics.json and every turn (turns.jsonl).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def eval_conversations(settings: Settings, half, out, as_json) -> None:
    """Hand-written multi-turn conversations replayed turn by turn on both demo stores: action
    accuracy, on-topic share, unasked cart changes, misplaced offers to add, the kind kept
    across small talk, crashes and invented products."""
    from eval.conversations import run

    try:
        metrics = run(settings, half, Path(out), progress=lambda m: click.echo(m, err=True))
    except ValueError as exc:
        raise ShopAssistError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(metrics, indent=2))
    else:
        click.echo((Path(out) / "report.md").read_text())


@eval_group.command("probes")
@click.option("--out", default="eval/out/probes", show_default=True, type=click.Path(file_okay=False),
              help="Folder for report.md, metrics.json and every probe (probes.jsonl).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def eval_probes(settings: Settings, out, as_json) -> None:
    """Single turns after a shown list, each in a fresh session, on both demo stores: requests
    to buy, praise, questions, refinements, talk, and turns that ask nothing of the cart."""
    from eval.probes import run

    metrics = run(settings, Path(out), progress=lambda m: click.echo(m, err=True))
    click.echo(json.dumps(metrics, indent=2) if as_json else (Path(out) / "report.md").read_text())


COMMANDS = (eval_group,)  # added to the `shopassist` group by shopassist/cli/__init__.py
