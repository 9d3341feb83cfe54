"""Hybrid search: dense + BM25 candidates fused by Qdrant (RRF), filtered, as Candidates."""

from __future__ import annotations

from pathlib import Path

from retrieval.encoder import DenseEncoder, LexicalEncoder
from retrieval.product import Candidate
from retrieval.spelling import Speller
from retrieval.stores.base import HybridHits, SearchFilter, VectorStore, product_from_payload


TIE_MARGIN = 10  # the engine returns a few more than asked, so ties it settled differently are mostly at hand


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
        hits = self.store.hybrid(dense, sparse, flt, limit=top_k + TIE_MARGIN, prefetch=max(self.prefetch, top_k),
                                 rrf_k=self.rrf_k)
        ranked = fuse(hits, self.rrf_k)[:top_k] if hits.sparse else \
            sorted(((h.product_id, h.score) for h in hits.fused), key=lambda r: (-r[1], r[0]))[:top_k]
        payloads = {h.product_id: h.payload for h in hits.fused}
        products = {pid: product_from_payload(payloads[pid]) for pid, _ in ranked if pid in payloads}
        missing = [pid for pid, _ in ranked if pid not in payloads]
        if missing:  # a tie the engine settled the other way: fetch what it did not return
            products.update((p.id, p) for p in self.store.retrieve(missing))
        dense_scores = {h.product_id: h.score for h in hits.dense}
        sparse_scores = {h.product_id: h.score for h in hits.sparse}
        out: list[Candidate] = []
        for pid, score in ranked:
            if pid not in products:
                continue
            scores = {"fused": score}
            if pid in dense_scores:
                scores["dense"] = dense_scores[pid]
            if pid in sparse_scores:
                scores["sparse"] = sparse_scores[pid]
            out.append(Candidate(products[pid], score, scores))
        return out


def fuse(hits: HybridHits, rrf_k: int) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of the dense and word-matching lists, as Qdrant computes it
    (``1 / (k + rank)``, ranks from 0), with ties settled the same way in every process: the
    engine returns equal scores in hash order, and titles that match the same words often tie
    in BM25. Within each list, and then among equal fused scores, the closer meaning goes
    first, then the product id. Returns ``(product_id, fused score)``, best first."""
    meaning = {h.product_id: h.score for h in hits.dense}
    scores: dict[str, float] = {}
    for ranked in (hits.dense, hits.sparse):
        ordered = sorted(ranked, key=lambda h: (-h.score, -meaning.get(h.product_id, -1.0), h.product_id))
        for rank, hit in enumerate(ordered):
            scores[hit.product_id] = scores.get(hit.product_id, 0.0) + 1.0 / (rrf_k + rank)
    return [(pid, scores[pid]) for pid in sorted(scores, key=lambda pid: (-scores[pid], -meaning.get(pid, -1.0), pid))]


def open_searcher(store: VectorStore, encoder: DenseEncoder, lexical: LexicalEncoder, state_dir: Path,
                  collection: str, prefetch: int = 50, rrf_k: int = 60, spelling: bool = True) -> HybridSearcher:
    """The searcher for an indexed collection, with its catalogue's speller when there is one."""
    known = encoder.known_words() if hasattr(encoder, "known_words") else set()
    speller = Speller.for_collection(state_dir, collection, known) if spelling else None
    return HybridSearcher(store, encoder, lexical, prefetch, rrf_k, speller)
