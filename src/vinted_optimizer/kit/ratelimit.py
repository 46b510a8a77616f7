"""Rate limits in Redis.

- The limits every request passes (per IP, per member) are sliding-window counters checked by one Lua
  script, ``RequestGate``, which in the same round trip reads the keys the caller needs next (the
  session's state, the member's cached profile): the whole security check of a request costs one Redis
  command. No library combines limits with other reads in one script, hence this one.
- The rarer ones (failed logins, sign-ups, invitations) go through `limits` (moving window).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool
from redis.exceptions import NoScriptError

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.errors import TooManyRequests
from vinted_optimizer.kit.redis import SharedConnection, limits_storage_uri


class RateLimits:
    def __init__(self, settings: Settings, redis_url: str) -> None:
        # Our own pool, so close() can release its connections (limits has no close of its own).
        self._pool = ConnectionPool.from_url(redis_url)
        # `limits` passes its extra options on to redis-py, typed loosely as scalars.
        options: dict[str, Any] = {"connection_pool": self._pool}
        self.storage = RedisStorage(
            limits_storage_uri(redis_url), implementation="redispy", key_prefix="vo:rl", **options
        )
        self._limiter = MovingWindowRateLimiter(self.storage)
        # Every request's command, on a connection of its own that the requests share (kit.redis).
        self.gate = RequestGate(SharedConnection(redis_url))
        self.per_ip = parse(settings.rate_limit_ip)
        self.per_user = parse(settings.rate_limit_user)
        self.login_failures = parse(settings.rate_limit_login_failures)
        self.register = parse(settings.rate_limit_register)
        self.invitations = parse(settings.rate_limit_invitations)
        self.password_reset = parse(settings.rate_limit_password_reset)
        self.vinted_pairing = parse(settings.rate_limit_vinted_pairing)
        self.vinted_redeem = parse(settings.rate_limit_vinted_redeem)
        self.chat = parse(settings.rate_limit_chat)

    async def close(self) -> None:
        await self.gate.close()
        await self._pool.disconnect()

    async def _retry_after(self, item: RateLimitItem, *keys: str) -> int:
        stats = await self._limiter.get_window_stats(item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def _reject(self, item: RateLimitItem, keys: tuple[str, ...], message: str | None) -> None:
        retry_after = await self._retry_after(item, *keys)
        raise TooManyRequests(retry_after, message.format(seconds=retry_after) if message else None)

    async def hit(self, item: RateLimitItem, *keys: str, message: str | None = None) -> None:
        """Count one request; raise 429 with Retry-After when over the limit."""
        if not await self._limiter.hit(item, *keys):
            await self._reject(item, keys, message)

    async def check(self, item: RateLimitItem, *keys: str, message: str | None = None) -> None:
        """Raise 429 when the limit is already reached, without counting."""
        if not await self._limiter.test(item, *keys):
            await self._reject(item, keys, message)

    async def allows(self, item: RateLimitItem, *keys: str) -> bool:
        """Whether one more request would pass, without counting it."""
        return bool(await self._limiter.test(item, *keys))

    async def pace(self, item: RateLimitItem, *keys: str, margin: float = 0.05) -> None:
        """For our calls to a rate-limited API (17TRACK: 3 per second per key, whichever process calls):
        wait until one more call fits in the moving window, then count it. ``margin`` keeps the next call
        clear of the window's edge as the other side measures it (its clock, the network's jitter)."""
        while not await self._limiter.hit(item, *keys):
            stats = await self._limiter.get_window_stats(item, *keys)
            await asyncio.sleep(max(0.0, stats.reset_time - time.time()) + margin)

    async def count(self, item: RateLimitItem, *keys: str) -> None:
        await self._limiter.hit(item, *keys)

    async def clear(self, item: RateLimitItem, *keys: str) -> None:
        await self._limiter.clear(item, *keys)


# KEYS: for each limit its current and previous window counters, then the keys to read.
# ARGV[1]: the time (milliseconds) and, for each limit, its amount and window (milliseconds), separated by
# spaces (one argument: every argument costs the client its encoding, every request). Returns
# {0, limit index, milliseconds to wait} when a limit is reached (nothing is counted), else
# {1, value of each key to read...}. A request is counted against every limit only when it passes them
# all. Sliding window counter: the previous window's count weighs in proportion to the part of it still
# inside the window.
GATE_SCRIPT = """
local numbers = {}
for n in string.gmatch(ARGV[1], '%d+') do numbers[#numbers + 1] = tonumber(n) end
local now = numbers[1]
local limits = (#numbers - 1) / 2
for i = 1, limits do
  local amount = numbers[2 * i]
  local window = numbers[2 * i + 1]
  local elapsed = now - math.floor(now / window) * window
  local current = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local previous = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local remaining = window - elapsed
  if current + 1 > amount then
    return {0, i, remaining + math.ceil(window * (1 - (amount - 1) / current))}
  end
  if previous * remaining / window + current + 1 > amount then
    return {0, i, math.ceil(remaining - (amount - 1 - current) * window / previous)}
  end
end
for i = 1, limits do
  redis.call('INCR', KEYS[2 * i - 1])
  redis.call('PEXPIRE', KEYS[2 * i - 1], 2 * numbers[2 * i + 1])
end
local out = {1}
for k = 2 * limits + 1, #KEYS do
  out[#out + 1] = redis.call('GET', KEYS[k]) or false
end
return out
"""


@dataclass(frozen=True)
class Limit:
    """A limit a request passes: ``item`` (e.g. 600 per minute) for ``subject`` (e.g. ``1.2.3.4``)."""

    name: str
    item: RateLimitItem
    subject: str


class RequestGate:
    """Every request's limits, and the reads its authentication needs, in one Redis command."""

    def __init__(self, connection: SharedConnection) -> None:
        self._connection = connection
        self._sha = hashlib.sha1(GATE_SCRIPT.encode(), usedforsecurity=False).hexdigest()

    async def close(self) -> None:
        await self._connection.close()

    async def _run(self, keys: list[str], argument: str) -> list[Any]:
        """EVALSHA, and EVAL once when the server does not know the script yet (which caches it)."""
        try:
            result: list[Any] = await self._connection.execute(
                "EVALSHA", self._sha, len(keys), *keys, argument
            )
        except NoScriptError:
            result = await self._connection.execute("EVAL", GATE_SCRIPT, len(keys), *keys, argument)
        return result

    async def passes(
        self, limits: list[Limit], reads: list[str], *, now: float | None = None
    ) -> list[bytes | None]:
        """Count the request against every limit and return the value of each key in ``reads``;
        429 with Retry-After when one limit is reached (then nothing is counted)."""
        now_ms = int((now if now is not None else time.time()) * 1000)
        keys: list[str] = []
        numbers = [str(now_ms)]
        for limit in limits:
            window = limit.item.get_expiry() * 1000
            index = now_ms // window
            prefix = f"vo:gate:{limit.name}:{limit.item.amount}:{limit.subject}"
            keys += [f"{prefix}:{index}", f"{prefix}:{index - 1}"]
            numbers += [str(limit.item.amount), str(window)]
        result = await self._run([*keys, *reads], " ".join(numbers))
        if int(result[0]) == 0:
            raise TooManyRequests(math.ceil(int(result[2]) / 1000))
        return [value if isinstance(value, bytes) else None for value in result[1:]]
