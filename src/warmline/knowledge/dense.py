"""Dense retrieval: cosine similarity between the query's embedding and every chunk's.

Chunk vectors live in one float32 matrix in memory (20,000 chunks x 384 dimensions is 30 MB),
so a search is one matrix-vector product. Vectors come through the embedding cache, so a
rebuild only embeds text that changed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from warmline.domain.ids import ArticleId
from warmline.domain.knowledge import Article, Audience, Chunk, SearchHit
from warmline.knowledge.embeddings import Embedder
from warmline.knowledge.index import indexed_text


class DenseIndex:
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._lock = threading.Lock()
        self._chunks: list[Chunk] = []
        self._articles: dict[ArticleId, Article] = {}
        self._matrix: NDArray[np.float32] = np.zeros((0, 1), dtype=np.float32)
        self._customer: NDArray[np.bool_] = np.zeros(0, dtype=bool)

    def rebuild(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None:
        by_id = {a.id: a for a in articles}
        kept = [c for c in chunks if c.article_id in by_id]
        texts = [indexed_text(by_id[c.article_id], c) for c in kept]
        matrix = self._embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        customer = np.array(
            [by_id[c.article_id].audience is Audience.CUSTOMER for c in kept], dtype=bool
        )
        with self._lock:
            self._chunks, self._articles = kept, by_id
            self._matrix, self._customer = matrix, customer

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]:
        with self._lock:
            chunks, articles, matrix, customer = (
                self._chunks,
                self._articles,
                self._matrix,
                self._customer,
            )
        if not chunks or not query.strip():
            return []
        similarities = matrix @ self._embedder.embed([query])[0]
        if audience is not None:
            allowed = customer if audience is Audience.CUSTOMER else ~customer
            similarities = np.where(allowed, similarities, -np.inf)
        k = min(k, len(chunks))
        top = np.argpartition(-similarities, k - 1)[:k]
        top = top[np.argsort(-similarities[top])]
        hits = []
        for index in top:
            similarity = float(similarities[index])
            if not np.isfinite(similarity):
                continue
            chunk = chunks[int(index)]
            hits.append(
                SearchHit(
                    chunk=chunk,
                    article=articles[chunk.article_id],
                    score=similarity,
                    lexical_score=0.0,
                    term_coverage=0.0,
                    why=f"cosine {similarity:.3f}",
                    dense_score=similarity,
                )
            )
        return hits
