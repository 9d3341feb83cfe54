"""The behaviour models, one module each, all implementing ``BehaviourModel`` (``base.py``)
and registered there by their ``type``: popularity (``popularity.py``), co-purchase item-kNN
and the first-order Markov chain (``cooccurrence.py``: both are one sparse item × item
matrix), SASRec+ (``sasrec.py``) and the user's own repeat purchases (``repeat.py``).

Importing this package registers every type, so ``load_model`` can rebuild any of them.
"""

from retrieval.behaviour.models import cooccurrence, popularity, repeat, sasrec  # noqa: F401  (registers the types)
from retrieval.behaviour.models.base import MODEL_REGISTRY, BehaviourModel, load_model, register

__all__ = ["MODEL_REGISTRY", "BehaviourModel", "load_model", "register"]
