"""Hybrid search: dense + BM25 candidates fused by Qdrant (RRF), filtered, as Candidates."""

from __future__ import annotations

from pathlib import Path

from retrieval.encoder import DenseEncoder, LexicalEncoder
from retrieval.product import Candidate
from retrieval.spelling import Speller
from retrieval.stores.base import SearchFilter, VectorStore, product_from_payload


TIE_MARGIN = 10  # extra fused results fetched so equal scores at the cut are ordered here


class HybridSearcher:
    """Encodes a query both ways and asks the store for fused, filtered results.

    Args:
        store: an open ``VectorStore``.
        encoder: the dense encoder that indexed the collection.
        lexical: the BM25 encoder.
        prefetch: candidates per source before fusion.
        rrf_k: reciprocal rank fusion constant.
        speller: corrects misspelt query words to catalogue words before both encoders read them.

    Example:
        >>> searcher.search("women's sandals", SearchFilter(max_price=500), top_k=5)
    """

    def __init__(self, store: VectorStore, encoder: DenseEncoder, lexical: LexicalEncoder,
                 prefetch: int = 50, rrf_k: int = 60, speller: Speller | None = None):
        self.store = store
        self.speller = speller
        self.encoder = encoder
        self.lexical = lexical
        self.prefetch = prefetch
        self.rrf_k = rrf_k

    def search(self, query: str, flt: SearchFilter | None = None, top_k: int = 10,
               lexical: str | None = None) -> list[Candidate]:
        """``lexical`` (default: ``query``) is the text for the BM25 side alone, so a caller can
        keep filler words and numbers out of word matching while the dense side reads the whole
        meaning; an empty string searches by meaning only."""
        flt = flt or SearchFilter()
        if self.speller is not None:
            query = self.speller.correct(query)
            lexical = query if lexical is None else self.speller.correct(lexical)
            joined = self.speller.compounds(lexical)  # "chalk board" also matches CHALKBOARD
            lexical = f"{lexical} {' '.join(joined)}" if joined else lexical
        dense = self.encoder.encode_query(query)
        sparse = self.lexical.encode_query(query if lexical is None else lexical) if (lexical is None or lexical.strip()) \
            else ([], [])
        hits = self.store.hybrid(dense, sparse, flt, limit=top_k + TIE_MARGIN,
                                 prefetch=max(self.prefetch, top_k + TIE_MARGIN), rrf_k=self.rrf_k)
        dense_scores = {h.product_id: h.score for h in hits.dense}
        sparse_scores = {h.product_id: h.score for h in hits.sparse}
        out: list[Candidate] = []
        for hit in hits.fused:
            scores = {"fused": hit.score}
            if hit.product_id in dense_scores:
                scores["dense"] = dense_scores[hit.product_id]
            if hit.product_id in sparse_scores:
                scores["sparse"] = sparse_scores[hit.product_id]
            out.append(Candidate(product_from_payload(hit.payload), hit.score, scores))
        # Equal fused scores (one product first by meaning and third by words, another the other
        # way round) come back in the engine's hash order, which differs between processes: the
        # closer meaning goes first, then the id, so every replica and run gives the same order.
        # A few more than asked are fetched so that ties at the cut are settled here too.
        return sorted(out, key=lambda c: (-c.score, -c.scores.get("dense", -1.0), c.product.id))[:top_k]


def open_searcher(store: VectorStore, encoder: DenseEncoder, lexical: LexicalEncoder, state_dir: Path,
                  collection: str, prefetch: int = 50, rrf_k: int = 60, spelling: bool = True) -> HybridSearcher:
    """The searcher for an indexed collection, with its catalogue's speller when there is one."""
    known = encoder.known_words() if hasattr(encoder, "known_words") else set()
    speller = Speller.for_collection(state_dir, collection, known) if spelling else None
    return HybridSearcher(store, encoder, lexical, prefetch, rrf_k, speller)
