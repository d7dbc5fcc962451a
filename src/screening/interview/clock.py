"""Event times that keep their order: the wall clock read once, then monotonic time added.

A clock change in the middle of an interview (a laptop resyncing, an officer fixing the
date) then cannot scramble the order of the answers.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self._wall = (start or datetime.now(UTC)).astimezone(UTC)
        self._mono = time.monotonic()

    def now(self) -> datetime:
        return self._wall + timedelta(seconds=time.monotonic() - self._mono)

    def stamp(self) -> str:
        """ISO 8601 in UTC with microseconds: sorts as text in the order of events."""
        return self.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
