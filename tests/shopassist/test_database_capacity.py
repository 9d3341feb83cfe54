"""A full pool degrades, never deadlocks: a turn holds one connection for everything it does,
and the health check has a connection of its own (real PostgreSQL)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from shopassist.database import PostgresDatabase, redact_url


def test_more_turns_than_connections_all_finish_on_one_connection_each(postgres_url):
    db = PostgresDatabase(postgres_url, pool_size=2, timeout_s=3.0)
    try:
        with db.transaction() as tx:
            tx.execute("CREATE TABLE notes (turn INTEGER, text TEXT)")

        def turn(i: int) -> int:
            # what a turn does: its conversation's lock, then reads and a write inside it
            with db.hold(f"conversation-{i}"):
                db.query("SELECT count(*) FROM notes")
                with db.transaction() as tx:
                    tx.execute("INSERT INTO notes VALUES (?, ?)", (i, "hello"))
                time.sleep(0.05)
                return len(db.query("SELECT 1"))

        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:  # 8 turns at once on a pool of 2
            assert list(pool.map(turn, range(8))) == [1] * 8
        assert time.monotonic() - started < 3.0  # none waited for a second connection until the pool timeout
        assert db.query("SELECT count(*) FROM notes") == [(8,)]
    finally:
        db.close()


def test_the_health_check_answers_while_every_pooled_connection_is_held(postgres_url):
    db = PostgresDatabase(postgres_url, pool_size=2, timeout_s=3.0)
    holding, release = threading.Barrier(3), threading.Event()

    def hold(i: int) -> None:
        with db.hold(f"busy-{i}"):
            holding.wait()
            release.wait(10)

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(2)]
    try:
        for t in threads:
            t.start()
        holding.wait()
        started = time.monotonic()
        db.ping(0.5)
        assert time.monotonic() - started < 0.5
    finally:
        release.set()
        for t in threads:
            t.join()
        db.close()


def test_a_database_url_never_shows_its_password_in_any_form():
    planted = "s3cr3t-planted"
    for url in (f"postgresql://shop:{planted}@db/shop", f"postgresql://shop:{planted}@x@db/shop",
                f"postgresql://shop@db/shop?password={planted}&sslmode=require",
                f"postgresql://db/shop?sslpassword={planted}", f"postgresql://shop:a/{planted}?#@db:5432/shop",
                f"host=db user=shop password={planted} dbname=shop"):
        shown = redact_url(url)
        assert planted not in shown and "db" in shown
