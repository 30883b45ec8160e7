"""Alembic environment: runs against the engine handed over by ``database.upgrade``."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from warmline.storage.sql.tables import metadata

engine = context.config.attributes.get("engine")
if not isinstance(engine, sa.Engine):
    raise TypeError("run migrations through `warmline db upgrade`")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
