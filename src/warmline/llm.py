"""A chat model behind a port: any OpenAI-compatible chat API (vLLM, Ollama, llama.cpp, OpenAI).

Each LLM step asks for JSON and validates it with its own pydantic schema, so a model that
answers off-format fails loudly instead of slipping text through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from warmline.errors import WarmlineError

if TYPE_CHECKING:
    from warmline.privacy.redaction import Redactor

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
        json_mode: JsonMode = "json_object_schema",
    ) -> None:
        self.name = model
        self._json_mode = json_mode
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )

    def close(self) -> None:
        self._client.close()

    def complete_json(self, system: str, user: str, schema: type[T]) -> T:
        try:
            response = self._client.post(
                "/v1/chat/completions",
                json={
                    "model": self.name,
                    "temperature": 0,
                    "response_format": response_format(schema, self._json_mode),
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


JsonMode = Literal["json_object_schema", "json_schema", "json_object"]


def response_format(schema: type[BaseModel], mode: JsonMode) -> dict[str, Any]:
    """Ask the server to hold the reply to the step's schema, in the dialect it speaks.

    Whatever the server does with it, the reply is validated against the schema again here.
    """
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": schema.__name__, "schema": schema.model_json_schema()},
        }
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema.model_json_schema()}
    return {"type": "json_object"}


class RedactingChat:
    """A chat model that never sees personal data: the prompt is redacted before it is sent.

    For steps whose reply is a judgement (relevance, support) rather than text for the
    customer, so nothing needs restoring. The LLM composer redacts and restores on its own.
    """

    def __init__(self, chat: ChatModel, redactor: Redactor) -> None:
        self.name = chat.name
        self._chat = chat
        self._redactor = redactor

    def complete_json(self, system: str, user: str, schema: type[T]) -> T:
        return self._chat.complete_json(system, self._redactor.redact(user).text, schema)


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
