"""Repository ports. Every one has a SQL and an in-memory implementation passing one contract suite.

Each method is atomic on its own: when it returns, what it wrote is committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from warmline.domain.conversations import Conversation, Message
from warmline.domain.customers import Customer
from warmline.domain.events import Event, StoredEvent
from warmline.domain.handoffs import Handoff, HandoffStatus
from warmline.domain.ids import (
    ArticleId,
    ConversationId,
    CustomerId,
    HandoffId,
    UserId,
)
from warmline.domain.knowledge import Article, Chunk, KnowledgeVersion
from warmline.domain.policies import PolicyRecord
from warmline.domain.traces import DecisionTrace
from warmline.domain.users import User


class CustomerRepo(Protocol):
    def add(self, customer: Customer) -> None: ...
    def get(self, customer_id: CustomerId) -> Customer | None: ...
    def find_by_email(self, email: str) -> Customer | None: ...
    def find_by_external_id(self, external_id: str) -> Customer | None: ...
    def set_lifetime_value(self, customer_id: CustomerId, value: float | None) -> None: ...


class ConversationRepo(Protocol):
    def add(self, conversation: Conversation) -> None: ...
    def get(self, conversation_id: ConversationId) -> Conversation | None: ...
    def update(self, conversation: Conversation) -> None: ...
    def for_customer(self, customer_id: CustomerId) -> Sequence[Conversation]: ...
    def add_message(self, message: Message) -> None: ...
    def messages(self, conversation_id: ConversationId) -> Sequence[Message]: ...


class HandoffRepo(Protocol):
    def add(self, handoff: Handoff) -> None: ...
    def get(self, handoff_id: HandoffId) -> Handoff | None: ...
    def update(self, handoff: Handoff) -> None: ...
    def list(self, status: HandoffStatus | None = None) -> Sequence[Handoff]: ...
    def active_for_conversation(self, conversation_id: ConversationId) -> Handoff | None: ...


class KnowledgeRepo(Protocol):
    def save_article(self, article: Article, chunks: Sequence[Chunk]) -> None:
        """Insert or replace an article together with all of its chunks."""

    def delete_article(self, article_id: ArticleId) -> bool: ...
    def get_article(self, article_id: ArticleId) -> Article | None: ...
    def articles(self) -> Sequence[Article]: ...
    def chunks(self) -> Sequence[Chunk]: ...
    def record_version(
        self, *, added: int, updated: int, deleted: int, at: datetime
    ) -> KnowledgeVersion: ...
    def version(self) -> KnowledgeVersion | None:
        """The newest knowledge-base version, ``None`` before the first change."""


class EmbeddingCache(Protocol):
    """Vectors by (model, sha256 of the embedded text), so unchanged text is never re-embedded."""

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, NDArray[np.float32]]: ...
    def put_many(self, model: str, items: dict[str, NDArray[np.float32]]) -> None: ...


class PolicyRepo(Protocol):
    def record(self, record: PolicyRecord) -> None: ...
    def history(self) -> Sequence[PolicyRecord]:
        """Every activation, newest first."""
        ...


class TraceRepo(Protocol):
    def add(self, trace: DecisionTrace) -> None: ...
    def for_conversation(self, conversation_id: ConversationId) -> Sequence[DecisionTrace]: ...


class UserRepo(Protocol):
    def add(self, user: User) -> None: ...
    def get(self, user_id: UserId) -> User | None: ...
    def update(self, user: User) -> None: ...
    def find_by_email(self, email: str) -> User | None: ...
    def find_by_api_key_hash(self, api_key_hash: str) -> User | None: ...


class EventLog(Protocol):
    def append(self, event: Event) -> None: ...
    def all(self) -> Sequence[StoredEvent]: ...


@dataclass(frozen=True)
class Store:
    """The repositories one deployment uses, built together by the composition root."""

    customers: CustomerRepo
    conversations: ConversationRepo
    handoffs: HandoffRepo
    knowledge: KnowledgeRepo
    traces: TraceRepo
    users: UserRepo
    events: EventLog
    embeddings: EmbeddingCache
    policies: PolicyRepo
