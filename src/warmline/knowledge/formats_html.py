"""HTML pages and Zendesk Help Center exports: strip the page chrome, keep headings, lists and
tables, and chunk the result with the Markdown chunker."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag

from warmline.domain.knowledge import Audience
from warmline.errors import InvalidInputError
from warmline.knowledge.formats_base import (
    LoadResult,
    default_id,
    is_url,
    problem,
    sha256,
    slug,
)
from warmline.knowledge.markdown import ParsedArticle, _sections, build_article

_DROP = "script, style, noscript, template, iframe, svg, canvas, object, embed, link, meta"
_CHROME = (
    "nav, header, footer, aside, form, dialog, button, select, input, textarea, "
    "[role=navigation], [role=banner], [role=contentinfo], [role=search], "
    "[role=complementary], [role=dialog], [role=alertdialog], "
    "[hidden], [aria-hidden=true]"
)
# Words in a class, id or aria-label that mark page furniture rather than article text.
# fmt: off
_CHROME_WORDS = frozenset((
    "cookie", "cookies", "cookiebot", "onetrust", "consent", "gdpr", "breadcrumb",
    "breadcrumbs", "crumbs", "related", "share", "sharing", "social", "newsletter", "subscribe",
    "skip", "sidebar", "toc", "pagination", "pager", "promo", "advert", "advertisement", "ads",
    "feedback", "vote", "votes", "comments", "navbar", "menu", "topbar", "masthead",
))
# fmt: on
_RELATED_HEADING = re.compile(
    r"^(related|similar|recommended|popular|recently viewed|more)\b.*"
    r"\b(articles?|posts?|questions?|topics?|pages?|reading|guides?)$|^recently viewed",
    re.IGNORECASE,
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# fmt: off
_BLOCKS = frozenset((
    "p", "div", "section", "article", "main", "body", "address", "center", "details", "summary",
    "figure", "figcaption", "hr", "header", "footer", "aside", "nav", "li", "dd", "dt",
    "caption",
))
# fmt: on
_BR = "\x00"
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0]+")


def parse_html(
    content: bytes | str,
    *,
    location: str,
    overrides: Mapping[str, object] | None = None,
    charset: str | None = None,
) -> ParsedArticle:
    """One HTML page as one article. ``location`` is its URL or file path. ``<meta
    name="warmline:id|title|type|audience|authoritative|effective|url">`` set the metadata;
    ``overrides`` win over them. ``charset`` is the server's, when it sent one."""
    soup = _soup(content, charset)
    metas = _metas(soup)
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    canonical = soup.select_one("link[rel~=canonical][href]")
    canonical_url = str(canonical.get("href", "")) if canonical is not None else ""
    markdown, h1 = _render(soup)
    meta: dict[str, object] = {
        key.removeprefix("warmline:"): value
        for key, value in metas.items()
        if key.startswith("warmline:")
    }
    meta.update(overrides or {})
    title = (
        str(meta.get("title") or "")
        or h1
        or metas.get("og:title", "")
        or page_title.split(" | ")[0].strip()
        or default_id(location).replace("-", " ").title()
    )
    source = canonical_url if not is_url(location) and is_url(canonical_url) else location
    if not markdown.strip():
        raise InvalidInputError(
            f"{location}: no article text is left after removing navigation and page chrome"
        )
    return _article(
        markdown,
        meta=meta,
        title=title,
        location=location,
        source=source,
        content_hash=sha256(content),
    )


def parse_zendesk_export(
    data: Mapping[str, Any], *, location: str, overrides: Mapping[str, object] | None = None
) -> LoadResult:
    """A Zendesk Help Center export (``{"articles": [...]}``): one article per published
    article. An article restricted to a user segment defaults to the internal audience."""
    result = LoadResult()
    articles = data.get("articles")
    if not isinstance(articles, list):
        raise InvalidInputError(f"{location}: a Zendesk export needs an 'articles' list")
    published = [item for item in articles if isinstance(item, dict) and not item.get("draft")]
    locales = {item.get("locale") for item in published if item.get("locale")}
    for number, item in enumerate(articles, start=1):
        if not isinstance(item, dict):
            result.failed.append((f"{location} (article {number})", "not a JSON object"))
            continue
        label = f"{location} (article {item.get('id', number)})"
        if item.get("draft"):
            continue
        try:
            parsed = _zendesk_article(
                item, label=label, overrides=overrides, by_locale=len(locales) > 1
            )
            result.articles.append(parsed)
        except InvalidInputError as error:
            result.failed.append((label, problem(error, label)))
    return result


def _zendesk_article(
    item: Mapping[str, Any],
    *,
    label: str,
    overrides: Mapping[str, object] | None,
    by_locale: bool,
) -> ParsedArticle:
    """``zendesk-<id>``, or ``zendesk-<id>-<locale>`` when the export holds several locales
    (Zendesk gives an article's translations the same id)."""
    if item.get("id") in (None, ""):
        raise InvalidInputError(f"{label}: the article has no id")
    title = str(item.get("title") or "").strip()
    if not title:
        raise InvalidInputError(f"{label}: the article has no title")
    markdown, _ = _render(_soup(str(item.get("body") or "")))
    article_id = f"zendesk-{item['id']}"
    if by_locale and item.get("locale"):
        article_id = f"{article_id}-{slug(str(item['locale']))}"
    meta: dict[str, object] = {"id": article_id}
    if item.get("user_segment_id") is not None:
        meta["audience"] = Audience.INTERNAL.value
    meta.update(overrides or {})
    return _article(
        markdown,
        meta=meta,
        title=title,
        location=label,
        source=str(item.get("html_url") or label),
        content_hash=sha256(json.dumps(item, sort_keys=True, default=str)),
    )


def _article(
    markdown: str,
    *,
    meta: Mapping[str, object],
    title: str,
    location: str,
    source: str,
    content_hash: str,
) -> ParsedArticle:
    title = str(meta.get("title") or title)
    if not markdown.startswith("# "):
        markdown = f"# {title}\n\n{markdown}"
    return build_article(
        meta=meta,
        where=location,
        article_id=default_id(location),
        title=title,
        source=source,
        body=markdown,
        content_hash=content_hash,
        pieces=_sections(markdown, title),
    )


def _soup(content: bytes | str, charset: str | None = None) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        if isinstance(content, bytes) and charset:
            return BeautifulSoup(content, "html.parser", from_encoding=charset)
        return BeautifulSoup(content, "html.parser")


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.select("meta[content]"):
        key = str(tag.get("name") or tag.get("property") or "").strip().lower()
        if key:
            found.setdefault(key, str(tag.get("content", "")).strip())
    return found


def html_to_markdown(content: bytes | str) -> str:
    """The main content of an HTML page or fragment as Markdown-ish text: page chrome removed,
    ``#`` headings, ``-``/``1.`` lists and ``|`` pipe tables."""
    return _render(_soup(content))[0]


def _render(soup: BeautifulSoup) -> tuple[str, str]:
    """Return (Markdown-ish text of the main content, its first ``<h1>``). Removes ``soup``'s
    page chrome in place."""
    for tag in soup.select(_DROP):
        tag.decompose()
    root = _root(soup)
    # An article's or section's own <header> holds its heading: keep the heading, drop the rest.
    for header in root.select("main header, article header, section header"):
        for heading in header.select(", ".join(_HEADINGS)):
            header.insert_before(heading.extract())
    _strip_chrome(root)
    first_h1 = root.select_one("h1")
    return _Renderer().render(root), _flat(first_h1) if first_h1 is not None else ""


def _root(soup: BeautifulSoup) -> Tag:
    main = soup.select_one("main, [role=main]")
    if main is not None:
        return main
    articles = soup.select("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


def _strip_chrome(root: Tag) -> None:
    for tag in root.select(_CHROME):
        if tag is not root and not tag.decomposed:
            tag.decompose()
    for tag in root.select("[class], [id], [aria-label]"):
        if tag.decomposed or tag is root or tag.name in ("html", "body", "main"):
            continue
        if _chrome_words(tag) and tag.select_one("h1, main, article") is None:
            tag.decompose()
    for heading in root.select(", ".join(_HEADINGS)):
        if not heading.decomposed and _RELATED_HEADING.match(_flat(heading)):
            _drop_section(heading)


def _chrome_words(tag: Tag) -> bool:
    values: list[str] = []
    for key in ("class", "id", "aria-label"):
        value = tag.get(key)
        if value:
            values.append(value if isinstance(value, str) else " ".join(value))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", " ".join(values)).lower()
    return not _CHROME_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", text))


def _drop_section(heading: Tag) -> None:
    """Remove a "Related articles" heading and what follows it up to the next heading at the
    same or a higher level."""
    level = int(heading.name[1])
    sibling = heading.next_sibling
    heading.decompose()
    while sibling is not None:
        following = sibling.next_sibling
        if isinstance(sibling, Tag) and sibling.name in _HEADINGS and int(sibling.name[1]) <= level:
            break
        sibling.extract()
        sibling = following


def _is_text(node: object) -> bool:
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


def _flat(tag: Tag, skip: frozenset[str] = frozenset()) -> str:
    """All text under ``tag`` on one line (block boundaries become spaces)."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                if child.name in skip:
                    continue
                spaced = child.name in _BLOCKS or child.name in ("br", "td", "th")
                parts.append(" " if spaced else "")
                walk(child)
                parts.append(" " if spaced else "")
            elif _is_text(child):
                parts.append(str(child))

    walk(tag)
    return _SPACE.sub(" ", "".join(parts)).strip()


class _Renderer:
    """Walks the cleaned tree and emits blocks: headings as ``#`` lines, lists as ``-`` lines,
    tables as pipe rows, each block separated by a blank line."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._inline: list[str] = []

    def render(self, node: Tag) -> str:
        self._walk(node)
        self._flush()
        return "\n\n".join(self.blocks)

    def _walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                self._tag(child)
            elif _is_text(child):
                self._inline.append(str(child))

    def _tag(self, tag: Tag) -> None:  # noqa: PLR0912 - one branch per kind of element
        name = tag.name
        if name == "br":
            self._inline.append(_BR)
            return
        if name in _HEADINGS:
            self._flush()
            text = _flat(tag)
            if text:
                self.blocks.append(f"{'#' * int(name[1])} {text}")
        elif name in ("ul", "ol"):
            self._flush()
            self._add(_list(tag, 0))
        elif name == "table":
            self._flush()
            self._add(_table(tag))
        elif name == "pre":
            self._flush()
            lines = tag.get_text().rstrip().splitlines()
            self._add("\n".join(f"    {line}" if line.strip() else "" for line in lines))
        elif name == "blockquote":
            self._flush()
            inner = _Renderer().render(tag)
            self._add("\n".join(f"> {line}" if line else ">" for line in inner.splitlines()))
        elif name == "dl":
            self._flush()
            self._add(_definitions(tag))
        elif name in _BLOCKS:
            self._flush()
            self._walk(tag)
            self._flush()
        else:
            self._walk(tag)

    def _add(self, block: str) -> None:
        if block.strip():
            self.blocks.append(block)

    def _flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self._inline))
        self._inline = []
        lines = [line.strip() for line in text.split(_BR)]
        # A line that starts with "#" would read as a heading to the chunker.
        kept = [f"\\{line}" if line.startswith("#") else line for line in lines if line]
        if kept:
            self.blocks.append("\n".join(kept))


def _list(tag: Tag, depth: int) -> str:
    lines: list[str] = []
    start = str(tag.get("start") or "1")
    number = int(start) if start.isdigit() else 1
    for item in tag.select(":scope > li"):
        marker = f"{number}." if tag.name == "ol" else "-"
        number += 1
        text = _flat(item, skip=frozenset({"ul", "ol"}))
        if text:
            lines.append(f"{'  ' * depth}{marker} {text}")
        for nested in item.select("ul, ol"):
            if nested.find_parent("li") is item:
                lines.append(_list(nested, depth + 1))
    return "\n".join(line for line in lines if line)


def _table(table: Tag) -> str:
    """Pipe rows, the first row as the header, so the table stays one block (and one chunk)."""
    rows: list[list[str]] = []
    for row in table.select("tr"):
        if row.find_parent("table") is not table:
            continue
        texts: list[str] = []
        for cell in row.select(":scope > th, :scope > td"):
            span = str(cell.get("colspan") or "1")
            texts.extend([_flat(cell).replace("|", "\\|")] * (int(span) if span.isdigit() else 1))
        if any(texts):
            rows.append(texts)
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * width)
    caption = table.select_one(":scope > caption")
    if caption is not None and _flat(caption):
        lines.insert(0, _flat(caption))
    return "\n".join(lines)


def _definitions(tag: Tag) -> str:
    lines: list[str] = []
    term = ""
    for child in tag.select("dt, dd"):
        if child.name == "dt":
            term = _flat(child)
        else:
            text = _flat(child)
            lines.append(f"{term}: {text}" if term else text)
    return "\n".join(lines)
