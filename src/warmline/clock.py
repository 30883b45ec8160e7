"""The clock and the id generator: injected everywhere, never read from globals in the core."""

from __future__ import annotations

import itertools
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: time moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


class IdGenerator(Protocol):
    def new(self, prefix: str) -> str: ...


class TimeOrderedIds:
    """Ids that sort by creation time (48-bit milliseconds + 80 random bits, base32)."""

    def new(self, prefix: str) -> str:
        value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
        chars = []
        for _ in range(26):
            value, rest = divmod(value, 32)
            chars.append(_CROCKFORD[rest])
        return f"{prefix}_{''.join(reversed(chars))}"


class SequentialIds:
    """Predictable ids for tests: ``msg_0001``, ``msg_0002``, ..."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter):04d}"
