"""Request dependencies: the container, and who is calling (a customer or an agent)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from warmline.bootstrap import Container
from warmline.domain.conversations import Conversation
from warmline.domain.users import User

SESSION_COOKIE = "warmline_agent"


def container(request: Request) -> Container:
    built: Container = request.app.state.container
    return built


Services = Annotated[Container, Depends(container)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def customer_conversation(conversation_id: str, request: Request, c: Services) -> Conversation:
    return c.conversations.authenticate(conversation_id, bearer(request))


def agent(request: Request, c: Services) -> User:
    return c.accounts.authenticate(bearer(request) or request.cookies.get(SESSION_COOKIE))


CustomerConversation = Annotated[Conversation, Depends(customer_conversation)]
Agent = Annotated[User, Depends(agent)]
