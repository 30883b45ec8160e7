"""Load knowledge from files, folders, web pages, sitemaps and URL lists in many formats.

``load(location)`` never raises for bad input: every file, page or row that cannot be used is
reported in ``LoadResult.failed`` as ``(location, problem)`` and the rest still load. The
per-format parsers (``parse_html``, ``parse_pdf``, ...) raise ``InvalidInputError`` instead.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from warmline.errors import InvalidInputError
from warmline.knowledge.formats_base import (
    FetchedPage,
    Fetcher,
    LoadResult,
    default_id,
    is_url,
    problem,
)
from warmline.knowledge.formats_files import (
    parse_csv,
    parse_json,
    parse_pdf,
    parse_records,
    parse_text,
    read_text,
)
from warmline.knowledge.formats_html import html_to_markdown, parse_html, parse_zendesk_export
from warmline.knowledge.markdown import ParsedArticle, parse_markdown

__all__ = [
    "MAX_PAGE_BYTES",
    "MAX_SITEMAP_PAGES",
    "SUPPORTED_SUFFIXES",
    "FetchedPage",
    "Fetcher",
    "HttpxFetcher",
    "LoadResult",
    "ParsedArticle",
    "html_to_markdown",
    "load",
    "parse_content",
    "parse_csv",
    "parse_html",
    "parse_json",
    "parse_pdf",
    "parse_records",
    "parse_sitemap",
    "parse_text",
    "parse_zendesk_export",
]

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_SITEMAP_PAGES = 2000
MAX_SITEMAP_DEPTH = 3
SUPPORTED_SUFFIXES = frozenset(
    {".md", ".markdown", ".html", ".htm", ".pdf", ".csv", ".json", ".txt"}
)
_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".csv": "csv",
    ".json": "json",
    ".txt": "text",
}
_BY_CONTENT_TYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/json": "json",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
_SITEMAP = re.compile(rb"<(?:[\w-]+:)?(urlset|sitemapindex)[\s>]")


class HttpxFetcher:
    """Fetch pages over HTTP(S): redirects followed, a timeout, a size limit, and an
    ``InvalidInputError`` naming the URL for anything but HTTP 200."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_bytes: int = MAX_PAGE_BYTES,
        client: httpx.Client | None = None,
    ) -> None:
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._client = client or httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=10,
            headers={"User-Agent": "Warmline knowledge loader"},
        )

    def get(self, url: str) -> FetchedPage:
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code != 200:
                    raise InvalidInputError(
                        f"{url}: the server answered HTTP {response.status_code} "
                        f"{response.reason_phrase}".rstrip()
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self._max_bytes:
                    raise self._too_large(url)
                parts: list[bytes] = []
                size = 0
                for part in response.iter_bytes():
                    size += len(part)
                    if size > self._max_bytes:
                        raise self._too_large(url)
                    parts.append(part)
                return FetchedPage(
                    url=str(response.url),
                    status=response.status_code,
                    content_type=response.headers.get("content-type", ""),
                    body=b"".join(parts),
                )
        except httpx.TimeoutException as error:
            raise InvalidInputError(f"{url}: no answer within {self._timeout:g} seconds") from error
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise InvalidInputError(f"{url}: could not fetch it ({error})") from error

    def _too_large(self, url: str) -> InvalidInputError:
        return InvalidInputError(f"{url}: the page is larger than {self._max_bytes:,} bytes")

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpxFetcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def load(
    location: str | Path,
    *,
    overrides: Mapping[str, object] | None = None,
    fetch: Fetcher | None = None,
) -> LoadResult:
    """Load a file, a folder (recursively; unsupported files skipped), an http(s) URL, a
    sitemap (``.xml`` or ``<urlset>``/``<sitemapindex>`` content; nested, at most
    ``MAX_SITEMAP_PAGES`` pages) or a URL list (``*.urls`` / ``*.urls.txt``). Folders never
    touch the network. An article id seen twice in one load is reported, not overwritten."""
    loader = _Loader(dict(overrides or {}), fetch)
    try:
        loader.location(str(location))
    finally:
        loader.close()
    result = LoadResult(failed=loader.failed)
    seen: dict[str, str] = {}
    for where, parsed in loader.loaded:
        article_id = parsed.article.id
        if article_id in seen:
            result.failed.append(
                (where, f"duplicate article id {article_id!r} (also {seen[article_id]})")
            )
            continue
        seen[article_id] = where
        result.articles.append(parsed)
    return result


def parse_content(
    data: bytes,
    *,
    location: str,
    content_type: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> LoadResult:
    """Parse one file's or page's bytes by its content type, extension or first bytes."""
    kind = _kind(location, content_type, data)
    charset = _charset(content_type)
    if kind == "html":
        page = parse_html(data, location=location, overrides=overrides, charset=charset)
        return LoadResult([page])
    if kind == "pdf":
        return LoadResult([parse_pdf(data, location=location, overrides=overrides)])
    if kind is None:
        suffix = PurePosixPath(urlsplit(location).path if is_url(location) else location).suffix
        raise InvalidInputError(
            f"{location}: unsupported file type {suffix or '(none)'!r}; supported: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    text = read_text(data, location=location, charset=charset)
    if kind == "csv":
        return parse_csv(text, location=location, overrides=overrides)
    if kind == "json":
        return parse_json(text, location=location, overrides=overrides)
    if kind == "text":
        return LoadResult([parse_text(text, location=location, overrides=overrides)])
    path = Path(location)
    merged = dict(overrides or {})
    if is_url(location):
        path = Path(f"{default_id(location)}.md")
        merged = {"url": location, **merged}
    return LoadResult([parse_markdown(text, path=path, overrides=merged)])


def parse_sitemap(data: bytes, *, location: str) -> tuple[str, list[str]]:
    """Return ``("urlset" | "sitemapindex", [<loc> URLs])``."""
    try:
        root = ET.fromstring(data)  # expat limits entity expansion
    except ET.ParseError as error:
        raise InvalidInputError(f"{location}: not a valid XML sitemap ({error})") from error
    kind = root.tag.rsplit("}", 1)[-1]
    if kind not in ("urlset", "sitemapindex"):
        raise InvalidInputError(f"{location}: XML but not a sitemap (<urlset> or <sitemapindex>)")
    locs = [
        (element.text or "").strip()
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] == "loc" and (element.text or "").strip()
    ]
    return kind, list(dict.fromkeys(locs))


class _Loader:
    def __init__(self, overrides: dict[str, object], fetch: Fetcher | None) -> None:
        self.loaded: list[tuple[str, ParsedArticle]] = []  # (where it came from, article)
        self.failed: list[tuple[str, str]] = []
        self._overrides = overrides
        self._fetch = fetch
        self._own_fetcher: HttpxFetcher | None = None
        self._pages_left = MAX_SITEMAP_PAGES
        self._seen_urls: set[str] = set()

    def close(self) -> None:
        if self._own_fetcher is not None:
            self._own_fetcher.close()

    def fail(self, location: str, error: InvalidInputError | str) -> None:
        message = error if isinstance(error, str) else problem(error, location)
        self.failed.append((location, message))

    def location(self, location: str) -> None:
        if is_url(location):
            self.url(location, depth=0)
            return
        path = Path(location)
        if path.is_dir():
            for file in _files(path):
                self.file(file)
        elif path.is_file():
            self.file(path, explicit=True)
        else:
            self.fail(location, "no such file or folder")

    def file(self, path: Path, *, explicit: bool = False) -> None:
        name = path.name.lower()
        is_list = name.endswith((".urls", ".urls.txt"))
        is_sitemap = name.endswith(".xml")
        if not explicit and (
            is_list or is_sitemap or path.suffix.lower() not in SUPPORTED_SUFFIXES
        ):
            return  # a folder's URL lists and sitemaps are not followed: folders stay offline
        try:
            data = path.read_bytes()
        except OSError as error:
            self.fail(str(path), f"cannot read it ({error.strerror or error})")
            return
        if is_list:
            self.url_list(path, data)
        elif is_sitemap:
            self.sitemap(str(path), data, depth=0)
        else:
            self.content(data, location=str(path), content_type=None)

    def content(self, data: bytes, *, location: str, content_type: str | None) -> None:
        try:
            parsed = parse_content(
                data, location=location, content_type=content_type, overrides=self._overrides
            )
        except InvalidInputError as error:
            self.fail(location, error)
            return
        self.loaded.extend((location, article) for article in parsed.articles)
        self.failed.extend(parsed.failed)

    def url_list(self, path: Path, data: bytes) -> None:
        try:
            text = read_text(data, location=str(path))
        except InvalidInputError as error:
            self.fail(str(path), error)
            return
        for number, line in enumerate(text.splitlines(), start=1):
            url = line.strip()
            if not url or url.startswith("#"):
                continue
            if is_url(url):
                self.url(url, depth=0)
            else:
                self.fail(f"{path} (line {number})", f"not an http(s) URL: {url!r}")

    def url(self, url: str, *, depth: int) -> None:
        if url in self._seen_urls:
            return
        self._seen_urls.add(url)
        try:
            page = self._fetcher().get(url)
        except InvalidInputError as error:
            self.fail(url, error)
            return
        if page.status != 200:
            self.fail(url, f"the server answered HTTP {page.status}")
            return
        head = page.body[:2048].lstrip()
        xml = head.startswith((b"<?xml", b"<urlset", b"<sitemapindex"))
        if urlsplit(url).path.lower().endswith(".xml") or (xml and _SITEMAP.search(head)):
            self.sitemap(url, page.body, depth=depth)
        else:
            self.content(page.body, location=page.url or url, content_type=page.content_type)

    def sitemap(self, location: str, data: bytes, *, depth: int) -> None:
        if depth > MAX_SITEMAP_DEPTH:
            self.fail(location, f"sitemaps are nested more than {MAX_SITEMAP_DEPTH} deep")
            return
        try:
            kind, locs = parse_sitemap(data, location=location)
        except InvalidInputError as error:
            self.fail(location, error)
            return
        host = _site(location)
        for loc in locs:
            if not is_url(loc):
                self.fail(loc, "not an http(s) URL")
            elif host and _site(loc) != host:
                self.fail(loc, f"not on the sitemap's own site ({host}), so it was not fetched")
            elif kind == "sitemapindex":
                self.url(loc, depth=depth + 1)
            elif self._pages_left <= 0:
                self.fail(location, f"more than {MAX_SITEMAP_PAGES} pages; the rest were skipped")
                return
            else:
                self._pages_left -= 1
                self.url(loc, depth=depth + 1)

    def _fetcher(self) -> Fetcher:
        if self._fetch is None:
            self._own_fetcher = HttpxFetcher()
            self._fetch = self._own_fetcher
        return self._fetch


def _files(root: Path) -> Iterator[Path]:
    """Every file under ``root``, sorted, skipping hidden files and folders."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(
            part.startswith(".") for part in path.relative_to(root).parts
        ):
            yield path


def _site(location: str) -> str:
    """The host of a URL without a leading ``www.`` ("" for a local path)."""
    if not is_url(location):
        return ""
    return (urlsplit(location).hostname or "").removeprefix("www.")


def _kind(location: str, content_type: str | None, data: bytes) -> str | None:
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in _BY_CONTENT_TYPE:
        return _BY_CONTENT_TYPE[mime]
    name = urlsplit(location).path if is_url(location) else location
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if mime == "text/plain":
        return "text"
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type or "", re.IGNORECASE)
    charset = match.group(1).lower() if match else None
    return None if charset in (None, "utf-8", "utf8") else charset
