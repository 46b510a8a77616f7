"""ARQ job queue: jobs are enqueued only after the request's unit of work commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from fastapi import Depends, Request

from vinted_optimizer.kit.db import after_commit

QUEUE_NAME = "vo:queue"


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 5
    return settings


async def create_queue(url: str) -> ArqRedis:
    return await create_pool(redis_settings(url), default_queue_name=QUEUE_NAME)


class Jobs:
    def __init__(self, request: Request) -> None:
        self._request = request

    def call_after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Side effects outside the database (deleting stored photos) happen only once the rows are gone."""
        after_commit(self._request, callback)

    def enqueue_after_commit(self, function: str, *args: Any, **kwargs: Any) -> None:
        queue: ArqRedis = self._request.app.state.resources.queue

        async def enqueue() -> None:
            await queue.enqueue_job(function, *args, **kwargs)

        after_commit(self._request, enqueue)


JobQueue = Annotated[Jobs, Depends(Jobs)]
