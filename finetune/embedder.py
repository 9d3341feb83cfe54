"""Fine-tuning the sentence embedder on a store's catalogue (an experiment the search keeps only
when it wins: ``shopassist finetune embedder`` scores stock and tuned models side by side).

Query-product pairs are mined from the catalogue itself: runs of a title's words (some with a
typo), a category level (with the brand), an attribute value with the category. The model
learns with in-batch negatives (sentence-transformers' ``MultipleNegativesRankingLoss``): each
query must pick its own product's text among the batch's.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from finetune.data import typo
from retrieval.product import Product


def mine_pairs(products: list[Product], seed: int = 13, typo_share: float = 0.25) -> list[tuple[str, str]]:
    """(query, product text) pairs from the catalogue alone, shuffled."""
    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    for product in products:
        text, words = product.embedding_text(), product.title.lower().split()
        for _ in range(2 if len(words) > 1 else 1):
            size = rng.randint(1, min(3, len(words)))
            start = rng.randint(0, len(words) - size)
            query = " ".join(words[start:start + size])
            slip = len(query) >= 5 and rng.random() < typo_share
            pairs.append((typo(query, rng) if slip else query, text))
        if product.category:
            leaf = product.category[-1].lower()
            pairs.append((f"{product.brand.lower()} {leaf}" if product.brand else leaf, text))
            pairs += [(f"{value} {leaf}".lower(), text) for value in list(product.attributes.values())[:3]
                      if len(value) < 25]
    rng.shuffle(pairs)
    return pairs


def fit_embedder(location: str, pairs: list[tuple[str, str]], out: Path, *, batch_size: int = 48,
                 lr: float = 2e-5, max_minutes: float = 60.0, threads: int | None = None,
                 progress: bool = True) -> dict:
    """One epoch over ``pairs`` (or until ``max_minutes``); the model is saved to ``out``."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from tqdm.auto import tqdm

    if threads:
        torch.set_num_threads(threads)
    model = SentenceTransformer(location, device="cpu")
    loss_fn = MultipleNegativesRankingLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    steps, started, losses = len(pairs) // batch_size, time.monotonic(), []
    model.train()
    for step in tqdm(range(steps), desc="fine-tuning embedder", unit="step", disable=not progress):
        batch = pairs[step * batch_size:(step + 1) * batch_size]
        features = [model.preprocess([q for q, _ in batch]), model.preprocess([t for _, t in batch])]
        loss = loss_fn(features, labels=None)
        loss.backward()
        optimiser.step()
        optimiser.zero_grad()
        losses.append(loss.item())
        if time.monotonic() - started > max_minutes * 60:
            break
    model.eval()
    model.save(str(out))
    return {"pairs": len(pairs), "steps": len(losses), "seconds": round(time.monotonic() - started, 1),
            "first_loss": round(losses[0], 4) if losses else None,
            "last_loss": round(sum(losses[-20:]) / max(1, len(losses[-20:])), 4) if losses else None}
