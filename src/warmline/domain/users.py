"""People who work the inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from warmline.domain.ids import UserId


class UserRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: UserId
    email: str
    name: str | None
    role: UserRole
    api_key_hash: str
    created_at: datetime
