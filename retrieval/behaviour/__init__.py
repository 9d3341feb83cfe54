"""The behaviour floor of retrieval: events, models, features, the learned ranker, reasons,
recommendations and the behaviour reranker of search results.

It sits above the search floor (catalogue, encoders, stores, search): it imports from
there, never the other way. Search reaches it only through the ``Reranker`` protocol and
registry in ``retrieval/rerank.py`` (``rerank.py`` here registers ``behaviour``).

This package imports nothing itself, so reading events (``events.py``) does not load the
models (``models/`` registers them when imported).
"""
