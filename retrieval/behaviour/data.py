"""Training data for the behaviour models, built once from the event store's rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Interactions:
    """Purchases (and other events) indexed by item number.

    Args:
        items: item number → product id (the vocabulary; every model scores all of it).
        users: user id → purchased item numbers, oldest first (one entry per line item).
        user_times: user id → Unix seconds of each entry in ``users``.
        user_quantities: user id → quantity of each entry in ``users``.
        baskets: item numbers bought together (one list per invoice/session), guests included.
        item_times: Unix seconds of every purchase of every item (guests included), for popularity.
        now: the reference time (the end of the training period).
    """

    items: list[str]
    users: dict[str, list[int]] = field(default_factory=dict)
    user_times: dict[str, list[float]] = field(default_factory=dict)
    user_quantities: dict[str, list[float]] = field(default_factory=dict)
    baskets: list[list[int]] = field(default_factory=list)
    item_purchase_index: np.ndarray | None = None  # (n_purchases,) item numbers
    item_purchase_time: np.ndarray | None = None  # (n_purchases,) Unix seconds
    now: float = 0.0

    def __post_init__(self) -> None:
        self.index = {pid: i for i, pid in enumerate(self.items)}

    @property
    def n_items(self) -> int:
        return len(self.items)

    @classmethod
    def from_frame(cls, frame, items: list[str] | None = None, now: float | None = None) -> "Interactions":
        """From an events DataFrame (columns of ``EventStore.frame``); only purchases train.

        ``items`` fixes the vocabulary (e.g. the catalogue); by default it is every purchased id.
        """
        purchases = frame[frame["type"] == "purchase"].sort_values("ts", kind="stable")
        if items is None:
            items = sorted(purchases["product_id"].unique().tolist())
        data = cls(items=list(items), now=float(now if now is not None else (frame["ts"].max() if len(frame) else 0.0)))
        known = purchases[purchases["product_id"].isin(data.index)]
        codes = known["product_id"].map(data.index).to_numpy(dtype=np.int64)
        data.item_purchase_index = codes
        data.item_purchase_time = known["ts"].to_numpy(dtype=np.float64)
        with_user = known.assign(code=codes)[known["user_id"].notna()]
        for user, group in with_user.groupby("user_id", sort=False):
            data.users[str(user)] = group["code"].tolist()
            data.user_times[str(user)] = group["ts"].tolist()
            data.user_quantities[str(user)] = group["quantity"].tolist()
        sessions = known.assign(code=codes)[known["session_id"].notna()]
        data.baskets = [list(dict.fromkeys(g)) for g in sessions.groupby("session_id", sort=False)["code"]
                        .agg(list).tolist() if len(g) > 0]
        return data

    def history(self, user_id: str) -> list[int]:
        return self.users.get(user_id, [])
