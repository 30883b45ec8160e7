"""PDFs, plain text, and question/answer pairs or past tickets from CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pypdf import PdfReader

from warmline.domain.knowledge import Audience
from warmline.errors import InvalidInputError
from warmline.knowledge.formats_base import (
    LoadResult,
    default_id,
    paragraph_chunks,
    problem,
    sha256,
    slug,
)
from warmline.knowledge.formats_html import parse_zendesk_export
from warmline.knowledge.markdown import ParsedArticle, build_article

_QUESTION_KEYS = ("question", "customer_message", "customer_question")
_ANSWER_KEYS = ("answer", "resolution", "agent_response", "agent_reply")
_TICKET_KEYS = frozenset(
    {"customer_message", "customer_question", "resolution", "agent_response", "agent_reply"}
)
_QA_META_KEYS = ("title", "url", "audience", "authoritative", "effective")
_FILE_NAME_TITLE = re.compile(r"\.\w{2,5}$|^microsoft ", re.IGNORECASE)
MAX_TITLE_CHARS = 120


def parse_pdf(
    data: bytes, *, location: str, overrides: Mapping[str, object] | None = None
) -> ParsedArticle:
    """One PDF as one article, chunked per page; each chunk's section is ``"Page N"``."""
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if locked else [(page.extract_text() or "") for page in reader.pages]
        meta_title = ((reader.metadata.title if reader.metadata else None) or "").strip()
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        raise InvalidInputError(f"{location}: not a readable PDF ({error})") from error
    if locked:
        raise InvalidInputError(f"{location}: the PDF is password-protected")
    texts = [_tidy(text) for text in pages]
    if not any(texts):
        raise InvalidInputError(
            f"{location}: the PDF has no extractable text (a scanned PDF needs OCR first)"
        )
    first_line = next(line for text in texts for line in text.splitlines() if line.strip())
    if meta_title and not _FILE_NAME_TITLE.search(meta_title):
        title = meta_title  # not a leftover like "Microsoft Word - terms.docx"
    elif len(first_line.strip()) <= MAX_TITLE_CHARS:
        title = first_line.strip()
    else:
        title = default_id(location).replace("-", " ").title()
    pieces = [
        (f"Page {number}", chunk)
        for number, text in enumerate(texts, start=1)
        for chunk in paragraph_chunks(text)
    ]
    return build_article(
        meta=dict(overrides or {}),
        where=location,
        article_id=default_id(location),
        title=title,
        source=location,
        body="\n\n".join(text for text in texts if text),
        content_hash=sha256(data),
        pieces=pieces,
    )


def parse_text(
    text: str, *, location: str, overrides: Mapping[str, object] | None = None
) -> ParsedArticle:
    """Plain text: the first line is the title, the paragraphs after it are the chunks."""
    body = _tidy(text)
    if not body:
        raise InvalidInputError(f"{location}: the file has no text")
    first, _, rest = body.partition("\n")
    return build_article(
        meta=dict(overrides or {}),
        where=location,
        article_id=default_id(location),
        title=_short(first.strip()),
        source=location,
        body=body,
        content_hash=sha256(text),
        pieces=[(None, chunk) for chunk in paragraph_chunks(rest.strip() or first)],
    )


def parse_csv(
    text: str, *, location: str, overrides: Mapping[str, object] | None = None
) -> LoadResult:
    """Question/answer pairs or past tickets, one per row (``,``, ``;`` or tab separated)."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    rows: list[tuple[str, Mapping[str, object]]] = []
    try:
        if not reader.fieldnames:
            raise InvalidInputError(f"{location}: the CSV file is empty")
        start = reader.line_num + 1
        for row in reader:  # a quoted value may span lines: name a row by its first line
            rows.append((f"line {start}", {k: v for k, v in row.items() if k}))
            start = reader.line_num + 1
    except csv.Error as error:
        raise InvalidInputError(f"{location}: not valid CSV ({error})") from error
    return parse_records(rows, location=location, overrides=overrides)


def parse_json(
    text: str, *, location: str, overrides: Mapping[str, object] | None = None
) -> LoadResult:
    """A list of question/answer (or ticket) objects, ``{"faqs": [...]}``, ``{"tickets":
    [...]}``, or a Zendesk Help Center export ``{"articles": [...]}``."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"{location}: not valid JSON ({error})") from error
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        return parse_zendesk_export(data, location=location, overrides=overrides)
    overrides = dict(overrides or {})
    if isinstance(data, dict) and isinstance(data.get("tickets"), list):
        overrides.setdefault("type", "ticket")
        data = data["tickets"]
    elif isinstance(data, dict) and isinstance(data.get("faqs"), list):
        data = data["faqs"]
    if not isinstance(data, list):
        raise InvalidInputError(
            f'{location}: expected a list of question/answer objects, {{"faqs": [...]}}, '
            '{"tickets": [...]} or a Zendesk export {"articles": [...]}'
        )
    rows: list[tuple[str, Mapping[str, object]]] = []
    result = LoadResult()
    for number, item in enumerate(data, start=1):
        if isinstance(item, dict):
            rows.append((f"item {number}", item))
        else:
            label = f"{location} (item {number})"
            result.failed.append((label, "each item must be a JSON object"))
    result.extend(parse_records(rows, location=location, overrides=overrides))
    return result


def parse_records(
    rows: Sequence[tuple[str, Mapping[str, object]]],
    *,
    location: str,
    overrides: Mapping[str, object] | None = None,
) -> LoadResult:
    """``(label, record)`` pairs as FAQ articles, or as tickets when the columns say so
    (customer_message, resolution, agent_response, subject + body) or overrides set
    ``type: ticket``. Tickets default to internal and not authoritative."""
    records = [(label, _normalise(record)) for label, record in rows]
    if not records:
        raise InvalidInputError(f"{location}: there are no question/answer rows")
    columns = {key for _, record in records for key, value in record.items() if value}
    has_question = any(k in columns for k in _QUESTION_KEYS) or bool({"subject", "body"} & columns)
    if not (has_question and any(k in columns for k in _ANSWER_KEYS)):
        raise InvalidInputError(
            f"{location}: needs a question column (question, customer_message, or subject and "
            "body) and an answer column (answer, resolution or agent_response); found: "
            + (", ".join(sorted(columns)) or "none")
        )
    forced = (overrides or {}).get("type")
    tickets = forced == "ticket" or (
        forced is None and bool(_TICKET_KEYS & columns or {"subject", "body"} <= columns)
    )
    result = LoadResult()
    seen: dict[str, str] = {}
    for label, record in records:
        where = f"{location} ({label})"
        if not any(record.values()):
            continue
        try:
            build = _ticket if tickets else _faq
            parsed = build(record, where=where, location=location, overrides=overrides or {})
        except InvalidInputError as error:
            result.failed.append((where, problem(error, where)))
            continue
        article_id = parsed.article.id
        if article_id in seen:
            result.failed.append((where, f"duplicate id {article_id!r} (also {seen[article_id]})"))
            continue
        seen[article_id] = label
        result.articles.append(parsed)
    return result


def _question_answer(record: Mapping[str, str], *, where: str) -> tuple[str, str]:
    question = next((record[k] for k in _QUESTION_KEYS if record.get(k)), "")
    if not question:
        question = "\n\n".join(record[k] for k in ("subject", "body") if record.get(k))
    answer = next((record[k] for k in _ANSWER_KEYS if record.get(k)), "")
    if not question:
        raise InvalidInputError(f"{where}: the question is empty")
    if not answer:
        raise InvalidInputError(f"{where}: the answer is empty")
    return question, answer


def _faq(
    record: Mapping[str, str], *, where: str, location: str, overrides: Mapping[str, object]
) -> ParsedArticle:
    question, answer = _question_answer(record, where=where)
    body = f"{question}\n\n{answer}"
    meta: dict[str, object] = {k: record[k] for k in _QA_META_KEYS if record.get(k)}
    meta.update(overrides)
    digest = sha256(json.dumps(record, sort_keys=True))
    words = re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")[:60].strip("-")
    return build_article(
        meta=meta,
        where=where,
        article_id=record.get("id") or f"faq-{words or digest[:12]}",
        title=_short(question.splitlines()[0]),
        source=location,
        body=body,
        content_hash=digest,
        pieces=[(None, body)],
        default_type="faq",
    )


def _ticket(
    record: Mapping[str, str], *, where: str, location: str, overrides: Mapping[str, object]
) -> ParsedArticle:
    """A past ticket: only overrides set its metadata (a row cannot make itself customer-facing)."""
    question, answer = _question_answer(record, where=where)
    body = f"Customer: {question}\n\nResolution: {answer}"
    given = record.get("id") or record.get("ticket_id")
    digest = sha256(json.dumps(record, sort_keys=True))
    meta: dict[str, object] = {"url": record["url"]} if record.get("url") else {}
    meta.update(overrides)
    return build_article(
        meta=meta,
        where=where,
        article_id=f"ticket-{slug(given)}" if given else f"ticket-{digest[:12]}",
        title=_short(record.get("subject") or question.splitlines()[0]),
        source=location,
        body=body,
        content_hash=digest,
        pieces=[(None, chunk) for chunk in paragraph_chunks(body)],
        default_type="ticket",
        default_audience=Audience.INTERNAL,
    )


def _normalise(record: Mapping[str, object]) -> dict[str, str]:
    normalised: dict[str, str] = {}
    for key, value in record.items():
        name = re.sub(r"[^a-z0-9]+", "_", str(key).lower()).strip("_")
        normalised[name] = "" if value is None else str(value).strip()
    return normalised


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TITLE_CHARS else text[: MAX_TITLE_CHARS - 1].rstrip() + "…"


def read_text(data: bytes, *, location: str, charset: str | None = None) -> str:
    try:
        return data.decode(charset or "utf-8-sig")
    except (UnicodeDecodeError, LookupError) as error:
        raise InvalidInputError(f"{location}: not {charset or 'UTF-8'} text") from error
