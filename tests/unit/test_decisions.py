"""The decision function is pure: same state, signals and policy, same decision."""

from __future__ import annotations

import pytest

from warmline.domain.handoffs import ReasonCode
from warmline.engine.decisions import Action, ConversationState, Signals, decide
from warmline.policy.model import load_policy

POLICY = load_policy()
FIRST_TURN = ConversationState(turn=1, last_action=None)
AFTER_CLARIFYING = ConversationState(turn=2, last_action=Action.CLARIFY)


def signals(**changes: object) -> Signals:
    base: dict[str, object] = {
        "human_request": None,
        "content_terms": 4,
        "hits": 5,
        "best_coverage": 1.0,
        "best_dense": 0.8,
        "verified_sentences": 2,
        "confidence": 0.9,
        "clarify_options": 3,
    }
    base.update(changes)
    return Signals(**base)  # type: ignore[arg-type]


def test_that_a_confident_verified_answer_is_given_with_its_confidence() -> None:
    decision = decide(FIRST_TURN, signals(), POLICY)
    assert decision.action is Action.ANSWER
    assert decision.rule == "verified_answer"
    assert decision.confidence == 0.9


def test_that_a_request_for_a_person_wins_over_a_good_answer() -> None:
    decision = decide(FIRST_TURN, signals(human_request="talk to a human"), POLICY)
    assert decision.action is Action.ESCALATE
    assert decision.reasons[0].code is ReasonCode.CUSTOMER_REQUEST
    assert "talk to a human" in decision.reasons[0].evidence


@pytest.mark.parametrize(
    ("changes", "rule", "code"),
    [
        ({"best_coverage": 0.2, "best_dense": 0.1}, "no_relevant_knowledge", "out_of_scope"),
        ({"hits": 0}, "no_relevant_knowledge", "out_of_scope"),
        ({"verified_sentences": 0, "confidence": 0.0}, "answer_withheld", "low_confidence"),
        ({"confidence": 0.3, "content_terms": 8}, "below_answer_threshold", "low_confidence"),
    ],
)
def test_that_weak_missing_or_unverified_evidence_escalates(
    changes: dict[str, object], rule: str, code: str
) -> None:
    decision = decide(FIRST_TURN, signals(**changes), POLICY)
    assert decision.action is Action.ESCALATE
    assert decision.rule == rule
    assert decision.reasons[0].code.value == code


def test_that_the_answer_threshold_comes_from_the_policy() -> None:
    threshold = POLICY.answering.answer_at_or_above
    just_below = signals(confidence=threshold - 0.01, content_terms=9)
    assert decide(FIRST_TURN, just_below, POLICY).action is Action.ESCALATE
    assert decide(FIRST_TURN, signals(confidence=threshold), POLICY).action is Action.ANSWER


def test_that_a_short_ambiguous_question_is_clarified_once_and_never_twice() -> None:
    unsure = signals(confidence=0.3, content_terms=2)
    assert decide(FIRST_TURN, unsure, POLICY).rule == "ambiguous_ask_once"
    again = decide(AFTER_CLARIFYING, unsure, POLICY)
    assert again.action is Action.ESCALATE
    assert again.reasons[0].code is ReasonCode.LOW_CONFIDENCE


def test_that_no_question_is_clarified_once_then_escalated() -> None:
    empty = signals(content_terms=0, hits=0)
    assert decide(FIRST_TURN, empty, POLICY).action is Action.CLARIFY
    assert decide(AFTER_CLARIFYING, empty, POLICY).action is Action.ESCALATE
