"""The extractive composer: an answer built only from the help center's own sentences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.conversations import Citation
from warmline.domain.knowledge import Audience, SearchHit
from warmline.knowledge.text import sentences, terms

SNIPPET_CHARS = 240
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass(frozen=True)
class Composition:
    text: str
    sentences: tuple[str, ...]
    citations: tuple[Citation, ...]


class ExtractiveComposer:
    """Quotes the run of consecutive customer-facing sentences that best covers the question.

    Consecutive sentences keep the help center's own order (steps stay steps), so the answer
    reads as the article does instead of as a collage of unrelated lines.
    """

    def compose(
        self, question: str, hits: Sequence[SearchHit], *, intro: str, max_sentences: int
    ) -> Composition:
        wanted = set(terms(question))
        usable = [h for h in hits if h.article.audience is Audience.CUSTOMER][:3]
        best: tuple[float, tuple[str, ...], SearchHit] | None = None
        for rank, hit in enumerate(usable):
            lines = [s for s in sentences(hit.chunk.text) if len(s) >= 12]
            overlaps = [len(wanted & set(terms(line))) for line in lines]
            for start, first in enumerate(overlaps):
                if first == 0:
                    continue  # an answer starts with a sentence about the question
                window = overlaps[start : start + max_sentences]
                covered = set().union(
                    *(set(terms(line)) for line in lines[start : start + max_sentences])
                )
                # Coverage of the question first, then a section whose heading names the
                # question; then earlier windows (an explanation starts at its beginning)
                # and passages ranked higher by retrieval.
                on_topic = len(wanted & set(terms(hit.chunk.section or "")))
                score = (
                    len(wanted & covered)
                    + 0.75 * on_topic
                    - 0.5 * rank
                    - 0.1 * start
                    + 0.05 * sum(window) / len(window)
                )
                if best is None or score > best[0]:
                    best = (score, tuple(lines[start : start + max_sentences]), hit)
        if best is None and usable:
            # No sentence shares a word with the question, but retrieval matched the passage
            # by meaning: quote its opening, and let the decision judge the evidence.
            lines = [s for s in sentences(usable[0].chunk.text) if len(s) >= 12]
            if lines:
                best = (0.0, tuple(lines[:max_sentences]), usable[0])
        if best is None:
            return Composition("", (), ())
        _, picked, hit = best
        plain = tuple(_plain(line) for line in picked)
        citation = Citation(
            article_id=hit.article.id,
            title=hit.article.title,
            source=hit.article.source,
            section=hit.chunk.section,
            snippet=plain[0][:SNIPPET_CHARS],
        )
        return Composition(f"{intro} {' '.join(plain)}", plain, (citation,))


def _plain(sentence: str) -> str:
    """Strip Markdown emphasis and table pipes so the answer reads as prose."""
    text = _LINK.sub(r"\1", sentence).replace("**", "").replace("__", "").replace("`", "")
    if text.startswith("|"):
        cells = [cell.strip() for cell in text.strip("|").split("|")]
        text = " — ".join(cell for cell in cells if cell)
    if text and text[-1] not in ".!?:":
        text += "."
    return text
