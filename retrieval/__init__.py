"""Catalogue → Qdrant → hybrid search, then behaviour-aware reranking.

Two floors: catalogue, encoders, stores, search and the ``Reranker`` seam (``rerank.py``)
below; ``behaviour/`` (events, models, the learned ranker, reasons, the behaviour reranker)
above. Search never imports behaviour. Imports none of assistant/, finetune/, ui/ or eval/.
"""

from retrieval.product import Candidate, Product

__all__ = ["Candidate", "Product"]
