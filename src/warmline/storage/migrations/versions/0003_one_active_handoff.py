"""At most one active handoff per conversation, enforced by the database.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('open', 'claimed')")


def upgrade() -> None:
    op.create_index(
        "ux_handoffs_one_active",
        "handoffs",
        ["conversation_id"],
        unique=True,
        postgresql_where=ACTIVE,
        sqlite_where=ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("ux_handoffs_one_active", table_name="handoffs")
