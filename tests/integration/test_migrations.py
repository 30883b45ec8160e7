"""The migrations build exactly the schema the code describes, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from warmline.storage.sql.database import create_engine, upgrade
from warmline.storage.sql.tables import metadata


def drift(engine: sa.Engine) -> list[object]:
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


def test_that_sqlite_migrations_match_the_tables_and_use_wal(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    upgrade(engine)  # running it again is harmless
    assert drift(engine) == []
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


@pytest.mark.postgres
def test_that_postgres_migrations_match_the_tables(tmp_path: Path, postgres_url: str) -> None:
    scratch = postgres_url.rsplit("/", 1)[0] + "/postgres"
    admin = sa.create_engine(scratch, isolation_level="AUTOCOMMIT")
    name = postgres_url.rsplit("/", 1)[1] + "_m"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        engine = create_engine(postgres_url.rsplit("/", 1)[0] + f"/{name}")
        upgrade(engine)
        assert drift(engine) == []
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
