"""Training the support head (see ``assistant.parse.support_head``) on the parser's data.

The support examples of the training split (Bitext and the hand-written support messages),
at most ``per_intent`` of each intent so that no intent drowns the others, are encoded with the
search's embedder; a multinomial logistic regression learns the intent from the vector. The
held-out split's support examples give its accuracy.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import numpy as np

from assistant.parse.schema import SUPPORT_INTENTS
from assistant.parse.support_head import SupportHead
from finetune.data import Example


def support_examples(examples: list[Example], per_intent: int, seed: int) -> list[Example]:
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        if example.intent in SUPPORT_INTENTS:
            by_intent[example.intent].append(example)
    rng = random.Random(seed)
    kept: list[Example] = []
    for intent in sorted(by_intent):
        items = by_intent[intent]
        # the hand-written messages first: they are fewer and read most like real customers
        written = [e for e in items if e.source == "written"]
        rest = [e for e in items if e.source != "written"]
        rng.shuffle(rest)
        kept += (written + rest)[:per_intent]
    return kept


def train_support_head(train: list[Example], encoder, *, per_intent: int = 300, c: float = 10.0,
                       seed: int = 13, progress: bool = True) -> tuple[SupportHead, dict]:
    """``encoder`` has ``name`` and ``encode(texts, batch_size, show_progress)`` → unit vectors."""
    from sklearn.linear_model import LogisticRegression

    chosen = support_examples(train, per_intent, seed)
    if len({e.intent for e in chosen}) < 2:
        raise ValueError("the training split holds fewer than two support intents: nothing to learn")
    vectors = encoder.encode([e.text for e in chosen], batch_size=128, show_progress=progress)
    model = LogisticRegression(C=c, max_iter=3000).fit(vectors, [e.intent for e in chosen])
    head = SupportHead(tuple(str(i) for i in model.classes_), model.coef_.astype(np.float32),
                       model.intercept_.astype(np.float32), encoder.name)
    info = {"examples": len(chosen), "by_source": dict(Counter(e.source for e in chosen)),
            "intents": len(head.intents), "per_intent": per_intent, "c": c}
    return head, info


def evaluate_support_head(head: SupportHead, examples: list[Example], encoder) -> dict:
    """Accuracy on the support examples of ``examples`` whose intent the head knows, by source."""
    scored = [e for e in examples if e.intent in head.intents]
    if not scored:
        return {"examples": 0}
    vectors = encoder.encode([e.text for e in scored], batch_size=128)
    hits = [head.predict(v)[0] == e.intent for v, e in zip(vectors, scored)]
    by_source: dict[str, list[bool]] = defaultdict(list)
    for hit, example in zip(hits, scored):
        by_source[example.source].append(hit)
    return {"examples": len(scored), "accuracy": round(float(np.mean(hits)), 4),
            "by_source": {s: round(float(np.mean(v)), 4) for s, v in sorted(by_source.items())}}
