"""Hybrid retrieval: words and meaning fused, reranked, with every score kept for the trace."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
import pytest
from pydantic import BaseModel

from warmline.bootstrap import Container
from warmline.domain.knowledge import Audience, SearchHit
from warmline.errors import WarmlineError
from warmline.knowledge.rerank import FeatureReranker, LlmReranker
from warmline.knowledge.text import terms
from warmline.llm import ChatModelError, JsonMode, OpenAICompatibleChat, response_format

T = TypeVar("T", bound=BaseModel)


def articles(hits: Sequence[SearchHit]) -> list[str]:
    return list(dict.fromkeys(h.article.id for h in hits))


def test_that_a_paraphrase_with_no_shared_words_still_finds_the_article(
    container: Container,
) -> None:
    hits = container.knowledge.search("I can't get into my login", k=5)
    assert "sign-in-password-reset" in articles(hits)[:3]


def test_that_customer_searches_never_return_internal_procedures(container: Container) -> None:
    hits = container.knowledge.search(
        "goodwill credit approval limit for agents", k=20, audience=Audience.CUSTOMER
    )
    assert hits and all(h.article.audience is Audience.CUSTOMER for h in hits)


def test_that_every_hit_says_why_it_ranked(container: Container) -> None:
    hits = container.knowledge.search("how long do refunds take", k=20)
    for hit in hits:  # found by words, by meaning, or both: every score is there
        assert hit.dense_score is not None and hit.heading_score is not None
        assert hit.sentence_score is not None and hit.fused_score is not None
        assert hit.rerank_score == hit.score
        assert "rerank" in hit.why
    assert any(h.lexical_score > 0 for h in hits)


class FakeChat:
    name = "fake"

    def __init__(self, answer: dict[str, object] | None) -> None:
        self.answer = answer
        self.prompts: list[str] = []

    def complete_json(self, system: str, user: str, schema: type[T]) -> T:
        self.prompts.append(user)
        if self.answer is None:
            raise ChatModelError("model is down")
        return schema.model_validate(self.answer)


def test_that_the_llm_reranker_moves_what_the_model_judges_relevant_to_the_top(
    container: Container,
) -> None:
    hits = container.knowledge.search("gift card balance", k=5)
    last = len(hits) - 1
    chat = FakeChat({"passages": [{"id": last, "relevance": 3}]})
    reranked = LlmReranker(chat, FeatureReranker()).rerank("gift card balance", hits)
    assert (
        reranked[0].chunk.id == FeatureReranker().rerank("gift card balance", hits)[last].chunk.id
    )
    assert "llm relevance 3" in reranked[0].why
    assert "Question: gift card balance" in chat.prompts[0]


def test_that_a_failing_llm_reranker_keeps_the_feature_ranking(container: Container) -> None:
    hits = container.knowledge.search("gift card balance", k=5)
    expected = [h.chunk.id for h in FeatureReranker().rerank("gift card balance", hits)]
    reranked = LlmReranker(FakeChat(None), FeatureReranker()).rerank("gift card balance", hits)
    assert [h.chunk.id for h in reranked] == expected


class Verdict(BaseModel):
    ok: bool


def test_that_the_chat_client_sends_an_openai_request_and_validates_the_json() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        assert request.url.path == "/v1/chat/completions"
        assert request.headers["authorization"] == "Bearer k"
        content = json.dumps({"ok": True})
        return httpx.Response(200, json={"choices": [{"message": {"content": content}}]})

    chat = OpenAICompatibleChat(
        "http://model", "small", "k", transport=httpx.MockTransport(handler)
    )
    assert chat.complete_json("sys", "user", Verdict) == Verdict(ok=True)
    assert seen[0]["model"] == "small" and seen[0]["temperature"] == 0
    assert seen[0]["response_format"] == {
        "type": "json_object",
        "schema": Verdict.model_json_schema(),
    }


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("json_schema", {"type": "json_schema", "json_schema": {"name": "Verdict"}}),
        ("json_object", {"type": "json_object"}),
    ],
)
def test_that_the_schema_is_sent_in_the_dialect_the_server_speaks(
    mode: JsonMode, expected: dict[str, Any]
) -> None:
    sent = response_format(Verdict, mode)
    assert sent["type"] == expected["type"]
    if mode == "json_schema":
        assert sent["json_schema"]["name"] == "Verdict"
        assert sent["json_schema"]["schema"]["properties"]["ok"]["type"] == "boolean"
    else:
        assert sent == expected


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(500, text="boom"),
        httpx.Response(200, json={"choices": [{"message": {"content": "not json"}}]}),
        httpx.Response(200, json={"choices": [{"message": {"content": '{"ok": 3}'}}]}),
        httpx.Response(200, json={"nothing": []}),
    ],
)
def test_that_a_bad_chat_answer_is_a_clear_error(response: httpx.Response) -> None:
    chat = OpenAICompatibleChat(
        "http://model", "small", transport=httpx.MockTransport(lambda _: response)
    )
    with pytest.raises(WarmlineError):
        chat.complete_json("sys", "user", Verdict)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("do u guys price match walmart", ["price", "match", "walmart"]),
        ("ok so lemme just ask, is the sheet set cool to sleep on?",
         ["ask", "sheet", "set", "cool", "sleep"]),
    ],
)  # fmt: skip
def test_that_chat_filler_is_not_part_of_what_a_question_asks(
    text: str, expected: list[str]
) -> None:
    assert terms(text) == terms(" ".join(expected))
