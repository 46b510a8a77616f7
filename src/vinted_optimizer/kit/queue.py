"""The job queue (ARQ on Redis): named jobs, enqueued only after the request's unit of work commits.

Every job has a namespaced name (``listings.analyze``). The worker's registry (``worker.JOB_NAMES``) is
handed to the queue when it is created, and every enqueue checks the name against it: a typo fails the
test that enqueues it, not the worker at 3 a.m. Job ids are derived from what the job is for, never
random, so the queue's de-duplication keeps one job per piece of work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Annotated, Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from fastapi import Depends, Request

from vinted_optimizer.kit.db import after_commit

QUEUE_NAME = "vo:queue"

# A job function receives the worker's context first, then its own arguments.
JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Cron:
    """A job the worker runs on a schedule: every minute, or at the listed minutes of each hour."""

    name: str
    function: JobFunction
    minutes: frozenset[int] | None = None
    run_at_startup: bool = False


@dataclass(frozen=True)
class DomainJobs:
    """What one domain's ``tasks.py`` gives the worker: its job functions by name, and its cron entries."""

    functions: dict[str, JobFunction] = field(default_factory=dict)
    cron: tuple[Cron, ...] = ()


class UnknownJob(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no job named {name!r} is registered with the worker (see worker.py)")


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 5
    return settings


class JobQueue:
    def __init__(self, pool: ArqRedis, known: Collection[str]) -> None:
        self._pool = pool
        self._known = frozenset(known)

    def check(self, name: str) -> None:
        if name not in self._known:
            raise UnknownJob(name)

    async def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> bool:
        """Queue a job; False when a job with the same id is already queued, running or just done."""
        self.check(name)
        return await self._pool.enqueue_job(name, *args, _job_id=job_id) is not None

    async def ping(self) -> None:
        await self._pool.ping()

    async def aclose(self) -> None:
        await self._pool.aclose()


async def create_queue(url: str, known: Collection[str]) -> JobQueue:
    return JobQueue(await create_pool(redis_settings(url), default_queue_name=QUEUE_NAME), known)


class Jobs:
    """The request's side effects that must wait for its commit (dropped if it rolls back)."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def call_after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Side effects outside the database (deleting stored photos) happen only once the rows are gone."""
        after_commit(self._request, callback)

    def enqueue_after_commit(self, name: str, *args: Any, job_id: str | None = None) -> None:
        queue: JobQueue = self._request.app.state.queue
        queue.check(name)  # now, inside the request: a wrong name fails before anything commits

        async def enqueue() -> None:
            await queue.enqueue(name, *args, job_id=job_id)

        after_commit(self._request, enqueue)


JobsAfterCommit = Annotated[Jobs, Depends(Jobs)]
