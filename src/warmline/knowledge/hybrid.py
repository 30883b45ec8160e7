"""Hybrid retrieval: lexical and dense candidates fused by reciprocal rank, then reranked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from warmline.domain.ids import ChunkId
from warmline.domain.knowledge import Article, Audience, Chunk, SearchHit
from warmline.knowledge.dense import DenseIndex
from warmline.knowledge.index import Bm25Index
from warmline.knowledge.rerank import Reranker

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
        wanted = max(k, self._candidates)
        if not query.strip():
            return []
        vector = self.dense.embed_query(query)
        lexical = self.lexical.search(query, k=wanted, audience=audience)
        dense = self.dense.search_vector(vector, k=wanted, audience=audience)
        fused: dict[ChunkId, SearchHit] = {}
        for rank, hit in enumerate(lexical):
            fused[hit.chunk.id] = replace(hit, fused_score=1 / (RRF_K + rank + 1))
        for rank, hit in enumerate(dense):
            share = 1 / (RRF_K + rank + 1)
            known = fused.get(hit.chunk.id)
            if known is None:
                coverage, matched = self.lexical.term_coverage(query, hit.chunk.id)
                fused[hit.chunk.id] = replace(
                    hit,
                    term_coverage=coverage,
                    fused_score=share,
                    why=f"{hit.why}; matched {', '.join(sorted(matched)) or 'no words'}",
                )
            else:
                fused[hit.chunk.id] = replace(
                    known,
                    dense_score=hit.dense_score,
                    heading_score=hit.heading_score,
                    sentence_score=hit.sentence_score,
                    fused_score=(known.fused_score or 0.0) + share,
                    why=f"{known.why}; {hit.why}",
                )
        for chunk_id, hit in fused.items():
            if hit.dense_score is None:
                found = self.dense.similarities(vector, chunk_id)
                if found is not None:
                    text, heading, sentence = found
                    fused[chunk_id] = replace(
                        hit, dense_score=text, heading_score=heading, sentence_score=sentence
                    )
        ranked = sorted(fused.values(), key=lambda h: -(h.fused_score or 0.0))
        ranked = [replace(h, score=h.fused_score or 0.0) for h in ranked[: self._candidates]]
        if self.reranker is not None:
            ranked = self.reranker.rerank(query, ranked)
        return ranked[:k]
