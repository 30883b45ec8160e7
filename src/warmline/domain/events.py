"""Typed events for everything that happens. Traces, metrics and live updates consume them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from warmline.domain.ids import ConversationId, CustomerId, HandoffId, MessageId, UserId


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str] = "event"
    conversation_id: ConversationId
    at: datetime

    def payload(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("conversation_id")
        data.pop("at")
        return data


@dataclass(frozen=True, kw_only=True)
class ConversationStarted(Event):
    type: ClassVar[str] = "conversation.started"
    customer_id: CustomerId
    channel: str


@dataclass(frozen=True, kw_only=True)
class MessagePosted(Event):
    type: ClassVar[str] = "message.posted"
    message_id: MessageId
    role: str


@dataclass(frozen=True, kw_only=True)
class TurnDecided(Event):
    type: ClassVar[str] = "turn.decided"
    message_id: MessageId
    decision: str
    rule: str
    confidence: float | None


@dataclass(frozen=True, kw_only=True)
class ReplyFailed(Event):
    type: ClassVar[str] = "reply.failed"
    message_id: MessageId
    error: str


@dataclass(frozen=True, kw_only=True)
class HandoffOpened(Event):
    type: ClassVar[str] = "handoff.opened"
    handoff_id: HandoffId
    reasons: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class HandoffClaimed(Event):
    type: ClassVar[str] = "handoff.claimed"
    handoff_id: HandoffId
    agent_id: UserId


@dataclass(frozen=True, kw_only=True)
class HandoffResolved(Event):
    type: ClassVar[str] = "handoff.resolved"
    handoff_id: HandoffId
    agent_id: UserId


@dataclass(frozen=True, kw_only=True)
class HandoffReleased(Event):
    type: ClassVar[str] = "handoff.released"
    handoff_id: HandoffId
    agent_id: UserId


@dataclass(frozen=True, kw_only=True)
class FeedbackGiven(Event):
    type: ClassVar[str] = "feedback.given"
    resolved: bool
    csat: int | None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        ConversationStarted,
        MessagePosted,
        TurnDecided,
        ReplyFailed,
        HandoffOpened,
        HandoffClaimed,
        HandoffResolved,
        HandoffReleased,
        FeedbackGiven,
    )
}


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the log: its type name and payload, for aggregation."""

    type: str
    conversation_id: ConversationId
    at: datetime
    data: dict[str, Any]
