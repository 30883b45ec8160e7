"""The agent side of the engine: claim, reply, resolve and release handed-over conversations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from warmline.clock import Clock, IdGenerator
from warmline.domain.conversations import Conversation, ConversationStatus, Message, Role
from warmline.domain.customers import Customer
from warmline.domain.events import HandoffClaimed, HandoffReleased, HandoffResolved
from warmline.domain.handoffs import Handoff, HandoffStatus
from warmline.domain.ids import HandoffId, UserId
from warmline.domain.users import User, UserRole
from warmline.engine.emitter import Emitter
from warmline.engine.transcript import Transcript
from warmline.errors import ConflictError, InvalidInputError, NotFoundError
from warmline.policy.model import Policy
from warmline.storage.ports import Store


@dataclass(frozen=True)
class HandoffView:
    """A handoff with what the inbox shows beside it."""

    handoff: Handoff
    conversation: Conversation
    customer: Customer | None
    claimed_by: User | None
    last_customer_message: str | None


class HandoffService:
    def __init__(
        self,
        *,
        store: Store,
        policy: Policy,
        emitter: Emitter,
        clock: Clock,
        ids: IdGenerator,
        max_message_chars: int,
    ) -> None:
        self._store = store
        self._policy = policy
        self._emitter = emitter
        self._clock = clock
        self._max_chars = max_message_chars
        self._transcript = Transcript(store.conversations, emitter, clock, ids)

    def list(self, status: HandoffStatus | None) -> list[HandoffView]:
        views = [self.view(h) for h in self._store.handoffs.list(status)]
        return sorted(views, key=lambda v: (-v.handoff.priority, v.handoff.created_at))

    def get(self, handoff_id: str) -> Handoff:
        handoff = self._store.handoffs.get(HandoffId(handoff_id))
        if handoff is None:
            raise NotFoundError(f"handoff {handoff_id} does not exist")
        return handoff

    def view(self, handoff: Handoff) -> HandoffView:
        conversation = self._store.conversations.get(handoff.conversation_id)
        if conversation is None:
            raise NotFoundError(f"conversation {handoff.conversation_id} does not exist")
        messages = self._store.conversations.messages(conversation.id)
        last = next((m.text for m in reversed(messages) if m.role is Role.CUSTOMER), None)
        return HandoffView(
            handoff=handoff,
            conversation=conversation,
            customer=self._store.customers.get(conversation.customer_id),
            claimed_by=self._user(handoff.claimed_by),
            last_customer_message=last,
        )

    def transcript(self, handoff: Handoff) -> Sequence[Message]:
        return self._store.conversations.messages(handoff.conversation_id)

    def claim(self, handoff_id: str, agent: User) -> Handoff:
        handoff = self.get(handoff_id)
        if handoff.status is HandoffStatus.CLAIMED and handoff.claimed_by == agent.id:
            return handoff
        if handoff.status is not HandoffStatus.OPEN:
            holder = self._user(handoff.claimed_by)
            who = f" by {holder.name or holder.email}" if holder else ""
            raise ConflictError(f"this conversation is already {handoff.status.value}{who}")
        now = self._clock.now()
        claimed = replace(
            handoff, status=HandoffStatus.CLAIMED, claimed_by=agent.id, claimed_at=now
        )
        self._store.handoffs.update(claimed)
        conversation = self._conversation(handoff)
        self._transcript.set_status(conversation, ConversationStatus.WITH_AGENT, agent)
        self._transcript.post(
            conversation.id,
            Role.SYSTEM,
            self._policy.messages.agent_joined.format(agent=agent.name or "A support agent"),
        )
        self._emitter.emit(
            HandoffClaimed(
                conversation_id=conversation.id, at=now, handoff_id=handoff.id, agent_id=agent.id
            )
        )
        return claimed

    def reply(self, handoff_id: str, agent: User, text: str) -> Message:
        stripped = text.strip()
        if not stripped:
            raise InvalidInputError("the reply is empty")
        if len(stripped) > self._max_chars:
            raise InvalidInputError(f"the reply is longer than {self._max_chars} characters")
        handoff = self.get(handoff_id)
        if handoff.status is not HandoffStatus.CLAIMED or handoff.claimed_by != agent.id:
            raise ConflictError("claim this conversation before replying")
        return self._transcript.post(handoff.conversation_id, Role.AGENT, stripped, author=agent)

    def resolve(self, handoff_id: str, agent: User) -> Handoff:
        handoff = self._closable(handoff_id, agent)
        now = self._clock.now()
        resolved = replace(handoff, status=HandoffStatus.RESOLVED, closed_at=now)
        self._store.handoffs.update(resolved)
        conversation = self._conversation(handoff)
        self._transcript.post(
            conversation.id,
            Role.SYSTEM,
            self._policy.messages.resolved.format(agent=agent.name or "The support agent"),
        )
        self._transcript.set_status(conversation, ConversationStatus.CLOSED)
        self._emitter.emit(
            HandoffResolved(
                conversation_id=conversation.id, at=now, handoff_id=handoff.id, agent_id=agent.id
            )
        )
        return resolved

    def release(self, handoff_id: str, agent: User) -> Handoff:
        """Hand the conversation back to the AI assistant."""
        handoff = self._closable(handoff_id, agent)
        now = self._clock.now()
        released = replace(handoff, status=HandoffStatus.RELEASED, closed_at=now)
        self._store.handoffs.update(released)
        conversation = self._conversation(handoff)
        self._transcript.set_status(conversation, ConversationStatus.ACTIVE)
        self._transcript.post(
            conversation.id,
            Role.SYSTEM,
            self._policy.messages.agent_left.format(agent=agent.name or "The support agent"),
        )
        self._emitter.emit(
            HandoffReleased(
                conversation_id=conversation.id, at=now, handoff_id=handoff.id, agent_id=agent.id
            )
        )
        return released

    def _closable(self, handoff_id: str, agent: User) -> Handoff:
        handoff = self.get(handoff_id)
        if handoff.status not in (HandoffStatus.OPEN, HandoffStatus.CLAIMED):
            raise ConflictError(f"this conversation is already {handoff.status.value}")
        supervising = agent.role in (UserRole.SUPERVISOR, UserRole.ADMIN)
        if handoff.claimed_by not in (None, agent.id) and not supervising:
            raise ConflictError("another agent has claimed this conversation")
        return handoff

    def _conversation(self, handoff: Handoff) -> Conversation:
        conversation = self._store.conversations.get(handoff.conversation_id)
        if conversation is None:
            raise NotFoundError(f"conversation {handoff.conversation_id} does not exist")
        return conversation

    def _user(self, user_id: UserId | None) -> User | None:
        return self._store.users.get(user_id) if user_id else None
