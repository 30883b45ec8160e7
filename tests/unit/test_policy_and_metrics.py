"""Policy files are validated strictly; metrics follow the product's definitions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from warmline.analytics.metrics import summarize
from warmline.domain.events import StoredEvent
from warmline.domain.ids import ConversationId
from warmline.errors import ConfigurationError
from warmline.policy.model import DEFAULT_POLICY, load_policy


def test_that_the_default_policy_loads() -> None:
    policy = load_policy()
    assert policy.routing.priorities
    assert "{position}" in policy.messages.handoff


def test_that_an_unknown_policy_field_is_rejected_by_name() -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    data["answering"]["confidence_boost"] = 2
    with pytest.raises(ConfigurationError, match="confidence_boost"):
        load_policy(yaml.safe_dump(data))


def test_that_an_out_of_range_threshold_is_rejected() -> None:
    data = yaml.safe_load(DEFAULT_POLICY.read_text())
    data["answering"]["answer_at_or_above"] = 1.5
    with pytest.raises(ConfigurationError, match="answer_at_or_above"):
        load_policy(yaml.safe_dump(data))


def test_that_a_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read policy"):
        load_policy(tmp_path / "nope.yaml")


def _event(kind: str, conversation: str, **data: object) -> StoredEvent:
    return StoredEvent(kind, ConversationId(conversation), datetime(2026, 1, 1, tzinfo=UTC), data)


def test_that_resolution_counts_only_ai_handled_conversations_the_customer_confirmed() -> None:
    events = [
        _event("conversation.started", "a"),
        _event("conversation.started", "b"),
        _event("conversation.started", "c"),
        _event("handoff.opened", "c", reasons=["customer_request"]),
        _event("feedback.given", "a", resolved=True, csat=5),
        _event("feedback.given", "b", resolved=False, csat=None),
        _event("feedback.given", "c", resolved=True, csat=3),
    ]
    summary = summarize(events)
    assert summary.conversations == 3
    assert summary.ai_handled == 2
    assert summary.confirmed_resolution_rate == 0.5
    assert summary.containment_rate == round(2 / 3, 4)
    assert summary.escalations_by_reason == {"customer_request": 1}
    assert summary.csat_avg == 4.0


def test_that_metrics_over_no_conversations_are_empty_not_zero() -> None:
    summary = summarize([])
    assert summary.confirmed_resolution_rate is None
    assert summary.containment_rate is None
