"""Sliding-window rate limits for the fakes, on a clock a test can hold still (no timed assertions)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class ManualClock:
    """A monotonic clock that only moves when a test says so."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SlidingWindow:
    """At most ``limit`` hits in any ``window`` seconds; a refused hit does not count."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: deque[float] = deque()

    def wait(self, now: float) -> float | None:
        """Seconds until one more hit fits, or None when it fits now."""
        while self._hits and self._hits[0] <= now - self.window:
            self._hits.popleft()
        return self._hits[0] + self.window - now if len(self._hits) >= self.limit else None

    def record(self, now: float) -> None:
        self._hits.append(now)


def admit(limits: tuple[SlidingWindow, ...], now: float) -> float | None:
    """Count the hit in every window when all have room; otherwise the longest wait, counting nothing."""
    waits = [wait for wait in (limit.wait(now) for limit in limits) if wait is not None]
    if waits:
        return max(waits)
    for limit in limits:
        limit.record(now)
    return None


def retry_after(seconds: float) -> str:
    """``Retry-After`` in whole seconds, never 0 (a client waiting 0 s would hit the limit again)."""
    return str(max(1, math.ceil(seconds)))


Clock = Callable[[], float]
DEFAULT_CLOCK: Clock = time.monotonic
