"""In-process event bus: publishers on any thread, subscribers on asyncio event loops.

One process is the default deployment. Several workers need a cross-process bus (Redis
pub/sub) behind the same two methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from warmline.domain.events import Event

QUEUE_LIMIT = 1000


class EventBus(Protocol):
    def publish(self, event: Event) -> None: ...

    def subscribe(
        self, accept: Callable[[Event], bool]
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Event]]: ...


class InProcessEventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[
            tuple[asyncio.AbstractEventLoop, asyncio.Queue[Event], Callable[[Event], bool]]
        ] = []

    def publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue, accept in subscribers:
            if accept(event) and not loop.is_closed():
                loop.call_soon_threadsafe(_offer, queue, event)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, accept: Callable[[Event], bool]
    ) -> AsyncIterator[AsyncIterator[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)
        entry = (asyncio.get_running_loop(), queue, accept)
        with self._lock:
            self._subscribers.append(entry)
        try:
            yield _drain(queue)
        finally:
            with self._lock:
                self._subscribers.remove(entry)


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    # A listener that stopped reading loses events rather than holding memory; live clients
    # reload state when they reconnect, and the event log keeps everything.
    with contextlib.suppress(asyncio.QueueFull):
        queue.put_nowait(event)


async def _drain(queue: asyncio.Queue[Event]) -> AsyncIterator[Event]:
    while True:
        yield await queue.get()
