"""Routing: queues by topic, priority, and honest after-hours handoffs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import in_memory_engine
from tests.unit.conversation_script import Script
from warmline.bootstrap import Container
from warmline.domain.conversations import Channel
from warmline.domain.customers import CustomerInfo
from warmline.errors import ConfigurationError
from warmline.knowledge.embeddings import Embedder
from warmline.policy.model import DEFAULT_POLICY, load_policy
from warmline.settings import Settings

# T0 is Monday 2026-11-23 09:00 UTC: 04:00 in Toronto, before opening.
HOURS = """
  business_hours:
    timezone: America/Toronto
    days: [mon, tue, wed, thu, fri]
    open: "08:00"
    close: "20:00"
"""


def engine(tmp_path: Path, embedder: Embedder, policy_text: str) -> Container:
    policy = tmp_path / "policy.yaml"
    policy.write_text(policy_text)
    return in_memory_engine(Settings(data_dir=tmp_path, policy_file=policy), embedder)


def test_that_a_sensitive_matter_goes_to_its_queue_with_a_boosted_priority(
    container: Container,
) -> None:
    chat = Script(container)
    chat.customer_says("my mother passed away last month, how do I close her account?")
    reply = chat.warmline_escalates(reason="sensitive_topic")
    assert reply.handoff_id is not None
    handoff = container.handoffs.get(reply.handoff_id)
    policy = container.policy
    assert handoff.queue == "care"
    assert handoff.priority == policy.routing.priorities[handoff.reasons[0].code] + 10


def test_that_an_ordinary_request_goes_to_the_default_queue(container: Container) -> None:
    chat = Script(container)
    chat.customer_says("agent please")
    reply = chat.warmline_escalates(reason="customer_request")
    assert reply.handoff_id is not None
    assert container.handoffs.get(reply.handoff_id).queue == "general"


def test_that_a_sign_in_problem_goes_to_the_accounts_queue(container: Container) -> None:
    chat = Script(container)
    chat.customer_says("i can't sign in, the password reset email never shows up")
    chat.customer_says("agent please")
    reply = chat.warmline_escalates(reason="customer_request")
    assert reply.handoff_id is not None
    assert container.handoffs.get(reply.handoff_id).queue == "accounts"


def test_that_after_hours_the_customer_is_promised_an_email_not_a_queue_place(
    tmp_path: Path, embedder: Embedder
) -> None:
    text = DEFAULT_POLICY.read_text().replace("routing:\n", "routing:" + HOURS, 1)
    container = engine(tmp_path, embedder, text)
    started = container.conversations.start(
        Channel.WEB, CustomerInfo(name="Ada", email="ada@example.com")
    )
    reply = container.conversations.post(started.conversation.id, "talk to a human").reply
    assert reply.decision == "escalate"
    assert "ada@example.com" in reply.text and "Mon, Tue, Wed, Thu, Fri" in reply.text
    assert "queue" not in reply.text
    assert reply.handoff_id is not None  # the ticket an agent picks up in the morning


def test_that_after_hours_a_french_customer_without_an_email_is_told_so_in_french(
    tmp_path: Path, embedder: Embedder
) -> None:
    text = DEFAULT_POLICY.read_text().replace("routing:\n", "routing:" + HOURS, 1)
    container = engine(tmp_path, embedder, text)
    started = container.conversations.start(Channel.WEB, CustomerInfo(name="Zoé"))
    said = "bonjour, je voudrais parler à un conseiller s'il vous plaît"
    reply = container.conversations.post(started.conversation.id, said).reply
    assert reply.decision == "escalate"
    french = container.policy.messages.translations["fr"]
    assert "lun, mar, mer, jeu, ven, 08:00" in reply.text
    assert french["email_unknown"] in reply.text and "Mon" not in reply.text


def test_that_a_business_hours_time_zone_must_exist() -> None:
    text = DEFAULT_POLICY.read_text().replace("routing:\n", "routing:" + HOURS, 1)
    with pytest.raises(ConfigurationError, match="unknown time zone"):
        load_policy(text.replace("America/Toronto", "Mars/Olympus"))


def test_that_a_high_value_customer_waits_less_for_the_same_reason(container: Container) -> None:
    routing = container.policy.routing
    assert routing.high_value_at_or_above is not None
    priorities = []
    for value in (None, routing.high_value_at_or_above):
        started = container.conversations.start(
            Channel.WEB, CustomerInfo(name="Ada", lifetime_value=value)
        )
        reply = container.conversations.post(started.conversation.id, "agent please").reply
        assert reply.handoff_id is not None
        priorities.append(container.handoffs.get(reply.handoff_id).priority)
    assert priorities[1] == priorities[0] + routing.high_value_priority_boost > priorities[0]
