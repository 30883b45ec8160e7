"""The real app over HTTP (ASGI transport), on a migrated SQLite or PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import demo_container
from warmline.api.app import create_app
from warmline.bootstrap import Container
from warmline.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
        settings = Settings(data_dir=tmp_path, database_url=url)
    container = demo_container(settings)
    yield container
    container.close()


@pytest.fixture
async def client(app_container: Container) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(app_container))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def agent_key(app_container: Container) -> str:
    from warmline.domain.users import UserRole

    return app_container.accounts.create("sam@example.com", UserRole.AGENT, "Sam").api_key
