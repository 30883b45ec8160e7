"""Shared pieces of the ingestion formats: results, fetching contracts, metadata and chunking."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol
from urllib.parse import urlsplit

from warmline.errors import InvalidInputError
from warmline.knowledge.markdown import (
    MAX_CHUNK_CHARS,
    ParsedArticle,
    _blocks,
    _pack,
    _slug,
)

_URL_SUFFIXES = {".html", ".htm", ".php", ".aspx", ".pdf", ".md", ".markdown", ".txt"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class FetchedPage:
    """What a fetcher got for a URL (``url`` is the final one, after redirects)."""

    url: str
    status: int
    content_type: str
    body: bytes


class Fetcher(Protocol):
    def get(self, url: str) -> FetchedPage: ...


@dataclass
class LoadResult:
    """The articles that loaded, and ``(location, problem)`` for each item that did not."""

    articles: list[ParsedArticle] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.articles.extend(other.articles)
        self.failed.extend(other.failed)


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def problem(error: InvalidInputError, location: str) -> str:
    """The error message without a leading ``"<location>: "`` (the report already names it)."""
    prefix = f"{location}: "
    return error.message[len(prefix) :] if error.message.startswith(prefix) else error.message


def sha256(content: bytes | str) -> str:
    raw = content.encode() if isinstance(content, str) else content
    return hashlib.sha256(raw).hexdigest()


def slug(text: str) -> str:
    return _slug(text)


def default_id(location: str) -> str:
    """A slug of the URL path (or host), or of the file name without its extension."""
    if is_url(location):
        parts = urlsplit(location)
        path = PurePosixPath(parts.path)
        if path.suffix.lower() in _URL_SUFFIXES:
            path = path.with_suffix("")
        if path.name == "index":
            path = path.parent
        text = str(path).strip("/")
        return _slug(text) if _slug(text) != "article" else _slug(parts.hostname or "page")
    return _slug(Path(location).stem)


def paragraph_chunks(text: str) -> list[str]:
    """Chunk plain text at blank lines; a paragraph longer than a chunk is split at line,
    then sentence, then word boundaries."""
    blocks: list[str] = []
    for block in _blocks(text.splitlines()):
        blocks.extend(split_long(block))
    return list(_pack(blocks))


def split_long(block: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    if len(block) <= limit:
        return [block]
    units: list[tuple[str, str]] = []  # (text, separator before it)
    for line in block.splitlines():
        if len(line) <= limit:
            units.append((line, "\n"))
            continue
        for sentence in _SENTENCE_END.split(line):
            if len(sentence) <= limit:
                units.append((sentence, " "))
            else:
                units.extend((word[:limit], " ") for word in sentence.split())
    pieces: list[str] = []
    current = ""
    for text, separator in units:
        if current and len(current) + len(separator) + len(text) > limit:
            pieces.append(current)
            current = text
        else:
            current = f"{current}{separator}{text}" if current else text
    if current:
        pieces.append(current)
    return pieces
