"""Shared test helpers: databases, a container on a given database, a live server."""

from __future__ import annotations

import contextlib
import functools
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn

from warmline.api.app import create_app
from warmline.bootstrap import Container, build, build_index
from warmline.clock import FixedClock, SequentialIds
from warmline.demo import HELP_CENTER
from warmline.knowledge.embeddings import CachedEmbedder, Embedder, OnnxMiniLmEmbedder
from warmline.privacy.redaction import Redactor, build_redactor
from warmline.settings import Settings
from warmline.storage.memory import InMemoryEmbeddingCache, in_memory_store
from warmline.storage.sql import tables
from warmline.storage.sql.database import create_engine, upgrade

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ADMIN_URL = os.environ.get(
    "WARMLINE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def postgres_wanted() -> bool:
    return IN_CI or bool(os.environ.get("WARMLINE_TEST_DATABASE_URL"))


@contextlib.contextmanager
def scratch_postgres() -> Iterator[str]:
    """Create a throw-away PostgreSQL database for one test run and drop it afterwards."""
    if not postgres_wanted():
        pytest.skip("PostgreSQL tests run when CI=true or WARMLINE_TEST_DATABASE_URL is set")
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"warmline_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        if IN_CI:
            raise RuntimeError(f"CI=true needs PostgreSQL at {ADMIN_URL}: {error}") from error
        pytest.skip(f"PostgreSQL is not reachable at {ADMIN_URL}")
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty_tables(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(tables.metadata.sorted_tables):
            connection.execute(table.delete())


@functools.cache
def shared_embedder() -> Embedder:
    """The real embedding model with one in-memory cache for the whole test run, so each
    help-center text is embedded once however many fresh databases the tests create."""
    return CachedEmbedder(OnnxMiniLmEmbedder(), InMemoryEmbeddingCache())


@functools.cache
def shared_redactor() -> Redactor:
    """One Presidio redactor (its spaCy model takes seconds to load) for the whole test run."""
    return build_redactor()


def demo_container(settings: Settings) -> Container:
    """A container on a real database, loaded with the demo shop."""
    from warmline.demo import set_up

    if settings.database_url:
        # A shared PostgreSQL database: start from empty tables, as a fresh install would.
        engine = create_engine(settings.database_url)
        upgrade(engine)
        empty_tables(engine)
        engine.dispose()
    container = build(settings, embedder=shared_embedder(), redactor=shared_redactor())
    set_up(container)
    return container


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """The real app under uvicorn on 127.0.0.1, in a thread, for SSE and browser tests."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(container),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        # As `warmline serve` does: detectors trained and sentences embedded before customers.
        self.container.conversations.warm_up()
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def in_memory_engine(
    settings: Settings, embedder: Embedder, clock: FixedClock | None = None
) -> Container:
    """The whole engine on in-memory storage, loaded with the demo help center."""
    store = in_memory_store()
    built = build(
        settings,
        store=store,
        index=build_index(settings, store.embeddings, embedder),
        embedder=embedder,
        redactor=shared_redactor(),
        clock=clock or FixedClock(T0),
        ids=SequentialIds(),
    )
    built.knowledge.ingest([HELP_CENTER])
    return built
