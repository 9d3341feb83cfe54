"""Reasons for ranked items, found by occlusion: how much each group of features adds to an
item's score (the score minus the score with that group set to a neutral value).

One table, ``REASON_GROUPS``, names each group's features and the sentence a customer reads
when that group adds most; groups are tried from the largest positive effect down, and an
item no group explains is "popular with customers right now".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from retrieval.behaviour.features import NEVER_DAYS, SEARCH_FEATURES, History
from retrieval.behaviour.models.cooccurrence import ItemKNN
from retrieval.behaviour.ranker import LearnedRanker

POPULAR = "popular with customers right now"


@dataclass(frozen=True)
class Why:
    """What a reason may draw on: the item's feature values by name, the user's history, the
    item number and the explainer (titles, co-purchase partners)."""

    value: dict[str, float]
    history: History
    item: int
    explainer: "Explainer"


def _bought(why: Why) -> str | None:
    count = why.value["bought_count"]
    if count > 0:
        return f"you have bought this {int(count)} time{'s' if count > 1 else ''}"
    return None


def _bought_with(why: Why) -> str | None:
    if why.value["knn"] > 0:
        partner = why.explainer.partner(why.history, why.item)
        if partner is not None:
            return f"often bought with {why.explainer.titles[partner]}"
    return None


def _bought_after(why: Why) -> str | None:
    if why.value["markov"] > 0 and why.history.items:
        return f"customers often buy this after {why.explainer.titles[why.history.items[-1]]}"
    return None


def _with_history(text: str) -> Callable[[Why], str | None]:
    return lambda why: text if why.history.items else None


@dataclass(frozen=True)
class ReasonGroup:
    """Features explained together (occluded as one; the effect is reported on the first)
    and the reason they give, or ``None`` when they never make one (the next group is tried)."""

    features: tuple[str, ...]
    says: Callable[[Why], str | None] | None


# Features that mean one thing to a customer are explained together.
REASON_GROUPS: dict[str, ReasonGroup] = {
    "bought_count": ReasonGroup(("bought_count", "days_since_bought", "bought_share"), _bought),
    "knn": ReasonGroup(("knn", "knn_rank"), _bought_with),
    "markov": ReasonGroup(("markov",), _bought_after),
    "sasrec": ReasonGroup(("sasrec", "sasrec_rank"), _with_history("fits the pattern of your recent purchases")),
    "popularity": ReasonGroup(("popularity", "popularity_rank"), None),
    "profile_sim": ReasonGroup(("profile_sim",), _with_history("similar to what you usually buy")),
    "price_band_z": ReasonGroup(("price_band_z",), _with_history("in your usual price range")),
    "fused": ReasonGroup(SEARCH_FEATURES, lambda why: "closely matches your search"),
}


# A reason's kind, from the words each group above starts its sentence with: what the insights
# page counts ("you bought this before", "bought together", "popular").
REASON_KINDS = (("you have bought this", "bought_before"), ("often bought with", "bought_together"),
                ("customers often buy this after", "bought_after"), ("fits the pattern", "sequence"),
                ("similar to what you usually buy", "profile"), ("in your usual price range", "price_range"),
                ("closely matches your search", "search"), (POPULAR, "popular"))


def reason_kind(reason: str | None) -> str | None:
    """``"often bought with X"`` → ``"bought_together"``; None for no reason, ``"other"`` for
    a reason worded elsewhere."""
    if not reason:
        return None
    return next((kind for start, kind in REASON_KINDS if reason.startswith(start)), "other")


def occlusion(ranker: LearnedRanker, x: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """How much each feature group adds to each row's score: the score minus the score with
    that group set to its median over the rows (one batched prediction, so it stays cheap).
    Returns ``(n, len(names))`` with each group's effect on its first feature."""
    base = ranker.predict(x)
    medians = np.median(x, axis=0)
    # For the user's own purchases the counterfactual is "never bought", not the median
    # (a heavy buyer's median candidate was bought too, which would hide that reason).
    for name, never in (("bought_count", 0.0), ("days_since_bought", NEVER_DAYS), ("bought_share", 0.0)):
        if name in names:
            medians[names.index(name)] = never
    groups = [(g, [names.index(f) for f in group.features if f in names])
              for g, group in REASON_GROUPS.items() if g in names]
    variants = []
    for _, cols in groups:
        masked = x.copy()
        masked[:, cols] = medians[cols]
        variants.append(masked)
    scores = ranker.predict(np.concatenate(variants)).reshape(len(groups), len(x))
    effect = np.zeros_like(x)
    for g, (group, cols) in enumerate(groups):
        effect[:, names.index(group)] = base - scores[g]
    return effect


class Explainer:
    """Args:
        titles: product title per item number.
        knn: the fitted co-purchase model (names the partner in "often bought with"), if any.
    """

    def __init__(self, titles: list[str], knn: ItemKNN | None = None):
        self.titles = titles
        self.knn = knn

    def reasons(self, ranker: LearnedRanker, x: np.ndarray, history: History, items: np.ndarray) -> list[str]:
        """One reason per row of ``x`` (the features ``ranker`` scored) for ``items``."""
        names = ranker.features
        contrib = occlusion(ranker, x, names)
        return [self.reason(names, contrib[i], x[i], history, int(items[i])) for i in range(len(items))]

    def reason(self, names: tuple[str, ...], contrib: np.ndarray, row: np.ndarray, history: History,
               item: int) -> str:
        why = Why(dict(zip(names, row)), history, item, self)
        for j in np.argsort(-contrib):
            if contrib[j] <= 0:
                break
            group = REASON_GROUPS.get(names[j])  # only a group's first feature carries its effect
            text = group.says(why) if group is not None and group.says is not None else None
            if text:
                return text
        return POPULAR

    def partner(self, history: History, item: int) -> int | None:
        """The recent purchase most similar to ``item`` by co-purchase, if any."""
        if self.knn is None:
            return None
        best, best_sim = None, 0.0
        for h in dict.fromkeys(reversed(history.items[-20:])):
            idx, sims = self.knn.neighbours_of(h)
            hit = np.nonzero(idx == item)[0]
            if len(hit) and sims[hit[0]] > best_sim:
                best, best_sim = h, float(sims[hit[0]])
        return best
