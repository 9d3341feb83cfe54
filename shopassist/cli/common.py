"""Services the command modules share: the store and encoders, the event store, the recommender."""

from __future__ import annotations

from shopassist.settings import Settings


def services(settings: Settings, collection: str | None):
    from retrieval.encoder import LexicalEncoder, SentenceEncoder
    from retrieval.stores import open_store

    return (open_store(settings, collection), SentenceEncoder.from_settings(settings), LexicalEncoder())


def event_store(settings: Settings):
    from retrieval.behaviour.service import open_event_store

    return open_event_store(settings)


def recommender_for(settings: Settings, collection: str, diversity: float = 0.0):
    from retrieval.behaviour.service import open_recommender

    return open_recommender(settings, event_store(settings), collection, diversity)



def reranker_for(settings: Settings, collection: str):
    from retrieval.behaviour.rerank import BehaviourReranker

    return BehaviourReranker(recommender_for(settings, collection))
