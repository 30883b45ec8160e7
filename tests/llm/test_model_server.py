"""Smoke test of the real model server: it is up, and it answers JSON our schemas validate."""

from __future__ import annotations

import os
from typing import Literal

import httpx
from pydantic import BaseModel

from warmline.llm import OpenAICompatibleChat


class Triage(BaseModel):
    sentiment: Literal["positive", "negative", "neutral"]
    order_id: str


SYSTEM = (
    "You read one message a customer sent to an online shop. Answer with a JSON object with "
    'exactly two keys: "sentiment" (one of "positive", "negative", "neutral") and '
    '"order_id" (the order number the customer mentions, as a string).'
)


def test_that_the_server_lists_the_model(chat_url: str) -> None:
    response = httpx.get(f"{chat_url.rstrip('/')}/v1/models", timeout=10)
    assert response.status_code == 200
    ids = [model["id"] for model in response.json()["data"]]
    assert os.environ["WARMLINE_TEST_CHAT_MODEL"] in ids


def test_that_the_model_answers_json_that_our_schema_validates(
    chat_model: OpenAICompatibleChat,
) -> None:
    answer = chat_model.complete_json(
        SYSTEM,
        "My parcel arrived broken and nobody answers my emails. Order A1234.",
        Triage,
    )
    assert answer.sentiment == "negative"
    assert "A1234" in answer.order_id


def test_that_a_pleased_customer_reads_as_positive(chat_model: OpenAICompatibleChat) -> None:
    answer = chat_model.complete_json(
        SYSTEM, "Thank you so much, order B-7781 arrived early and it is lovely!", Triage
    )
    assert answer.sentiment == "positive"
    assert "7781" in answer.order_id
