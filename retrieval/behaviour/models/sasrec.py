"""SASRec+: a causal transformer that predicts a user's next purchase from their last purchases.

The network is SASRec (Kang & McAuley, 2018) with pre-LN blocks, trained as in "SASRec+"
(Klenitskiy & Vasilev, 2023): full softmax cross-entropy over the whole item vocabulary at every
position instead of sampled negatives, which is what makes it competitive on small catalogues.
Output logits reuse the item embeddings (tied weights), so an item the user already bought can
score highest; repeat purchases are common in retail and are never masked.

Reads top to bottom: sequence helpers → CausalSelfAttention → MLP → Block → SASRecNet → SASRec.
Item numbers are shifted by +1 inside this module so that 0 can mean padding.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from retrieval.behaviour.models.base import BehaviourModel, register
from retrieval.behaviour.data import Interactions
from shopassist.errors import ConfigError, ShopAssistError

PAD = 0


def collapse_repeats(history: list[int]) -> list[int]:
    """Drop consecutive duplicates (one item on several lines of an invoice); later repeats stay."""
    return [item for i, item in enumerate(history) if i == 0 or item != history[i - 1]]


def training_windows(sequences: list[list[int]], max_len: int) -> torch.Tensor:
    """Cut each sequence (already shifted, so no 0s) into windows of ``max_len + 1`` items.

    Windows end at the sequence's end and step back by ``max_len``, so every item but the first is
    a target exactly once; short windows are left-padded, keeping the newest item at the last position.
    Returns ``(W, max_len + 1)`` int64; input = ``[:, :-1]``, target = ``[:, 1:]``.
    """
    rows = []
    for seq in sequences:
        for end in range(len(seq), 1, -max_len):
            window = seq[max(0, end - max_len - 1):end]
            rows.append([PAD] * (max_len + 1 - len(window)) + window)
    return torch.tensor(rows, dtype=torch.long).reshape(-1, max_len + 1)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where a position sees itself and earlier real (non-pad) items."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.dropout = dropout
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # 3 × (B, T, C)
        q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                           dropout_p=self.dropout if self.training else 0.0)  # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C)
        return self.resid_dropout(self.proj(y))


class MLP(nn.Module):
    def __init__(self, dim: int, dropout: float):
        super().__init__()
        self.fc = nn.Linear(dim, 4 * dim)
        self.proj = nn.Linear(4 * dim, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.proj(F.gelu(self.fc(x))))


class Block(nn.Module):
    """Pre-LN transformer block: normalise before each sublayer, add its output back."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim)
        self.attn = CausalSelfAttention(dim, heads, dropout)
        self.ln_2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), mask)
        return x + self.mlp(self.ln_2(x))


class SASRecNet(nn.Module):
    """Item + position embeddings → blocks → LayerNorm; logits against the item embeddings.

    Sequences are left-padded to ``max_len`` so position ``max_len - 1`` is always the newest
    item: positions count recency, the same way in training and scoring.
    """

    def __init__(self, n_items: int, max_len: int, dim: int, layers: int, heads: int, dropout: float):
        super().__init__()
        self.max_len = max_len
        self.item_emb = nn.Embedding(n_items + 1, dim, padding_idx=PAD)  # row 0 = padding
        self.pos_emb = nn.Embedding(max_len, dim)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(dim, heads, dropout) for _ in range(layers))
        self.ln_f = nn.LayerNorm(dim)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        # Small normal init as in GPT-2; the default Embedding N(0, 1) makes the tied logits huge.
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        """Hidden states ``(B, T, C)`` for left-padded shifted item numbers ``(B, T)``."""
        B, T = items.shape
        assert T <= self.max_len, f"Cannot forward sequence of length {T}, max_len is only {self.max_len}"
        pos = torch.arange(self.max_len - T, self.max_len, device=items.device)  # (T,) newest = max_len - 1
        x = self.dropout(self.item_emb(items) + self.pos_emb(pos))  # (B, T, C)
        causal = torch.ones(T, T, dtype=torch.bool, device=items.device).tril()  # (T, T)
        itself = torch.eye(T, dtype=torch.bool, device=items.device)  # (T, T)
        # Pad keys are hidden; every query still sees itself so padded rows never become all -inf (NaN).
        mask = (causal & (items != PAD)[:, None, None, :]) | itself  # (B, 1, T, T)
        for block in self.blocks:
            x = block(x, mask)
        return self.ln_f(x)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """``(..., C)`` hidden states → ``(..., n_items + 1)`` logits (column 0 is padding)."""
        return F.linear(hidden, self.item_emb.weight)


@register
class SASRec(BehaviourModel):
    """Next-item model: a causal transformer over the collapsed purchase history.

    Args:
        max_len: how many of the newest items (after collapsing repeats) the model reads.
        dim: embedding and hidden size; must be divisible by ``heads``.
        layers: transformer blocks.
        heads: attention heads.
        dropout: dropout on embeddings, attention and residual branches.
        epochs: passes over the training windows (training also stops at ``max_seconds``).
        batch_size: windows per optimiser step.
        lr: AdamW learning rate (constant after a short warm-up). The defaults were tuned on the
            Online Retail data, where a CPU run is usually stopped by ``max_seconds``: a high rate
            and small batches learn most in few epochs.
        weight_decay: AdamW weight decay.
        seed: seeds initialisation, shuffling and dropout, so a fit is repeatable.
        max_seconds: wall-clock cap on training; ``None`` for no cap.
        threads: CPU threads for training (``None`` leaves torch's setting alone).
        progress: show a tqdm bar on stderr (not saved with the model).

    Example:
        >>> model = SASRec(max_seconds=60).fit(interactions)
        >>> scores = model.score([12, 40, 40, 7])  # (n_items,) logits
        >>> model.save(home / "models" / "sasrec")
        >>> load_model(home / "models" / "sasrec").score([12, 40, 7]).argmax()
    """

    type = "sasrec"

    def __init__(self, max_len: int = 50, dim: int = 64, layers: int = 2, heads: int = 2,
                 dropout: float = 0.1, epochs: int = 30, batch_size: int = 64, lr: float = 5e-3,
                 weight_decay: float = 0.01, seed: int = 0, max_seconds: float | None = 240.0,
                 threads: int | None = None, progress: bool = True):
        super().__init__()
        if dim % heads:
            raise ConfigError(f"sasrec: dim={dim} is not divisible by heads={heads}; pick dim a multiple of heads")
        for name, value in (("max_len", max_len), ("dim", dim), ("layers", layers), ("heads", heads),
                            ("epochs", epochs), ("batch_size", batch_size)):
            if int(value) < 1:
                raise ConfigError(f"sasrec: {name}={value} must be at least 1")
        self.max_len, self.dim, self.layers, self.heads = int(max_len), int(dim), int(layers), int(heads)
        self.dropout, self.epochs, self.batch_size = float(dropout), int(epochs), int(batch_size)
        self.lr, self.weight_decay, self.seed = float(lr), float(weight_decay), int(seed)
        self.max_seconds = None if max_seconds is None else float(max_seconds)
        self.threads = None if threads is None else int(threads)
        self.progress = progress
        self.net: SASRecNet | None = None

    def config(self) -> dict[str, Any]:
        return {"max_len": self.max_len, "dim": self.dim, "layers": self.layers, "heads": self.heads,
                "dropout": self.dropout, "epochs": self.epochs, "batch_size": self.batch_size,
                "lr": self.lr, "weight_decay": self.weight_decay, "seed": self.seed,
                "max_seconds": self.max_seconds, "threads": self.threads}

    def _build(self) -> SASRecNet:
        return SASRecNet(len(self.items), self.max_len, self.dim, self.layers, self.heads, self.dropout)

    # ---- training -------------------------------------------------------------------------

    def fit(self, data: Interactions) -> "SASRec":
        """Train on every user's purchase sequence; returns ``self``."""
        self.items = list(data.items)
        sequences = [[i + 1 for i in collapse_repeats(h)] for h in data.users.values()]
        windows = training_windows([s for s in sequences if len(s) >= 2], self.max_len)  # (W, max_len + 1)
        old_threads = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            torch.manual_seed(self.seed)
            self.net = self._build()
            if len(windows):
                self._train(windows)
        finally:
            torch.set_num_threads(old_threads)
        self.net.eval()
        return self

    def _train(self, windows: torch.Tensor) -> None:
        from tqdm.auto import tqdm

        net = self.net
        # Decay matrices only; biases, LayerNorms and the position table are left alone (nanoGPT).
        decay = [p for n, p in net.named_parameters() if p.dim() >= 2 and not n.startswith("pos_emb")]
        rest = [p for n, p in net.named_parameters() if p.dim() < 2 or n.startswith("pos_emb")]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": self.weight_decay},
                                       {"params": rest, "weight_decay": 0.0}], lr=self.lr)
        steps_per_epoch = math.ceil(len(windows) / self.batch_size)
        warmup = min(100, steps_per_epoch * self.epochs // 10 + 1)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / warmup))
        generator = torch.Generator().manual_seed(self.seed)
        start = time.monotonic()
        bar = tqdm(total=steps_per_epoch * self.epochs, desc="sasrec", unit="step", file=sys.stderr,
                   disable=not self.progress)
        net.train()
        for epoch in range(self.epochs):
            order = torch.randperm(len(windows), generator=generator)
            for batch in windows[order].split(self.batch_size):
                loss = self._loss(batch)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                bar.update(1)
                bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}", refresh=False)
                if self.max_seconds is not None and time.monotonic() - start > self.max_seconds:
                    bar.close()
                    return
        bar.close()

    def _loss(self, batch: torch.Tensor) -> torch.Tensor:
        """Full-softmax cross-entropy of the next item at every non-pad target position."""
        inputs, targets = batch[:, :-1], batch[:, 1:]  # (B, T), (B, T)
        hidden = self.net(inputs)  # (B, T, C)
        real = (inputs != PAD) & (targets != PAD)  # (B, T) a real item predicting a real next item
        # Logits only where there is a target: left padding makes many positions empty.
        logits = self.net.logits(hidden[real])  # (N, n_items + 1)
        return F.cross_entropy(logits, targets[real])

    # ---- scoring --------------------------------------------------------------------------

    def score(self, history: list[int], now: float | None = None) -> np.ndarray:
        """``(n_items,)`` float32 next-item logits; zeros for an empty history."""
        return self.score_batch([history])[0]

    def score_batch(self, histories: list[list[int]]) -> np.ndarray:
        """``(B, n_items)`` float32 next-item logits for many histories in one forward pass."""
        if self.net is None:
            raise ShopAssistError("sasrec model has no weights: fit it or load a saved one first")
        out = np.zeros((len(histories), len(self.items)), dtype=np.float32)
        rows = [[i + 1 for i in collapse_repeats(list(h))][-self.max_len:] for h in histories]
        filled = [b for b, row in enumerate(rows) if row]
        if not filled:
            return out
        batch = torch.tensor([[PAD] * (self.max_len - len(rows[b])) + rows[b] for b in filled])  # (B', T)
        self.net.eval()
        with torch.inference_mode():
            for start in range(0, len(filled), 1024):  # chunks bound the (B', T, C) activations
                hidden = self.net(batch[start:start + 1024])[:, -1]  # (b, C) at the newest item
                logits = self.net.logits(hidden)  # (b, n_items + 1)
                out[filled[start:start + 1024]] = logits[:, 1:].numpy()  # drop the padding column
        return out

    # ---- persistence ----------------------------------------------------------------------

    def arrays(self) -> dict[str, np.ndarray]:
        if self.net is None:
            return {}
        return {name: t.detach().cpu().numpy().astype(np.float32) for name, t in self.net.state_dict().items()}

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self.net = self._build()
        self.net.load_state_dict({name: torch.from_numpy(np.asarray(a)) for name, a in arrays.items()})
        self.net.eval()
