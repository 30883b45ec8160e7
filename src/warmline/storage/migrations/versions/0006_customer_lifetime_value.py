"""Each customer's lifetime value, as the shop reports it: high-value customers wait less.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("lifetime_value", sa.Float, nullable=True))


def downgrade() -> None:
    op.drop_column("customers", "lifetime_value")
