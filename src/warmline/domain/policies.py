"""Which policy was active when: every activation is kept, so a decision trace's policy version
always points at the exact rules that made it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PolicyRecord:
    version: str
    checksum: str  # sha256 of the policy file's text
    text: str
    activated_at: datetime
    intent_model: str | None = None  # checksum of the intent model active with it, if any
