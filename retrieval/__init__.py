"""Catalogue → Qdrant → hybrid search (and, next, behaviour-aware reranking).

Imports none of assistant/, finetune/, ui/ or eval/.
"""

from retrieval.product import Candidate, Product

__all__ = ["Candidate", "Product"]
