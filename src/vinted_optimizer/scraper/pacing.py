"""One pacing gate per home IP, in Redis, shared by every caller of every process that talks to Vinted.

Vinted blocks by IP, across all its country domains: ~30 requests in a burst, ~20 in 4-5 minutes or
180-240 an hour were seen blocked; writes tolerated ~50 an hour spaced 20-50 s apart. The gate keeps well
under that (``config.Settings.vinted_*``):

- two token buckets, ``read`` and ``write``: ``burst`` tokens, one back every ``interval`` seconds;
- an hourly cap per kind, counted exactly over the last 3600 s (a sorted set of the grants);
- a closed gate: until a 429's ``Retry-After`` has passed, or for a cool-down after a challenge page or
  repeated 403s (30 minutes by default, doubling on each repeat within a day, at most 6 hours).

Each decision is one Lua script, so concurrent callers in separate processes never both take the last
token. The clock is Redis's own (``TIME``) unless a test hands in one; every process then agrees on it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from redis.asyncio import Redis

from vinted_optimizer.config import Settings
from vinted_optimizer.scraper.errors import PaceKind, PacingExceeded

PREFIX = "vo:vinted:pace"
HOUR = 3600.0
STRIKES_MEMORY_SECONDS = 86_400  # a challenge more than a day after the last one starts again at 30 min
FORBIDDEN_WINDOW_SECONDS = 600  # "repeated 403s": this many within 10 minutes

_NOW = """
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

# KEYS: bucket hash, hourly sorted set, gate hash, sequence. ARGV: now (0: Redis's clock), burst, interval,
# hourly cap. Returns {1, tokens left, grants this hour, now} or {0, seconds to wait, reason, now}.
ACQUIRE_SCRIPT = (
    _NOW
    + """
local burst = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local wait = 0
local reason = ''
local closed = tonumber(redis.call('HGET', KEYS[3], 'until') or '0')
if closed > now then
  wait = closed - now
  reason = redis.call('HGET', KEYS[3], 'reason') or 'closed'
end
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1] or burst)
local ts = tonumber(bucket[2] or now)
if now > ts then tokens = math.min(burst, tokens + (now - ts) / interval) end
if tokens < 1 then
  local w = (1 - tokens) * interval
  if w > wait then wait = w; reason = 'burst' end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 3600)
local count = redis.call('ZCARD', KEYS[2])
if count >= cap then
  local oldest = redis.call('ZRANGE', KEYS[2], count - cap, count - cap, 'WITHSCORES')
  local w = tonumber(oldest[2]) + 3600 - now
  if w > wait then wait = w; reason = 'hourly_cap' end
end
if wait > 0 then
  return {0, tostring(wait), reason, tostring(now)}
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst * interval) + 60)
local seq = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[2], now, tostring(now) .. ':' .. seq)
redis.call('EXPIRE', KEYS[2], 3700)
return {1, tostring(tokens), tostring(count + 1), tostring(now)}
"""
)

# KEYS: gate hash. ARGV: now, seconds, reason, cause. Closes the gate unless it is already closed longer.
CLOSE_SCRIPT = (
    _NOW
    + """
local target = now + tonumber(ARGV[2])
local closed = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if target > closed then
  redis.call('HSET', KEYS[1], 'until', tostring(target), 'reason', ARGV[3], 'cause', ARGV[4],
             'since', tostring(now))
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 60)
  return tostring(target)
end
return tostring(closed)
"""
)

# KEYS: gate hash, strikes counter. ARGV: now, base seconds, max seconds, cause, strikes memory.
# The cool-down doubles with each challenge remembered (within a day), up to the maximum.
COOLDOWN_SCRIPT = (
    _NOW
    + """
local strikes = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
local seconds = math.min(tonumber(ARGV[2]) * math.pow(2, strikes - 1), tonumber(ARGV[3]))
local target = now + seconds
local closed = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if target > closed then
  redis.call('HSET', KEYS[1], 'until', tostring(target), 'reason', 'cooldown', 'cause', ARGV[4],
             'since', tostring(now))
  redis.call('EXPIRE', KEYS[1], math.ceil(seconds) + 60)
else
  target = closed
end
return {tostring(target), strikes}
"""
)

# KEYS: forbidden counter. ARGV: window. Returns the count of 403s in the window.
FORBIDDEN_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return count
"""

# KEYS: read bucket, read hour, write bucket, write hour, gate, changed. ARGV: now.
STATUS_SCRIPT = (
    _NOW
    + """
local out = {tostring(now)}
for i = 0, 1 do
  local bucket = redis.call('HMGET', KEYS[2 * i + 1], 'tokens', 'ts')
  redis.call('ZREMRANGEBYSCORE', KEYS[2 * i + 2], '-inf', now - 3600)
  out[#out + 1] = bucket[1] or false
  out[#out + 1] = bucket[2] or false
  out[#out + 1] = tostring(redis.call('ZCARD', KEYS[2 * i + 2]))
end
local gate = redis.call('HMGET', KEYS[5], 'until', 'reason', 'cause')
local changed = redis.call('HMGET', KEYS[6], 'endpoint', 'detail', 'at')
for _, v in ipairs(gate) do out[#out + 1] = v end
for _, v in ipairs(changed) do out[#out + 1] = v end
return out
"""
)


@dataclass(frozen=True)
class Budget:
    burst: int
    interval: float  # seconds for one token to come back
    hourly_cap: int


@dataclass(frozen=True)
class Grant:
    kind: PaceKind
    at: float  # the gate's clock (Unix seconds) when the request was let through
    tokens_left: float
    this_hour: int


@dataclass(frozen=True)
class BudgetStatus:
    tokens: float  # whole tokens are requests that may go now
    burst: int
    hourly_count: int
    hourly_cap: int


@dataclass(frozen=True)
class ChangedNote:
    endpoint: str
    detail: str
    at: datetime


@dataclass(frozen=True)
class PacingStatus:
    read: BudgetStatus
    write: BudgetStatus
    closed_until: datetime | None
    reason: str | None  # "cooldown" or "retry_after"
    cause: str | None  # for a cool-down: "cloudflare", "datadome", "repeated_403"
    last_changed: ChangedNote | None


def _text(value: Any) -> str | None:
    if value is None or value is False:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


def _moment(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


class PacingGate:
    """``await gate.acquire("read")`` before every request to Vinted; tell it what Vinted answered with
    ``retry_after``, ``challenge``, ``forbidden`` and ``changed``."""

    def __init__(
        self,
        redis: Redis,
        settings: Settings,
        *,
        clock: Callable[[], float] | None = None,
        prefix: str = PREFIX,
    ) -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = prefix
        self.budgets: dict[PaceKind, Budget] = {
            "read": Budget(
                settings.vinted_read_burst,
                settings.vinted_read_interval_seconds,
                settings.vinted_read_hourly_cap,
            ),
            "write": Budget(
                settings.vinted_write_burst,
                settings.vinted_write_interval_seconds,
                settings.vinted_write_hourly_cap,
            ),
        }
        self.cooldown_seconds = settings.vinted_cooldown_minutes * 60
        self.cooldown_max_seconds = settings.vinted_cooldown_max_hours * 3600
        self.forbidden_strikes = settings.vinted_forbidden_strikes
        self.max_wait = settings.vinted_max_wait_seconds
        self._acquire = redis.register_script(ACQUIRE_SCRIPT)
        self._close = redis.register_script(CLOSE_SCRIPT)
        self._cooldown = redis.register_script(COOLDOWN_SCRIPT)
        self._forbidden = redis.register_script(FORBIDDEN_SCRIPT)
        self._status = redis.register_script(STATUS_SCRIPT)

    def _key(self, *parts: str) -> str:
        return ":".join((self._prefix, *parts))

    def _now(self) -> float:
        return self._clock() if self._clock is not None else 0.0

    async def try_acquire(self, kind: PaceKind) -> Grant | tuple[float, str]:
        """One look at the gate: a grant, or (seconds to wait, why) without taking anything."""
        budget = self.budgets[kind]
        reply = await self._acquire(
            keys=[self._key("bucket", kind), self._key("hour", kind), self._key("gate"), self._key("seq")],
            args=[repr(self._now()), budget.burst, repr(budget.interval), budget.hourly_cap],
        )
        granted, first, second, now = (_text(v) for v in reply)
        assert first is not None and second is not None and now is not None
        if granted == "1":
            return Grant(kind=kind, at=float(now), tokens_left=float(first), this_hour=int(second))
        return float(first), second

    async def acquire(self, kind: PaceKind, *, max_wait: float | None = None) -> Grant:
        """Wait for the gate (at most ``max_wait`` seconds in all, the setting by default); raise
        ``PacingExceeded`` at once when it will not open in time (a cool-down, the hourly cap)."""
        budget_left = self.max_wait if max_wait is None else max_wait
        deadline = time.monotonic() + budget_left
        while True:
            answer = await self.try_acquire(kind)
            if isinstance(answer, Grant):
                return answer
            wait, reason = answer
            if time.monotonic() + wait > deadline:
                gate_now = self._clock() if self._clock is not None else time.time()
                raise PacingExceeded(kind=kind, until=_moment(gate_now + wait), reason=reason)
            # A little past the refill, so the retry finds the token there (the others race for it too).
            await asyncio.sleep(wait + 0.005)

    async def retry_after(self, seconds: float) -> datetime:
        """Vinted's 429: nobody goes through before ``seconds`` have passed."""
        until = await self._close(
            keys=[self._key("gate")], args=[repr(self._now()), repr(max(1.0, seconds)), "retry_after", "429"]
        )
        return _moment(float(_text(until) or 0))

    async def challenge(self, cause: str) -> datetime:
        """A challenge page (or repeated 403s): closed for the cool-down, doubled for each repeat."""
        target, _strikes = await self._cooldown(
            keys=[self._key("gate"), self._key("strikes")],
            args=[
                repr(self._now()),
                repr(self.cooldown_seconds),
                repr(self.cooldown_max_seconds),
                cause,
                STRIKES_MEMORY_SECONDS,
            ],
        )
        return _moment(float(_text(target) or 0))

    async def forbidden(self) -> datetime | None:
        """A plain 403 (not a challenge): the ``vinted_forbidden_strikes``-th within 10 minutes cools down."""
        count = int(await self._forbidden(keys=[self._key("forbidden")], args=[FORBIDDEN_WINDOW_SECONDS]))
        if count < self.forbidden_strikes:
            return None
        await self._redis.delete(self._key("forbidden"))
        return await self.challenge("repeated_403")

    async def changed(self, endpoint: str, detail: str) -> None:
        """Remember the last answer that did not have the expected shape (for /api/health/deep)."""
        at = self._clock() if self._clock is not None else time.time()
        mapping: dict[str | bytes, str | bytes | int | float] = {
            "endpoint": endpoint,
            "detail": detail[:500],
            "at": repr(at),
        }
        await cast(Awaitable[int], self._redis.hset(self._key("changed"), mapping=mapping))

    async def status(self) -> PacingStatus:
        reply = [
            _text(v)
            for v in await self._status(
                keys=[
                    self._key("bucket", "read"),
                    self._key("hour", "read"),
                    self._key("bucket", "write"),
                    self._key("hour", "write"),
                    self._key("gate"),
                    self._key("changed"),
                ],
                args=[repr(self._now())],
            )
        ]
        now = float(reply[0] or 0)

        def budget(kind: PaceKind, tokens: str | None, ts: str | None, count: str | None) -> BudgetStatus:
            rule = self.budgets[kind]
            level = float(rule.burst) if tokens is None else float(tokens)
            if ts is not None and now > float(ts):
                level = min(float(rule.burst), level + (now - float(ts)) / rule.interval)
            return BudgetStatus(
                tokens=level, burst=rule.burst, hourly_count=int(count or 0), hourly_cap=rule.hourly_cap
            )

        read = budget("read", reply[1], reply[2], reply[3])
        write = budget("write", reply[4], reply[5], reply[6])
        until, reason, cause = reply[7], reply[8], reply[9]
        closed = until is not None and float(until) > now
        endpoint, detail, at = reply[10], reply[11], reply[12]
        return PacingStatus(
            read=read,
            write=write,
            closed_until=_moment(float(until)) if closed and until is not None else None,
            reason=reason if closed else None,
            cause=cause if closed else None,
            last_changed=ChangedNote(endpoint, detail or "", _moment(float(at)))
            if endpoint is not None and at is not None
            else None,
        )
