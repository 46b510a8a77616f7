"""The job queue (SAQ on Redis): named jobs, enqueued only after the request's unit of work commits.

Why SAQ: its worker waits on Redis with a blocking ``BLMOVE``, so a job starts as soon as it is pushed
(no poll delay), and an idle worker costs a handful of commands a minute (Upstash bills per command).
ARQ could only poll, trading one for the other. The worker's timers (``WORKER_TIMERS``) are tuned for
that budget; ``bench/jobs.py`` measures both.

Every job has a namespaced name (``listings.analyze``). The worker's registry (``worker.JOB_NAMES``) is
handed to the queue when it is created, and every enqueue checks the name against it: a typo fails the
test that enqueues it, not the worker at 3 a.m. Job keys are derived from what the job is for, never
random, so the queue's de-duplication keeps one job per piece of work while it is queued or running.
A job that raises is tried again with an exponential backoff (``RETRY``).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, Field
from redis.asyncio import Redis
from saq.queue.redis import RedisQueue

from vinted_optimizer.kit import tracing
from vinted_optimizer.kit.db import after_commit
from vinted_optimizer.kit.events import EventBus, EventType

QUEUE_NAME = "vo"  # SAQ's keys are saq:vo:… and the jobs saq:job:vo:<key>

# How a job is run: at most 5 attempts, 2 s before the second, doubling up to 2 minutes; results kept
# 10 minutes; a job running longer than 5 minutes is cancelled and retried.
RETRY: dict[str, Any] = {"retries": 5, "retry_delay": 2.0, "retry_backoff": 120.0, "timeout": 300, "ttl": 600}

# A job function receives the worker's context first, then its own arguments.
JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Cron:
    """A job the worker runs on a schedule: every minute, or at the listed minutes of each hour, or of
    the listed hours (UTC) only."""

    name: str
    function: JobFunction
    minutes: frozenset[int] | None = None
    hours: frozenset[int] | None = None
    run_at_startup: bool = False

    def __post_init__(self) -> None:
        if self.minutes is not None and not all(0 <= m < 60 for m in self.minutes):
            raise ValueError(f"{self.name}: minutes are 0-59")
        if self.hours is not None and not all(0 <= h < 24 for h in self.hours):
            raise ValueError(f"{self.name}: hours are 0-23")

    @property
    def expression(self) -> str:
        minutes = "*" if self.minutes is None else ",".join(str(m) for m in sorted(self.minutes))
        hours = "*" if self.hours is None else ",".join(str(h) for h in sorted(self.hours))
        return f"{minutes} {hours} * * *"


@dataclass(frozen=True)
class DomainJobs:
    """What one domain's ``tasks.py`` gives the worker: its job functions by name, and its cron entries."""

    functions: dict[str, JobFunction] = field(default_factory=dict)
    cron: tuple[Cron, ...] = ()


class UnknownJob(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no job named {name!r} is registered with the worker (see worker.py)")


def saq_queue(
    url: str, *, blocking_seconds: float = 0, kind: type[RedisQueue] = RedisQueue, name: str = QUEUE_NAME
) -> RedisQueue:
    """A SAQ queue (of class ``kind``) on its own Redis client. A worker's client waits in ``BLMOVE`` for
    up to ``blocking_seconds``, so its socket timeout must be longer than that."""
    redis = Redis.from_url(
        url,
        decode_responses=False,
        health_check_interval=0 if blocking_seconds else 30,
        socket_timeout=blocking_seconds + 10 if blocking_seconds else 10,
        socket_connect_timeout=5,
    )
    return kind(redis, name=name)


class QueueStats(BaseModel):
    """A SAQ queue as SAQ reports it (``RedisQueue.info``): its lists now, and its live workers' counts."""

    name: str
    queued: int = Field(description="Waiting for a worker")
    active: int = Field(description="Running")
    scheduled: int = Field(description="Delayed: a retry's backoff, a cron run not yet due")
    workers: int = Field(description="Workers whose heartbeat is current")
    complete: int = Field(description="Jobs finished by the live workers since each started")
    failed: int = Field(
        description="Jobs that failed for good (retries spent) since each live worker started"
    )
    retried: int = Field(description="Attempts that raised and were queued again, same span")
    aborted: int = Field(description="Jobs aborted, same span")


async def queue_stats(queue: RedisQueue) -> QueueStats:
    """A few Redis reads (SAQ's own ``info``: three counts, the workers' heartbeats). The workers write
    their counts with their heartbeat (``worker_info``, every minute here), so they lag by up to that."""
    info = await queue.info()
    workers: list[dict[str, Any]] = [dict(worker.get("stats") or {}) for worker in info["workers"].values()]
    return QueueStats(
        name=info["name"],
        queued=info["queued"],
        active=info["active"],
        scheduled=max(0, info["scheduled"]),
        workers=len(workers),
        complete=sum(int(stats.get("complete") or 0) for stats in workers),
        failed=sum(int(stats.get("failed") or 0) for stats in workers),
        retried=sum(int(stats.get("retried") or 0) for stats in workers),
        aborted=sum(int(stats.get("aborted") or 0) for stats in workers),
    )


class JobQueue:
    def __init__(self, queue: RedisQueue, known: Collection[str]) -> None:
        self._queue = queue
        self._known = frozenset(known)

    def check(self, name: str) -> None:
        if name not in self._known:
            raise UnknownJob(name)

    async def enqueue(
        self,
        name: str,
        *args: Any,
        job_id: str | None = None,
        run_for: int | None = None,
        scheduled: datetime | None = None,
        options: dict[str, Any] | None = None,
    ) -> bool:
        """Queue a job; False when a job with the same key is already queued or running. ``run_for``
        (seconds) replaces RETRY's timeout for a job known to run longer (one paced by Vinted's gate);
        ``scheduled``: not before that time (the scheduler moves it to the queue when due); ``options``
        change how it runs (``timeout``, ``retries``: see ``RETRY``)."""
        self.check(name)
        key = job_id or f"{name}:{uuid.uuid4().hex}"
        when = {"scheduled": math.ceil(scheduled.timestamp())} if scheduled is not None else {}
        longer = {"timeout": run_for} if run_for is not None else {}
        kwargs: dict[str, Any] = {"args": list(args)}
        with tracing.enqueue_span(name):
            # Tracing on: the enqueuing context (W3C traceparent) goes with the job; its run continues it.
            carrier = tracing.job_carrier()
            if carrier:
                kwargs[tracing.JOB_CONTEXT_KEY] = carrier
            job = await self._queue.enqueue(
                name, key=key, kwargs=kwargs, **{**RETRY, **longer, **(options or {}), **when}
            )
        return job is not None

    async def scheduled_at(self, job_id: str) -> datetime | None:
        """When a queued job is due (None: unknown, or due at once)."""
        job = await self._queue.job(job_id)
        if job is None or not job.scheduled:
            return None
        return datetime.fromtimestamp(job.scheduled, UTC)

    async def waiting(self) -> int:
        """Jobs queued, delayed (a retry's backoff) or running."""
        return int(await self._queue.count("incomplete"))

    async def stats(self) -> QueueStats:
        return await queue_stats(self._queue)

    async def ping(self) -> None:
        await self._queue.redis.ping()

    async def aclose(self) -> None:
        await self._queue.disconnect()


async def create_queue(url: str, known: Collection[str]) -> JobQueue:
    return JobQueue(saq_queue(url), known)


class Jobs:
    """The request's side effects that must wait for its commit (dropped if it rolls back)."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def call_after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Side effects outside the database (deleting stored photos) happen only once the rows are gone."""
        after_commit(self._request, callback)

    def enqueue_after_commit(
        self,
        name: str,
        *args: Any,
        job_id: str | None = None,
        scheduled: datetime | None = None,
        options: dict[str, Any] | None = None,
    ) -> None:
        queue: JobQueue = self._request.app.state.queue
        queue.check(name)  # now, inside the request: a wrong name fails before anything commits

        async def enqueue() -> None:
            await queue.enqueue(name, *args, job_id=job_id, scheduled=scheduled, options=options)

        after_commit(self._request, enqueue)

    def publish_after_commit(self, family_id: uuid.UUID, event_type: EventType, data: dict[str, Any]) -> None:
        """A live event to the family's sockets (kit.events), once what it announces is committed."""
        bus: EventBus = self._request.app.state.events

        async def publish() -> None:
            await bus.publish_quietly(family_id, event_type, data)

        after_commit(self._request, publish)


JobsAfterCommit = Annotated[Jobs, Depends(Jobs)]


class JobsAfterJobCommit:
    """A job's own side effects that wait for its commit: the calls of ``Jobs``, collected and run by
    ``run()`` once the job's transaction has committed (dropped if it does not)."""

    def __init__(self, queue: JobQueue, events: EventBus) -> None:
        self._queue = queue
        self._events = events
        self._callbacks: list[Callable[[], Awaitable[None]]] = []

    def call_after_commit(self, callback: Callable[[], Awaitable[None]]) -> None:
        self._callbacks.append(callback)

    def enqueue_after_commit(self, name: str, *args: Any, job_id: str | None = None) -> None:
        self._queue.check(name)

        async def enqueue() -> None:
            await self._queue.enqueue(name, *args, job_id=job_id)

        self._callbacks.append(enqueue)

    def publish_after_commit(self, family_id: uuid.UUID, event_type: EventType, data: dict[str, Any]) -> None:
        async def publish() -> None:
            await self._events.publish_quietly(family_id, event_type, data)

        self._callbacks.append(publish)

    async def run(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            await callback()


# What a rule that queues or announces takes: a request's side effects, or a job's.
AfterCommit = Jobs | JobsAfterJobCommit
