"""The job worker (ARQ): only collects each domain's jobs and cron entries. Runs standalone
(`vinted-optimizer worker`) or inside `serve`.

``JOB_NAMES`` is the registry the queue checks every enqueue against (``kit.queue``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import cast

import structlog
from arq import cron
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function, Worker, func

from vinted_optimizer.auth.tasks import JOBS as AUTH_JOBS
from vinted_optimizer.kit.queue import QUEUE_NAME, DomainJobs, redis_settings
from vinted_optimizer.listings.tasks import JOBS as LISTINGS_JOBS
from vinted_optimizer.resources import Resources
from vinted_optimizer.users.tasks import JOBS as USERS_JOBS

log = structlog.get_logger(__name__)

DOMAINS: tuple[DomainJobs, ...] = (AUTH_JOBS, USERS_JOBS, LISTINGS_JOBS)

JOB_NAMES: frozenset[str] = frozenset(name for domain in DOMAINS for name in domain.functions)
FUNCTIONS: list[Function] = [
    # ARQ types a job as taking (ctx, *args, **kwargs); ours name their arguments.
    func(cast(WorkerCoroutine, function), name=name)
    for domain in DOMAINS
    for name, function in domain.functions.items()
]
CRON_JOBS: list[CronJob] = [
    cron(
        cast(WorkerCoroutine, entry.function),
        name=f"cron:{entry.name}",  # ARQ keeps cron entries and functions in one namespace
        minute=set(entry.minutes) if entry.minutes is not None else None,
        run_at_startup=entry.run_at_startup,
        unique=True,
    )
    for domain in DOMAINS
    for entry in domain.cron
]
if len(JOB_NAMES) != len(FUNCTIONS):
    raise RuntimeError("two domains declare a job with the same name")


RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
# A worker that ran this long before dying starts again at the first delay.
HEALTHY_AFTER_SECONDS = 60.0


async def run_supervised(resources: Resources, *, burst: bool = False, max_jobs: int = 4) -> None:
    """Run the worker until cancelled; when it dies (Redis lost, a bug in ARQ's loop), log it and start a
    new one after a growing delay. A burst run ends when the queue is empty."""
    delay = RESTART_FIRST_SECONDS
    while True:
        worker = build_worker(resources, burst=burst, max_jobs=max_jobs)
        started = time.monotonic()
        try:
            await worker.async_run()
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever killed it, a new worker is started
            if time.monotonic() - started > HEALTHY_AFTER_SECONDS:
                delay = RESTART_FIRST_SECONDS
            log.error("worker.died", error=f"{type(error).__name__}: {error}"[:300], restart_in_seconds=delay)
        finally:
            with contextlib.suppress(Exception):
                await worker.close()
        await asyncio.sleep(delay)
        delay = min(delay * 2, RESTART_MAX_SECONDS)


def build_worker(resources: Resources, *, burst: bool = False, max_jobs: int = 4) -> Worker:
    assert resources.settings.redis_url is not None, "the worker needs Redis"
    return Worker(
        functions=FUNCTIONS,
        cron_jobs=CRON_JOBS,
        # Its own connection pool: Worker.close() closes the pool it uses.
        redis_settings=redis_settings(resources.settings.redis_url.get_secret_value()),
        queue_name=QUEUE_NAME,
        ctx={"resources": resources},
        poll_delay=resources.settings.worker_poll_seconds,
        handle_signals=False,
        burst=burst,
        max_tries=5,
        max_jobs=max_jobs,
        job_timeout=300,
    )
