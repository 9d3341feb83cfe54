"""Behaviour models: popularity, co-purchase, sequential next-item, and the reranker.

Each model is one module registered by its ``type``; all share ``BehaviourModel``.
"""

from retrieval.behaviour import cooccurrence, popularity, repeat, sasrec  # noqa: F401  (registers the types)
from retrieval.behaviour.base import MODEL_REGISTRY, BehaviourModel, load_model
from retrieval.behaviour.data import Interactions

__all__ = ["MODEL_REGISTRY", "BehaviourModel", "Interactions", "load_model"]
