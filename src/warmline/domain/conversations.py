"""Conversations and their messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from warmline.domain.ids import ArticleId, ConversationId, CustomerId, MessageId, UserId


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    TERMINAL = "terminal"
    EMAIL = "email"


class ConversationStatus(StrEnum):
    ACTIVE = "active"  # the AI is answering
    WAITING = "waiting"  # handed off, waiting for a person to claim it
    WITH_AGENT = "with_agent"  # a person owns it; the AI stays silent
    CLOSED = "closed"


class Role(StrEnum):
    CUSTOMER = "customer"
    AI = "ai"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True)
class Citation:
    article_id: ArticleId
    title: str
    source: str
    section: str | None
    snippet: str


@dataclass(frozen=True)
class Message:
    id: MessageId
    conversation_id: ConversationId
    role: Role
    text: str
    created_at: datetime
    author_id: UserId | None = None
    author_name: str | None = None
    citations: tuple[Citation, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Conversation:
    id: ConversationId
    customer_id: CustomerId
    channel: Channel
    status: ConversationStatus
    agent_id: UserId | None
    token_hash: str
    created_at: datetime
    updated_at: datetime
    # The shop's own server started this conversation for a customer it had signed in: the
    # identity is vouched for in this conversation only (a public start with the same email
    # reaches the same customer record, so the record itself cannot carry it).
    identity_verified: bool = False

    @property
    def owner(self) -> str:
        """``ai`` while the assistant answers, ``agent`` once a person has it or is about to."""
        return "ai" if self.status is ConversationStatus.ACTIVE else "agent"

    @property
    def ai_may_reply(self) -> bool:
        return self.status is ConversationStatus.ACTIVE

    @property
    def ai_reads_next_message(self) -> bool:
        """The AI replies to the customer's next message: a closed conversation reopens on it."""
        return self.ai_may_reply or self.status is ConversationStatus.CLOSED
