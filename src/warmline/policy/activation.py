"""Recording which policy is active. A version label names one text, forever: changing the rules
without changing the version would make old decision traces point at rules that never ran."""

from __future__ import annotations

import hashlib
from datetime import datetime

from warmline.domain.policies import PolicyRecord
from warmline.errors import ConfigurationError
from warmline.policy.model import Policy
from warmline.storage.ports import PolicyRepo


def activate(repo: PolicyRepo, policy: Policy, text: str, now: datetime) -> PolicyRecord:
    """Store the policy as active unless it already is; refuse a reused version label."""
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    history = repo.history()
    for earlier in history:
        if earlier.version == policy.version and earlier.checksum != checksum:
            raise ConfigurationError(
                f"policy version {policy.version!r} was activated on "
                f"{earlier.activated_at:%Y-%m-%d %H:%M} with different rules; give the changed "
                "policy a new version label"
            )
    if history and history[0].checksum == checksum:
        return history[0]
    record = PolicyRecord(policy.version, checksum, text, now)
    repo.record(record)
    return record
