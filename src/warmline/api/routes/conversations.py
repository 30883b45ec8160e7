"""Customer-facing routes: conversations, messages, the handoff button, feedback."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from warmline.api.deps import CustomerConversation, Services, bearer
from warmline.api.schemas import (
    ConversationOut,
    FeedbackIn,
    HandoffRequestedOut,
    MessageOut,
    Ok,
    ReplyOut,
    StartConversationIn,
    StartedOut,
    TextIn,
    TurnOut,
)
from warmline.domain.conversations import Channel
from warmline.domain.customers import CustomerInfo

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])


@router.post("", status_code=201, response_model=StartedOut)
def start_conversation(body: StartConversationIn, request: Request, c: Services) -> StartedOut:
    """Start a conversation. Keep the returned token: every later call needs it.

    `customer.lifetime_value` moves the customer up the queue and `customer.verified` tells the
    agent the shop signed the customer in, so both are taken only from a caller with an API key
    (the shop's own server), never from the public widget."""
    if body.customer.lifetime_value is not None or body.customer.verified:
        c.accounts.authenticate(bearer(request))  # 401 without a valid key; nothing is saved
    started = c.conversations.start(
        Channel(body.channel),
        CustomerInfo(
            email=body.customer.email,
            name=body.customer.name,
            external_id=body.customer.external_id,
            lifetime_value=body.customer.lifetime_value,
            verified=body.customer.verified,
        ),
    )
    view = ConversationOut.of(started.conversation, list(started.messages))
    return StartedOut(**view.model_dump(), token=started.token)


@router.get("/{conversation_id}", response_model=ConversationOut)
def get_conversation(conversation: CustomerConversation, c: Services) -> ConversationOut:
    """The conversation with its messages; the last one carries the topics it still offers."""
    agent = c.store.users.get(conversation.agent_id) if conversation.agent_id else None
    messages = list(c.conversations.messages(conversation.id))
    return ConversationOut.of(
        conversation,
        messages,
        owner_name=(agent.name or "a support agent") if agent else None,
        topics=c.conversations.open_topics(conversation, messages),
    )


@router.post("/{conversation_id}/messages", response_model=TurnOut)
async def post_message(body: TextIn, conversation: CustomerConversation, c: Services) -> TurnOut:
    """Send the customer's message. It is saved before the reply is made."""
    turn = await run_in_threadpool(c.conversations.post, conversation.id, body.text)
    return TurnOut(message=MessageOut.of(turn.message), reply=ReplyOut.of(turn.reply))


@router.post("/{conversation_id}/handoff", response_model=HandoffRequestedOut)
def request_handoff(conversation: CustomerConversation, c: Services) -> HandoffRequestedOut:
    """The "Talk to a person" button."""
    handoff, message = c.conversations.request_handoff(conversation.id)
    return HandoffRequestedOut(
        handoff_id=handoff.id, status=handoff.status.value, message=MessageOut.of(message)
    )


@router.post("/{conversation_id}/feedback", response_model=Ok)
def give_feedback(body: FeedbackIn, conversation: CustomerConversation, c: Services) -> Ok:
    c.conversations.feedback(conversation.id, body.resolved, body.csat)
    return Ok()
