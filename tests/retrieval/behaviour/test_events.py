import signal
import subprocess
import sys
import textwrap

import pytest

from retrieval.behaviour.events import Event, EventStore
from retrieval.behaviour.loaders import load_event_table, parse_timestamp


def test_append_and_read_back(tmp_path):
    store = EventStore(tmp_path / "e.sqlite")
    store.append([Event("A", "view", "u1", timestamp=1.0, session_id="s1"),
                  Event("B", "add_to_cart", "u1", 2, 3.5, 2.0, "s1"),
                  Event("C", "purchase", None, timestamp=3.0)])
    assert [e.product_id for e in store.user_events("u1")] == ["A", "B"]
    assert [e.product_id for e in store.user_events("u1", ["add_to_cart"])] == ["B"]
    assert store.count() == 3 and store.count("u1") == 2 and store.has_user("u1") and not store.has_user("u2")
    assert [e.product_id for e in store.session_events("s1")] == ["A", "B"]
    assert store.delete_user("u1") == 2 and store.count() == 1
    with pytest.raises(ValueError, match="not one of"):
        Event("A", "like")


def test_events_survive_a_killed_process(tmp_path):
    path = tmp_path / "e.sqlite"
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from retrieval.behaviour.events import Event, EventStore
        store = EventStore({str(path)!r})
        for i in range(50):
            store.append([Event("P%d" % i, "click", "u1", timestamp=float(i + 1))])
        print("written", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "written"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert EventStore(path).count("u1") == 50


def test_generic_event_file_with_map_and_bad_rows(tmp_path):
    path = tmp_path / "ev.csv"
    path.write_text("visitor,item,action,when\n"
                    "v1,A,view,2024-01-01T10:00:00\n"
                    "v1,B,,1704103200\n"
                    "v2,,view,2024-01-01T10:00:00\n"
                    "v2,C,wishlist,2024-01-01T10:00:00\n"
                    "v2,C,cart,yesterday\n"
                    "v3,D,addtocart,1704103200000\n")
    events, report = load_event_table(path, "csv", {"user_id": "visitor", "product_id": "item",
                                                    "type": "action", "timestamp": "when"})
    assert [(e.user_id, e.product_id, e.type) for e in events] == [
        ("v1", "A", "view"), ("v1", "B", "purchase"), ("v3", "D", "add_to_cart")]
    assert events[2].timestamp == 1704103200.0  # milliseconds understood
    assert [r.row for r in report.rejected] == [4, 5, 6]
    assert parse_timestamp("2024-01-01T10:00:00Z") == 1704103200.0
