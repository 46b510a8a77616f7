"""Rate limits in Redis through `limits` (moving window): per IP, per member, and failed logins."""

from __future__ import annotations

import math
import time
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.errors import TooManyRequests
from vinted_optimizer.kit.redis import limits_storage_uri


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
        self.per_ip = parse(settings.rate_limit_ip)
        self.per_user = parse(settings.rate_limit_user)
        self.login_failures = parse(settings.rate_limit_login_failures)
        self.register = parse(settings.rate_limit_register)
        self.invitations = parse(settings.rate_limit_invitations)

    async def close(self) -> None:
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

    async def count(self, item: RateLimitItem, *keys: str) -> None:
        await self._limiter.hit(item, *keys)

    async def clear(self, item: RateLimitItem, *keys: str) -> None:
        await self._limiter.clear(item, *keys)
