"""Hybrid retrieval: lexical and dense candidates fused by reciprocal rank, then reranked."""

from __future__ import annotations

from collections.abc import Sequence

from warmline.domain.ids import ChunkId
from warmline.domain.knowledge import Article, Audience, Chunk, SearchHit
from warmline.knowledge.dense import DenseIndex, Matrix
from warmline.knowledge.index import Bm25Index
from warmline.knowledge.rerank import Reranker
from warmline.knowledge.text import terms

RRF_K = 60  # the constant from Cormack et al. (2009); larger flattens the rank curve


class HybridIndex:
    def __init__(
        self,
        lexical: Bm25Index,
        dense: DenseIndex,
        reranker: Reranker | None = None,
        *,
        candidates: int = 30,
    ) -> None:
        self.lexical = lexical
        self.dense = dense
        self.reranker = reranker
        self._candidates = candidates

    def rebuild(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None:
        self.lexical.rebuild(articles, chunks)
        self.dense.rebuild(articles, chunks)

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]:
        if not query.strip():
            return []
        wanted = max(k, self._candidates)
        vector = self.dense.embed_query(query)
        query_terms = frozenset(terms(query))
        lexical = self.lexical.search(query, k=wanted, audience=audience)
        dense = self.dense.search_vector(vector, k=wanted, audience=audience)
        rrf: dict[ChunkId, float] = {}
        by_words = {h.chunk.id: h for h in lexical}
        by_meaning = {h.chunk.id: h for h in dense}
        for ranking in (lexical, dense):
            for rank, hit in enumerate(ranking):
                rrf[hit.chunk.id] = rrf.get(hit.chunk.id, 0.0) + 1 / (RRF_K + rank + 1)
        order = sorted(rrf, key=lambda chunk_id: -rrf[chunk_id])[: self._candidates]
        ranked = [
            self._merge(
                chunk_id,
                fused=rrf[chunk_id],
                by_words=by_words,
                by_meaning=by_meaning,
                vector=vector,
                query_terms=query_terms,
            )
            for chunk_id in order
        ]
        if self.reranker is not None:
            ranked = self.reranker.rerank(query, ranked)
        return ranked[:k]

    def _merge(
        self,
        chunk_id: ChunkId,
        *,
        fused: float,
        by_words: dict[ChunkId, SearchHit],
        by_meaning: dict[ChunkId, SearchHit],
        vector: Matrix,
        query_terms: frozenset[str],
    ) -> SearchHit:
        """One hit carrying the scores of both retrievers (filled in for whichever missed it)."""
        words, meaning = by_words.get(chunk_id), by_meaning.get(chunk_id)
        base = words or meaning
        assert base is not None  # every fused id came from one of the two rankings
        if words is None:
            coverage, matched = self.lexical.term_coverage(query_terms, chunk_id)
            lexical_score, word_why = 0.0, f"matched {', '.join(sorted(matched)) or 'no words'}"
        else:
            coverage, lexical_score, word_why = words.term_coverage, words.lexical_score, words.why
        if meaning is None:
            text, heading, sentence = self.dense.similarities(vector, chunk_id) or (0.0, 0.0, 0.0)
        else:
            text = meaning.dense_score or 0.0
            heading, sentence = meaning.heading_score or 0.0, meaning.sentence_score or 0.0
        return SearchHit(
            chunk=base.chunk,
            article=base.article,
            score=fused,
            lexical_score=lexical_score,
            term_coverage=coverage,
            why=f"{word_why}; cosine {text:.3f}; rrf {fused:.4f}",
            dense_score=text,
            heading_score=heading,
            sentence_score=sentence,
            fused_score=fused,
        )
