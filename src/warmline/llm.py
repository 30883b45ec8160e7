"""A chat model behind a port: any OpenAI-compatible chat API (vLLM, Ollama, llama.cpp, OpenAI).

Each LLM step asks for JSON and validates it with its own pydantic schema, so a model that
answers off-format fails loudly instead of slipping text through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from warmline.errors import WarmlineError

T = TypeVar("T", bound=BaseModel)


class ChatModelError(WarmlineError):
    code = "chat_model_error"


class ChatModel(Protocol):
    name: str

    def complete_json(self, system: str, user: str, schema: type[T]) -> T: ...


class OpenAICompatibleChat:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.name = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def complete_json(self, system: str, user: str, schema: type[T]) -> T:
        try:
            response = self._client.post(
                "/v1/chat/completions",
                json={
                    "model": self.name,
                    "temperature": 0,
                    "response_format": {"type": "json_object"},
                    "messages": [
                        {"role": "system", "content": system},
                        {"role": "user", "content": user},
                    ],
                },
            )
        except httpx.HTTPError as error:
            raise ChatModelError(f"the chat model did not answer: {error}") from error
        if response.status_code != 200:
            raise ChatModelError(
                f"the chat model answered HTTP {response.status_code}: {response.text[:200]}"
            )
        try:
            content = response.json()["choices"][0]["message"]["content"]
            return schema.model_validate(json.loads(content))
        except (KeyError, IndexError, TypeError, ValueError, ValidationError) as error:
            raise ChatModelError(f"the chat model's answer was not valid JSON: {error}") from error


class ScriptedChat:
    """A deterministic chat model for tests and demos: a function writes each JSON reply.

    ``respond(system, user, schema_name)`` returns the reply as a dict; it is validated by the
    step's schema exactly as a real model's reply is. Raising :class:`ChatModelError` from it
    plays a model that is down.
    """

    def __init__(self, respond: Callable[[str, str, str], dict[str, Any]], name: str = "scripted"):
        self.name = name
        self._respond = respond
        self.prompts: list[tuple[str, str]] = []

    def complete_json(self, system: str, user: str, schema: type[T]) -> T:
        self.prompts.append((system, user))
        try:
            return schema.model_validate(self._respond(system, user, schema.__name__))
        except ValidationError as error:
            raise ChatModelError(f"the chat model's answer was not valid JSON: {error}") from error
