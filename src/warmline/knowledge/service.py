"""The knowledge service: ingest sources into the repository and keep the index in step.

Every change records a new knowledge-base version. Each process rebuilds its in-memory index
when it sees a newer version, so content ingested from the CLI reaches a running server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from warmline.clock import Clock
from warmline.domain.ids import ArticleId
from warmline.domain.knowledge import Article, Audience, KnowledgeVersion, SearchHit
from warmline.errors import InvalidInputError
from warmline.knowledge.duplicates import DuplicateFinder, NearDuplicate
from warmline.knowledge.formats import Fetcher, load
from warmline.knowledge.index import KnowledgeIndex
from warmline.knowledge.markdown import ParsedArticle
from warmline.storage.ports import KnowledgeRepo


@dataclass
class IngestReport:
    added: list[ArticleId] = field(default_factory=list)
    updated: list[ArticleId] = field(default_factory=list)
    unchanged: list[ArticleId] = field(default_factory=list)
    deleted: list[ArticleId] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    chunks: int = 0
    version: KnowledgeVersion | None = None


class KnowledgeService:
    def __init__(
        self,
        repo: KnowledgeRepo,
        index: KnowledgeIndex,
        clock: Clock,
        fetch: Fetcher | None = None,
    ) -> None:
        self._repo = repo
        self._index = index
        self._clock = clock
        self._fetch = fetch
        self._lock = threading.Lock()
        self._loaded: int | None = None

    # -- keeping the index fresh ---------------------------------------------------------

    def refresh_index(self) -> None:
        with self._lock:
            current = self._repo.version()
            self._index.rebuild(self._repo.articles(), self._repo.chunks())
            self._loaded = current.number if current else 0

    def ensure_fresh(self) -> None:
        current = self._repo.version()
        if (current.number if current else 0) != self._loaded:
            self.refresh_index()

    def version(self) -> KnowledgeVersion | None:
        return self._repo.version()

    # -- changing the knowledge base -----------------------------------------------------

    def ingest(
        self,
        locations: Sequence[str | Path],
        *,
        audience: Audience | None = None,
        doc_type: str | None = None,
        prune: bool = False,
        on_item: Callable[[str], None] | None = None,
        on_indexing: Callable[[], None] | None = None,
    ) -> IngestReport:
        """Ingest files, folders and URLs. What fails is reported; the rest still ingests.

        With ``prune``, articles that came from these locations before but are gone now are
        deleted."""
        report = IngestReport()
        overrides: dict[str, object] = {}
        if audience is not None:
            overrides["audience"] = audience.value
        if doc_type is not None:
            overrides["type"] = doc_type
        finder = DuplicateFinder(self._repo.chunks())
        seen: set[ArticleId] = set()
        for location in locations:
            origin = str(location)
            result = load(location, overrides=overrides, fetch=self._fetch)
            report.failed.extend(result.failed)
            for parsed in result.articles:
                seen.add(parsed.article.id)
                if on_item is not None:
                    on_item(parsed.article.id)
                self._save(parsed, origin, finder, report)
            if prune:
                self._prune(origin, seen, report)
        if report.added or report.updated or report.deleted:
            report.version = self._repo.record_version(
                added=len(report.added),
                updated=len(report.updated),
                deleted=len(report.deleted),
                at=self._clock.now(),
            )
            if on_indexing is not None:
                on_indexing()
            self.refresh_index()
        return report

    def _save(
        self, parsed: ParsedArticle, origin: str, finder: DuplicateFinder, report: IngestReport
    ) -> None:
        """Store one article unless it is unchanged, noting near-duplicate passages."""
        article = replace(parsed.article, origin=origin)
        existing = self._repo.get_article(article.id)
        if existing is not None and existing.content_hash == article.content_hash:
            report.unchanged.append(article.id)
            return
        finder.forget_article(article.id)
        for chunk in parsed.chunks:
            duplicate = finder.check(chunk)
            if duplicate is not None:
                report.near_duplicates.append(duplicate)
            finder.add(chunk)
        self._repo.save_article(article, parsed.chunks)
        report.chunks += len(parsed.chunks)
        (report.updated if existing else report.added).append(article.id)

    def _prune(self, origin: str, seen: set[ArticleId], report: IngestReport) -> None:
        """Delete articles that came from ``origin`` before but were not found there now."""
        for article in self._repo.articles():
            if article.origin == origin and article.id not in seen:
                self._repo.delete_article(article.id)
                report.deleted.append(article.id)

    def delete(self, article_id: str) -> None:
        if not self._repo.delete_article(ArticleId(article_id)):
            raise InvalidInputError(f"no article with id {article_id!r}")
        self._repo.record_version(added=0, updated=0, deleted=1, at=self._clock.now())
        self.refresh_index()

    # -- reading -------------------------------------------------------------------------

    def articles(self) -> Sequence[Article]:
        return self._repo.articles()

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]:
        if not query.strip():
            raise InvalidInputError("the search query is empty")
        if not 1 <= k <= 100:
            raise InvalidInputError("k must be between 1 and 100")
        self.ensure_fresh()
        return self._index.search(query, k=k, audience=audience)
