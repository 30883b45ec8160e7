"""Composing an answer: the composer port and the extractive composer (no language model).

A composer turns a question and numbered evidence into sentences, each tied to the evidence it
rests on, or declines. It never decides whether the answer is good enough: the verifier checks
every sentence and the decision weighs the result.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from warmline.engine.evidence import Evidence
from warmline.knowledge.text import sentences, terms

_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_PART_BREAK = re.compile(
    r"\?+\s*|;\s*|\.\s+(?=also\b|and\b)|,?\s+(?:and also|also|as well as|plus)\s+"
    r"|,?\s+and\s+(?=(?:how|what|when|where|why|which|who|can|do|does|is|are|will|should)\b)",
    re.IGNORECASE,
)
MIN_SENTENCE_CHARS = 12


@dataclass(frozen=True)
class HistoryLine:
    role: str  # "customer" | "assistant" | "agent"
    text: str


@dataclass(frozen=True)
class ComposedSentence:
    text: str
    evidence_ids: tuple[str, ...]


@dataclass(frozen=True)
class Composition:
    composer: str
    sentences: tuple[ComposedSentence, ...]
    abstained: str | None = None  # why the composer declined to answer, when it did
    parts: int = 1  # parts the question was read as
    parts_covered: int = 0  # parts at least one sentence was chosen for

    @classmethod
    def declined(cls, composer: str, why: str, parts: int = 1) -> Composition:
        return cls(composer, (), why, parts, 0)


class Composer(Protocol):
    name: str

    def compose(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        history: Sequence[HistoryLine],
        max_sentences: int,
    ) -> Composition: ...


def question_parts(question: str) -> list[str]:
    """Split "how long do refunds take and do you refund shipping?" into its questions."""
    parts = [p.strip(" ,.!") for p in _PART_BREAK.split(question)]
    meaningful = [p for p in parts if len(set(terms(p))) >= 1]
    return meaningful or [question]


class ExtractiveComposer:
    """Quotes, for each part of the question, the run of consecutive sentences that covers it best.

    Consecutive sentences keep the help center's own order (steps stay steps), so the answer
    reads as the article does instead of as a collage of unrelated lines.
    """

    name = "extractive"

    def compose(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        history: Sequence[HistoryLine] = (),
        max_sentences: int = 3,
    ) -> Composition:
        usable = list(evidence[:3])
        if not usable:
            return Composition.declined(self.name, "no customer-facing evidence")
        parts = question_parts(question)
        per_part = max_sentences if len(parts) == 1 else 2
        chosen: list[ComposedSentence] = []
        covered = 0
        for part in parts:
            window = _best_window(part, usable, per_part)
            if window is None:
                continue
            covered += 1
            for line in window[0]:
                if all(line != c.text for c in chosen):
                    chosen.append(ComposedSentence(line, (window[1].id,)))
        if not chosen:
            # No sentence shares a word with the question, but retrieval matched the passage
            # by meaning: quote its opening, and let the verifier and the decision judge it.
            first = usable[0]
            lines = [_plain(s) for s in first.sentences if len(s) >= MIN_SENTENCE_CHARS]
            chosen = [ComposedSentence(line, (first.id,)) for line in lines[:max_sentences]]
        if not chosen:
            return Composition.declined(self.name, "the evidence has no quotable sentence")
        limit = max_sentences + len(parts) - 1
        return Composition(self.name, tuple(chosen[:limit]), None, len(parts), covered)


def _best_window(
    part: str, evidence: Sequence[Evidence], size: int
) -> tuple[tuple[str, ...], Evidence] | None:
    wanted = set(terms(part))
    best: tuple[float, tuple[str, ...], Evidence] | None = None
    for rank, item in enumerate(evidence):
        lines = [s for s in item.sentences if len(s) >= MIN_SENTENCE_CHARS]
        line_terms = [set(terms(line)) for line in lines]
        on_topic = len(wanted & set(terms(item.hit.chunk.section or "")))
        for start, first in enumerate(line_terms):
            if not wanted & first:
                continue  # an answer starts with a sentence about the question
            window = line_terms[start : start + size]
            covered = set().union(*window)
            # Coverage of the question first, then a section whose heading names the
            # question; then earlier windows (an explanation starts at its beginning)
            # and passages ranked higher by retrieval.
            score = (
                len(wanted & covered)
                + 0.75 * on_topic
                - 0.5 * rank
                - 0.1 * start
                + 0.05 * sum(len(wanted & t) for t in window) / len(window)
            )
            if best is None or score > best[0]:
                best = (score, tuple(lines[start : start + size]), item)
    if best is None:
        return None
    return tuple(_plain(line) for line in best[1]), best[2]


def _plain(sentence: str) -> str:
    """Strip Markdown emphasis and table pipes so the answer reads as prose."""
    text = _LINK.sub(r"\1", sentence).replace("**", "").replace("__", "").replace("`", "")
    if text.startswith("|"):
        cells = [cell.strip() for cell in text.strip("|").split("|")]
        text = " — ".join(cell for cell in cells if cell)
    if text and text[-1] not in ".!?:":
        text += "."
    return text


def plain_sentences(text: str) -> list[str]:
    """The evidence's sentences as an answer would quote them (for support checks)."""
    return [_plain(s) for s in sentences(text)]
