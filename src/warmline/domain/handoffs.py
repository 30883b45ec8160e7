"""Handoffs to a person, their reason codes and the brief the person reads first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from warmline.domain.ids import ConversationId, HandoffId, UserId


class ReasonCode(StrEnum):
    """One vocabulary everywhere: API, brief, metrics, tests."""

    CUSTOMER_REQUEST = "customer_request"
    FRUSTRATION = "frustration"
    LOOP = "loop"
    REPEATED_FAILURE = "repeated_failure"
    LOW_CONFIDENCE = "low_confidence"
    OUT_OF_SCOPE = "out_of_scope"
    SENSITIVE_TOPIC = "sensitive_topic"
    POLICY_REQUIRES_HUMAN = "policy_requires_human"
    SECURITY = "security"
    TOOL_FAILURE = "tool_failure"


class HandoffStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    RELEASED = "released"  # handed back to the AI


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    evidence: str  # what triggered it, quoting the customer with :func:`quoted`


def quoted(text: str) -> str:
    """What someone wrote, in quotation marks, as reasons and traces show it to a person."""
    return f"\u201c{text}\u201d"


@dataclass(frozen=True)
class Brief:
    """What the person needs so the customer never repeats themselves. Holds no raw contact data."""

    summary: str
    reasons: tuple[Reason, ...]
    customer_name: str | None
    customer_verified: bool
    intent: str | None
    told_customer: str
    suggested_next_step: str
    ai_answers: tuple[str, ...] = field(default_factory=tuple)
    data_collected: tuple[str, ...] = field(default_factory=tuple)  # order numbers, amounts...
    sentiment: tuple[float, ...] = field(default_factory=tuple)  # frustration per customer turn
    recovery_note: str | None = None  # what went wrong when the AI failed before handing over
    customer_value: float | None = None  # the customer's lifetime value, when the shop gave it
    actions_tried: tuple[str, ...] = field(default_factory=tuple)  # what the AI did, turn by turn


@dataclass(frozen=True)
class Handoff:
    id: HandoffId
    conversation_id: ConversationId
    status: HandoffStatus
    reasons: tuple[Reason, ...]
    priority: int
    queue: str
    brief: Brief
    created_at: datetime
    claimed_by: UserId | None = None
    claimed_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def reason_codes(self) -> tuple[ReasonCode, ...]:
        return tuple(reason.code for reason in self.reasons)
