"""Markdown articles: front matter, ids, audience, and chunks that follow the headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmline.domain.knowledge import Audience
from warmline.errors import InvalidInputError
from warmline.knowledge.markdown import MAX_CHUNK_CHARS, parse_markdown

ARTICLE = """---
id: returns
title: Returns
audience: customer
authoritative: true
url: https://help.example/returns
effective: 2026-01-01
---
# Returns

You can return most items within 30 days.

## Fees

| Method | Fee |
|---|---|
| Drop-off | Free |
| Label | $6.95 |

## How refunds work

- Refunds go to the original payment method.
- Cards take 5-10 business days.
"""


def test_that_front_matter_sets_the_article_metadata() -> None:
    parsed = parse_markdown(ARTICLE, path=Path("x/returns.md"))
    article = parsed.article
    assert (article.id, article.title, article.audience) == (
        "returns",
        "Returns",
        Audience.CUSTOMER,
    )
    assert article.authoritative is True
    assert article.source == "https://help.example/returns"
    assert str(article.effective) == "2026-01-01"


def test_that_chunks_follow_headings_and_keep_tables_whole() -> None:
    chunks = parse_markdown(ARTICLE, path=Path("returns.md")).chunks
    assert [c.section for c in chunks] == [None, "Fees", "How refunds work"]
    assert "| Drop-off | Free |" in chunks[1].text and "| Label | $6.95 |" in chunks[1].text
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
    assert [c.id for c in chunks] == ["returns#0", "returns#1", "returns#2"]


def test_that_an_article_without_an_id_gets_one_from_its_file_name() -> None:
    parsed = parse_markdown("# Gift cards\n\nThey never expire.\n", path=Path("Gift Cards.md"))
    assert parsed.article.id == "gift-cards"
    assert parsed.article.title == "Gift cards"


def test_that_long_sections_are_split_between_paragraphs() -> None:
    paragraphs = "\n\n".join(f"Paragraph {i}. " + "word " * 60 for i in range(8))
    chunks = parse_markdown(f"# Long\n\n{paragraphs}\n", path=Path("long.md")).chunks
    assert len(chunks) > 1
    assert all(c.text.startswith("Paragraph") for c in chunks)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("---\nid: [unclosed\n---\nBody\n", "not valid YAML"),
        ("---\n- a list\n---\nBody\n", "must be a mapping"),
        ("---\naudience: everyone\n---\nBody\n", "audience must be"),
        ("---\nid: empty\n---\n   \n", "no text"),
    ],
)
def test_that_a_broken_article_gets_a_clear_error(text: str, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        parse_markdown(text, path=Path("broken.md"))
