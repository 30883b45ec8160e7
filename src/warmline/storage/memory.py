"""In-memory repositories: the twins of the SQL ones, for unit tests and the terminal chat."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from warmline.domain.conversations import Conversation, Message
from warmline.domain.customers import Customer
from warmline.domain.events import Event, StoredEvent
from warmline.domain.handoffs import Handoff, HandoffStatus
from warmline.domain.ids import ArticleId, ConversationId, CustomerId, HandoffId, UserId
from warmline.domain.knowledge import Article, Chunk, KnowledgeVersion
from warmline.domain.policies import PolicyRecord
from warmline.domain.traces import DecisionTrace
from warmline.domain.users import User
from warmline.errors import ConflictError, NotFoundError
from warmline.storage.ports import Store

_ACTIVE = (HandoffStatus.OPEN, HandoffStatus.CLAIMED)


class InMemoryCustomerRepo:
    def __init__(self) -> None:
        self._items: dict[CustomerId, Customer] = {}

    def add(self, customer: Customer) -> None:
        for other in self._items.values():
            if customer.email and other.email == customer.email:
                raise ConflictError("a customer with this email exists")
            if customer.external_id and other.external_id == customer.external_id:
                raise ConflictError("a customer with this external id exists")
        self._items[customer.id] = customer

    def get(self, customer_id: CustomerId) -> Customer | None:
        return self._items.get(customer_id)

    def find_by_email(self, email: str) -> Customer | None:
        return next((c for c in self._items.values() if c.email == email), None)

    def find_by_external_id(self, external_id: str) -> Customer | None:
        return next((c for c in self._items.values() if c.external_id == external_id), None)

    def set_lifetime_value(self, customer_id: CustomerId, value: float | None) -> None:
        customer = self._items.get(customer_id)
        if customer is not None:
            self._items[customer_id] = dataclasses.replace(customer, lifetime_value=value)


class InMemoryConversationRepo:
    def __init__(self) -> None:
        self._items: dict[ConversationId, Conversation] = {}
        self._messages: dict[ConversationId, list[Message]] = {}
        self._lock = threading.Lock()

    def add(self, conversation: Conversation) -> None:
        self._items[conversation.id] = conversation
        self._messages[conversation.id] = []

    def get(self, conversation_id: ConversationId) -> Conversation | None:
        return self._items.get(conversation_id)

    def update(self, conversation: Conversation) -> None:
        if conversation.id not in self._items:
            raise NotFoundError(f"conversation {conversation.id} does not exist")
        self._items[conversation.id] = conversation

    def for_customer(self, customer_id: CustomerId) -> Sequence[Conversation]:
        found = [c for c in self._items.values() if c.customer_id == customer_id]
        return sorted(found, key=lambda c: c.created_at)

    def add_message(self, message: Message) -> None:
        with self._lock:
            if message.conversation_id not in self._messages:
                raise NotFoundError(f"conversation {message.conversation_id} does not exist")
            self._messages[message.conversation_id].append(message)

    def messages(self, conversation_id: ConversationId) -> Sequence[Message]:
        return list(self._messages.get(conversation_id, []))


class InMemoryHandoffRepo:
    def __init__(self) -> None:
        self._items: dict[HandoffId, Handoff] = {}
        self._lock = threading.Lock()

    def add(self, handoff: Handoff) -> None:
        with self._lock:
            active = self.active_for_conversation(handoff.conversation_id)
            if handoff.status in _ACTIVE and active is not None:
                raise ConflictError("this conversation already has an active handoff")
            self._items[handoff.id] = handoff

    def get(self, handoff_id: HandoffId) -> Handoff | None:
        return self._items.get(handoff_id)

    def update(self, handoff: Handoff) -> None:
        if handoff.id not in self._items:
            raise NotFoundError(f"handoff {handoff.id} does not exist")
        self._items[handoff.id] = handoff

    def list(self, status: HandoffStatus | None = None) -> Sequence[Handoff]:
        found = [h for h in self._items.values() if status is None or h.status is status]
        return sorted(found, key=lambda h: h.created_at)

    def active_for_conversation(self, conversation_id: ConversationId) -> Handoff | None:
        return next(
            (
                h
                for h in self._items.values()
                if h.conversation_id == conversation_id and h.status in _ACTIVE
            ),
            None,
        )


class InMemoryKnowledgeRepo:
    def __init__(self) -> None:
        self._articles: dict[ArticleId, Article] = {}
        self._chunks: dict[ArticleId, list[Chunk]] = {}
        self._versions: list[KnowledgeVersion] = []

    def record_version(
        self, *, added: int, updated: int, deleted: int, at: datetime
    ) -> KnowledgeVersion:
        version = KnowledgeVersion(len(self._versions) + 1, at, added, updated, deleted)
        self._versions.append(version)
        return version

    def version(self) -> KnowledgeVersion | None:
        return self._versions[-1] if self._versions else None

    def save_article(self, article: Article, chunks: Sequence[Chunk]) -> None:
        self._articles[article.id] = article
        self._chunks[article.id] = list(chunks)

    def delete_article(self, article_id: ArticleId) -> bool:
        self._chunks.pop(article_id, None)
        return self._articles.pop(article_id, None) is not None

    def get_article(self, article_id: ArticleId) -> Article | None:
        return self._articles.get(article_id)

    def articles(self) -> Sequence[Article]:
        return sorted(self._articles.values(), key=lambda a: a.id)

    def chunks(self) -> Sequence[Chunk]:
        return [
            chunk
            for article_id in sorted(self._chunks)
            for chunk in sorted(self._chunks[article_id], key=lambda c: c.ordinal)
        ]


class InMemoryTraceRepo:
    def __init__(self) -> None:
        self._items: list[DecisionTrace] = []

    def add(self, trace: DecisionTrace) -> None:
        self._items.append(trace)

    def for_conversation(self, conversation_id: ConversationId) -> Sequence[DecisionTrace]:
        return [t for t in self._items if t.conversation_id == conversation_id]


class InMemoryPolicyRepo:
    def __init__(self) -> None:
        self._items: list[PolicyRecord] = []

    def record(self, record: PolicyRecord) -> None:
        self._items.append(record)

    def history(self) -> Sequence[PolicyRecord]:
        return list(reversed(self._items))


class InMemoryUserRepo:
    def __init__(self) -> None:
        self._items: dict[UserId, User] = {}

    def add(self, user: User) -> None:
        if self.find_by_email(user.email):
            raise ConflictError(f"a user with email {user.email} exists")
        self._items[user.id] = user

    def get(self, user_id: UserId) -> User | None:
        return self._items.get(user_id)

    def update(self, user: User) -> None:
        if user.id not in self._items:
            raise NotFoundError(f"user {user.id} does not exist")
        self._items[user.id] = user

    def find_by_email(self, email: str) -> User | None:
        return next((u for u in self._items.values() if u.email == email), None)

    def find_by_api_key_hash(self, api_key_hash: str) -> User | None:
        return next((u for u in self._items.values() if u.api_key_hash == api_key_hash), None)


class InMemoryEventLog:
    def __init__(self) -> None:
        self._items: list[StoredEvent] = []

    def append(self, event: Event) -> None:
        self._items.append(
            StoredEvent(event.type, event.conversation_id, event.at, event.payload())
        )

    def all(self) -> Sequence[StoredEvent]:
        return list(self._items)


class InMemoryEmbeddingCache:
    """Vectors in a dict, for tests and single-process use. Thread-safe; stores read-only
    copies so a caller changing its array cannot change the cache. With ``max_items``, the
    least recently used vectors go first, so a long-running server's memory stays bounded."""

    def __init__(self, max_items: int | None = None) -> None:
        self._items: OrderedDict[tuple[str, str], NDArray[np.float32]] = OrderedDict()
        self._max = max_items
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        with self._lock:
            found = {h: self._items[(model, h)] for h in hashes if (model, h) in self._items}
            if self._max is not None:
                for h in found:
                    self._items.move_to_end((model, h))
            return found

    def put_many(self, model: str, items: dict[str, NDArray[np.float32]]) -> None:
        with self._lock:
            for content_hash, vector in items.items():
                stored = np.array(vector, dtype=np.float32)
                stored.flags.writeable = False
                self._items[(model, content_hash)] = stored
                self._items.move_to_end((model, content_hash))
            if self._max is not None:
                while len(self._items) > self._max:
                    self._items.popitem(last=False)


def in_memory_store() -> Store:
    return Store(
        customers=InMemoryCustomerRepo(),
        conversations=InMemoryConversationRepo(),
        handoffs=InMemoryHandoffRepo(),
        knowledge=InMemoryKnowledgeRepo(),
        traces=InMemoryTraceRepo(),
        users=InMemoryUserRepo(),
        events=InMemoryEventLog(),
        embeddings=InMemoryEmbeddingCache(),
        policies=InMemoryPolicyRepo(),
    )
