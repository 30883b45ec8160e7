"""Every error, whatever raised it, has one JSON shape and a clear message."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    assert message
    return message


async def new_conversation(client: httpx.AsyncClient) -> tuple[str, str]:
    body = (await client.post("/v1/conversations", json={})).json()
    return body["id"], body["token"]


async def test_that_agent_routes_need_a_key(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/handoffs"), 401, "unauthenticated")
    bad = {"Authorization": "Bearer wl_not-a-key"}
    assert_error(await client.get("/v1/handoffs", headers=bad), 401, "unauthenticated")
    assert_error(await client.get("/v1/metrics/summary"), 401, "unauthenticated")


async def test_that_a_customer_token_does_not_open_agent_routes(client: httpx.AsyncClient) -> None:
    _, token = await new_conversation(client)
    response = await client.get("/v1/handoffs", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "unauthenticated")


async def test_that_a_conversation_needs_its_own_token(client: httpx.AsyncClient) -> None:
    first, _ = await new_conversation(client)
    _, other_token = await new_conversation(client)
    assert_error(await client.get(f"/v1/conversations/{first}"), 401, "unauthenticated")
    response = await client.get(
        f"/v1/conversations/{first}", headers={"Authorization": f"Bearer {other_token}"}
    )
    assert_error(response, 401, "unauthenticated")
    assert_error(await client.get("/v1/conversations/conv_nope"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"text": ""}, "empty"),
        ({"text": "   "}, "empty"),
        ({"text": "x" * 4001}, "limit is 4000"),
        ({}, "text"),
        ({"text": 42}, "text"),
        ({"text": "hi", "extra": 1}, "extra"),
    ],
)
async def test_that_bad_messages_are_refused_and_nothing_is_saved(
    client: httpx.AsyncClient, body: object, fragment: str
) -> None:
    conversation_id, token = await new_conversation(client)
    headers = {"Authorization": f"Bearer {token}"}
    response = await client.post(
        f"/v1/conversations/{conversation_id}/messages", json=body, headers=headers
    )
    assert fragment in assert_error(response, 422, "invalid_input")
    messages = (await client.get(f"/v1/conversations/{conversation_id}", headers=headers)).json()
    assert len(messages["messages"]) == 1


async def test_that_malformed_json_is_a_clear_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/conversations", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "invalid_input")


async def test_that_an_oversized_body_is_refused_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    conversation_id, token = await new_conversation(client)
    response = await client.post(
        f"/v1/conversations/{conversation_id}/messages",
        json={"text": "x" * 70_000},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert "larger than" in assert_error(response, 413, "payload_too_large")


async def test_that_unknown_routes_and_methods_use_the_same_shape(
    client: httpx.AsyncClient,
) -> None:
    assert_error(await client.get("/v1/nothing-here"), 404, "not_found")
    assert_error(await client.delete("/v1/conversations"), 405, "method_not_allowed")


async def test_that_claiming_twice_by_different_agents_is_a_conflict(
    client: httpx.AsyncClient, agent_key: str
) -> None:
    from warmline.domain.users import UserRole

    conversation_id, token = await new_conversation(client)
    started = await client.post(
        f"/v1/conversations/{conversation_id}/handoff",
        headers={"Authorization": f"Bearer {token}"},
    )
    handoff_id = started.json()["handoff_id"]
    container = client._transport.app.state.container  # type: ignore[attr-defined]  # noqa: SLF001
    other = container.accounts.create("kim@example.com", UserRole.AGENT, "Kim").api_key
    await client.post(
        f"/v1/handoffs/{handoff_id}/claim", headers={"Authorization": f"Bearer {agent_key}"}
    )
    response = await client.post(
        f"/v1/handoffs/{handoff_id}/claim", headers={"Authorization": f"Bearer {other}"}
    )
    assert "Sam" in assert_error(response, 409, "conflict")


async def test_that_login_sets_a_session_cookie_and_bad_credentials_are_refused(
    client: httpx.AsyncClient, agent_key: str
) -> None:
    bad = await client.post("/v1/auth/login", json={"email": "sam@example.com", "api_key": "x"})
    assert_error(bad, 401, "unauthenticated")
    good = await client.post(
        "/v1/auth/login", json={"email": "sam@example.com", "api_key": agent_key}
    )
    assert good.status_code == 200
    assert "httponly" in good.headers["set-cookie"].lower()
    me = await client.get("/v1/auth/me")
    assert me.json()["user"]["email"] == "sam@example.com"
    await client.post("/v1/auth/logout")
    client.cookies.clear()
    assert_error(await client.get("/v1/auth/me"), 401, "unauthenticated")
