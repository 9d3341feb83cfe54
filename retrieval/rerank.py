"""The seam between search and whatever reorders its results: the ``Reranker`` protocol and
a registry of rerankers by name (the ``reranker`` setting).

Search results go in, the same candidates come out, reordered, with ``scores["rerank"]`` and
a ``reason`` where the reranker has one. This module is on the search floor: it knows no
reranker but ``none``; the behaviour floor registers ``behaviour`` when
``retrieval.behaviour.rerank`` is imported (search never imports behaviour).

Example:
    >>> open_reranker("none").rerank("user-1", [])
    []
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from retrieval.product import Candidate
from shopassist.errors import ConfigError


class Reranker(Protocol):
    """Reorders one search's candidates for a customer (``user_id`` None for a guest) and
    their conversation (``session_id``: its clicks count too)."""

    def rerank(self, user_id: str | None, candidates: list[Candidate],
               session_id: str | None = None) -> list[Candidate]: ...


class NoReranker:
    """``none``: results stay as search returned them."""

    def rerank(self, user_id: str | None, candidates: list[Candidate],
               session_id: str | None = None) -> list[Candidate]:
        return candidates


# name → factory; a factory takes keyword resources (e.g. ``recommender=``) and ignores the
# ones it does not need.
RERANKERS: dict[str, Callable[..., Reranker]] = {"none": lambda **_: NoReranker()}


def register_reranker(name: str, factory: Callable[..., Reranker]) -> None:
    RERANKERS[name] = factory


def open_reranker(name: str, **resources: Any) -> Reranker:
    """The reranker registered as ``name``, built from ``resources``."""
    factory = RERANKERS.get(name)
    if factory is None:
        raise ConfigError(f"unknown reranker {name!r}; registered: {', '.join(sorted(RERANKERS))}")
    return factory(**resources)
