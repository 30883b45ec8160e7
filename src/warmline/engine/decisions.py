"""The decision: a pure function from what the engine observed and the policy to what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from warmline.domain.handoffs import Reason, ReasonCode
from warmline.policy.model import Policy


class Action(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class ConversationState:
    turn: int
    last_action: Action | None


@dataclass(frozen=True)
class Signals:
    """Everything observed about one customer turn that a rule can look at."""

    human_request: str | None
    content_terms: int
    hits: int
    best_score: float
    best_coverage: float
    answer_sentences: int
    best_dense: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "human_request": self.human_request,
            "content_terms": self.content_terms,
            "hits": self.hits,
            "best_score": round(self.best_score, 4),
            "best_coverage": round(self.best_coverage, 4),
            "best_dense": round(self.best_dense, 4),
            "answer_sentences": self.answer_sentences,
        }


@dataclass(frozen=True)
class Decision:
    action: Action
    rule: str
    reasons: tuple[Reason, ...]
    confidence: float | None


def decide(state: ConversationState, signals: Signals, policy: Policy) -> Decision:
    """Pick answer, clarify or escalate. The first rule that applies wins; its name is traced."""
    if signals.human_request:
        return _escalate(
            "explicit_request",
            ReasonCode.CUSTOMER_REQUEST,
            f"asked for a person: {signals.human_request!r}",
        )
    if signals.content_terms == 0:
        if state.last_action is Action.CLARIFY:
            return _escalate(
                "still_unclear_after_clarifying",
                ReasonCode.LOW_CONFIDENCE,
                "no question to work with after one clarifying question",
            )
        return Decision(Action.CLARIFY, "no_question_yet", (), None)
    answering = policy.answering
    unrelated = (
        signals.best_coverage < answering.out_of_scope_below_coverage
        and signals.best_dense < answering.out_of_scope_below_dense
    )
    if signals.hits == 0 or unrelated:
        return _escalate(
            "no_relevant_knowledge",
            ReasonCode.OUT_OF_SCOPE,
            f"the best help-center passage covers {signals.best_coverage:.0%} of the question's "
            f"words and is {signals.best_dense:.2f} similar in meaning",
        )
    confidence = _retrieval_confidence(signals, policy)
    words_match = (
        signals.best_coverage >= answering.min_term_coverage
        and signals.best_score >= answering.min_lexical_score
    )
    meaning_matches = signals.best_dense >= answering.min_dense_similarity
    weak = signals.answer_sentences == 0 or not (words_match or meaning_matches)
    if weak:
        return Decision(
            Action.ESCALATE,
            "weak_evidence",
            (
                Reason(
                    ReasonCode.LOW_CONFIDENCE,
                    f"best passage covers {signals.best_coverage:.0%} of the question "
                    f"(BM25 {signals.best_score:.2f}, meaning {signals.best_dense:.2f})",
                ),
            ),
            confidence,
        )
    return Decision(Action.ANSWER, "grounded_answer", (), confidence)


def _escalate(rule: str, code: ReasonCode, evidence: str) -> Decision:
    return Decision(Action.ESCALATE, rule, (Reason(code, evidence),), None)


def _retrieval_confidence(signals: Signals, policy: Policy) -> float:
    """A retrieval-only score in [0, 1]; not yet calibrated (the trust layer fits that)."""
    score_part = signals.best_score / (signals.best_score + 2 * policy.answering.min_lexical_score)
    meaning = max(signals.best_dense, 0.0)
    return round(0.4 * signals.best_coverage + 0.2 * score_part + 0.4 * meaning, 4)
