"""The knowledge service: ingest sources into the repository and keep the index in step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from warmline.domain.ids import ArticleId
from warmline.domain.knowledge import Article, Audience, SearchHit
from warmline.errors import InvalidInputError, WarmlineError
from warmline.knowledge.index import KnowledgeIndex
from warmline.knowledge.markdown import iter_markdown_files, parse_markdown
from warmline.storage.ports import KnowledgeRepo


@dataclass
class IngestReport:
    added: list[ArticleId] = field(default_factory=list)
    updated: list[ArticleId] = field(default_factory=list)
    unchanged: list[ArticleId] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0


class KnowledgeService:
    def __init__(self, repo: KnowledgeRepo, index: KnowledgeIndex) -> None:
        self._repo = repo
        self._index = index

    def refresh_index(self) -> None:
        self._index.rebuild(self._repo.articles(), self._repo.chunks())

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        audience: Audience | None = None,
        doc_type: str | None = None,
        on_file: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders. A file that fails is reported; the rest still ingest."""
        report = IngestReport()
        overrides: dict[str, object] = {}
        if audience is not None:
            overrides["audience"] = audience.value
        if doc_type is not None:
            overrides["type"] = doc_type
        for root in paths:
            if not root.exists():
                report.failed.append((str(root), "no such file or folder"))
                continue
            for path in iter_markdown_files(root):
                if on_file is not None:
                    on_file(path)
                try:
                    text = path.read_text(encoding="utf-8")
                    parsed = parse_markdown(text, path=path, overrides=overrides)
                except (OSError, UnicodeDecodeError, WarmlineError) as error:
                    report.failed.append((str(path), getattr(error, "message", str(error))))
                    continue
                existing = self._repo.get_article(parsed.article.id)
                if existing is not None and existing.content_hash == parsed.article.content_hash:
                    report.unchanged.append(parsed.article.id)
                    continue
                self._repo.save_article(parsed.article, parsed.chunks)
                report.chunks += len(parsed.chunks)
                (report.updated if existing else report.added).append(parsed.article.id)
        if report.added or report.updated:
            self.refresh_index()
        return report

    def delete(self, article_id: str) -> None:
        if not self._repo.delete_article(ArticleId(article_id)):
            raise InvalidInputError(f"no article with id {article_id!r}")
        self.refresh_index()

    def articles(self) -> Sequence[Article]:
        return self._repo.articles()

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]:
        if not query.strip():
            raise InvalidInputError("the search query is empty")
        if not 1 <= k <= 100:
            raise InvalidInputError("k must be between 1 and 100")
        return self._index.search(query, k=k, audience=audience)
