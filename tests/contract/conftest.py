"""Every repository port is checked against every backend: memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers import empty_tables
from warmline.storage.memory import in_memory_store
from warmline.storage.ports import Store
from warmline.storage.sql.database import create_engine, upgrade
from warmline.storage.sql.repos import sql_store


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(postgres_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield in_memory_store()
    elif request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'contract.db'}")
        upgrade(engine)
        yield sql_store(engine)
        engine.dispose()
    else:
        engine = request.getfixturevalue("postgres_engine")
        empty_tables(engine)
        yield sql_store(engine)
