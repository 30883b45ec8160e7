"""Live updates over server-sent events, against the real server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import queue
import threading

import httpx
import pytest

from tests.helpers import LiveServer
from warmline.domain.users import UserRole


@pytest.fixture
def server(demo_server: LiveServer) -> LiveServer:
    return demo_server


def listen(
    url: str, headers: dict[str, str], into: queue.Queue[tuple[str, dict[str, object]]]
) -> threading.Thread:
    """Read SSE frames in a thread and put (event, data) pairs on a queue."""

    def run() -> None:
        # The server closes open streams when the test stops it; that ends the reader.
        with (
            contextlib.suppress(httpx.RemoteProtocolError, httpx.ReadError),
            httpx.Client(timeout=httpx.Timeout(10, read=30)) as http,
            http.stream("GET", url, headers=headers) as response,
        ):
            name = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    name = line.partition(":")[2].strip()
                elif line.startswith("data:"):
                    into.put((name, json.loads(line.partition(":")[2].strip())))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def wait_for(
    events: queue.Queue[tuple[str, dict[str, object]]], name: str, **match: object
) -> dict[str, object]:
    while True:
        event, data = events.get(timeout=10)
        if event == name and all(data.get(k) == v for k, v in match.items()):
            return data


def test_that_the_customer_and_the_inbox_see_each_other_live(server: LiveServer) -> None:
    key = server.container.accounts.create("sam@example.com", UserRole.AGENT, "Sam").api_key
    agent = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url, timeout=10) as http:
        started = http.post("/v1/conversations", json={"customer": {"name": "Ada"}}).json()
        customer = {"Authorization": f"Bearer {started['token']}"}
        widget: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        inbox: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        listen(f"{server.url}/v1/conversations/{started['id']}/events", customer, widget)
        listen(f"{server.url}/v1/inbox/events", agent, inbox)
        # Give both streams a moment to subscribe before anything happens.
        threading.Event().wait(0.5)

        handoff = http.post(f"/v1/conversations/{started['id']}/handoff", headers=customer).json()
        opened = wait_for(inbox, "handoff", id=handoff["handoff_id"])
        assert opened["reasons"] == ["customer_request"]
        assert opened["status"] == "open"

        http.post(f"/v1/handoffs/{handoff['handoff_id']}/claim", headers=agent)
        owner = wait_for(widget, "conversation", owner="agent", status="with_agent")
        assert owner["owner_name"] == "Sam"

        http.post(
            f"/v1/handoffs/{handoff['handoff_id']}/messages",
            json={"text": "Hi Ada, Sam here."},
            headers=agent,
        )
        reply = wait_for(widget, "message", role="agent")
        assert reply["text"] == "Hi Ada, Sam here." and reply["author_name"] == "Sam"

        http.post(
            f"/v1/conversations/{started['id']}/messages",
            json={"text": "Thanks, my order is JL-100234"},
            headers=customer,
        )
        seen = wait_for(inbox, "message", role="customer")
        assert seen["text"] == "Thanks, my order is JL-100234"


def test_that_a_stream_can_replay_what_was_missed(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        started = http.post("/v1/conversations", json={}).json()
        customer = {"Authorization": f"Bearer {started['token']}"}
        first_id = started["messages"][0]["id"]
        http.post(f"/v1/conversations/{started['id']}/handoff", headers=customer)
        missed: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        listen(
            f"{server.url}/v1/conversations/{started['id']}/events?after={first_id}",
            customer,
            missed,
        )
        replayed = wait_for(missed, "message")
        assert replayed["role"] == "system" and "queue" in str(replayed["text"])


def test_that_streams_refuse_callers_without_credentials(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        started = http.post("/v1/conversations", json={}).json()
        assert http.get(f"/v1/conversations/{started['id']}/events").status_code == 401
        assert http.get("/v1/inbox/events").status_code == 401
