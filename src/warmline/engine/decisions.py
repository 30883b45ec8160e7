"""The decision: a pure function from what the engine observed and the policy to what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from warmline.domain.handoffs import Reason, ReasonCode
from warmline.policy.model import Policy

# Rules decided before any answer is drafted: composing one would be wasted work.
PRE_DRAFT_RULES = frozenset(
    {
        "explicit_request",
        "no_question_yet",
        "still_unclear_after_clarifying",
        "no_relevant_knowledge",
    }
)


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
    best_coverage: float
    best_dense: float
    verified_sentences: int = 0
    confidence: float = 0.0
    clarify_options: int = 0  # distinct help-center topics a clarifying question could offer

    def as_dict(self) -> dict[str, object]:
        return {
            "human_request": self.human_request,
            "content_terms": self.content_terms,
            "hits": self.hits,
            "best_coverage": round(self.best_coverage, 4),
            "best_dense": round(self.best_dense, 4),
            "verified_sentences": self.verified_sentences,
            "confidence": round(self.confidence, 4),
            "clarify_options": self.clarify_options,
        }


@dataclass(frozen=True)
class Decision:
    action: Action
    rule: str
    reasons: tuple[Reason, ...]
    confidence: float | None


def decide(  # noqa: PLR0911 - one return per rule reads as the rule list
    state: ConversationState, signals: Signals, policy: Policy
) -> Decision:
    """Pick answer, clarify or escalate. The first rule that applies wins; its name is traced.

    Never two clarifying questions in a row: after one, the choice is answer or a person.
    """
    if signals.human_request:
        return _escalate(
            "explicit_request",
            ReasonCode.CUSTOMER_REQUEST,
            f"asked for a person: {signals.human_request!r}",
        )
    may_clarify = state.last_action is not Action.CLARIFY
    if signals.content_terms == 0:
        if not may_clarify:
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
    confidence = signals.confidence
    if signals.verified_sentences and confidence >= answering.answer_at_or_above:
        return Decision(Action.ANSWER, "verified_answer", (), confidence)
    if (
        may_clarify
        and confidence >= answering.clarify_at_or_above
        and signals.content_terms <= answering.clarify_max_terms
        and signals.clarify_options >= 2
    ):
        return Decision(Action.CLARIFY, "ambiguous_ask_once", (), confidence)
    if not signals.verified_sentences:
        evidence = "no sentence of the draft answer was supported by its cited evidence"
        return Decision(
            Action.ESCALATE,
            "answer_withheld",
            (Reason(ReasonCode.LOW_CONFIDENCE, evidence),),
            confidence,
        )
    return Decision(
        Action.ESCALATE,
        "below_answer_threshold",
        (
            Reason(
                ReasonCode.LOW_CONFIDENCE,
                f"confidence {confidence:.2f} is below the answer threshold "
                f"{answering.answer_at_or_above:.2f}",
            ),
        ),
        confidence,
    )


def _escalate(rule: str, code: ReasonCode, evidence: str) -> Decision:
    return Decision(Action.ESCALATE, rule, (Reason(code, evidence),), None)
