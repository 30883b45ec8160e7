"""Knowledge articles, their chunks and search hits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from warmline.domain.ids import ArticleId, ChunkId


class Audience(StrEnum):
    CUSTOMER = "customer"  # may be quoted to customers
    INTERNAL = "internal"  # informs agents and decisions, never quoted to a customer


@dataclass(frozen=True)
class Article:
    id: ArticleId
    title: str
    type: str
    audience: Audience
    authoritative: bool
    source: str
    body: str
    content_hash: str
    effective: date | None = None


@dataclass(frozen=True)
class Chunk:
    id: ChunkId
    article_id: ArticleId
    ordinal: int
    section: str | None
    text: str


@dataclass(frozen=True)
class SearchHit:
    """One retrieved chunk with its article's metadata and the scores that ranked it."""

    chunk: Chunk
    article: Article
    score: float
    lexical_score: float
    term_coverage: float
    why: str
