"""Writes to a conversation's record (messages and status), emitting an event for each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from warmline.clock import Clock, IdGenerator
from warmline.domain.conversations import (
    Citation,
    Conversation,
    ConversationStatus,
    Message,
    Role,
)
from warmline.domain.events import MessagePosted
from warmline.domain.ids import ConversationId, MessageId
from warmline.domain.users import User
from warmline.engine.composer import HistoryLine
from warmline.engine.emitter import Emitter
from warmline.storage.ports import ConversationRepo


class Transcript:
    def __init__(
        self, repo: ConversationRepo, emitter: Emitter, clock: Clock, ids: IdGenerator
    ) -> None:
        self._repo = repo
        self._emitter = emitter
        self._clock = clock
        self._ids = ids

    def post(
        self,
        conversation_id: ConversationId,
        role: Role,
        text: str,
        citations: tuple[Citation, ...] = (),
        author: User | None = None,
    ) -> Message:
        message = Message(
            id=MessageId(self._ids.new("msg")),
            conversation_id=conversation_id,
            role=role,
            text=text,
            created_at=self._clock.now(),
            author_id=author.id if author else None,
            author_name=(author.name or author.email) if author else None,
            citations=citations,
        )
        self._repo.add_message(message)
        self._emitter.emit(
            MessagePosted(
                conversation_id=conversation_id,
                at=message.created_at,
                message_id=message.id,
                role=role.value,
            )
        )
        return message

    def set_status(
        self, conversation: Conversation, status: ConversationStatus, agent: User | None = None
    ) -> Conversation:
        updated = replace(
            conversation,
            status=status,
            agent_id=agent.id if agent else None,
            updated_at=self._clock.now(),
        )
        self._repo.update(updated)
        return updated


def history_lines(messages: Sequence[Message]) -> list[HistoryLine]:
    """The conversation so far as a composer reads it: who said what, system notes left out."""
    roles = {Role.CUSTOMER: "customer", Role.AI: "assistant", Role.AGENT: "agent"}
    return [HistoryLine(roles[m.role], m.text) for m in messages if m.role in roles]
