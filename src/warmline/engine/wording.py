"""How sure the answer sounds: framing and strong words follow the calibrated confidence.

"Definitely", "certainly", "guaranteed", "always" and their kin are kept only when confidence is
above the policy's high threshold and every cited source is authoritative; otherwise they are
softened, and the framing sentence says plainly that this is what the help center says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.conversations import Citation
from warmline.engine.evidence import Evidence
from warmline.engine.verifier import CheckedSentence

SNIPPET_CHARS = 240

# (pattern, replacement): intensifiers go, absolutes become ordinary wording.
_SOFTENINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r",?\s*\b(?:definitely|certainly|absolutely|surely|undoubtedly|unquestionably)\b"
                r"(?=\s)", re.IGNORECASE), ""),
    (re.compile(r",?\s*\b(?:for sure|without (?:a|any) doubt|no doubt|100% sure)\b",
                re.IGNORECASE), ""),
    (re.compile(r"\bguaranteed\b", re.IGNORECASE), "expected"),
    (re.compile(r"\balways\b", re.IGNORECASE), "normally"),
    (re.compile(r"\bwill never\b", re.IGNORECASE), "shouldn't"),
]  # fmt: skip
STRONG_WORDS = re.compile(
    r"\b(?:definitely|certainly|absolutely|surely|undoubtedly|unquestionably|guaranteed|always|"
    r"for sure|without (?:a|any) doubt|no doubt|will never)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Worded:
    text: str
    sentences: tuple[str, ...]
    citations: tuple[Citation, ...]
    softened: tuple[str, ...]  # the strong words that were toned down
    strong_allowed: bool


def soften(sentence: str) -> tuple[str, list[str]]:
    found = [m.group().lower() for m in STRONG_WORDS.finditer(sentence)]
    for pattern, replacement in _SOFTENINGS:
        sentence = pattern.sub(replacement, sentence)
    sentence = re.sub(r"\s{2,}", " ", sentence).strip()
    return sentence[:1].upper() + sentence[1:], found


def word_answer(
    kept: Sequence[CheckedSentence],
    evidence: Sequence[Evidence],
    *,
    confidence: float,
    high_confidence: float,
    intro: str,
    hedged_intro: str,
) -> Worded:
    by_id = {e.id: e for e in evidence}
    used = [by_id[i] for i in dict.fromkeys(i for s in kept for i in s.evidence_ids) if i in by_id]
    strong_allowed = confidence >= high_confidence and all(e.authoritative for e in used)
    lines: list[str] = []
    softened: list[str] = []
    for sentence in kept:
        text = sentence.text
        if not strong_allowed:
            text, found = soften(text)
            softened.extend(found)
        lines.append(text)
    framing = intro if confidence >= high_confidence else hedged_intro
    citations = tuple(
        Citation(
            article_id=e.hit.article.id,
            title=e.hit.article.title,
            source=e.hit.article.source,
            section=e.hit.chunk.section,
            snippet=next(s.text for s in kept if e.id in s.evidence_ids)[:SNIPPET_CHARS],
        )
        for e in _distinct_articles(used)
    )
    return Worded(
        f"{framing} {' '.join(lines)}".strip(),
        tuple(lines),
        citations,
        tuple(softened),
        strong_allowed,
    )


def _distinct_articles(used: Sequence[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, str | None]] = set()
    distinct = []
    for item in used:
        key = (item.hit.article.id, item.hit.chunk.section)
        if key not in seen:
            seen.add(key)
            distinct.append(item)
    return distinct
