"""The active policy is recorded with its version, and a version names one set of rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warmline.errors import ConfigurationError
from warmline.policy.activation import activate
from warmline.policy.model import DEFAULT_POLICY, load_policy
from warmline.storage.memory import InMemoryPolicyRepo

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_that_starting_twice_with_the_same_policy_records_it_once() -> None:
    repo = InMemoryPolicyRepo()
    text = DEFAULT_POLICY.read_text()
    first = activate(repo, load_policy(text), text, NOW)
    again = activate(repo, load_policy(text), text, NOW + timedelta(hours=1))
    assert again == first and len(repo.history()) == 1
    assert first.version == load_policy(text).version and len(first.checksum) == 64


def test_that_a_new_version_is_recorded_and_an_old_one_can_come_back() -> None:
    repo = InMemoryPolicyRepo()
    old = DEFAULT_POLICY.read_text()
    new = old.replace("repeated_failure_after: 2", "repeated_failure_after: 3").replace(
        'version: "', 'version: "next-', 1
    )
    activate(repo, load_policy(old), old, NOW)
    activate(repo, load_policy(new), new, NOW + timedelta(days=1))
    activate(repo, load_policy(old), old, NOW + timedelta(days=2))  # a rollback
    assert [r.version for r in repo.history()] == [
        load_policy(old).version,
        load_policy(new).version,
        load_policy(old).version,
    ]


def test_that_changed_rules_under_a_used_version_label_are_refused() -> None:
    repo = InMemoryPolicyRepo()
    text = DEFAULT_POLICY.read_text()
    activate(repo, load_policy(text), text, NOW)
    changed = text.replace("repeated_failure_after: 2", "repeated_failure_after: 3")
    with pytest.raises(ConfigurationError, match="new version label"):
        activate(repo, load_policy(changed), changed, NOW)
    assert len(repo.history()) == 1


def test_that_a_new_intent_model_under_the_same_policy_is_a_new_activation() -> None:
    repo = InMemoryPolicyRepo()
    text = DEFAULT_POLICY.read_text()
    policy = load_policy(text)
    first = activate(repo, policy, text, NOW, intent_model="a" * 64)
    assert activate(repo, policy, text, NOW, intent_model="a" * 64) == first
    second = activate(repo, policy, text, NOW + timedelta(hours=1), intent_model="b" * 64)
    assert second.version == first.version and second.intent_model == "b" * 64
    assert [r.intent_model for r in repo.history()] == ["b" * 64, "a" * 64]
