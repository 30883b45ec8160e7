"""Live updates over server-sent events: one stream per conversation, one for the inbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

from fastapi import APIRouter, Request
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from warmline.api.deps import Agent, CustomerConversation, Services
from warmline.api.schemas import HandoffOut, MessageOut
from warmline.bootstrap import Container
from warmline.domain.conversations import ConversationStatus, Message, Role
from warmline.domain.events import (
    Event,
    HandoffClaimed,
    HandoffOpened,
    HandoffReleased,
    HandoffResolved,
    MessagePosted,
)
from warmline.domain.ids import ConversationId

router = APIRouter(prefix="/v1", tags=["live"])

HANDOFF_EVENTS = (HandoffOpened, HandoffClaimed, HandoffReleased, HandoffResolved)
PING_SECONDS = 15


def _find_message(c: Container, event: MessagePosted) -> Message | None:
    messages = c.conversations.messages(event.conversation_id)
    return next((m for m in reversed(messages) if m.id == event.message_id), None)


def _frame(name: str, data: str, event_id: str | None = None) -> dict[str, str]:
    frame = {"event": name, "data": data}
    if event_id:
        frame["id"] = event_id
    return frame


async def _stream(
    request: Request,
    c: Container,
    accept: Callable[[Event], bool],
    render: Callable[[Event], list[dict[str, str]]],
    backlog: list[dict[str, str]],
) -> AsyncIterator[dict[str, str]]:
    async with c.bus.subscribe(accept) as events:
        for frame in backlog:
            yield frame
        async for event in events:
            if await request.is_disconnected():
                return
            for frame in await run_in_threadpool(render, event):
                yield frame


@router.get("/conversations/{conversation_id}/events")
async def conversation_events(
    request: Request, conversation: CustomerConversation, c: Services, after: str | None = None
) -> EventSourceResponse:
    """Messages and status changes of one conversation. ``after`` replays messages after that id."""
    conversation_id = conversation.id

    def accept(event: Event) -> bool:
        return event.conversation_id == conversation_id and isinstance(
            event, (MessagePosted, *HANDOFF_EVENTS)
        )

    def render(event: Event) -> list[dict[str, str]]:
        if isinstance(event, MessagePosted):
            found = _find_message(c, event)
            return (
                [_frame("message", MessageOut.of(found).model_dump_json(), found.id)]
                if found
                else []
            )
        current = c.conversations.get(ConversationId(conversation_id))
        agent = c.store.users.get(current.agent_id) if current.agent_id else None
        data = {
            "id": current.id,
            "status": current.status.value,
            "owner": current.owner,
            "owner_name": (agent.name or "a support agent") if agent else None,
        }
        return [_frame("conversation", json.dumps(data))]

    backlog: list[dict[str, str]] = []
    if after:
        messages = list(c.conversations.messages(conversation_id))
        ids: list[str] = [m.id for m in messages]
        if after in ids:
            backlog = [
                _frame("message", MessageOut.of(m).model_dump_json(), m.id)
                for m in messages[ids.index(after) + 1 :]
            ]
    return EventSourceResponse(_stream(request, c, accept, render, backlog), ping=PING_SECONDS)


@router.get("/inbox/events")
async def inbox_events(request: Request, _: Agent, c: Services) -> EventSourceResponse:
    """Handoff changes and messages of handed-over conversations, for the agent inbox."""

    def accept(event: Event) -> bool:
        return isinstance(event, (MessagePosted, *HANDOFF_EVENTS))

    def render(event: Event) -> list[dict[str, str]]:
        if isinstance(event, HANDOFF_EVENTS):
            handoff = c.handoffs.get(event.handoff_id)
            return [_frame("handoff", HandoffOut.of(c.handoffs.view(handoff)).model_dump_json())]
        assert isinstance(event, MessagePosted)
        conversation = c.conversations.get(event.conversation_id)
        handed_over = conversation.status in (
            ConversationStatus.WAITING,
            ConversationStatus.WITH_AGENT,
        )
        if not handed_over and event.role != Role.SYSTEM.value:
            return []
        found = _find_message(c, event)
        return (
            [_frame("message", MessageOut.of(found).model_dump_json(), found.id)] if found else []
        )

    return EventSourceResponse(_stream(request, c, accept, render, []), ping=PING_SECONDS)
