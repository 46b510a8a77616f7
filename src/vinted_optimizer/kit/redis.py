"""Redis connections from a URL: ``redis://``, ``rediss://`` (Upstash) or ``unix://`` (embedded)."""

from __future__ import annotations

from redis.asyncio import Redis


def create_redis(url: str) -> Redis:
    client: Redis = Redis.from_url(url, decode_responses=False, health_check_interval=30)
    return client


def limits_storage_uri(url: str) -> str:
    """The `limits` library spells Unix sockets ``async+redis+unix://``."""
    if url.startswith("unix://"):
        return "async+redis+unix://" + url[len("unix://") :]
    return "async+" + url
