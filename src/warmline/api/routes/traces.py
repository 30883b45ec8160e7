"""Decision traces, for agents and supervisors: why the AI answered, asked or handed over."""

from __future__ import annotations

from fastapi import APIRouter

from warmline.api.deps import Agent, Services
from warmline.api.schemas import TraceList, TraceOut
from warmline.domain.ids import ConversationId

router = APIRouter(prefix="/v1/conversations", tags=["traces"])


@router.get("/{conversation_id}/traces", response_model=TraceList)
def list_traces(conversation_id: str, _: Agent, c: Services) -> TraceList:
    """Every AI turn of one conversation, oldest first, with its evidence and checks."""
    conversation = c.conversations.get(ConversationId(conversation_id))
    return TraceList(
        items=[TraceOut.of(t) for t in c.store.traces.for_conversation(conversation.id)]
    )
