"""Unit tests are pure: any attempt to open a network connection fails the test."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import T0, in_memory_engine
from warmline.bootstrap import Container
from warmline.clock import FixedClock
from warmline.knowledge.embeddings import (
    CachedEmbedder,
    Embedder,
    InMemoryEmbeddingCache,
    OnnxMiniLmEmbedder,
)
from warmline.settings import Settings


class NetworkBlockedError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _block_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*_: Any, **__: Any) -> None:
        raise NetworkBlockedError("unit tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real embedding model, with one cache for the session: each text is embedded once."""
    return CachedEmbedder(OnnxMiniLmEmbedder(), InMemoryEmbeddingCache())


@pytest.fixture
def container(tmp_path: Path, clock: FixedClock, embedder: Embedder) -> Container:
    """The whole engine on in-memory storage, loaded with the demo help center."""
    return in_memory_engine(Settings(data_dir=tmp_path), embedder, clock)
