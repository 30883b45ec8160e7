"""Markdown articles with YAML front matter, chunked by their headings."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
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
    return build_article(
        meta=meta,
        where=str(path),
        article_id=_slug(path.stem),
        title=title,
        source=path.as_posix(),
        body=body,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        pieces=_sections(body, title),
    )


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


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off", ""}


def to_bool(value: object, *, key: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInputError(f"{where}: {key} must be true or false, not {value!r}")


def to_audience(value: object, *, where: str) -> Audience:
    try:
        return Audience(str(value).strip().lower())
    except ValueError as error:
        raise InvalidInputError(
            f"{where}: audience must be 'customer' or 'internal', not {value!r}"
        ) from error


def to_date(value: object, *, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError as error:
        raise InvalidInputError(f"{where}: effective must be a date like 2026-01-31") from error


def build_article(
    *,
    meta: Mapping[str, object],
    where: str,
    article_id: str,
    title: str,
    source: str,
    body: str,
    content_hash: str,
    pieces: Iterable[tuple[str | None, str]],
    default_type: str = "article",
    default_audience: Audience = Audience.CUSTOMER,
) -> ParsedArticle:
    """Build the article and its chunks; ``meta`` (already merged with overrides) wins over the
    defaults for id, title, type, audience, authoritative, url and effective."""
    if not body.strip():
        raise InvalidInputError(f"{where}: the article has no text")
    final_id = ArticleId(str(meta.get("id") or article_id))
    if "#" in final_id or not final_id.strip():
        raise InvalidInputError(f"{where}: the article id {final_id!r} is not usable")
    audience = meta.get("audience")
    article = Article(
        id=final_id,
        title=str(meta.get("title") or title).strip(),
        type=str(meta.get("type") or default_type),
        audience=default_audience if audience is None else to_audience(audience, where=where),
        authoritative=to_bool(meta.get("authoritative", False), key="authoritative", where=where),
        source=str(meta.get("url") or source),
        body=body.strip(),
        content_hash=content_hash,
        effective=to_date(meta.get("effective"), where=where),
    )
    chunks = tuple(
        Chunk(
            id=ChunkId(f"{final_id}#{ordinal}"),
            article_id=final_id,
            ordinal=ordinal,
            section=section,
            text=text,
        )
        for ordinal, (section, text) in enumerate(
            (section, text) for section, text in pieces if text.strip()
        )
    )
    if not chunks:
        raise InvalidInputError(f"{where}: the article has no text")
    return ParsedArticle(article, chunks)
