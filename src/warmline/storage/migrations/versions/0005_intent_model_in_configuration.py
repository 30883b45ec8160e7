"""The intent model's checksum beside each policy activation: both make the active configuration.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("policy_versions", sa.Column("intent_model", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("policy_versions", "intent_model")
