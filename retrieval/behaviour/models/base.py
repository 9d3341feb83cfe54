"""The one base every behaviour model implements, and the registry of model types.

A model is fitted on ``Interactions`` and scores the whole item vocabulary for a history
(item numbers, oldest first); it saves as a folder: ``config.json`` (type, version,
vocabulary) plus ``model.safetensors`` when it has weights.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from retrieval.behaviour.data import Interactions
from shopassist import __version__
from shopassist.errors import ShopAssistError

MODEL_REGISTRY: dict[str, type["BehaviourModel"]] = {}


def register(cls: type["BehaviourModel"]) -> type["BehaviourModel"]:
    MODEL_REGISTRY[cls.type] = cls
    return cls


class BehaviourModel(ABC):
    """Scores every item for a user's history.

    Subclasses set ``type``, implement ``fit``/``score`` and the config/state hooks.
    """

    type: ClassVar[str]

    def __init__(self) -> None:
        self.items: list[str] = []

    @abstractmethod
    def fit(self, data: Interactions) -> "BehaviourModel": ...

    @abstractmethod
    def score(self, history: list[int], now: float | None = None) -> np.ndarray:
        """``(n_items,)`` scores for a history of item numbers (oldest first); higher is better."""

    def config(self) -> dict[str, Any]:
        return {}

    def arrays(self) -> dict[str, np.ndarray]:
        return {}

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        pass

    def save(self, folder: Path) -> Path:
        from safetensors.numpy import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta = {"type": self.type, "version": __version__, "items": self.items, "config": self.config()}
        (folder / "config.json").write_text(json.dumps(meta))
        arrays = self.arrays()
        if arrays:
            save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(folder / "model.safetensors"))
        return folder


def load_model(folder: Path) -> BehaviourModel:
    """Rebuild any registered model from its folder."""
    from safetensors.numpy import load_file

    folder = Path(folder)
    try:
        meta = json.loads((folder / "config.json").read_text())
    except FileNotFoundError:
        raise ShopAssistError(f"no behaviour model at {folder}: run `shopassist train-behaviour`") from None
    cls = MODEL_REGISTRY.get(meta.get("type"))
    if cls is None:
        raise ShopAssistError(f"{folder}: unknown model type {meta.get('type')!r}; known: {sorted(MODEL_REGISTRY)}")
    model = cls(**meta.get("config", {}))
    model.items = list(meta["items"])
    weights = folder / "model.safetensors"
    if weights.exists():
        model.load_arrays(load_file(str(weights)))
    return model
