"""The decision trace: what the AI saw and why it did what it did, one per AI turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warmline.domain.ids import ConversationId, MessageId, TraceId


@dataclass(frozen=True)
class DecisionTrace:
    id: TraceId
    conversation_id: ConversationId
    customer_message_id: MessageId
    decision: str
    rule: str
    confidence: float | None
    retrieved: tuple[dict[str, Any], ...]
    signals: dict[str, Any]
    created_at: datetime
    reply_message_id: MessageId | None = None
    extra: dict[str, Any] = field(default_factory=dict)
