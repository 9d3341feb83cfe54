"""The reranker seam: ``none`` keeps search order; ``behaviour`` registers itself from the
behaviour floor and, with no trained models, also keeps it; unknown names are config errors."""

import pytest

from retrieval.product import Candidate, Product
from retrieval.rerank import NoReranker, open_reranker
from shopassist.errors import ConfigError

FOUND = [Candidate(Product(id=f"p{i}", title=f"product {i}"), 1.0 / (i + 1), {"fused": 1.0 / (i + 1)})
         for i in range(3)]


def test_none_keeps_the_search_order():
    assert open_reranker("none").rerank("u1", FOUND, "s1") is FOUND


def test_behaviour_without_models_keeps_the_search_order():
    import retrieval.behaviour.rerank  # noqa: F401  (registers "behaviour")

    reranker = open_reranker("behaviour", recommender=None)
    assert isinstance(reranker, NoReranker) and reranker.rerank("u1", FOUND) is FOUND


def test_unknown_reranker_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown reranker"):
        open_reranker("magic")
