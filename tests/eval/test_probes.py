"""The probe sets parse with known groups and stores, and a probe is scored by its group's
actions, a cart change always wrong where nothing was asked of the cart (no replay here: that
needs the demo stores; ``shopassist eval probes`` runs it)."""

from types import SimpleNamespace

import pytest

from eval.conversations import STORES
from eval.probes import RIGHT, SETS, probe, read_probes


@pytest.mark.parametrize("name", SETS)
def test_each_probe_set_parses_with_known_groups_and_stores(name):
    rows = read_probes(name)
    assert len(rows) >= 150 and len({(r["store"], *r["setup"], r["turn"]) for r in rows}) == len(rows)
    for row in rows:
        assert row["store"] in STORES and row["expect"] in RIGHT, row
        assert row["setup"] and all(m.strip() for m in row["setup"]) and row["turn"].strip(), row


class _Shop:
    """Answers every turn with one action; the probed turn may put an event in the cart."""

    def __init__(self, action: str, adds: bool):
        self.action, self.adds, self.cart, self.turns = action, adds, [], 0
        self.events = SimpleNamespace(delete_session_events=lambda sid: None,
                                      session_events=lambda sid: list(self.cart))
        self.sessions = SimpleNamespace(delete=lambda sid: None)

    def turn(self, session, user, message):
        self.turns += 1
        if self.adds and message == "probe":
            self.cart.append(SimpleNamespace(type="add_to_cart", quantity=1))
        return SimpleNamespace(session_id="s", action=self.action if message == "probe" else "search", rule="r")


@pytest.mark.parametrize("expect,action,adds,right", [
    ("no_cart", "answer", False, True), ("no_cart", "answer", True, False),  # the cart changed: wrong
    ("no_cart", "offer_add", False, False), ("buy", "add_to_cart", True, True), ("praise", "chat", False, False),
    ("talk", "search", False, False), ("refine", "more", False, True),
])
def test_a_probe_is_right_by_its_groups_actions(expect, action, adds, right):
    shop = _Shop(action, adds)
    done = probe(shop, {"store": "flipkart", "setup": ["show me watches"], "turn": "probe", "expect": expect})
    assert done["right"] is right and shop.turns == 2
