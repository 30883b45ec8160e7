"""Request and response models of HTTP API v1. Pydantic lives here, at the edge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from warmline.analytics.metrics import Summary
from warmline.domain.conversations import Citation, Conversation, Message
from warmline.domain.handoffs import Brief
from warmline.domain.policies import PolicyRecord
from warmline.domain.traces import DecisionTrace
from warmline.domain.users import User
from warmline.engine.conversations import Reply
from warmline.engine.copilot import Copilot
from warmline.engine.handoffs import HandoffView


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerIn(_In):
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    name: str | None = Field(default=None, max_length=200)
    external_id: str | None = Field(default=None, max_length=200)
    lifetime_value: float | None = Field(
        default=None,
        ge=0,
        le=1e12,
        description="What the customer has spent, as the shop reports it. Accepted only with an "
        "API key (a server-to-server start): it moves the customer up the queue.",
    )
    verified: bool = Field(
        default=False,
        description="The shop signed this customer in before starting the chat, so the agent "
        "can trust who they are. Accepted only with an API key; holds for this conversation.",
    )


class StartConversationIn(_In):
    channel: Literal["web", "api"] = "web"
    customer: CustomerIn = Field(default_factory=CustomerIn)


class TextIn(_In):
    text: str = Field(max_length=100_000, description="The message; the length limit is a setting.")


class FeedbackIn(_In):
    resolved: bool
    csat: int | None = Field(default=None, ge=1, le=5)


class LoginIn(_In):
    email: str = Field(max_length=320)
    api_key: str = Field(max_length=200)


class CitationOut(BaseModel):
    article_id: str
    title: str
    source: str
    section: str | None
    snippet: str

    @classmethod
    def of(cls, c: Citation) -> CitationOut:
        return cls(
            article_id=c.article_id,
            title=c.title,
            source=c.source,
            section=c.section,
            snippet=c.snippet,
        )


class MessageOut(BaseModel):
    id: str
    conversation_id: str
    role: Literal["customer", "ai", "agent", "system"]
    text: str
    created_at: datetime
    author_name: str | None
    citations: list[CitationOut]

    @classmethod
    def of(cls, m: Message) -> Self:
        return cls(
            id=m.id,
            conversation_id=m.conversation_id,
            role=m.role.value,
            text=m.text,
            created_at=m.created_at,
            author_name=m.author_name,
            citations=[CitationOut.of(c) for c in m.citations],
        )


class ListedMessageOut(MessageOut):
    """A message as a conversation lists it: with the topics the customer can still pick."""

    topics: list[str] = Field(
        default_factory=list,
        description="On the conversation's last message, when it is a clarifying question the "
        "AI will read the reply to: the help-center topics it offers, best first (sending one "
        "back picks it). Empty on every other message: an offer ends with the next message.",
    )


class ConversationOut(BaseModel):
    id: str
    customer_id: str
    status: str
    owner: Literal["ai", "agent"]
    owner_name: str | None = None
    messages: list[ListedMessageOut]

    @classmethod
    def of(
        cls,
        c: Conversation,
        messages: list[Message],
        owner_name: str | None = None,
        topics: Sequence[str] = (),
    ) -> ConversationOut:
        """``topics``: what the last message still offers."""
        listed = [ListedMessageOut.of(m) for m in messages]
        if listed and topics:
            listed[-1].topics = list(topics)
        return cls(
            id=c.id,
            customer_id=c.customer_id,
            status=c.status.value,
            owner="ai" if c.owner == "ai" else "agent",
            owner_name=owner_name,
            messages=listed,
        )


class StartedOut(ConversationOut):
    token: str


class EscalationOut(BaseModel):
    reasons: list[str]
    handoff_id: str


class ReplyOut(BaseModel):
    text: str
    decision: Literal["answer", "clarify", "acknowledge", "escalate", "none"]
    confidence: float | None
    citations: list[CitationOut]
    escalation: EscalationOut | None
    message: MessageOut | None
    topics: list[str] = Field(
        default_factory=list,
        description="For a clarifying question: the help-center topics it offers, best first. "
        "Sending one back as the next message picks it.",
    )

    @classmethod
    def of(cls, r: Reply) -> ReplyOut:
        decision: Literal["answer", "clarify", "acknowledge", "escalate", "none"] = r.decision  # type: ignore[assignment]
        return cls(
            text=r.text,
            decision=decision,
            confidence=r.confidence,
            citations=[CitationOut.of(c) for c in r.citations],
            escalation=(
                EscalationOut(reasons=[c.value for c in r.reasons], handoff_id=r.handoff_id)
                if r.handoff_id
                else None
            ),
            message=MessageOut.of(r.message) if r.message else None,
            topics=list(r.topics),
        )


class TurnOut(BaseModel):
    message: MessageOut
    reply: ReplyOut


class HandoffRequestedOut(BaseModel):
    handoff_id: str
    status: str
    message: MessageOut


class UserOut(BaseModel):
    id: str
    email: str
    role: str
    name: str | None

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(id=u.id, email=u.email, role=u.role.value, name=u.name)


class UserEnvelope(BaseModel):
    user: UserOut


class PersonOut(BaseModel):
    id: str
    email: str
    name: str | None


class CustomerOut(BaseModel):
    id: str
    name: str | None
    email: str | None


class ReasonOut(BaseModel):
    code: str
    evidence: str


class BriefOut(BaseModel):
    summary: str
    reasons: list[ReasonOut]
    customer: dict[str, str | bool | float | None]
    told_customer: str
    suggested_next_step: str
    intent: str | None
    ai_answers: list[str]
    data_collected: list[str]
    sentiment: list[float]
    recovery_note: str | None
    actions_tried: list[str]

    @classmethod
    def of(cls, b: Brief, email: str | None) -> BriefOut:
        return cls(
            summary=b.summary,
            reasons=[ReasonOut(code=r.code.value, evidence=r.evidence) for r in b.reasons],
            customer={
                "name": b.customer_name,
                "email": email,
                "verified": b.customer_verified,
                "lifetime_value": b.customer_value,
            },
            told_customer=b.told_customer,
            suggested_next_step=b.suggested_next_step,
            intent=b.intent,
            ai_answers=list(b.ai_answers),
            data_collected=list(b.data_collected),
            sentiment=list(b.sentiment),
            recovery_note=b.recovery_note,
            actions_tried=list(b.actions_tried),
        )


class HandoffOut(BaseModel):
    id: str
    conversation_id: str
    status: str
    reasons: list[str]
    priority: int
    queue: str
    created_at: datetime
    claimed_by: PersonOut | None
    customer: CustomerOut
    last_customer_message: str | None

    @classmethod
    def of(cls, v: HandoffView) -> HandoffOut:
        h = v.handoff
        return cls(
            id=h.id,
            conversation_id=h.conversation_id,
            status=h.status.value,
            reasons=[c.value for c in h.reason_codes],
            priority=h.priority,
            queue=h.queue,
            created_at=h.created_at,
            claimed_by=(
                PersonOut(id=v.claimed_by.id, email=v.claimed_by.email, name=v.claimed_by.name)
                if v.claimed_by
                else None
            ),
            customer=CustomerOut(
                id=v.conversation.customer_id,
                name=v.customer.name if v.customer else None,
                email=v.customer.email if v.customer else None,
            ),
            last_customer_message=v.last_customer_message,
        )


class HandoffDetailOut(HandoffOut):
    brief: BriefOut
    transcript: list[MessageOut]


class HandoffList(BaseModel):
    items: list[HandoffOut]


class MessageEnvelope(BaseModel):
    message: MessageOut


class SummaryOut(BaseModel):
    conversations: int
    ai_handled: int
    handoffs: int
    confirmed_resolution_rate: float | None
    containment_rate: float | None
    escalations_by_reason: dict[str, int]
    csat_avg: float | None
    feedback_count: int

    @classmethod
    def of(cls, s: Summary) -> SummaryOut:
        return cls(**s.__dict__)


class Ok(BaseModel):
    ok: bool = True


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ErrorBody(BaseModel):
    code: str
    message: str
    details: object | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class TraceOut(BaseModel):
    """One AI turn: what it retrieved, the draft and its verification, the decision and why."""

    id: str
    customer_message_id: str
    reply_message_id: str | None
    decision: str
    rule: str
    confidence: float | None
    signals: dict[str, Any]
    retrieved: list[dict[str, Any]]
    extra: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, t: DecisionTrace) -> TraceOut:
        return cls(
            id=t.id,
            customer_message_id=t.customer_message_id,
            reply_message_id=t.reply_message_id,
            decision=t.decision,
            rule=t.rule,
            confidence=t.confidence,
            signals=dict(t.signals),
            retrieved=[dict(r) for r in t.retrieved],
            extra=dict(t.extra),
            created_at=t.created_at,
        )


class TraceList(BaseModel):
    items: list[TraceOut]


class CopilotDraftOut(BaseModel):
    question: str
    text: str
    citations: list[CitationOut]
    confidence: float
    already_sent: bool = Field(
        description="Every sentence of the draft is already in the assistant's replies in "
        "this conversation."
    )


class PastHandoffOut(BaseModel):
    id: str
    status: str
    reasons: list[str]
    queue: str
    created_at: datetime


class PastConversationOut(BaseModel):
    id: str
    channel: str
    status: str
    created_at: datetime
    first_message: str | None
    handoffs: list[PastHandoffOut]


class CopilotOut(BaseModel):
    """The agent's co-pilot: a grounded draft reply and the customer's other conversations."""

    draft: CopilotDraftOut | None
    past_conversations: list[PastConversationOut]

    @classmethod
    def of(cls, copilot: Copilot) -> CopilotOut:
        draft = copilot.draft
        return cls(
            draft=CopilotDraftOut(
                question=draft.question,
                text=draft.text,
                citations=[CitationOut.of(c) for c in draft.citations],
                confidence=round(draft.confidence, 4),
                already_sent=draft.already_sent,
            )
            if draft
            else None,
            past_conversations=[
                PastConversationOut(
                    id=p.conversation.id,
                    channel=p.conversation.channel.value,
                    status=p.conversation.status.value,
                    created_at=p.conversation.created_at,
                    first_message=p.first_message,
                    handoffs=[
                        PastHandoffOut(
                            id=h.id,
                            status=h.status.value,
                            reasons=[c.value for c in h.reason_codes],
                            queue=h.queue,
                            created_at=h.created_at,
                        )
                        for h in p.handoffs
                    ],
                )
                for p in copilot.past
            ],
        )


class PolicyVersionOut(BaseModel):
    version: str
    checksum: str
    activated_at: datetime
    intent_model: str | None = None
    text: str | None = None

    @classmethod
    def of(cls, record: PolicyRecord, *, with_text: bool = False) -> PolicyVersionOut:
        return cls(
            version=record.version,
            checksum=record.checksum,
            activated_at=record.activated_at,
            intent_model=record.intent_model,
            text=record.text if with_text else None,
        )


class PolicyHistoryOut(BaseModel):
    active: PolicyVersionOut | None
    history: list[PolicyVersionOut]
