"""The job worker (SAQ): only collects each domain's jobs and cron entries. Runs standalone
(`vinted-optimizer worker`) or inside `serve`.

``JOB_NAMES`` is the registry the queue checks every enqueue against (``kit.queue``).

An idle worker's Redis commands, with ``WORKER_TIMERS``: each of its ``max_jobs`` waits is one
``BLMOVE`` that returns after ``DEQUEUE_WAIT_SECONDS`` (a job pushed meanwhile returns it at once); the
scheduler moves due delayed jobs (retries, cron runs) every ``schedule`` seconds with one script; the
worker's heartbeat and the sweep of stuck jobs run once a minute. ``bench/jobs.py`` measures the total.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from typing import Any

import redis.exceptions
import structlog
from croniter import croniter  # type: ignore[import-untyped]
from saq import CronJob
from saq import Worker as SaqWorker
from saq.job import Job
from saq.queue.redis import RedisQueue
from saq.types import PartialTimersDict

from vinted_optimizer.auth.tasks import JOBS as AUTH_JOBS
from vinted_optimizer.chat.tasks import JOBS as CHAT_JOBS
from vinted_optimizer.kit import tracing
from vinted_optimizer.kit.queue import RETRY, Cron, DomainJobs, JobFunction, saq_queue
from vinted_optimizer.listings.tasks import JOBS as LISTINGS_JOBS
from vinted_optimizer.notifications.tasks import JOBS as NOTIFICATIONS_JOBS
from vinted_optimizer.resources import Resources
from vinted_optimizer.shipments.tasks import JOBS as SHIPMENTS_JOBS
from vinted_optimizer.trends.tasks import JOBS as TRENDS_JOBS
from vinted_optimizer.users.tasks import JOBS as USERS_JOBS
from vinted_optimizer.vinted_link.tasks import JOBS as VINTED_LINK_JOBS

log = structlog.get_logger(__name__)

DOMAINS: tuple[DomainJobs, ...] = (
    AUTH_JOBS, USERS_JOBS, LISTINGS_JOBS, NOTIFICATIONS_JOBS, SHIPMENTS_JOBS, TRENDS_JOBS, VINTED_LINK_JOBS,
    CHAT_JOBS,
)  # fmt: skip

JOB_NAMES: frozenset[str] = frozenset(name for domain in DOMAINS for name in domain.functions)
if len(JOB_NAMES) != sum(len(domain.functions) for domain in DOMAINS):
    raise RuntimeError("two domains declare a job with the same name")

DEQUEUE_WAIT_SECONDS = 60
# Seconds between the scheduler's runs (a delayed job starts up to this late), the heartbeat, the sweep;
# abort is checked only while a job runs.
WORKER_TIMERS: PartialTimersDict = {"schedule": 30, "worker_info": 60, "sweep": 60, "abort": 2}
CRON_PREFIX = "cron:"


def _positional(name: str, function: JobFunction) -> JobFunction:
    """SAQ passes a job's arguments by keyword; ours are positional, queued as ``args``. ``trace``: the
    enqueuing request's trace context (kit.queue), which the job's span continues when tracing is on."""

    async def run(
        ctx: dict[str, Any], *, args: list[Any] | tuple[Any, ...] = (), trace: dict[str, str] | None = None
    ) -> Any:
        if not tracing.active():
            return await function(ctx, *args)
        job: Job | None = ctx.get("job")
        attributes: dict[str, str | int] = {
            "messaging.system": "saq",
            "messaging.operation.type": "process",
            "job.name": name,
        }
        if job is not None:
            attributes |= {"job.key": job.key, "job.attempt": job.attempts}
        with tracing.job_span(name, trace, attributes):
            return await function(ctx, *args)

    run.__qualname__ = name
    return run


FUNCTIONS: list[tuple[str, JobFunction]] = [
    (name, _positional(name, function)) for domain in DOMAINS for name, function in domain.functions.items()
]
CRON_ENTRIES: tuple[Cron, ...] = tuple(entry for domain in DOMAINS for entry in domain.cron)
CRON_JOBS: list[CronJob[Any]] = [
    CronJob(
        _positional(CRON_PREFIX + entry.name, entry.function),
        cron=entry.expression,
        unique=True,
        timeout=RETRY["timeout"],
        retries=1,  # the next run is the retry
        ttl=RETRY["ttl"],
    )
    for entry in CRON_ENTRIES
]

RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
# A worker that ran this long before dying starts again at the first delay.
HEALTHY_AFTER_SECONDS = 60.0
LOST_REDIS_PAUSE_SECONDS = 1.0


class _Queue(RedisQueue):
    async def dequeue(self, timeout: float = 0.0, poll_interval: float = 0.0) -> Job | None:  # noqa: ASYNC109
        """SAQ starts the next wait at once when one fails: with Redis gone that would spin, so pause."""
        try:
            return await super().dequeue(timeout, poll_interval)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
            log.warning("worker.redis_unavailable", error=type(error).__name__)
            await asyncio.sleep(LOST_REDIS_PAUSE_SECONDS)
            return None


class Worker(SaqWorker[Any]):
    """SAQ's worker, with three changes: no signal handlers of its own (``serve`` and the CLI own them);
    each cron run is enqueued once, when it becomes the next one (SAQ enqueues every cron entry at every
    scheduler tick, a script call the de-duplication then refuses); and the entries marked
    ``run_at_startup`` are queued when it starts."""

    SIGNALS = []  # noqa: RUF012 - SAQ's class attribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued_runs: dict[str, int] = {}
        self._upkeep: list[asyncio.Task[None]] = []

    async def upkeep(self) -> list[asyncio.Task[None]]:
        self._upkeep = await super().upkeep()
        return self._upkeep

    async def stop(self) -> None:
        """The timers sleep for up to a minute, and so does a dequeue waiting on Redis: both are cancelled
        at once. Only running jobs get the grace period (SAQ's own stop would wait it out for the idle
        dequeues too: every stop took the whole 10 seconds)."""
        self.event.set()  # no new job from here on
        for task in self._upkeep:
            task.cancel()
        running = [context["task"] for context in self.job_task_contexts.values()]
        if running:
            await asyncio.wait(running, timeout=self._shutdown_grace_period_s or 0)
        self._shutdown_grace_period_s = 0
        await super().stop()

    async def schedule(self, lock: int = 1) -> None:
        await self.queue.schedule(lock)
        for cron_job in self.cron_jobs:
            name = cron_job.function.__qualname__
            next_run = int(croniter(cron_job.cron, datetime.now(UTC)).get_next())
            if self._queued_runs.get(name) == next_run:
                continue
            job = await self.queue.enqueue(
                name,
                key=name,
                scheduled=next_run,
                timeout=cron_job.timeout,
                retries=cron_job.retries,
                ttl=cron_job.ttl,
            )
            if job is not None:  # refused while the previous run is still queued or running: next tick
                self._queued_runs[name] = next_run


def build_worker(
    resources: Resources,
    *,
    burst: bool = False,
    max_jobs: int = 4,
    cron: bool = True,
    dequeue_wait_seconds: float = DEQUEUE_WAIT_SECONDS,
) -> Worker:
    """A worker on its own Redis connections (its waits block them). In burst mode it ends once a wait
    finds the queue empty."""
    assert resources.settings.redis_url is not None, "the worker needs Redis"
    url = resources.settings.redis_url.get_secret_value()
    queue = saq_queue(url, blocking_seconds=dequeue_wait_seconds, kind=_Queue)
    at_startup = [entry.name for entry in CRON_ENTRIES if entry.run_at_startup] if cron else []

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["resources"] = resources
        for name in at_startup:
            await queue.enqueue(name, key=f"startup:{name}", kwargs={"args": []}, **RETRY)

    return Worker(
        queue,
        functions=FUNCTIONS,
        cron_jobs=CRON_JOBS if cron else [],
        startup=startup,
        concurrency=max_jobs,
        timers={**WORKER_TIMERS, "schedule": resources.settings.worker_schedule_seconds},
        dequeue_timeout=dequeue_wait_seconds,
        burst=burst,
        shutdown_grace_period_s=10,
    )


async def run_supervised(resources: Resources, *, burst: bool = False, max_jobs: int = 4) -> None:
    """Run the worker until cancelled; when it dies (a bug in its loop), log it and start a new one after
    a growing delay. A burst run ends when the queue is empty."""
    delay = RESTART_FIRST_SECONDS
    while True:
        wait = 1 if burst else DEQUEUE_WAIT_SECONDS
        worker = build_worker(resources, burst=burst, max_jobs=max_jobs, dequeue_wait_seconds=wait)
        started = time.monotonic()
        try:
            await worker.queue.connect()
            await worker.start()
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever killed it, a new worker is started
            if time.monotonic() - started > HEALTHY_AFTER_SECONDS:
                delay = RESTART_FIRST_SECONDS
            log.error("worker.died", error=f"{type(error).__name__}: {error}"[:300], restart_in_seconds=delay)
        finally:
            with contextlib.suppress(Exception):
                await worker.stop()
            with contextlib.suppress(Exception):
                await worker.queue.disconnect()
        await asyncio.sleep(delay)
        delay = min(delay * 2, RESTART_MAX_SECONDS)
