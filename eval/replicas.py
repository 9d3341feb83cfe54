"""Replicas on one machine: two ``shopassist serve`` processes sharing PostgreSQL, each serving
a private copy of the embedded collection, behind HAProxy with the project's own
``deploy/haproxy.cfg``; and the failover benchmark, in which customers chat through the load
balancer while one replica is killed.

    shopassist --home ~/.local/share/shopassist eval failover --collection flipkart --out docs/eval/failover
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from eval.http_bench import _free_port, start_serve

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
SEARCHES = ["running shoes for men", "a watch under 2000", "cotton kurta for women", "bluetooth headphones",
            "a backpack for school", "sunglasses", "wall clock", "a saree for a wedding", "baby romper",
            "leather wallet"]
ADD = "add the first one to my cart"


@dataclass
class Replica:
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def _wait(url: str, proc: subprocess.Popen, log: Path, seconds: float = 300) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {seconds:.0f} s: {log.read_text()[-2000:]}")


class Cluster:
    """Two replicas and HAProxy, started on enter, stopped on exit.

    Args:
        home: the home holding the indexed ``collection`` (each replica copies it).
        database_url: the PostgreSQL both replicas use.
        env: more settings for the replicas (``SHOPASSIST_*``).
    """

    def __init__(self, home: Path, collection: str, database_url: str, env: dict | None = None):
        self.home, self.collection, self.database_url = Path(home), collection, database_url
        self.env = dict(env or {})
        self.replicas: list[Replica] = []
        self.lb: subprocess.Popen | None = None
        self.port = 0
        self._logs = Path(tempfile.mkdtemp(prefix="shopassist-cluster-"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _replica(self, index: int) -> Replica:
        port = _free_port()
        env = {"SHOPASSIST_DATABASE_URL": self.database_url, "SHOPASSIST_STORE_PRIVATE_COPY": "true",
               "SHOPASSIST_TRUSTED_PROXIES": "127.0.0.1", **self.env}  # the balancer on this machine
        log = self._logs / f"replica{index}.log"
        with log.open("w") as fh:
            proc = start_serve(self.home, self.collection, port, env, fh)
        return Replica(port, proc, log)

    def __enter__(self) -> "Cluster":
        if not shutil.which("haproxy"):
            raise RuntimeError("haproxy is not installed (Debian: `apt-get install haproxy`)")
        try:
            self.replicas = [self._replica(i + 1) for i in range(2)]
            for replica in self.replicas:
                _wait(replica.url, replica.proc, replica.log)
            self.port = _free_port()
            env = {**os.environ, "SHOPASSIST_LB_BIND": f"127.0.0.1:{self.port}",
                   **{f"SHOPASSIST_REPLICA_{i + 1}": f"127.0.0.1:{r.port}" for i, r in enumerate(self.replicas)}}
            log = self._logs / "haproxy.log"
            with log.open("w") as fh:
                self.lb = subprocess.Popen(["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")], env=env,
                                           stdout=fh, stderr=subprocess.STDOUT)
            _wait(self.url, self.lb, log, seconds=30)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for proc in [self.lb, *(r.proc for r in self.replicas)]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(self._logs, ignore_errors=True)


@contextlib.contextmanager
def production(home: Path, collection: str, database_url: str | None, env: dict | None = None,
               database: str = "shop"):
    """The production layout for the life of the block: a :class:`Cluster` on ``database_url``,
    or on a throwaway PostgreSQL started here (a new database named ``database``) and removed
    after."""
    from eval.temp_postgres import TempPostgres

    server = None
    if not database_url:
        server = TempPostgres().start()
        database_url = server.create_database(database)
    try:
        with Cluster(home, collection, database_url, env) as cluster:
            yield cluster
    finally:
        if server:
            server.stop()


def warm(cluster: Cluster, message: str = SEARCHES[0]) -> None:
    """One uncounted turn straight to each replica: a process's first turn pays one-off set-up
    (first model calls, the database pool) that should not land in a measurement."""
    with httpx.Client(timeout=120) as http:
        for replica in cluster.replicas:
            turn(http, replica.url, message, None)


@dataclass
class Turn:
    customer: int
    message: str
    start: float  # seconds since the run began
    end: float
    status: int | None  # HTTP status; None when no answer came
    replica: str | None
    session: str | None
    reply: str = ""
    product: str | None = None
    error: str | None = None


def turn(http: httpx.Client, url: str, message: str, session: str | None, customer: str = "",
         t0: float = 0.0, who: int = 0) -> Turn:
    """One ``POST /api/turn`` through ``url``; never raises."""
    start = time.monotonic() - t0
    try:
        answer = http.post(f"{url}/api/turn", json={"message": message, "session_id": session or "",
                                                    "customer_id": customer})
        body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
        products = body.get("products") or []
        return Turn(who, message, start, time.monotonic() - t0, answer.status_code,
                    answer.headers.get("x-shopassist-replica"), body.get("session"), body.get("reply", ""),
                    products[0]["id"] if products else None,
                    None if answer.status_code == 200 else (body.get("error") or answer.text[:200]))
    except httpx.HTTPError as exc:
        return Turn(who, message, start, time.monotonic() - t0, None, None, session, error=type(exc).__name__)


def _customer(url: str, who: int, t0: float, deadline: float, think: tuple[float, float], out: list[Turn]) -> None:
    rng = random.Random(who)
    with httpx.Client(timeout=60) as http:
        while time.monotonic() < deadline:
            first = turn(http, url, rng.choice(SEARCHES), None, t0=t0, who=who)
            out.append(first)
            time.sleep(rng.uniform(*think))
            if first.status == 200 and time.monotonic() < deadline:
                out.append(turn(http, url, ADD, first.session, t0=t0, who=who))
                time.sleep(rng.uniform(*think))


def stored_carts(database_url: str) -> dict[tuple[str, str], int]:
    """(session, product) → add-to-cart events in the database."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT session_id, product_id, COUNT(*) FROM events WHERE type = 'add_to_cart' "
                            "GROUP BY session_id, product_id").fetchall()
    return {(s, p): int(n) for s, p, n in rows}


def failover(cluster: Cluster, customers: int = 8, seconds: float = 40.0, kill_at: float = 15.0,
             think: tuple[float, float] = (0.5, 2.0)) -> dict:
    """Customers search and add to cart through the load balancer; replica 1 is killed at
    ``kill_at`` s. Reports every failed turn (and whether it was in flight on the killed
    replica), acknowledged cart additions missing from the database, and where turns went."""
    out: list[Turn] = []
    t0 = time.monotonic()
    threads = [threading.Thread(target=_customer, args=(cluster.url, i, t0, t0 + seconds, think, out))
               for i in range(customers)]
    [t.start() for t in threads]
    time.sleep(max(0.0, kill_at - (time.monotonic() - t0)))
    rss = [_rss_mb(r.proc.pid) for r in cluster.replicas]
    victim = cluster.replicas[0]
    killed_at = time.monotonic() - t0
    victim.kill()
    dead_at = time.monotonic() - t0  # the process is gone (reaped)
    [t.join() for t in threads]
    carts = stored_carts(cluster.database_url)
    acknowledged = [t for t in out if t.message == ADD and t.status == 200 and t.reply.startswith("Added")]
    lost = [t for t in acknowledged if carts.get((t.session, t.product), 0) < 1]
    failed = [t for t in out if t.status != 200]
    in_flight = [t for t in failed if t.start <= dead_at and t.end >= killed_at]
    after = [t for t in out if t.start > dead_at]
    return {
        "customers": customers, "seconds": seconds, "killed_at_s": round(killed_at, 3), "dead_at_s": round(dead_at, 3),
        "turns": len(out), "ok": sum(t.status == 200 for t in out),
        "errors": [asdict(t) for t in failed], "errors_in_flight": len(in_flight),
        "errors_not_in_flight": len(failed) - len(in_flight),
        "carts_acknowledged": len(acknowledged), "carts_lost": [asdict(t) for t in lost],
        "replicas_before_kill": sorted({t.replica for t in out if t.end < killed_at and t.replica}),
        "replicas_after_kill": sorted({t.replica for t in after if t.replica}),
        "turns_after_kill": len(after), "ok_after_kill": sum(t.status == 200 for t in after),
        "conversations_across_replicas": _across(out),
        "replica_rss_mb": rss,
    }


def _rss_mb(pid: int) -> float | None:
    """Resident memory of a process, under load (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _across(turns: list[Turn]) -> int:
    """Conversations whose turns were answered by more than one replica."""
    by_session: dict[str, set] = {}
    for t in turns:
        if t.session and t.replica and t.status == 200:
            by_session.setdefault(t.session, set()).add(t.replica)
    return sum(len(r) > 1 for r in by_session.values())


def report(m: dict) -> str:
    lines = ["# Failover: two replicas on PostgreSQL behind HAProxy, one killed mid-load", "",
             f"{m['customers']} customers for {m['seconds']:.0f} s (search, then \"{ADD}\", 0.5-2 s between "
             f"turns); replica 1 killed with SIGKILL at {m['killed_at_s']} s.", "",
             "| | |", "|---|---|",
             f"| turns | {m['turns']} ({m['ok']} answered) |",
             f"| conversations answered by both replicas | {m['conversations_across_replicas']} |",
             f"| failed turns in flight on the killed replica | {m['errors_in_flight']} |",
             f"| failed turns not in flight | {m['errors_not_in_flight']} |",
             f"| cart additions acknowledged / missing from the database | {m['carts_acknowledged']} / "
             f"{len(m['carts_lost'])} |",
             f"| turns after the kill / answered | {m['turns_after_kill']} / {m['ok_after_kill']} |",
             f"| replicas answering after the kill | {', '.join(m['replicas_after_kill'])} |",
             f"| resident memory per replica under load (MB) | {', '.join(str(r) for r in m['replica_rss_mb'])} |",
             ""]
    if m["errors"]:
        lines += ["Failed turns:", "", "| customer | message | sent (s) | ended (s) | status | error |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {e['customer']} | {e['message']} | {e['start']:.2f} | {e['end']:.2f} | {e['status']} | "
                  f"{e['error']} |" for e in m["errors"]]
    return "\n".join(lines) + "\n"


def run(home: Path, collection: str, out: Path, database_url: str | None, customers: int, seconds: float,
        kill_at: float) -> dict:
    """The benchmark, on ``database_url`` or a throwaway PostgreSQL started here."""
    limits_off = {"SHOPASSIST_TURNS_PER_MINUTE_ADDRESS": "0", "SHOPASSIST_TURNS_PER_MINUTE_CUSTOMER": "0"}
    with production(home, collection, database_url, limits_off, "failover") as cluster:
        measured = failover(cluster, customers, seconds, kill_at)
    out.mkdir(parents=True, exist_ok=True)
    (out / "failover.json").write_text(json.dumps(measured, indent=2))
    (out / "failover.md").write_text(report(measured))
    return measured
