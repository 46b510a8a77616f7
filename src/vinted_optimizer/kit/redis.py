"""Redis connections from a URL: ``redis://``, ``rediss://`` (Upstash) or ``unix://`` (embedded)."""

from __future__ import annotations

from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection, Connection, SSLConnection, UnixDomainSocketConnection
from redis.connection import HiredisRespSerializer


def create_redis(url: str) -> Redis:
    client: Redis = Redis.from_url(url, decode_responses=False, health_check_interval=30)
    return client


def limits_storage_uri(url: str) -> str:
    """The `limits` library spells Unix sockets ``async+redis+unix://``."""
    if url.startswith("unix://"):
        return "async+redis+unix://" + url[len("unix://") :]
    return "async+" + url


class _HiredisPacking:
    """redis-py's asyncio connections pack each command in Python, about ten calls an argument; its
    sync connections hand it to hiredis's C packer (``HiredisRespSerializer``): the same packer here,
    for the command every request sends (the request gate's script)."""

    _serializer = HiredisRespSerializer()

    def pack_command(self, *args: Any) -> list[bytes]:
        packed: list[bytes] = self._serializer.pack(*args)
        return packed


_PACKED: dict[type[AbstractConnection], type[AbstractConnection]] = {
    base: type(f"Packed{base.__name__}", (_HiredisPacking, base), {})
    for base in (Connection, UnixDomainSocketConnection, SSLConnection)
}


def packed_pool(url: str) -> ConnectionPool:
    """A connection pool for ``url`` (any scheme) whose connections pack commands with hiredis."""
    pool = ConnectionPool.from_url(url)
    pool.connection_class = _PACKED.get(pool.connection_class, pool.connection_class)
    return pool
