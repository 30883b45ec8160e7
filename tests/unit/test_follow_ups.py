"""Follow-ups to an answer: which lean on the question before them, and which question that is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warmline.domain.ids import ConversationId, MessageId, TraceId
from warmline.domain.traces import DecisionTrace
from warmline.engine.follow_ups import answered_question, leans_on_earlier
from warmline.engine.readings import unanswered_in_a_row


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


def trace(decision: str, rule: str = "r") -> DecisionTrace:
    return DecisionTrace(
        id=TraceId("t"),
        conversation_id=ConversationId("c"),
        customer_message_id=MessageId("m"),
        decision=decision,
        rule=rule,
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


def test_that_replies_that_did_not_answer_are_counted_back_from_the_latest() -> None:
    """What answering.unanswered_before_handoff is held to: clarifying questions and offers in
    a row, up to the last reply; "How can I help?" after a greeting does not count."""
    asked, offered = trace("clarify", "unsure_ask_once"), trace("clarify", "offered_a_person")
    greeted = trace("clarify", "no_question_yet")
    assert unanswered_in_a_row([]) == 0
    assert unanswered_in_a_row([asked, offered]) == 2
    assert unanswered_in_a_row([asked, trace("answer"), offered]) == 1
    assert unanswered_in_a_row([greeted, asked, offered]) == 2
    assert unanswered_in_a_row([trace("acknowledge")]) == 0
