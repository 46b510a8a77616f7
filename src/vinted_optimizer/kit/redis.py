"""Redis connections from a URL: ``redis://``, ``rediss://`` (Upstash) or ``unix://`` (embedded).

- ``create_redis``: redis-py's client, for everything but the request gate.
- ``SharedConnection``: the request gate's one command a request (kit.ratelimit.RequestGate), on one
  connection that concurrent requests share, replies matched in order. redis-py's asyncio client spends
  about 25 microseconds of Python on each command (checking a connection out of its pool and probing it,
  locks, timeouts, retries), a fifth of a whole listing read; this costs about 4.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from typing import Any

import hiredis
import redis.exceptions
from redis._parsers import BaseParser
from redis.asyncio import Redis
from redis.asyncio.connection import SSLConnection, parse_url


def create_redis(url: str) -> Redis:
    client: Redis = Redis.from_url(url, decode_responses=False, health_check_interval=30)
    return client


def limits_storage_uri(url: str) -> str:
    """The `limits` library spells Unix sockets ``async+redis+unix://``."""
    if url.startswith("unix://"):
        return "async+redis+unix://" + url[len("unix://") :]
    return "async+" + url


class _Replies(asyncio.Protocol):
    """The socket's side of a SharedConnection: each reply, parsed by hiredis, completes the oldest
    command still waiting (Redis answers a connection's commands in the order they came)."""

    def __init__(self) -> None:
        self.reader = hiredis.Reader(replyError=redis.exceptions.ResponseError)
        self.waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.transport: asyncio.Transport | None = None
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        while (reply := self.reader.gets()) is not False:
            if not self.waiting:  # a reply nobody asked for: the stream can no longer be trusted
                self.close()
                return
            future = self.waiting.popleft()
            if not future.done():  # a caller that timed out left its future behind
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_exception(redis.exceptions.ConnectionError("Connessione a Redis persa."))

    def close(self) -> None:
        self.lost = True
        if self.transport is not None:
            self.transport.abort()  # connection_lost fails whatever still waits


class SharedConnection:
    """One connection to Redis for many concurrent callers: a command is written as soon as it is asked
    for and awaits its own reply (no pool, no lock). Connects on first use and again after a loss; a lost
    or unreachable server raises redis-py's ``ConnectionError``, a reply later than ``timeout`` its
    ``TimeoutError`` (both an outage to kit.outages), an error reply the exception redis-py would raise."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self._options = parse_url(url)
        self._timeout = timeout
        self._replies: _Replies | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connecting: asyncio.Lock | None = None

    async def execute(self, *args: str | bytes | int) -> Any:
        replies = self._replies
        if replies is None or replies.lost or self._loop is not asyncio.get_running_loop():
            replies = await self._connect()
        return await self._call(replies, args)

    async def _call(self, replies: _Replies, args: tuple[str | bytes | int, ...]) -> Any:
        assert replies.transport is not None
        future = asyncio.get_running_loop().create_future()
        replies.waiting.append(future)
        # hiredis types its argument as a one-element tuple; it packs any length.
        replies.transport.write(hiredis.pack_command(args))  # type: ignore[arg-type]
        try:
            async with asyncio.timeout(self._timeout):
                reply = await future
        except TimeoutError:
            replies.close()  # the replies still to come would answer the wrong callers
            raise redis.exceptions.TimeoutError("Redis non ha risposto in tempo.") from None
        if isinstance(reply, redis.exceptions.ResponseError):
            # redis-py's own reading of an error reply: LOADING is a BusyLoadingError (a ConnectionError,
            # so an outage while a restarted server loads), NOSCRIPT a NoScriptError, and so on.
            raise BaseParser.parse_error(str(reply))  # type: ignore[no-untyped-call]
        return reply

    async def _connect(self) -> _Replies:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._replies is not None:
                self._replies.close()
            self._replies, self._loop, self._connecting = None, loop, asyncio.Lock()
        assert self._connecting is not None
        async with self._connecting:
            if self._replies is not None and not self._replies.lost:
                return self._replies  # another caller connected while this one waited
            try:
                async with asyncio.timeout(self._timeout):
                    replies = await self._open(loop)
            except (OSError, TimeoutError) as error:
                raise redis.exceptions.ConnectionError(f"Redis non raggiungibile: {error}") from error
            self._replies = replies
            return replies

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Replies:
        options = self._options
        if "path" in options:
            _, replies = await loop.create_unix_connection(_Replies, options["path"])
        else:
            tls = ssl.create_default_context() if options.get("connection_class") is SSLConnection else None
            _, replies = await loop.create_connection(
                _Replies, options.get("host", "localhost"), options.get("port", 6379), ssl=tls
            )
        try:
            if options.get("password"):
                credentials = [options["username"]] if options.get("username") else []
                await self._call(replies, ("AUTH", *credentials, options["password"]))
            if options.get("db"):
                await self._call(replies, ("SELECT", options["db"]))
        except BaseException:
            replies.close()
            raise
        return replies

    async def close(self) -> None:
        if self._replies is not None:
            self._replies.close()
            self._replies = None
