"""The decision function is pure: same state, signals and policy, same decision."""

from __future__ import annotations

import pytest

from warmline.domain.handoffs import ReasonCode
from warmline.engine.decisions import Action, ConversationState, Signals, decide
from warmline.policy.model import load_policy

POLICY = load_policy()
FIRST_TURN = ConversationState(turn=1, last_action=None)


def signals(**changes: object) -> Signals:
    base: dict[str, object] = {
        "human_request": None,
        "content_terms": 4,
        "hits": 5,
        "best_score": 6.0,
        "best_coverage": 1.0,
        "answer_sentences": 2,
    }
    base.update(changes)
    return Signals(**base)  # type: ignore[arg-type]


def test_that_strong_evidence_is_answered_with_a_confidence() -> None:
    decision = decide(FIRST_TURN, signals(), POLICY)
    assert decision.action is Action.ANSWER
    assert decision.rule == "grounded_answer"
    assert decision.confidence is not None and 0.5 < decision.confidence <= 1


def test_that_a_request_for_a_person_wins_over_a_good_answer() -> None:
    decision = decide(FIRST_TURN, signals(human_request="talk to a human"), POLICY)
    assert decision.action is Action.ESCALATE
    assert decision.reasons[0].code is ReasonCode.CUSTOMER_REQUEST
    assert "talk to a human" in decision.reasons[0].evidence


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"best_coverage": 0.4}, "weak_evidence"),
        ({"best_coverage": 0.2}, "no_relevant_knowledge"),
        ({"best_score": 0.3}, "weak_evidence"),
        ({"answer_sentences": 0}, "weak_evidence"),
        ({"hits": 0, "best_score": 0.0, "best_coverage": 0.0}, "no_relevant_knowledge"),
    ],
)
def test_that_weak_or_missing_evidence_escalates(changes: dict[str, object], rule: str) -> None:
    decision = decide(FIRST_TURN, signals(**changes), POLICY)
    assert decision.action is Action.ESCALATE
    assert decision.rule == rule


def test_that_weaker_evidence_gets_lower_confidence() -> None:
    strong = decide(FIRST_TURN, signals(), POLICY).confidence
    weaker = decide(FIRST_TURN, signals(best_coverage=0.6, best_score=2.0), POLICY).confidence
    assert strong is not None and weaker is not None and weaker < strong


def test_that_no_question_is_clarified_once_then_escalated() -> None:
    empty = signals(content_terms=0, hits=0)
    assert decide(FIRST_TURN, empty, POLICY).action is Action.CLARIFY
    after_clarifying = ConversationState(turn=2, last_action=Action.CLARIFY)
    assert decide(after_clarifying, empty, POLICY).action is Action.ESCALATE
