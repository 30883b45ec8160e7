"""The demo shop, Juniper Lane: its help center, customers and orders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from warmline.accounts import NewUser
from warmline.bootstrap import Container
from warmline.domain.customers import Customer
from warmline.domain.ids import CustomerId
from warmline.domain.users import UserRole
from warmline.knowledge.service import IngestReport

HERE = Path(__file__).resolve().parent
HELP_CENTER = HERE / "helpcenter"
SHOP = HERE / "shop.yaml"
DEMO_AGENT_EMAIL = "agent@juniperlane.example"


@dataclass(frozen=True)
class DemoSetup:
    knowledge: IngestReport
    customers_added: int
    agent: NewUser


def set_up(container: Container) -> DemoSetup:
    """Load the help center and customers (idempotent) and give the demo agent a fresh key."""
    report = container.knowledge.ingest([HELP_CENTER])
    shop = yaml.safe_load(SHOP.read_text(encoding="utf-8")) or {}
    added = 0
    for row in shop.get("customers", []):
        if container.store.customers.get(CustomerId(row["id"])) is None:
            container.store.customers.add(
                Customer(
                    id=CustomerId(row["id"]),
                    email=row.get("email"),
                    name=row.get("name"),
                    external_id=row["id"],
                    created_at=container.clock.now(),
                    lifetime_value=row.get("lifetime_value"),
                )
            )
            added += 1
    agent = container.accounts.ensure(DEMO_AGENT_EMAIL, UserRole.AGENT, name="Sam (demo agent)")
    return DemoSetup(report, added, agent)
