"""Failed sign-ins: slowing an attacker down without locking the owner out.

- **Per account** (the e-mail and the username of one account count as one): after ``THRESHOLD`` failures
  the account waits ``FIRST_DELAY`` before the next attempt, then twice as long after each further
  failure, up to ``MAX_DELAY`` — a growing delay, not a lock: once it has passed, the right password
  works from anywhere, and a success clears the count.
- **Except from the owner's own device**: a successful sign-in leaves a signed ``vo_device`` cookie
  (httpOnly, for the auth endpoints only). A request carrying it for that account skips the account's
  delay and the IP's lock (that device has its own small limit), so knowing a username, or sharing the
  owner's network, is not enough to keep the owner out.
- **Per IP**: ``VO_RATE_LIMIT_LOGIN_FAILURES`` failures, then 429 until the window moves on.

Every delay and every IP lock that starts is written to the audit log.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from redis.asyncio import Redis

from vinted_optimizer.kit.errors import TooManyRequests
from vinted_optimizer.kit.ratelimit import RateLimits

THRESHOLD = 5
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 15 * 60
# Failures are remembered this long after the last one, so a slow attack keeps its growing delay.
MEMORY_SECONDS = 24 * 3600
FAILURES_KEY = "vo:login:account:{}:failures"
UNTIL_KEY = "vo:login:account:{}:until"
MESSAGE = "Troppi tentativi di accesso falliti: riprova tra {seconds} secondi."


def delay_after(failures: int) -> int:
    """Seconds to wait after the n-th failure in a row (0 below the threshold)."""
    if failures < THRESHOLD:
        return 0
    return min(FIRST_DELAY_SECONDS * (1 << min(failures - THRESHOLD, 16)), MAX_DELAY_SECONDS)


@dataclass(frozen=True)
class Lock:
    """A delay or an IP lock that has just started (to audit)."""

    scope: str  # "account" or "ip"
    seconds: int
    failures: int


class LoginThrottle:
    def __init__(self, redis: Redis, limits: RateLimits) -> None:
        self._redis = redis
        self._limits = limits

    async def check(self, account: str, ip: str, *, device: str | None) -> None:
        """Raise 429 when this attempt must wait; nothing is counted here."""
        limits = self._limits
        if device is not None:
            # The owner's device: neither the account's delay nor its network's lock (a guesser behind
            # the same router) applies, only the device's own limit.
            await limits.check(limits.login_failures, "login-device", device, message=MESSAGE)
            return
        await limits.check(limits.login_failures, "login-ip", ip, message=MESSAGE)
        until = await self._redis.get(UNTIL_KEY.format(account))
        wait = float(until) - time.time() if until else 0.0
        if wait > 0:
            seconds = max(1, int(wait + 0.999))
            raise TooManyRequests(seconds, MESSAGE.format(seconds=seconds))

    async def failed(self, account: str, ip: str, *, device: str | None) -> list[Lock]:
        """Count a failure; the locks it starts are returned for the audit log."""
        limits = self._limits
        started: list[Lock] = []
        if device is not None:
            await limits.count(limits.login_failures, "login-device", device)
            return started
        await limits.count(limits.login_failures, "login-ip", ip)
        if not await limits.allows(limits.login_failures, "login-ip", ip):
            started.append(Lock("ip", limits.login_failures.get_expiry(), limits.login_failures.amount))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(FAILURES_KEY.format(account))
            pipe.expire(FAILURES_KEY.format(account), MEMORY_SECONDS)
            failures = int((await pipe.execute())[0])
        seconds = delay_after(failures)
        if seconds:
            await self._redis.set(UNTIL_KEY.format(account), str(time.time() + seconds), ex=MEMORY_SECONDS)
        if seconds:
            started.append(Lock("account", seconds, failures))
        return started

    async def succeeded(self, account: str) -> None:
        await self._redis.delete(FAILURES_KEY.format(account), UNTIL_KEY.format(account))
