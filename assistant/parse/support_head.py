"""The support head: which support intent a message is, read from its sentence embedding.

The turn parser tells shopping from support well, with the conversation's context, but among
the many fine-grained support intents it mixes up neighbours ("the password reset email never
arrives" → payment_issue). A logistic regression over the search's own sentence embedding,
trained on the support examples of the parser's training split (``shopassist finetune
support-head``), picks the support intent instead, and only when the parser already said the
message is support: it never turns a shopping turn into a support one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from assistant.parse.schema import SUPPORT_INTENTS, TurnParse

WEIGHTS_FILE = "support_head.npz"
META_FILE = "support_head.json"


@dataclass(frozen=True)
class SupportHead:
    """``probabilities(vector)`` over ``intents``; ``embedder`` names the model whose unit
    vectors it reads (a head is only valid with that embedder)."""

    intents: tuple[str, ...]
    weights: np.ndarray  # (n_intents, dim)
    bias: np.ndarray  # (n_intents,)
    embedder: str

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        logits = self.weights @ vector + self.bias
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()

    def predict(self, vector: np.ndarray) -> tuple[str, float]:
        probs = self.probabilities(vector)
        best = int(np.argmax(probs))
        return self.intents[best], float(probs[best])

    def save(self, folder: Path, report: dict | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / WEIGHTS_FILE, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32))
        meta = {"intents": list(self.intents), "embedder": self.embedder, **({"report": report} if report else {})}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, folder: Path, embedder: str) -> "SupportHead | None":
        """The head saved in ``folder``, or None when there is none or it was trained for
        another embedder (its weights would read the wrong vectors)."""
        try:
            meta = json.loads((folder / META_FILE).read_text())
            arrays = np.load(folder / WEIGHTS_FILE)
        except (OSError, ValueError):
            return None
        if meta.get("embedder") != embedder or not set(meta["intents"]) <= set(SUPPORT_INTENTS):
            return None
        return cls(tuple(meta["intents"]), arrays["weights"], arrays["bias"], embedder)


class SupportRefinedParser:
    """A turn parser whose support intents the head re-reads.

    Args:
        parser: the turn parser (``parse(message, has_results)``).
        head: the support head.
        encode: one message → its unit vector (the search's query encoder).
    """

    def __init__(self, parser, head: SupportHead, encode: Callable[[str], np.ndarray]):
        self.parser, self.head, self.encode = parser, head, encode

    def parse(self, message: str, has_results: bool = False) -> TurnParse:
        parse = self.parser.parse(message, has_results)
        return self.refine(parse, message)

    def refine(self, parse: TurnParse, message: str) -> TurnParse:
        if parse.intent not in SUPPORT_INTENTS:
            return parse
        intent, _ = self.head.predict(self.encode(message))
        if intent == parse.intent:
            return parse
        return parse.model_copy(update={"intent": intent, "runner_up": parse.intent})
