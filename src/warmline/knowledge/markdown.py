"""Markdown articles with YAML front matter, chunked by their headings."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from warmline.domain.ids import ArticleId, ChunkId
from warmline.domain.knowledge import Article, Audience, Chunk
from warmline.errors import InvalidInputError

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MAX_CHUNK_CHARS = 900


@dataclass(frozen=True)
class ParsedArticle:
    article: Article
    chunks: tuple[Chunk, ...]


def parse_markdown(
    text: str, *, path: Path, overrides: dict[str, Any] | None = None
) -> ParsedArticle:
    """Parse one Markdown article. Front matter keys: id, title, type, audience, authoritative,
    url, effective. Without an ``id`` the article id is derived from the file name."""
    meta: dict[str, Any] = {}
    body = text
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as error:
            raise InvalidInputError(f"{path}: front matter is not valid YAML: {error}") from error
        if not isinstance(loaded, dict):
            raise InvalidInputError(f"{path}: front matter must be a mapping of keys to values")
        meta = loaded
        body = text[match.end() :]
    meta.update(overrides or {})
    if not body.strip():
        raise InvalidInputError(f"{path}: the article has no text")

    title = str(meta.get("title") or _first_heading(body) or path.stem.replace("-", " ").title())
    article_id = ArticleId(str(meta.get("id") or _slug(path.stem)))
    try:
        audience = Audience(str(meta.get("audience", "customer")))
    except ValueError as error:
        raise InvalidInputError(
            f"{path}: audience must be 'customer' or 'internal', not {meta.get('audience')!r}"
        ) from error
    effective = meta.get("effective")
    if effective is not None and not isinstance(effective, date):
        raise InvalidInputError(f"{path}: effective must be a date like 2026-01-31")
    article = Article(
        id=article_id,
        title=title,
        type=str(meta.get("type", "article")),
        audience=audience,
        authoritative=bool(meta.get("authoritative", False)),
        source=str(meta.get("url") or path.as_posix()),
        body=body.strip(),
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        effective=effective,
    )
    chunks = tuple(
        Chunk(
            id=ChunkId(f"{article_id}#{ordinal}"),
            article_id=article_id,
            ordinal=ordinal,
            section=section,
            text=chunk_text,
        )
        for ordinal, (section, chunk_text) in enumerate(_sections(body, title))
    )
    return ParsedArticle(article, chunks)


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            return match.group(2)
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "article"


def _sections(body: str, title: str) -> Iterator[tuple[str | None, str]]:
    """Yield (section path, text) pieces; a table or list is never split in the middle."""
    path: list[str] = []
    lines: list[str] = []

    def flush() -> Iterator[tuple[str | None, str]]:
        section = " > ".join(path[1:]) if len(path) > 1 else None
        for piece in _pack(_blocks(lines)):
            yield section, piece

    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            yield from flush()
            lines = []
            level = len(match.group(1))
            path = path[: level - 1] + [match.group(2)]
            if level == 1 and match.group(2) != title:
                path = [match.group(2)]
            continue
        lines.append(line)
    yield from flush()


def _blocks(lines: list[str]) -> list[str]:
    """Group lines into blocks separated by blank lines (tables and lists stay together)."""
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def _pack(blocks: list[str]) -> Iterator[str]:
    current = ""
    for block in blocks:
        if current and len(current) + len(block) + 2 > MAX_CHUNK_CHARS:
            yield current
            current = block
        else:
            current = f"{current}\n\n{block}" if current else block
    if current:
        yield current


def iter_markdown_files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    yield from sorted(p for p in root.rglob("*") if p.suffix.lower() in {".md", ".markdown"})
