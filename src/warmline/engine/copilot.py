"""The agent's co-pilot: a grounded draft reply to what the customer asked, and the
customer's other conversations, on any channel, with their handoffs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warmline.domain.conversations import Citation, Conversation, Message, Role
from warmline.domain.handoffs import Handoff
from warmline.domain.ids import ConversationId
from warmline.domain.knowledge import Audience
from warmline.engine.answering import Answerer, KnowledgeSearch
from warmline.engine.transcript import history_lines
from warmline.knowledge.text import terms
from warmline.policy.model import Policy
from warmline.storage.ports import Store


@dataclass(frozen=True)
class CopilotDraft:
    question: str
    text: str
    citations: tuple[Citation, ...]
    confidence: float
    # Every sentence of it is already in the assistant's replies in this conversation: the
    # customer has read it (and asked for a person anyway, or it did not help).
    already_sent: bool = False


@dataclass(frozen=True)
class PastConversation:
    conversation: Conversation
    first_message: str | None
    handoffs: tuple[Handoff, ...]


@dataclass(frozen=True)
class Copilot:
    draft: CopilotDraft | None
    past: tuple[PastConversation, ...]


# How many of the customer's latest messages the co-pilot drafts a reply for.
_RECENT = 3


def _draft(
    question: str,
    messages: Sequence[Message],
    knowledge: KnowledgeSearch,
    answerer: Answerer,
    policy: Policy,
    *,
    ai_said: str,
) -> CopilotDraft | None:
    """A draft reply to ``question``; ``ai_said`` is everything the assistant has sent in the
    conversation, to tell whether the draft only repeats it."""
    hits = knowledge.search(question, k=policy.answering.retrieve_k)
    customer_hits = [h for h in hits if h.article.audience is Audience.CUSTOMER]
    if not customer_hits:
        return None
    drafted = answerer.draft(
        question,
        customer_hits,
        history=history_lines(messages[:-1]),
        content_terms=len(set(terms(question))),
    )
    if not drafted.verification.kept:
        return None
    return CopilotDraft(
        question=question,
        text=drafted.kept_text,
        citations=drafted.worded.citations,
        confidence=drafted.confidence,
        already_sent=all(s.text in ai_said for s in drafted.verification.kept),
    )


def build_copilot(
    conversation: Conversation,
    *,
    store: Store,
    knowledge: KnowledgeSearch,
    answerer: Answerer,
    policy: Policy,
) -> Copilot:
    """For the agent: a draft reply to what the customer asked in their last few messages
    (the surest one), grounded in the help center with citations (shown whatever its
    confidence: the agent decides), and the customer's other conversations, on any channel,
    with their handoffs."""
    messages = store.conversations.messages(conversation.id)
    customer = [m for m in messages if m.role is Role.CUSTOMER and terms(m.text)]
    # The latest message may ask nothing the agent needs a draft for ("ok can i just talk to
    # someone" after a refund question): the customer's recent messages, leaving out those
    # read as a request for a person, are each drafted for, and the surest draft is offered
    # with the question it answers.
    requests = {
        t.customer_message_id
        for t in store.traces.for_conversation(conversation.id)
        if t.signals.get("human_request")
    }
    asked = [m.text for m in customer if m.id not in requests] or [m.text for m in customer[-1:]]
    ai_said = " ".join(m.text for m in messages if m.role is Role.AI)
    drafts = [
        drafted
        for question in reversed(asked[-_RECENT:])
        if (drafted := _draft(question, messages, knowledge, answerer, policy, ai_said=ai_said))
        is not None
    ]
    draft = max(drafts, key=lambda d: d.confidence, default=None)
    past = []
    handoffs_by_conversation: dict[ConversationId, list[Handoff]] = {}
    for handoff in store.handoffs.list():
        handoffs_by_conversation.setdefault(handoff.conversation_id, []).append(handoff)
    for other in store.conversations.for_customer(conversation.customer_id):
        if other.id == conversation.id:
            continue
        first = next(
            (m.text for m in store.conversations.messages(other.id) if m.role is Role.CUSTOMER),
            None,
        )
        handoffs = handoffs_by_conversation.get(other.id, [])
        past.append(PastConversation(other, first, tuple(handoffs)))
    past.sort(key=lambda p: p.conversation.created_at, reverse=True)
    return Copilot(draft, tuple(past))
