"""SQL implementations of the repository ports (SQLAlchemy Core, one transaction per call)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray

from warmline.domain.conversations import (
    Channel,
    Citation,
    Conversation,
    ConversationStatus,
    Message,
    Role,
)
from warmline.domain.customers import Customer
from warmline.domain.events import Event, StoredEvent
from warmline.domain.handoffs import Brief, Handoff, HandoffStatus, Reason, ReasonCode
from warmline.domain.ids import (
    ArticleId,
    ChunkId,
    ConversationId,
    CustomerId,
    HandoffId,
    MessageId,
    TraceId,
    UserId,
)
from warmline.domain.knowledge import Article, Audience, Chunk, KnowledgeVersion
from warmline.domain.policies import PolicyRecord
from warmline.domain.traces import DecisionTrace
from warmline.domain.users import User, UserRole
from warmline.errors import ConflictError, NotFoundError
from warmline.storage.ports import Store
from warmline.storage.sql import tables as t

_ACTIVE = (HandoffStatus.OPEN.value, HandoffStatus.CLAIMED.value)


def _utc(value: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; everything Warmline stores is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


class _Repo:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    def _write(self, statement: sa.Executable, what: str) -> sa.CursorResult[Any]:
        try:
            with self._engine.begin() as connection:
                return connection.execute(statement)
        except sa.exc.IntegrityError as error:
            raise ConflictError(f"{what} clashes with existing data") from error

    def _rows(self, statement: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
        with self._engine.connect() as connection:
            return connection.execute(statement).all()

    def _row(self, statement: sa.Select[Any]) -> sa.Row[Any] | None:
        with self._engine.connect() as connection:
            return connection.execute(statement).first()


class SqlCustomerRepo(_Repo):
    def add(self, customer: Customer) -> None:
        self._write(
            t.customers.insert().values(
                id=customer.id,
                email=customer.email,
                name=customer.name,
                external_id=customer.external_id,
                created_at=customer.created_at,
                lifetime_value=customer.lifetime_value,
            ),
            "customer",
        )

    def set_lifetime_value(self, customer_id: CustomerId, value: float | None) -> None:
        self._write(
            t.customers.update()
            .where(t.customers.c.id == customer_id)
            .values(lifetime_value=value),
            "customer",
        )

    def get(self, customer_id: CustomerId) -> Customer | None:
        return self._one(t.customers.c.id == customer_id)

    def find_by_email(self, email: str) -> Customer | None:
        return self._one(t.customers.c.email == email)

    def find_by_external_id(self, external_id: str) -> Customer | None:
        return self._one(t.customers.c.external_id == external_id)

    def _one(self, where: sa.ColumnElement[bool]) -> Customer | None:
        row = self._row(sa.select(t.customers).where(where))
        if row is None:
            return None
        return Customer(
            id=CustomerId(row.id),
            email=row.email,
            name=row.name,
            external_id=row.external_id,
            created_at=_utc(row.created_at),
            lifetime_value=row.lifetime_value,
        )


def _conversation(row: sa.Row[Any]) -> Conversation:
    return Conversation(
        id=ConversationId(row.id),
        customer_id=CustomerId(row.customer_id),
        channel=Channel(row.channel),
        status=ConversationStatus(row.status),
        agent_id=UserId(row.agent_id) if row.agent_id else None,
        token_hash=row.token_hash,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        identity_verified=bool(row.identity_verified),
    )


def _message(row: sa.Row[Any]) -> Message:
    return Message(
        id=MessageId(row.id),
        conversation_id=ConversationId(row.conversation_id),
        role=Role(row.role),
        text=row.text,
        created_at=_utc(row.created_at),
        author_id=UserId(row.author_id) if row.author_id else None,
        author_name=row.author_name,
        citations=tuple(
            Citation(
                article_id=ArticleId(c["article_id"]),
                title=c["title"],
                source=c["source"],
                section=c.get("section"),
                snippet=c["snippet"],
            )
            for c in row.citations
        ),
    )


class SqlConversationRepo(_Repo):
    def add(self, conversation: Conversation) -> None:
        self._write(t.conversations.insert().values(**self._values(conversation)), "conversation")

    def get(self, conversation_id: ConversationId) -> Conversation | None:
        row = self._row(sa.select(t.conversations).where(t.conversations.c.id == conversation_id))
        return None if row is None else _conversation(row)

    def update(self, conversation: Conversation) -> None:
        result = self._write(
            t.conversations.update()
            .where(t.conversations.c.id == conversation.id)
            .values(**self._values(conversation)),
            "conversation",
        )
        if result.rowcount == 0:
            raise NotFoundError(f"conversation {conversation.id} does not exist")

    def for_customer(self, customer_id: CustomerId) -> Sequence[Conversation]:
        rows = self._rows(
            sa.select(t.conversations)
            .where(t.conversations.c.customer_id == customer_id)
            .order_by(t.conversations.c.created_at)
        )
        return [_conversation(row) for row in rows]

    def add_message(self, message: Message) -> None:
        try:
            self._write(
                t.messages.insert().values(
                    id=message.id,
                    conversation_id=message.conversation_id,
                    role=message.role.value,
                    text=message.text,
                    author_id=message.author_id,
                    author_name=message.author_name,
                    citations=[
                        {
                            "article_id": c.article_id,
                            "title": c.title,
                            "source": c.source,
                            "section": c.section,
                            "snippet": c.snippet,
                        }
                        for c in message.citations
                    ],
                    created_at=message.created_at,
                ),
                "message",
            )
        except ConflictError:
            # Read only on this rare path: the foreign key refused a missing conversation.
            if self.get(message.conversation_id) is None:
                raise NotFoundError(
                    f"conversation {message.conversation_id} does not exist"
                ) from None
            raise

    def messages(self, conversation_id: ConversationId) -> Sequence[Message]:
        rows = self._rows(
            sa.select(t.messages)
            .where(t.messages.c.conversation_id == conversation_id)
            .order_by(t.messages.c.seq)
        )
        return [_message(row) for row in rows]

    @staticmethod
    def _values(conversation: Conversation) -> dict[str, Any]:
        return {
            "id": conversation.id,
            "customer_id": conversation.customer_id,
            "channel": conversation.channel.value,
            "status": conversation.status.value,
            "agent_id": conversation.agent_id,
            "token_hash": conversation.token_hash,
            "created_at": conversation.created_at,
            "updated_at": conversation.updated_at,
            "identity_verified": conversation.identity_verified,
        }


def _reasons_json(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    return [{"code": r.code.value, "evidence": r.evidence} for r in reasons]


def _reasons(data: Sequence[dict[str, str]]) -> tuple[Reason, ...]:
    return tuple(Reason(ReasonCode(r["code"]), r["evidence"]) for r in data)


def _brief_json(brief: Brief) -> dict[str, Any]:
    return {
        "summary": brief.summary,
        "reasons": _reasons_json(brief.reasons),
        "customer_name": brief.customer_name,
        "customer_verified": brief.customer_verified,
        "intent": brief.intent,
        "told_customer": brief.told_customer,
        "suggested_next_step": brief.suggested_next_step,
        "ai_answers": list(brief.ai_answers),
        "data_collected": list(brief.data_collected),
        "sentiment": list(brief.sentiment),
        "recovery_note": brief.recovery_note,
        "customer_value": brief.customer_value,
        "actions_tried": list(brief.actions_tried),
    }


def _brief(data: dict[str, Any]) -> Brief:
    return Brief(
        summary=data["summary"],
        reasons=_reasons(data["reasons"]),
        customer_name=data["customer_name"],
        customer_verified=data["customer_verified"],
        intent=data["intent"],
        told_customer=data["told_customer"],
        suggested_next_step=data["suggested_next_step"],
        ai_answers=tuple(data["ai_answers"]),
        # Briefs written before these fields existed read as empty.
        data_collected=tuple(data.get("data_collected", ())),
        sentiment=tuple(float(v) for v in data.get("sentiment", ())),
        recovery_note=data.get("recovery_note"),
        customer_value=data.get("customer_value"),
        actions_tried=tuple(data.get("actions_tried", ())),
    )


def _handoff(row: sa.Row[Any]) -> Handoff:
    return Handoff(
        id=HandoffId(row.id),
        conversation_id=ConversationId(row.conversation_id),
        status=HandoffStatus(row.status),
        reasons=_reasons(row.reasons),
        priority=row.priority,
        queue=row.queue,
        brief=_brief(row.brief),
        created_at=_utc(row.created_at),
        claimed_by=UserId(row.claimed_by) if row.claimed_by else None,
        claimed_at=_utc_or_none(row.claimed_at),
        closed_at=_utc_or_none(row.closed_at),
    )


class SqlHandoffRepo(_Repo):
    def add(self, handoff: Handoff) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(t.handoffs.insert().values(**self._values(handoff)))
        except sa.exc.IntegrityError as error:
            # The partial unique index allows one open or claimed handoff per conversation.
            raise ConflictError("this conversation already has an active handoff") from error

    def get(self, handoff_id: HandoffId) -> Handoff | None:
        row = self._row(sa.select(t.handoffs).where(t.handoffs.c.id == handoff_id))
        return None if row is None else _handoff(row)

    def update(self, handoff: Handoff) -> None:
        result = self._write(
            t.handoffs.update()
            .where(t.handoffs.c.id == handoff.id)
            .values(**self._values(handoff)),
            "handoff",
        )
        if result.rowcount == 0:
            raise NotFoundError(f"handoff {handoff.id} does not exist")

    def list(self, status: HandoffStatus | None = None) -> Sequence[Handoff]:
        query = sa.select(t.handoffs).order_by(t.handoffs.c.created_at, t.handoffs.c.id)
        if status is not None:
            query = query.where(t.handoffs.c.status == status.value)
        return [_handoff(row) for row in self._rows(query)]

    def active_for_conversation(self, conversation_id: ConversationId) -> Handoff | None:
        row = self._row(
            sa.select(t.handoffs).where(
                t.handoffs.c.conversation_id == conversation_id,
                t.handoffs.c.status.in_(_ACTIVE),
            )
        )
        return None if row is None else _handoff(row)

    @staticmethod
    def _values(handoff: Handoff) -> dict[str, Any]:
        return {
            "id": handoff.id,
            "conversation_id": handoff.conversation_id,
            "status": handoff.status.value,
            "reasons": _reasons_json(handoff.reasons),
            "priority": handoff.priority,
            "queue": handoff.queue,
            "brief": _brief_json(handoff.brief),
            "claimed_by": handoff.claimed_by,
            "created_at": handoff.created_at,
            "claimed_at": handoff.claimed_at,
            "closed_at": handoff.closed_at,
        }


def _article(row: sa.Row[Any]) -> Article:
    return Article(
        id=ArticleId(row.id),
        title=row.title,
        type=row.type,
        audience=Audience(row.audience),
        authoritative=row.authoritative,
        source=row.source,
        body=row.body,
        content_hash=row.content_hash,
        effective=row.effective,
        origin=row.origin,
    )


class SqlKnowledgeRepo(_Repo):
    def save_article(self, article: Article, chunks: Sequence[Chunk]) -> None:
        values = {
            "id": article.id,
            "title": article.title,
            "type": article.type,
            "audience": article.audience.value,
            "authoritative": article.authoritative,
            "source": article.source,
            "body": article.body,
            "content_hash": article.content_hash,
            "effective": article.effective,
            "origin": article.origin,
        }
        with self._engine.begin() as connection:
            connection.execute(t.chunks.delete().where(t.chunks.c.article_id == article.id))
            connection.execute(t.articles.delete().where(t.articles.c.id == article.id))
            connection.execute(t.articles.insert().values(**values))
            if chunks:
                connection.execute(
                    t.chunks.insert(),
                    [
                        {
                            "id": c.id,
                            "article_id": c.article_id,
                            "ordinal": c.ordinal,
                            "section": c.section,
                            "text": c.text,
                        }
                        for c in chunks
                    ],
                )

    def delete_article(self, article_id: ArticleId) -> bool:
        with self._engine.begin() as connection:
            connection.execute(t.chunks.delete().where(t.chunks.c.article_id == article_id))
            result = connection.execute(t.articles.delete().where(t.articles.c.id == article_id))
            return result.rowcount > 0

    def get_article(self, article_id: ArticleId) -> Article | None:
        row = self._row(sa.select(t.articles).where(t.articles.c.id == article_id))
        return None if row is None else _article(row)

    def articles(self) -> Sequence[Article]:
        return [_article(r) for r in self._rows(sa.select(t.articles).order_by(t.articles.c.id))]

    def chunks(self) -> Sequence[Chunk]:
        rows = self._rows(sa.select(t.chunks).order_by(t.chunks.c.article_id, t.chunks.c.ordinal))
        return [
            Chunk(
                id=ChunkId(r.id),
                article_id=ArticleId(r.article_id),
                ordinal=r.ordinal,
                section=r.section,
                text=r.text,
            )
            for r in rows
        ]

    def record_version(
        self, *, added: int, updated: int, deleted: int, at: datetime
    ) -> KnowledgeVersion:
        with self._engine.begin() as connection:
            number = connection.execute(
                t.kb_versions.insert()
                .values(created_at=at, added=added, updated=updated, deleted=deleted)
                .returning(t.kb_versions.c.number)
            ).scalar_one()
        return KnowledgeVersion(number, at, added, updated, deleted)

    def version(self) -> KnowledgeVersion | None:
        row = self._row(sa.select(t.kb_versions).order_by(t.kb_versions.c.number.desc()).limit(1))
        if row is None:
            return None
        return KnowledgeVersion(
            row.number, _utc(row.created_at), row.added, row.updated, row.deleted
        )


class SqlEmbeddingCache(_Repo):
    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        found: dict[str, NDArray[np.float32]] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), 500):
            rows = self._rows(
                sa.select(t.embeddings.c.content_hash, t.embeddings.c.vector).where(
                    t.embeddings.c.model == model,
                    t.embeddings.c.content_hash.in_(unique[start : start + 500]),
                )
            )
            for row in rows:
                found[row.content_hash] = np.frombuffer(row.vector, dtype=np.float32).copy()
        return found

    def put_many(self, model: str, items: dict[str, NDArray[np.float32]]) -> None:
        if not items:
            return
        known = set(self.get_many(model, list(items)))
        rows = [
            {"model": model, "content_hash": h, "vector": np.asarray(v, np.float32).tobytes()}
            for h, v in items.items()
            if h not in known
        ]
        if rows:
            with self._engine.begin() as connection:
                connection.execute(t.embeddings.insert(), rows)


class SqlTraceRepo(_Repo):
    def add(self, trace: DecisionTrace) -> None:
        self._write(
            t.traces.insert().values(
                id=trace.id,
                conversation_id=trace.conversation_id,
                customer_message_id=trace.customer_message_id,
                reply_message_id=trace.reply_message_id,
                decision=trace.decision,
                rule=trace.rule,
                confidence=trace.confidence,
                retrieved=list(trace.retrieved),
                signals=trace.signals,
                extra=trace.extra,
                created_at=trace.created_at,
            ),
            "trace",
        )

    def for_conversation(self, conversation_id: ConversationId) -> Sequence[DecisionTrace]:
        rows = self._rows(
            sa.select(t.traces)
            .where(t.traces.c.conversation_id == conversation_id)
            .order_by(t.traces.c.created_at, t.traces.c.id)
        )
        return [
            DecisionTrace(
                id=TraceId(r.id),
                conversation_id=ConversationId(r.conversation_id),
                customer_message_id=MessageId(r.customer_message_id),
                reply_message_id=MessageId(r.reply_message_id) if r.reply_message_id else None,
                decision=r.decision,
                rule=r.rule,
                confidence=r.confidence,
                retrieved=tuple(r.retrieved),
                signals=r.signals,
                extra=r.extra,
                created_at=_utc(r.created_at),
            )
            for r in rows
        ]


def _user(row: sa.Row[Any]) -> User:
    return User(
        id=UserId(row.id),
        email=row.email,
        name=row.name,
        role=UserRole(row.role),
        api_key_hash=row.api_key_hash,
        created_at=_utc(row.created_at),
    )


class SqlUserRepo(_Repo):
    def add(self, user: User) -> None:
        self._write(t.users.insert().values(**self._values(user)), f"user {user.email}")

    def get(self, user_id: UserId) -> User | None:
        row = self._row(sa.select(t.users).where(t.users.c.id == user_id))
        return None if row is None else _user(row)

    def update(self, user: User) -> None:
        result = self._write(
            t.users.update().where(t.users.c.id == user.id).values(**self._values(user)),
            f"user {user.email}",
        )
        if result.rowcount == 0:
            raise NotFoundError(f"user {user.id} does not exist")

    def find_by_email(self, email: str) -> User | None:
        row = self._row(sa.select(t.users).where(t.users.c.email == email))
        return None if row is None else _user(row)

    def find_by_api_key_hash(self, api_key_hash: str) -> User | None:
        row = self._row(sa.select(t.users).where(t.users.c.api_key_hash == api_key_hash))
        return None if row is None else _user(row)

    @staticmethod
    def _values(user: User) -> dict[str, Any]:
        return {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "api_key_hash": user.api_key_hash,
            "created_at": user.created_at,
        }


class SqlEventLog(_Repo):
    def append(self, event: Event) -> None:
        self._write(
            t.events.insert().values(
                type=event.type,
                conversation_id=event.conversation_id,
                at=event.at,
                data=event.payload(),
            ),
            "event",
        )

    def all(self) -> Sequence[StoredEvent]:
        rows = self._rows(sa.select(t.events).order_by(t.events.c.seq))
        return [
            StoredEvent(r.type, ConversationId(r.conversation_id), _utc(r.at), r.data) for r in rows
        ]


class SqlPolicyRepo(_Repo):
    def record(self, record: PolicyRecord) -> None:
        self._write(
            t.policy_versions.insert().values(
                version=record.version,
                checksum=record.checksum,
                text=record.text,
                activated_at=record.activated_at,
                intent_model=record.intent_model,
            ),
            "policy version",
        )

    def history(self) -> Sequence[PolicyRecord]:
        rows = self._rows(sa.select(t.policy_versions).order_by(t.policy_versions.c.seq.desc()))
        return [
            PolicyRecord(r.version, r.checksum, r.text, _utc(r.activated_at), r.intent_model)
            for r in rows
        ]


def sql_store(engine: sa.Engine) -> Store:
    return Store(
        customers=SqlCustomerRepo(engine),
        conversations=SqlConversationRepo(engine),
        handoffs=SqlHandoffRepo(engine),
        knowledge=SqlKnowledgeRepo(engine),
        traces=SqlTraceRepo(engine),
        users=SqlUserRepo(engine),
        events=SqlEventLog(engine),
        embeddings=SqlEmbeddingCache(engine),
        policies=SqlPolicyRepo(engine),
    )
