"""Knowledge articles, their chunks and search hits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
    origin: str = ""  # the file, folder or URL it was ingested from, for pruning removed sources


@dataclass(frozen=True)
class Chunk:
    id: ChunkId
    article_id: ArticleId
    ordinal: int
    section: str | None
    text: str


@dataclass(frozen=True)
class SearchHit:
    """One retrieved chunk with its article's metadata and the scores that ranked it.

    ``score`` is the final ranking score of whichever stage produced the hit; the others are
    kept so the decision trace can say why it ranked where it did.
    """

    chunk: Chunk
    article: Article
    score: float
    lexical_score: float
    term_coverage: float
    why: str
    dense_score: float | None = None
    heading_score: float | None = None  # meaning match with the article title and section
    sentence_score: float | None = None  # best meaning match with one of the chunk's sentences
    fused_score: float | None = None
    rerank_score: float | None = None


@dataclass(frozen=True)
class KnowledgeVersion:
    """Every change to the knowledge base bumps the version; answers record which they used."""

    number: int
    created_at: datetime
    added: int
    updated: int
    deleted: int
