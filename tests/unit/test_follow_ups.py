"""Follow-ups to an answer: which lean on the question before them, and which question that is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warmline.domain.ids import ConversationId, MessageId, TraceId
from warmline.domain.traces import DecisionTrace
from warmline.engine.follow_ups import answered_question, leans_on_earlier


@pytest.mark.parametrize(
    "text",
    [
        "how much can i put on one",
        "and to canada?",
        "what if it's been opened?",
        "is that free",
        "what about express",
        "express?",
        "do i need the receipt for those",
    ],
)
def test_that_a_follow_up_pointing_back_or_too_short_leans_on_the_question_before(
    text: str,
) -> None:
    assert leans_on_earlier(text)


@pytest.mark.parametrize(
    "text",
    [
        "how long does standard shipping take to anchorage alaska",
        "do you price match walmart on black friday",
        "can i pay with klarna for a gift card order",
    ],
)
def test_that_a_question_of_its_own_stands_alone(text: str) -> None:
    assert not leans_on_earlier(text)


def trace(decision: str) -> DecisionTrace:
    return DecisionTrace(
        id=TraceId("t"),
        conversation_id=ConversationId("c"),
        customer_message_id=MessageId("m"),
        decision=decision,
        rule="r",
        confidence=None,
        retrieved=(),
        signals={},
        created_at=datetime(2026, 11, 24, tzinfo=UTC),
    )


def test_that_the_answered_question_includes_what_a_clarifying_question_completed() -> None:
    asked = ["where is my gift card", "the digital one"]
    assert answered_question(asked, [trace("clarify"), trace("answer")]) == (
        "where is my gift card the digital one"
    )
    assert answered_question(asked, [trace("answer"), trace("answer")]) == "the digital one"
    assert answered_question(["do you sell gift cards"], [trace("answer")]) == (
        "do you sell gift cards"
    )
