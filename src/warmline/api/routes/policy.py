"""The active policy and every earlier activation, for agents and supervisors."""

from __future__ import annotations

from fastapi import APIRouter

from warmline.api.deps import Agent, Services
from warmline.api.schemas import PolicyHistoryOut, PolicyVersionOut

router = APIRouter(prefix="/v1/policy", tags=["policy"])


@router.get("", response_model=PolicyHistoryOut)
def get_policy(_: Agent, c: Services) -> PolicyHistoryOut:
    """The active policy (version, checksum, text) and every activation before it, newest first."""
    history = c.store.policies.history()
    return PolicyHistoryOut(
        active=PolicyVersionOut.of(history[0], with_text=True) if history else None,
        history=[PolicyVersionOut.of(r) for r in history],
    )
