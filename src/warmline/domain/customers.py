"""Customers: one identity across channels and conversations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from warmline.domain.ids import CustomerId


@dataclass(frozen=True)
class CustomerInfo:
    """What a channel tells us about the person writing; any part may be missing."""

    email: str | None = None
    name: str | None = None
    external_id: str | None = None
    # Set only by a trusted caller (an API key), never by the public widget: it moves the queue.
    lifetime_value: float | None = None
    # Set only by a trusted caller: the shop signed this customer in before starting the chat.
    verified: bool = False


@dataclass(frozen=True)
class Customer:
    id: CustomerId
    email: str | None
    name: str | None
    external_id: str | None
    created_at: datetime
    lifetime_value: float | None = None  # what the customer has spent, as the shop reports it
