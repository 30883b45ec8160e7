"""Outcome metrics as defined in the product brief, computed from events alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.events import (
    ConversationStarted,
    FeedbackGiven,
    HandoffOpened,
    StoredEvent,
)
from warmline.domain.ids import ConversationId


@dataclass(frozen=True)
class Summary:
    conversations: int
    ai_handled: int
    handoffs: int
    confirmed_resolution_rate: float | None
    containment_rate: float | None
    escalations_by_reason: dict[str, int]
    csat_avg: float | None
    feedback_count: int


def summarize(events: Sequence[StoredEvent]) -> Summary:
    started: set[ConversationId] = set()
    handed_off: set[ConversationId] = set()
    reasons: Counter[str] = Counter()
    handoffs = 0
    latest_feedback: dict[ConversationId, bool] = {}
    scores: list[int] = []
    feedback_count = 0
    for event in events:
        if event.type == ConversationStarted.type:
            started.add(event.conversation_id)
        elif event.type == HandoffOpened.type:
            handoffs += 1
            handed_off.add(event.conversation_id)
            reasons.update(event.data.get("reasons", []))
        elif event.type == FeedbackGiven.type:
            feedback_count += 1
            latest_feedback[event.conversation_id] = bool(event.data["resolved"])
            if event.data.get("csat") is not None:
                scores.append(int(event.data["csat"]))
    ai_handled = started - handed_off
    confirmed = sum(1 for c in ai_handled if latest_feedback.get(c))
    return Summary(
        conversations=len(started),
        ai_handled=len(ai_handled),
        handoffs=handoffs,
        confirmed_resolution_rate=_ratio(confirmed, len(ai_handled)),
        containment_rate=_ratio(len(ai_handled), len(started)),
        escalations_by_reason=dict(sorted(reasons.items())),
        csat_avg=round(sum(scores) / len(scores), 2) if scores else None,
        feedback_count=feedback_count,
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
