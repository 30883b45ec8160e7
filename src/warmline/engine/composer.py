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

import numpy as np

from warmline.engine.evidence import Evidence
from warmline.knowledge.embeddings import Embedder
from warmline.knowledge.text import sentences, terms

_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_PART_BREAK = re.compile(
    r"\?+\s*|;\s*|\.\s+(?=also\b|and\b)|,?\s+(?:and also|also|as well as|plus)\s+"
    r"|,?\s+and\s+(?=(?:how|what|when|where|why|which|who|can|do|does|is|are|will|should)\b)",
    re.IGNORECASE,
)
MIN_SENTENCE_CHARS = 12
# A question that asks for an amount, a time, a size or a limit is answered by a sentence that
# states one: "how many backup codes do i get" wants "You get 10 backup codes", not a sentence
# about having none.
_ASKS_AMOUNT = re.compile(
    r"\b(?:how\s+(?:much|many|long|far|soon|often|big|heavy|late|early|old|hot)"
    r"|what\s+(?:time|temp|temperature|size|sizes|dimensions?|percentage|hours|days?|date)"
    r"|when|minimum|maximum|deadline|limit|cost|costs|price|fee|fees)\b",
    re.IGNORECASE,
)
# "One" is left out: it is a pronoun far more often than an amount ("use one of your codes").
_STATES_AMOUNT = re.compile(
    r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|half)\b",
    re.IGNORECASE,
)


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
    # Sentences added only for question words the answer lacked: they complete the answer but
    # are no evidence that it answers the question, so confidence does not count them.
    added: tuple[str, ...] = ()

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
    """Quotes, for each part of the question, the run of consecutive sentences that answers it best.

    A run is scored by what its opening sentence means next to the question (when an embedder
    is given) and by the question words it covers. Consecutive sentences keep the help center's
    own order (steps stay steps), so the answer reads as the article does instead of as a
    collage of unrelated lines. While there is room, a sentence is added for question words the
    runs leave out (a store, a product, a country named in the question).
    """

    name = "extractive"

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder

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
            window = self._best_window(part, usable, per_part)
            if window is None:
                continue
            covered += 1
            for line in window[0]:
                if all(line != c.text for c in chosen):
                    chosen.append(ComposedSentence(line, (window[1].id,)))
        limit = max_sentences + len(parts) - 1
        core = len(chosen)
        if chosen:
            self._add_what_is_missing(question, usable, chosen, limit)
        added = tuple(c.text for c in chosen[core:limit])
        if not chosen:
            # No sentence shares a word with the question, but retrieval matched the passage
            # by meaning: quote its opening, and let the verifier and the decision judge it.
            first = usable[0]
            lines = _without_dangling_lead_in(_openers(first)[:max_sentences])
            chosen = [ComposedSentence(_plain(line), (first.id,)) for line in lines]
        if not chosen:
            return Composition.declined(self.name, "the evidence has no quotable sentence")
        return Composition(self.name, tuple(chosen[:limit]), None, len(parts), covered, added)

    def _best_window(
        self, part: str, evidence: Sequence[Evidence], size: int
    ) -> tuple[tuple[str, ...], Evidence] | None:
        wanted = set(terms(part))
        wants_amount = bool(_ASKS_AMOUNT.search(part))
        candidates = [
            (rank, item, [s for s in item.sentences if len(s) >= MIN_SENTENCE_CHARS])
            for rank, item in enumerate(evidence)
        ]
        pooled = [line for _, _, lines in candidates for line in lines]
        similarity = self._similarities(part, pooled)
        best: tuple[float, tuple[str, ...], Evidence] | None = None
        offset = 0
        for rank, item, lines in candidates:
            line_terms = [set(terms(line)) for line in lines]
            on_topic = len(wanted & set(terms(item.hit.chunk.section or "")))
            for start, first in enumerate(line_terms):
                meaning = similarity[offset + start] if similarity is not None else 0.0
                if (
                    similarity is not None
                    and start + 1 < len(lines)
                    and lines[start + 1] in item.dependent
                    and wanted & first
                ):
                    # A line about the question that opens a list means what its first item
                    # means too ("While your order shows Processing, we can usually:" then
                    # "Correct the shipping address"); a bare "Please have:" borrows nothing.
                    meaning = max(meaning, similarity[offset + start + 1])
                if not wanted & first and meaning < _MEANING_ALONE:
                    continue  # an answer starts with a sentence about the question
                if lines[start] in item.dependent:
                    continue  # nor with an item of a list whose opening line it would lack
                window = line_terms[start : start + size]
                covered = set().union(*window)
                # What the opening sentence means next to the question, then how much of the
                # question the run covers, then a section whose heading names the question;
                # then earlier runs (an explanation starts at its beginning) and passages
                # ranked higher by retrieval.
                score = (
                    _MEANING_WEIGHT * meaning
                    + len(wanted & covered) / max(1, len(wanted))
                    + 0.25 * min(1, on_topic)
                    - 0.15 * rank
                    - 0.03 * start
                )
                if wants_amount and _STATES_AMOUNT.search(lines[start]):
                    score += _AMOUNT_BONUS
                if best is None or score > best[0]:
                    best = (score, _without_dangling_lead_in(lines[start : start + size]), item)
            offset += len(lines)
        if best is None:
            return None
        return tuple(_plain(line) for line in best[1]), best[2]

    def _add_what_is_missing(
        self,
        question: str,
        evidence: Sequence[Evidence],
        chosen: list[ComposedSentence],
        limit: int,
    ) -> None:
        """While there is room, add the sentence that covers most of the question's words no
        chosen sentence has yet ("do you price match walmart": the policy's opening says it
        matches prices; the store list, in another passage, names Walmart). A sentence must
        be about the question too (``_MEANING_TO_ADD``), not merely share a word with it."""
        wanted = set(terms(question))
        covered = set().union(*(set(terms(c.text)) for c in chosen))
        if len(chosen) >= limit or wanted <= covered:
            return  # no room, or nothing missing: nothing to embed
        pool = [(item, line) for item in evidence for line in _openers(item)]
        similarity = self._similarities(question, [line for _, line in pool])
        while len(chosen) < limit and wanted - covered:
            missing = wanted - covered
            best: tuple[tuple[int, float], str, Evidence] | None = None
            for index, (item, line) in enumerate(pool):
                text = _plain(line)
                gain = len(missing & set(terms(line)))
                meaning = float(similarity[index]) if similarity is not None else 0.0
                if gain == 0 or meaning < _MEANING_TO_ADD or any(text == c.text for c in chosen):
                    continue
                if best is None or (gain, meaning) > best[0]:
                    best = ((gain, meaning), text, item)
            if best is None:
                return
            chosen.append(ComposedSentence(best[1], (best[2].id,)))
            covered |= set(terms(best[1]))

    def _similarities(self, part: str, lines: Sequence[str]) -> np.ndarray | None:
        if self._embedder is None or not lines:
            return None
        vectors = self._embedder.embed([part, *lines])
        return np.asarray(vectors[1:] @ vectors[0], dtype=np.float32)


# A sentence that shares no word with the question may still open the answer when it means
# the same (cosine between normalised MiniLM vectors); meaning weighs more than shared words.
_MEANING_ALONE = 0.6
_MEANING_WEIGHT = 2.0
# A sentence added for a word the answer lacks must still be this close to the question.
_MEANING_TO_ADD = 0.3
# How much an opening sentence that states an amount counts when the question asks for one:
# half the weight of covering all the question's words (measured in docs/benchmarks.md).
_AMOUNT_BONUS = 0.5


def _openers(item: Evidence) -> list[str]:
    """The sentences of a passage that can stand alone in an answer: long enough to say
    something, and not an item of a list whose opening line they would lack."""
    return [s for s in item.sentences if len(s) >= MIN_SENTENCE_CHARS and s not in item.dependent]


def _without_dangling_lead_in(run: Sequence[str]) -> tuple[str, ...]:
    """A run cut off after a line that opens a list ("You can also find tracking:") ends
    before that line; its items did not fit."""
    kept = list(run)
    while len(kept) > 1 and kept[-1].rstrip().endswith(":"):
        kept.pop()
    return tuple(kept)


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
