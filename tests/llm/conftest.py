"""LLM tests: a real small model behind an OpenAI-compatible chat API.

`make test` (and so CI) runs pytest through `scripts/llm-server run`, which starts llama.cpp's
server with Qwen2.5-Coder 0.5B Instruct on 127.0.0.1 and sets WARMLINE_TEST_CHAT_URL and
WARMLINE_TEST_CHAT_MODEL. Without them these tests skip, except under CI=true, where they fail.
See docs/llm.md."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import IN_CI
from warmline.llm import OpenAICompatibleChat

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.llm)


@pytest.fixture(scope="session")
def chat_url() -> str:
    url = os.environ.get("WARMLINE_TEST_CHAT_URL", "")
    model = os.environ.get("WARMLINE_TEST_CHAT_MODEL", "")
    if url and model:
        return url
    missing = "WARMLINE_TEST_CHAT_URL" if not url else "WARMLINE_TEST_CHAT_MODEL"
    reason = f"set {missing} or run `make test`, which starts llama.cpp's server"
    if IN_CI:
        pytest.fail(f"CI=true runs the LLM tests: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chat_model(chat_url: str) -> Iterator[OpenAICompatibleChat]:
    """The model server `scripts/llm-server run` started (any OpenAI-compatible API works)."""
    # Our own transport, closed at the end, so no keep-alive socket outlives the session.
    with httpx.HTTPTransport() as transport:
        yield OpenAICompatibleChat(
            chat_url, os.environ["WARMLINE_TEST_CHAT_MODEL"], transport=transport, timeout=120
        )
