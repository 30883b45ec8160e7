"""Record an event in the log, then push it to live listeners."""

from __future__ import annotations

import logging

from warmline.domain.events import Event
from warmline.events.bus import EventBus
from warmline.storage.ports import EventLog

log = logging.getLogger(__name__)


class Emitter:
    def __init__(self, log_: EventLog, bus: EventBus) -> None:
        self._log = log_
        self._bus = bus

    def emit(self, event: Event) -> None:
        self._log.append(event)
        try:
            self._bus.publish(event)
        except Exception:
            # Live delivery is best effort; the event is already in the log.
            log.exception("could not publish %s", event.type)
