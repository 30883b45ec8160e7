"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import LiveServer, demo_container, scratch_postgres
from warmline.settings import Settings


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL database for this run (skips on a machine without the server,
    except under CI=true, where it must be there)."""
    with scratch_postgres() as url:
        yield url


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The demo shop served by the real app on 127.0.0.1, on a fresh SQLite database."""
    container = demo_container(Settings(data_dir=tmp_path))
    with LiveServer(container) as live:
        yield live
    container.close()
