"""Evidence: the customer-facing passages an answer may rest on, numbered and cleaned.

Passages are data, never instructions. Before any composer sees them, sentences that speak to
an AI assistant ("ignore previous instructions", "note to AI assistants", a ``system:`` line,
HTML comments) are cut out, so a poisoned document can inform nothing and command nothing.
Internal-audience passages never become evidence: what a composer is not shown it cannot quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.knowledge import Audience, SearchHit
from warmline.knowledge.text import introduced_items, sentences

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?(?:script|style|iframe|img|object|embed)\b[^>]*>", re.IGNORECASE)

# Phrases that address an AI system rather than a customer. They are deliberately broad:
# a help-center sentence has no business talking to "the assistant" or "the model".
_INSTRUCTION_PATTERNS = [
    r"\bignore\b.{0,40}\b(?:instructions?|rules?|guidelines?|prompts?|above|previous|prior)\b",
    r"\bdisregard\b.{0,40}\b(?:instructions?|rules?|guidelines?|above|previous|prior)\b",
    r"\bforget\b.{0,30}\b(?:instructions?|rules?|everything)\b",
    r"\b(?:ai|a\.i\.|llm|language model|chat ?bot|bot|virtual) ?(?:assistants?|agents?|models?)\b"
    r".{0,60}\b(?:must|should|shall|always|never|are instructed|reading this)\b",
    r"\b(?:note|message|instructions?) (?:to|for) (?:the |all |any )?(?:ai|assistants?|bots?|llms?"
    r"|models?|chat ?bots?)\b",
    r"\bsystem ?prompt\b",
    r"\byou are now\b",
    r"\bnew instructions?\b",
    r"\bdeveloper mode\b",
    r"\bjailbreak",
    r"^\s*(?:system|assistant|developer)\s*:",
    r"\bas an ai\b",
    r"\b(?:reveal|print|repeat|output)\b.{0,40}\b(?:prompt|instructions|internal|confidential)\b",
]
_INSTRUCTION = re.compile("|".join(_INSTRUCTION_PATTERNS), re.IGNORECASE | re.MULTILINE)


def looks_like_instruction(text: str) -> bool:
    """True when a sentence talks to an AI system instead of informing a customer."""
    return bool(_INSTRUCTION.search(text))


@dataclass(frozen=True)
class Evidence:
    """One passage, as a composer and the verifier see it."""

    id: str  # "E1", "E2", ...: what answer sentences cite
    hit: SearchHit
    sentences: tuple[str, ...]  # cleaned sentences, in the passage's order
    removed: tuple[str, ...]  # sentences cut out as instructions aimed at an AI
    # List items that complete a line ending in a colon ("Please have:" then "- Your order
    # number"): an answer never quotes one without that line.
    dependent: frozenset[str] = frozenset()

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    @property
    def authoritative(self) -> bool:
        return self.hit.article.authoritative


def gather_evidence(hits: Sequence[SearchHit], *, limit: int = 4) -> tuple[Evidence, ...]:
    """Number the best customer-facing passages and strip instructions out of them."""
    found: list[Evidence] = []
    for hit in hits:
        if hit.article.audience is not Audience.CUSTOMER:
            continue
        cleaned = _cleaned(hit.chunk.text)
        kept, removed = _instructions_apart(cleaned)
        if kept:
            dependent = frozenset(introduced_items(cleaned))
            found.append(
                Evidence(f"E{len(found) + 1}", hit, tuple(kept), tuple(removed), dependent)
            )
        if len(found) == limit:
            break
    return tuple(found)


def passage_sentences(text: str) -> tuple[list[str], list[str]]:
    """A passage's sentences a composer may use, and those cut out as instructions."""
    return _instructions_apart(_cleaned(text))


def _instructions_apart(cleaned: str) -> tuple[list[str], list[str]]:
    kept: list[str] = []
    removed: list[str] = []
    for line in sentences(cleaned):
        (removed if looks_like_instruction(line) else kept).append(line)
    return kept, removed


def _cleaned(text: str) -> str:
    """The passage without HTML comments and active tags."""
    return _HTML_TAG.sub(" ", _HTML_COMMENT.sub(" ", text))
