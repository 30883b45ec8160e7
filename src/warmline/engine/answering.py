"""From retrieved passages to a checked draft: evidence -> compose -> verify -> confidence.

The draft is not an answer yet: the decision reads its confidence and verified sentences and
chooses to answer, clarify or hand over. Everything here goes into the decision trace.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from warmline.domain.knowledge import Audience, SearchHit
from warmline.engine.composer import MIN_SENTENCE_CHARS, Composer, Composition, HistoryLine
from warmline.engine.confidence import ConfidenceModel, confidence_features
from warmline.engine.evidence import Evidence, gather_evidence, passage_sentences
from warmline.engine.verifier import Verification, Verifier
from warmline.engine.wording import Worded, word_answer
from warmline.knowledge.text import chat_sentences
from warmline.policy.model import Policy


class KnowledgeSearch(Protocol):
    """What drafting needs of the knowledge base: the passages that best match a question."""

    def search(
        self, query: str, *, k: int = 5, audience: Audience | None = None
    ) -> list[SearchHit]: ...


@dataclass(frozen=True)
class Draft:
    evidence: tuple[Evidence, ...]
    composition: Composition
    verification: Verification
    features: dict[str, float]
    confidence: float
    worded: Worded

    @property
    def kept_text(self) -> str:
        """The sentences the verifier let through, as one text."""
        return " ".join(s.text for s in self.verification.kept)

    def as_trace(self) -> dict[str, object]:
        return {
            "composer": self.composition.composer,
            "composer_declined": self.composition.abstained,
            "question_parts": self.composition.parts,
            "parts_covered": self.composition.parts_covered,
            "evidence": [
                {
                    "id": e.id,
                    "chunk_id": e.hit.chunk.id,
                    "article_id": e.hit.article.id,
                    "authoritative": e.authoritative,
                    "instructions_removed": len(e.removed),
                }
                for e in self.evidence
            ],
            "verification": self.verification.as_dict(),
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "confidence": round(self.confidence, 4),
            "wording": {
                "strong_words_allowed": self.worded.strong_allowed,
                "softened": list(self.worded.softened),
            },
        }


class Answerer:
    def __init__(
        self,
        composer: Composer,
        verifier: Verifier,
        confidence: ConfidenceModel,
        policy: Policy,
    ) -> None:
        self.composer = composer
        self._verifier = verifier
        self._confidence = confidence
        self._policy = policy

    def warm_up(self, passages: Iterable[str], *, limit: int = 20_000) -> int:
        """Embed the sentences of these passages now, so answers need not wait for them.

        Composer and verifier share the sentence vectors. Returns how many were embedded.
        """
        lines: dict[str, None] = {}
        for text in passages:
            kept, _ = passage_sentences(text)
            lines.update(dict.fromkeys(s for s in kept if len(s) >= MIN_SENTENCE_CHARS))
            if len(lines) >= limit:
                break
        return self._verifier.warm_up(list(lines)[:limit])

    def draft(
        self,
        question: str,
        hits: Sequence[SearchHit],
        *,
        history: Sequence[HistoryLine],
        content_terms: int,
    ) -> Draft:
        answering = self._policy.answering
        evidence = gather_evidence(hits)
        composition = self.composer.compose(
            question, evidence, history=history, max_sentences=answering.max_sentences
        )
        verification = self._verifier.verify(composition, evidence)
        # Sentences added for a missing word complete the answer; how sure it is, is read
        # from the rest.
        judged = verification
        if composition.added:
            core = tuple(s for s in verification.sentences if s.text not in composition.added)
            judged = dataclasses.replace(verification, sentences=core) if core else verification
        # A question written in several sentences is answered by what matches one of them
        # ("my mug arrived cracked. do I need to send it back?").
        asked = chat_sentences(question)
        match = self._verifier.relevance(
            [question, *asked] if len(asked) > 1 else [question], judged.kept
        )
        features = confidence_features(hits, composition, judged, content_terms, match)
        confidence = self._confidence.probability(features) if not verification.withheld else 0.0
        worded = word_answer(
            verification.kept,
            evidence,
            confidence=confidence,
            high_confidence=answering.high_confidence,
            intro=self._policy.messages.answer_intro,
            hedged_intro=self._policy.messages.answer_intro_hedged,
        )
        return Draft(evidence, composition, verification, features, confidence, worded)
