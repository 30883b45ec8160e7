"""Reranking: the last look at the fused candidates before the engine sees them.

The default reranker needs no network and no language model: it weighs evidence a support
reader would weigh (meaning match, the question's own words, a heading that names the topic).
Its weights are set by hand from those principles, not fitted to the evaluation set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from warmline.domain.knowledge import SearchHit
from warmline.knowledge.text import terms


class Reranker(Protocol):
    name: str

    def rerank(self, query: str, hits: Sequence[SearchHit]) -> list[SearchHit]: ...


class FeatureReranker:
    """A linear blend of meaning (cosine), coverage of the question's words, BM25 and headings."""

    name = "features"

    def __init__(
        self,
        *,
        dense: float = 0.55,
        coverage: float = 0.2,
        lexical: float = 0.15,
        heading: float = 0.1,
        fused: float = 0.0,
    ) -> None:
        self._weights = (dense, coverage, lexical, heading, fused)

    def rerank(self, query: str, hits: Sequence[SearchHit]) -> list[SearchHit]:
        wanted = set(terms(query))
        dense_w, coverage_w, lexical_w, heading_w, fused_w = self._weights
        top_fused = max((h.fused_score or 0.0 for h in hits), default=0.0) or 1.0
        scored: list[SearchHit] = []
        for hit in hits:
            heading_terms = set(terms(f"{hit.article.title} {hit.chunk.section or ''}"))
            heading = len(wanted & heading_terms) / len(wanted) if wanted else 0.0
            lexical = hit.lexical_score / (hit.lexical_score + 5.0)
            score = (
                dense_w * max(hit.dense_score or 0.0, 0.0)
                + coverage_w * hit.term_coverage
                + lexical_w * lexical
                + heading_w * heading
                + fused_w * (hit.fused_score or 0.0) / top_fused
            )
            scored.append(
                replace(
                    hit,
                    score=score,
                    rerank_score=score,
                    why=f"{hit.why}; rerank {score:.3f} (heading match {heading:.0%})",
                )
            )
        return sorted(scored, key=lambda h: -h.score)
