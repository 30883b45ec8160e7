"""Lexical retrieval: BM25 (bm25s) over stemmed content words, with per-hit scores and reasons.

The index lives in memory, rebuilt from the knowledge repository, so it behaves the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import bm25s
import numpy as np
from numpy.typing import NDArray

from warmline.domain.ids import ArticleId, ChunkId
from warmline.domain.knowledge import Article, Audience, Chunk, SearchHit
from warmline.knowledge.text import terms


class KnowledgeIndex(Protocol):
    def rebuild(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None: ...

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]: ...


class Bm25Index:
    """BM25 over chunk text prefixed with its article title and section path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chunks: list[Chunk] = []
        self._articles: dict[ArticleId, Article] = {}
        self._terms: list[frozenset[str]] = []
        self._bm25: bm25s.BM25 | None = None
        self._position: dict[ChunkId, int] = {}
        self._masks: dict[Audience, NDArray[np.float32]] = {}

    def rebuild(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> None:
        by_id = {a.id: a for a in articles}
        kept = [c for c in chunks if c.article_id in by_id]
        documents = [terms(indexed_text(by_id[c.article_id], c)) for c in kept]
        bm25: bm25s.BM25 | None = None
        if kept:
            bm25 = bm25s.BM25()
            bm25.index(documents, show_progress=False)
        with self._lock:
            self._chunks = kept
            self._articles = by_id
            self._terms = [frozenset(d) for d in documents]
            self._position = {c.id: i for i, c in enumerate(kept)}
            self._masks = {
                audience: np.array(
                    [by_id[c.article_id].audience is audience for c in kept], dtype=np.float32
                )
                for audience in Audience
            }
            self._bm25 = bm25

    def term_coverage(
        self, query: str | frozenset[str], chunk_id: ChunkId
    ) -> tuple[float, frozenset[str]]:
        """Share of the query's content words found in a chunk (with its title and section).
        ``query`` may be given as its terms already, to stem it once for many chunks."""
        wanted = set(terms(query)) if isinstance(query, str) else set(query)
        position = self._position.get(chunk_id)
        if not wanted or position is None:
            return 0.0, frozenset()
        matched = frozenset(wanted & self._terms[position])
        return len(matched) / len(wanted), matched

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]:
        query_terms = terms(query)
        with self._lock:
            chunks, articles, chunk_terms, bm25, masks = (
                self._chunks,
                self._articles,
                self._terms,
                self._bm25,
                self._masks,
            )
        if bm25 is None or not query_terms:
            return []
        weight_mask = masks[audience] if audience is not None else None
        wanted = min(len(chunks), k)
        ids, scores = bm25.retrieve(
            [query_terms], k=wanted, show_progress=False, weight_mask=weight_mask
        )
        unique_terms = set(query_terms)
        hits: list[SearchHit] = []
        for index, score in zip(ids[0], scores[0], strict=True):
            if score <= 0:
                continue
            chunk = chunks[int(index)]
            matched = unique_terms & chunk_terms[int(index)]
            coverage = len(matched) / len(unique_terms)
            hits.append(
                SearchHit(
                    chunk=chunk,
                    article=articles[chunk.article_id],
                    score=float(score),
                    lexical_score=float(score),
                    term_coverage=coverage,
                    why=f"bm25 {score:.2f}; matched {', '.join(sorted(matched))}",
                )
            )
        return hits[:k]


def indexed_text(article: Article, chunk: Chunk) -> str:
    """What retrieval sees of a chunk: its article title and section path, then its text."""
    return " ".join(part for part in (article.title, chunk.section, chunk.text) if part)
