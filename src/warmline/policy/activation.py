"""Recording which configuration is active: the policy and the intent model it runs with. A
version label names one policy text, forever: changing the rules without changing the version
would make old decision traces point at rules that never ran. A new intent model under the same
policy is a new activation (the model's checksum is recorded with it), not a new version."""

from __future__ import annotations

import hashlib
from datetime import datetime

from warmline.domain.policies import PolicyRecord
from warmline.errors import ConfigurationError
from warmline.policy.model import Policy
from warmline.storage.ports import PolicyRepo


def activate(
    repo: PolicyRepo,
    policy: Policy,
    text: str,
    now: datetime,
    *,
    intent_model: str | None = None,
) -> PolicyRecord:
    """Store the policy (with the intent model's checksum) as active unless it already is;
    refuse a reused version label."""
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    history = repo.history()
    for earlier in history:
        if earlier.version == policy.version and earlier.checksum != checksum:
            raise ConfigurationError(
                f"policy version {policy.version!r} was activated on "
                f"{earlier.activated_at:%Y-%m-%d %H:%M} with different rules; give the changed "
                "policy a new version label"
            )
    if history and (history[0].checksum, history[0].intent_model) == (checksum, intent_model):
        return history[0]
    record = PolicyRecord(policy.version, checksum, text, now, intent_model)
    repo.record(record)
    return record
