"""HTTP API v1, end to end: customer and agent sides on a real database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from warmline.bootstrap import Container
from warmline.domain.handoffs import ReasonCode

pytestmark = pytest.mark.anyio


async def start(client: httpx.AsyncClient, **customer: str) -> tuple[str, dict[str, str]]:
    response = await client.post("/v1/conversations", json={"channel": "web", "customer": customer})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], {"Authorization": f"Bearer {body['token']}"}


async def say(
    client: httpx.AsyncClient, conversation_id: str, headers: dict[str, str], text: str
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/conversations/{conversation_id}/messages", json={"text": text}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_that_health_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_that_a_new_conversation_starts_with_the_ai_disclosure(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/v1/conversations", json={"channel": "web", "customer": {"email": "ada@example.com"}}
    )
    body = response.json()
    assert response.status_code == 201
    assert set(body) >= {"id", "customer_id", "token", "messages"}
    assert body["messages"][0]["role"] == "ai"
    assert "AI assistant" in body["messages"][0]["text"]


async def test_that_a_clarifying_question_lists_its_topics_and_sending_one_picks_it(
    client: httpx.AsyncClient,
) -> None:
    conversation_id, headers = await start(client)
    asked = await say(client, conversation_id, headers, "the label for my return isnt in my email")
    assert asked["reply"]["decision"] == "clarify"
    topics = asked["reply"]["topics"]
    assert "Return shipping labels and costs" in topics and len(topics) <= 3
    picked = await say(client, conversation_id, headers, "Return shipping labels and costs")
    assert picked["reply"]["decision"] == "answer"
    assert picked["reply"]["topics"] == []
    cited = {c["article_id"] for c in picked["reply"]["citations"]}
    assert cited == {"return-shipping-labels"}


async def listed_topics(
    client: httpx.AsyncClient, conversation_id: str, headers: dict[str, str]
) -> list[tuple[str, list[str]]]:
    """Each listed message's id and the topics it offers, in order."""
    response = await client.get(f"/v1/conversations/{conversation_id}", headers=headers)
    assert response.status_code == 200, response.text
    return [(m["id"], m["topics"]) for m in response.json()["messages"]]


async def test_that_a_reloaded_conversation_offers_the_topics_of_its_open_clarifying_question(
    client: httpx.AsyncClient,
) -> None:
    conversation_id, headers = await start(client)
    asked = await say(client, conversation_id, headers, "the label for my return isnt in my email")
    question = asked["reply"]["message"]["id"]
    assert asked["reply"]["topics"]
    listed = await listed_topics(client, conversation_id, headers)
    assert listed[-1] == (question, asked["reply"]["topics"])
    assert all(topics == [] for _, topics in listed[:-1])

    await say(client, conversation_id, headers, "Return shipping labels and costs")
    listed = await listed_topics(client, conversation_id, headers)
    assert question in [message_id for message_id, _ in listed]
    assert all(topics == [] for _, topics in listed)  # the reply ended the offer


async def test_that_the_topics_are_no_longer_offered_once_the_customer_asks_for_a_person(
    client: httpx.AsyncClient,
) -> None:
    conversation_id, headers = await start(client)
    asked = await say(client, conversation_id, headers, "the label for my return isnt in my email")
    assert asked["reply"]["topics"]
    response = await client.post(f"/v1/conversations/{conversation_id}/handoff", headers=headers)
    assert response.status_code == 200, response.text
    listed = await listed_topics(client, conversation_id, headers)
    assert all(topics == [] for _, topics in listed)


async def test_that_one_customer_is_one_identity_across_conversations(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.post("/v1/conversations", json={"customer": {"email": "A@x.io"}})).json()
    second = (await client.post("/v1/conversations", json={"customer": {"email": "a@x.io"}})).json()
    assert first["customer_id"] == second["customer_id"]
    assert first["id"] != second["id"]


async def test_that_a_question_gets_an_answer_with_citations(client: httpx.AsyncClient) -> None:
    conversation_id, headers = await start(client)
    body = await say(client, conversation_id, headers, "How do I reset my password?")
    reply = body["reply"]
    assert body["message"]["role"] == "customer"
    assert reply["decision"] == "answer"
    assert 0 <= reply["confidence"] <= 1
    assert reply["escalation"] is None
    citation = reply["citations"][0]
    assert set(citation) >= {"article_id", "title", "source", "snippet"}
    assert citation["source"].startswith("https://help.juniperlane.example/")


async def test_that_the_whole_handoff_round_trip_works(
    client: httpx.AsyncClient, agent_key: str
) -> None:
    conversation_id, headers = await start(client, name="Ada")
    reply = (await say(client, conversation_id, headers, "I want to talk to a human"))["reply"]
    assert reply["decision"] == "escalate"
    assert reply["escalation"]["reasons"] == ["customer_request"]
    handoff_id = reply["escalation"]["handoff_id"]

    agent = {"Authorization": f"Bearer {agent_key}"}
    queue = (await client.get("/v1/handoffs?status=open", headers=agent)).json()["items"]
    assert [h["id"] for h in queue] == [handoff_id]
    assert queue[0]["reasons"] == ["customer_request"]
    detail = (await client.get(f"/v1/handoffs/{handoff_id}", headers=agent)).json()
    assert detail["brief"]["reasons"][0]["code"] == "customer_request"
    assert detail["transcript"][1]["text"] == "I want to talk to a human"

    claimed = await client.post(f"/v1/handoffs/{handoff_id}/claim", headers=agent)
    assert claimed.json()["status"] == "claimed"
    sent = await client.post(
        f"/v1/handoffs/{handoff_id}/messages", json={"text": "Hi Ada, Sam here."}, headers=agent
    )
    assert sent.json()["message"]["role"] == "agent"

    silent = (await say(client, conversation_id, headers, "thanks Sam"))["reply"]
    assert silent == {
        "text": "",
        "decision": "none",
        "confidence": None,
        "citations": [],
        "escalation": None,
        "message": None,
        "topics": [],
    }
    seen = (await client.get(f"/v1/conversations/{conversation_id}", headers=headers)).json()
    assert seen["owner"] == "agent" and seen["owner_name"] == "Sam"
    assert "Hi Ada, Sam here." in [m["text"] for m in seen["messages"]]

    released = await client.post(f"/v1/handoffs/{handoff_id}/release", headers=agent)
    assert released.json()["status"] == "released"
    back = (await say(client, conversation_id, headers, "How do I reset my password?"))["reply"]
    assert back["decision"] == "answer"


async def test_that_the_handoff_button_says_what_happens_next(client: httpx.AsyncClient) -> None:
    conversation_id, headers = await start(client)
    response = await client.post(f"/v1/conversations/{conversation_id}/handoff", headers=headers)
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "open"
    assert body["message"]["role"] == "system"
    assert "queue" in body["message"]["text"] and "repeat" in body["message"]["text"]


async def test_that_feedback_is_recorded_and_counted(
    client: httpx.AsyncClient, agent_key: str
) -> None:
    conversation_id, headers = await start(client)
    await say(client, conversation_id, headers, "How do I reset my password?")
    response = await client.post(
        f"/v1/conversations/{conversation_id}/feedback",
        json={"resolved": True, "csat": 5},
        headers=headers,
    )
    assert response.json() == {"ok": True}
    summary = (
        await client.get("/v1/metrics/summary", headers={"Authorization": f"Bearer {agent_key}"})
    ).json()
    assert summary["confirmed_resolution_rate"] == 1.0
    assert summary["csat_avg"] == 5.0


async def test_that_a_knowledge_outage_hands_the_customer_to_a_person(
    client: httpx.AsyncClient, app_container: Container
) -> None:
    conversation_id, headers = await start(client)

    class Broken:
        def search(self, *_: object, **__: object) -> list[object]:
            raise RuntimeError("index offline")

    app_container.conversations._knowledge = Broken()  # type: ignore[assignment]  # noqa: SLF001
    reply = await say(client, conversation_id, headers, "where is my parcel")
    assert reply["reply"]["decision"] == "escalate"
    assert reply["reply"]["escalation"]["reasons"] == ["tool_failure"]
    kept = (await client.get(f"/v1/conversations/{conversation_id}", headers=headers)).json()
    assert any(m["text"] == "where is my parcel" for m in kept["messages"])


async def test_that_a_failed_reply_is_a_503_and_the_message_is_kept(
    client: httpx.AsyncClient, app_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation_id, headers = await start(client)

    def broken(*_: object) -> None:
        raise RuntimeError("the signal detectors crashed")

    signals = app_container.conversations._signals  # noqa: SLF001 - a fault injected on purpose
    monkeypatch.setattr(signals, "read", broken)
    response = await client.post(
        f"/v1/conversations/{conversation_id}/messages",
        json={"text": "where is my parcel"},
        headers=headers,
    )
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "reply_failed"
    assert "Talk to a person" in error["message"]
    kept = (await client.get(f"/v1/conversations/{conversation_id}", headers=headers)).json()
    assert kept["messages"][-1]["text"] == "where is my parcel"
    assert kept["messages"][-1]["id"] == error["details"]["message_id"]


async def test_that_the_copilot_drafts_a_cited_reply_and_lists_past_conversations(
    client: httpx.AsyncClient, agent_key: str
) -> None:
    earlier, earlier_headers = await start(client, email="lin@example.com")
    await say(client, earlier, earlier_headers, "talk to a human please")
    conversation_id, headers = await start(client, email="lin@example.com")
    await say(client, conversation_id, headers, "How do I reset my password? I want an agent")
    agent = {"Authorization": f"Bearer {agent_key}"}
    queue = (await client.get("/v1/handoffs?status=open", headers=agent)).json()["items"]
    handoff = next(h for h in queue if h["conversation_id"] == conversation_id)
    response = await client.get(f"/v1/handoffs/{handoff['id']}/copilot", headers=agent)
    assert response.status_code == 200, response.text
    copilot = response.json()
    draft = copilot["draft"]
    assert draft is not None and draft["citations"]
    assert draft["citations"][0]["article_id"] == "sign-in-password-reset"
    assert 0 <= draft["confidence"] <= 1
    assert draft["already_sent"] is False  # the assistant answered nothing before the request
    (past,) = copilot["past_conversations"]
    assert past["id"] == earlier and past["first_message"] == "talk to a human please"
    assert past["handoffs"][0]["reasons"][0] == "customer_request"
    refused = await client.get(f"/v1/handoffs/{handoff['id']}/copilot")
    assert refused.status_code == 401


async def test_that_agents_can_read_the_active_policy_and_its_history(
    client: httpx.AsyncClient, agent_key: str, app_container: Container
) -> None:
    refused = await client.get("/v1/policy")
    assert refused.status_code == 401
    response = await client.get("/v1/policy", headers={"Authorization": f"Bearer {agent_key}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["active"]["version"] == app_container.policy.version
    assert "escalation:" in body["active"]["text"]
    assert [h["version"] for h in body["history"]] == [app_container.policy.version]


async def _handoff_after_asking_for_a_person(
    client: httpx.AsyncClient, agent_key: str, started: httpx.Response
) -> dict[str, Any]:
    """The handoff (brief included) an agent sees once this conversation asks for a person."""
    assert started.status_code == 201, started.text
    body = started.json()
    headers = {"Authorization": f"Bearer {body['token']}"}
    reply = (await say(client, body["id"], headers, "I want to talk to a human"))["reply"]
    handoff = await client.get(
        f"/v1/handoffs/{reply['escalation']['handoff_id']}",
        headers={"Authorization": f"Bearer {agent_key}"},
    )
    return dict(handoff.json())


@pytest.mark.parametrize("vouched", [{"lifetime_value": 5000}, {"verified": True}])
async def test_that_what_only_the_shop_may_say_of_a_customer_needs_an_api_key(
    client: httpx.AsyncClient, app_container: Container, vouched: dict[str, Any]
) -> None:
    """A customer's value moves the queue and "verified" tells the agent who is writing: the
    public widget may not set either. Refused with 401, and nothing is saved."""
    started = {"channel": "web", "customer": {"email": "someone@example.com", **vouched}}
    refused = await client.post("/v1/conversations", json=started)
    assert refused.status_code == 401
    assert app_container.store.customers.find_by_email("someone@example.com") is None


async def test_that_a_high_value_customer_from_the_shops_server_waits_less(
    client: httpx.AsyncClient, agent_key: str, app_container: Container
) -> None:
    vip = {"channel": "web", "customer": {"email": "vip@example.com", "lifetime_value": 5000}}
    trusted = await client.post(
        "/v1/conversations", json=vip, headers={"Authorization": f"Bearer {agent_key}"}
    )
    handoff = await _handoff_after_asking_for_a_person(client, agent_key, trusted)
    routing = app_container.policy.routing
    assert handoff["brief"]["customer"]["lifetime_value"] == 5000
    assert handoff["priority"] == (
        routing.priorities[ReasonCode.CUSTOMER_REQUEST] + routing.high_value_priority_boost
    )


async def test_that_a_verified_identity_holds_for_the_conversation_the_shop_started(
    client: httpx.AsyncClient, agent_key: str
) -> None:
    """The brief's "verified" is true only in a conversation the shop's server started with
    ``verified``; a public start with the same email is not verified."""
    signed_in = {"channel": "web", "customer": {"email": "kim@example.com", "verified": True}}
    trusted = await client.post(
        "/v1/conversations", json=signed_in, headers={"Authorization": f"Bearer {agent_key}"}
    )
    handoff = await _handoff_after_asking_for_a_person(client, agent_key, trusted)
    assert handoff["brief"]["customer"]["verified"] is True
    public = await client.post(
        "/v1/conversations", json={"channel": "web", "customer": {"email": "kim@example.com"}}
    )
    handoff = await _handoff_after_asking_for_a_person(client, agent_key, public)
    assert handoff["brief"]["customer"]["verified"] is False
