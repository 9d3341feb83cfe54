"""SASRec: learns a deterministic chain, round-trips through save/load, fits repeatably."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from retrieval.behaviour.data import Interactions
from retrieval.behaviour.models import load_model
from retrieval.behaviour.models.sasrec import SASRec, collapse_repeats, training_windows

N_ITEMS = 30
SMALL = dict(max_len=12, dim=32, layers=1, heads=2, dropout=0.1, epochs=25, batch_size=32, lr=3e-3,
             max_seconds=60, threads=1)


def chain(start: int, length: int) -> list[int]:
    """Item i is always followed by item (i + 1) % N_ITEMS."""
    return [(start + k) % N_ITEMS for k in range(length)]


def chain_data(n_users: int = 150, seed: int = 0) -> Interactions:
    rng = random.Random(seed)
    users = {f"u{u}": chain(rng.randrange(N_ITEMS), rng.randint(4, 20)) for u in range(n_users)}
    return Interactions(items=[f"p{i}" for i in range(N_ITEMS)], users=users)


@pytest.fixture(scope="module")
def fitted() -> SASRec:
    return SASRec(progress=False, **SMALL).fit(chain_data())


def test_learns_next_item_in_chain(fitted: SASRec) -> None:
    rng = random.Random(1)
    histories = [chain(rng.randrange(N_ITEMS), rng.randint(1, 15)) for _ in range(200)]
    predicted = fitted.score_batch(histories).argmax(axis=1)
    accuracy = np.mean([p == (h[-1] + 1) % N_ITEMS for p, h in zip(predicted, histories)])
    assert accuracy >= 0.9


def test_score_matches_score_batch(fitted: SASRec) -> None:
    history = chain(3, 7)
    np.testing.assert_allclose(fitted.score(history), fitted.score_batch([[], history])[1], rtol=1e-5, atol=1e-5)
    assert fitted.score(history).shape == (N_ITEMS,) and fitted.score(history).dtype == np.float32


def test_save_load_round_trip(fitted: SASRec, tmp_path: Path) -> None:
    loaded = load_model(fitted.save(tmp_path / "sasrec"))
    assert isinstance(loaded, SASRec) and loaded.config() == fitted.config()
    for history in ([5], chain(10, 30), [1, 1, 2, 7, 7]):
        np.testing.assert_array_equal(loaded.score(history), fitted.score(history))


def test_empty_history_scores_zero(fitted: SASRec) -> None:
    assert not fitted.score([]).any()
    assert fitted.score([]).shape == (N_ITEMS,)


def test_same_seed_same_model() -> None:
    quick = {**SMALL, "epochs": 2}
    data = chain_data(n_users=40)
    a = SASRec(progress=False, **quick).fit(data)
    b = SASRec(progress=False, **quick).fit(data)
    for history in ([0], chain(4, 9)):
        np.testing.assert_array_equal(a.score(history), b.score(history))


def test_sequences_collapse_repeats_and_cover_every_target() -> None:
    assert collapse_repeats([1, 1, 2, 2, 2, 1, 3, 3]) == [1, 2, 1, 3]
    windows = training_windows([list(range(1, 12))], max_len=4)  # 10 targets
    assert windows.shape == (3, 5)
    inputs, targets = windows[:, :-1], windows[:, 1:]
    assert sorted(targets[(inputs > 0) & (targets > 0)].tolist()) == list(range(2, 12))


def test_rejects_heads_not_dividing_dim() -> None:
    from shopassist.errors import ConfigError

    with pytest.raises(ConfigError, match="heads"):
        SASRec(dim=30, heads=4)
