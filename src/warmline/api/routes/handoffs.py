"""Agent routes: the handoff queue and the actions on one handoff."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from warmline.api.deps import Agent, Services
from warmline.api.schemas import (
    BriefOut,
    CopilotOut,
    HandoffDetailOut,
    HandoffList,
    HandoffOut,
    MessageEnvelope,
    MessageOut,
    TextIn,
)
from warmline.bootstrap import Container
from warmline.domain.handoffs import Handoff, HandoffStatus

router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"])


def _out(c: Container, handoff: Handoff) -> HandoffOut:
    return HandoffOut.of(c.handoffs.view(handoff))


@router.get("", response_model=HandoffList)
def list_handoffs(
    _: Agent, c: Services, status: Literal["open", "claimed", "resolved", "released"] | None = None
) -> HandoffList:
    """The queue, most urgent first, then longest waiting."""
    views = c.handoffs.list(HandoffStatus(status) if status else None)
    return HandoffList(items=[HandoffOut.of(v) for v in views])


@router.get("/{handoff_id}", response_model=HandoffDetailOut)
def get_handoff(handoff_id: str, _: Agent, c: Services) -> HandoffDetailOut:
    """One handoff with its brief and the whole transcript."""
    handoff = c.handoffs.get(handoff_id)
    view = c.handoffs.view(handoff)
    return HandoffDetailOut(
        **HandoffOut.of(view).model_dump(),
        brief=BriefOut.of(handoff.brief, view.customer.email if view.customer else None),
        transcript=[MessageOut.of(m) for m in c.handoffs.transcript(handoff)],
    )


@router.get("/{handoff_id}/copilot", response_model=CopilotOut)
def get_copilot(handoff_id: str, _: Agent, c: Services) -> CopilotOut:
    """A draft reply grounded in the help center, with citations and the AI's confidence, and
    the customer's other conversations and handoffs on any channel. The agent edits and sends."""
    handoff = c.handoffs.get(handoff_id)
    return CopilotOut.of(c.conversations.copilot(handoff.conversation_id))


@router.post("/{handoff_id}/claim", response_model=HandoffOut)
def claim(handoff_id: str, agent: Agent, c: Services) -> HandoffOut:
    return _out(c, c.handoffs.claim(handoff_id, agent))


@router.post("/{handoff_id}/messages", response_model=MessageEnvelope)
def reply(handoff_id: str, body: TextIn, agent: Agent, c: Services) -> MessageEnvelope:
    return MessageEnvelope(message=MessageOut.of(c.handoffs.reply(handoff_id, agent, body.text)))


@router.post("/{handoff_id}/resolve", response_model=HandoffOut)
def resolve(handoff_id: str, agent: Agent, c: Services) -> HandoffOut:
    return _out(c, c.handoffs.resolve(handoff_id, agent))


@router.post("/{handoff_id}/release", response_model=HandoffOut)
def release(handoff_id: str, agent: Agent, c: Services) -> HandoffOut:
    """Hand the conversation back to the AI assistant."""
    return _out(c, c.handoffs.release(handoff_id, agent))
