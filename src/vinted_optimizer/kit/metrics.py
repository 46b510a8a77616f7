"""Request rates and latencies, per process in memory, shared through Redis.

Each API process counts its own requests under ``/api`` (``RequestMetrics.record``, called once a request
by ``kit.middleware.EdgeMiddleware``: a few integer additions, no I/O) into per-minute counters: requests,
4xx, 5xx, the sum of the latencies and a latency histogram (``BOUNDS_SECONDS``). Every
``FLUSH_SECONDS`` a task of the process adds what it counted to Redis (one pipeline of ``HINCRBY``, one
hash a minute, ``vo:metrics:http:<minute>``, kept ``KEEP_MINUTES``), so the figures cover every process
of ``serve --workers N``. ``read_window`` sums the last minutes' hashes and derives the rate, the
percentiles (from the histogram: a percentile is interpolated inside its bucket, so it is as precise as
the buckets are narrow) and the errors.

Nothing here knows the app: a Prometheus endpoint (issue 15) can read ``RequestMetrics.totals`` or the
same hashes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from redis.asyncio import Redis

log = structlog.get_logger(__name__)

# Upper bounds of the latency buckets, in seconds; one more bucket holds everything slower.
BOUNDS_SECONDS: tuple[float, ...] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
FLUSH_SECONDS = 10.0
KEEP_MINUTES = 120
KEY_PREFIX = "vo:metrics:http:"

# The counters of one minute, by position: the fields of its Redis hash.
_REQUESTS, _CLIENT_ERRORS, _SERVER_ERRORS, _LATENCY_MICROS = 0, 1, 2, 3
_FIRST_BUCKET = 4
FIELDS: tuple[str, ...] = (
    "requests",
    "4xx",
    "5xx",
    "latency_us",
    *(f"le_{bound}" for bound in BOUNDS_SECONDS),
    "le_inf",
)
_WIDTH = len(FIELDS)


def minute_key(minute: int) -> str:
    return f"{KEY_PREFIX}{minute}"


class RequestMetrics:
    """One process's counters, by minute (since the epoch), until the next flush."""

    def __init__(self) -> None:
        self._pending: dict[int, list[int]] = {}
        # Latencies come from perf_counter (monotonic); the minute from the wall clock, through an offset
        # taken again at each flush (so one clock call a request).
        self._offset = time.time() - time.perf_counter()
        # Since the process started, for a scrape of this process alone.
        self.totals = [0] * _WIDTH
        # The current minute's counters and when (perf_counter) it ends: most requests need no division.
        self._current: list[int] = []
        self._current_until = 0.0

    def _open_minute(self, now: float) -> list[int]:
        wall = now + self._offset
        minute = int(wall // 60)
        counts = self._pending.get(minute)
        if counts is None:
            counts = self._pending[minute] = [0] * _WIDTH
        self._current = counts
        self._current_until = now + (minute + 1) * 60 - wall
        return counts

    @staticmethod
    def clock() -> float:
        return time.perf_counter()

    def record(self, status: int, started: float) -> None:
        """A finished request: its status and when it started (``clock()``)."""
        now = time.perf_counter()
        if now < self._current_until:
            counts = self._current
        else:
            counts = self._open_minute(now)
        elapsed = now - started
        counts[_REQUESTS] += 1
        if status >= 500:
            counts[_SERVER_ERRORS] += 1
        elif status >= 400:
            counts[_CLIENT_ERRORS] += 1
        counts[_LATENCY_MICROS] += int(elapsed * 1_000_000)
        counts[_FIRST_BUCKET + bisect_left(BOUNDS_SECONDS, elapsed)] += 1

    async def flush(self, redis: Redis) -> None:
        """Add what was counted since the last flush to Redis. On failure the counts are kept for the next
        flush (the minutes older than ``KEEP_MINUTES`` are dropped: Redis would have expired them)."""
        self._offset = time.time() - time.perf_counter()
        pending, self._pending = self._pending, {}
        self._current_until = 0.0  # the next request opens its minute in the new dict
        if not pending:
            return
        pipe = redis.pipeline(transaction=False)
        for minute, counts in pending.items():
            key = minute_key(minute)
            for field, value in zip(FIELDS, counts, strict=True):
                if value:
                    pipe.hincrby(key, field, value)
            pipe.expire(key, KEEP_MINUTES * 60)
        try:
            await pipe.execute()
        except Exception:
            oldest = int(time.time() // 60) - KEEP_MINUTES
            for minute, counts in pending.items():
                if minute > oldest:
                    kept = self._pending.setdefault(minute, [0] * _WIDTH)
                    for index, value in enumerate(counts):
                        kept[index] += value
            raise
        for counts in pending.values():
            for index, value in enumerate(counts):
                self.totals[index] += value

    async def run_flusher(self, redis: Redis, every: float = FLUSH_SECONDS) -> None:
        """Flush every ``every`` seconds until cancelled, then once more."""
        try:
            while True:
                await asyncio.sleep(every)
                try:
                    await self.flush(redis)
                except Exception as error:  # noqa: BLE001 - Redis away: the counts wait for the next try
                    log.warning("metrics.flush_failed", error=type(error).__name__)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.flush(redis))


@dataclass(frozen=True)
class Window:
    """What every process counted over the last ``minutes`` minutes (the current one included)."""

    minutes: int
    covered_minutes: float  # the full minutes plus the part of the current one gone by
    requests: int
    client_errors: int
    server_errors: int
    latency_seconds_sum: float
    buckets: tuple[int, ...]  # one per bound, then the slower ones

    @property
    def requests_per_minute(self) -> float:
        return self.requests / self.covered_minutes if self.covered_minutes else 0.0

    @property
    def mean_seconds(self) -> float | None:
        return self.latency_seconds_sum / self.requests if self.requests else None

    def percentile(self, q: float) -> float | None:
        """The ``q`` quantile (0-1) of the latencies, in seconds, interpolated inside its bucket; the
        slowest bucket has no upper bound: its answer is the last bound (the latency is at least that)."""
        if not self.requests:
            return None
        rank = q * self.requests
        seen = 0
        for index, count in enumerate(self.buckets):
            if count and seen + count >= rank:
                if index >= len(BOUNDS_SECONDS):
                    return BOUNDS_SECONDS[-1]
                lower = BOUNDS_SECONDS[index - 1] if index else 0.0
                upper = BOUNDS_SECONDS[index]
                return lower + (upper - lower) * max(0.0, rank - seen) / count
            seen += count
        return BOUNDS_SECONDS[-1]


def window_of(hashes: Sequence[dict[Any, Any]], minutes: int, seconds_into_minute: float) -> Window:
    sums = [0] * _WIDTH
    for fields in hashes:
        for index, name in enumerate(FIELDS):
            value = fields.get(name.encode()) or fields.get(name)
            if value:
                sums[index] += int(value)
    return Window(
        minutes=minutes,
        covered_minutes=(minutes - 1) + seconds_into_minute / 60,
        requests=sums[_REQUESTS],
        client_errors=sums[_CLIENT_ERRORS],
        server_errors=sums[_SERVER_ERRORS],
        latency_seconds_sum=sums[_LATENCY_MICROS] / 1_000_000,
        buckets=tuple(sums[_FIRST_BUCKET:]),
    )


async def read_windows(redis: Redis, minutes: Sequence[int], *, now: float | None = None) -> list[Window]:
    """The windows of the last ``minutes`` (each a number of minutes), in one pipeline."""
    now = time.time() if now is None else now
    current = int(now // 60)
    longest = max(minutes)
    pipe = redis.pipeline(transaction=False)
    for minute in range(current - longest + 1, current + 1):
        pipe.hgetall(minute_key(minute))
    hashes: list[dict[Any, Any]] = await pipe.execute()  # oldest first
    into = now - current * 60
    return [window_of(hashes[longest - span :], span, into) for span in minutes]


def request_metrics(request: Request) -> RequestMetrics:
    metrics: RequestMetrics = request.app.state.request_metrics
    return metrics


ProcessMetrics = Annotated[RequestMetrics, Depends(request_metrics)]
