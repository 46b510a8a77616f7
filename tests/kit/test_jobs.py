"""The job queue's guarantees, on the real worker and Redis: a job waits for its request's commit (and is
gone with a rollback), a failing job is tried again later and later, a queued job starts at once."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from tests.support.worker import run_jobs
from vinted_optimizer.auth import service as auth_service
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Conflict
from vinted_optimizer.kit.queue import QUEUE_NAME, JobsAfterCommit
from vinted_optimizer.worker import build_worker

CLEANUP = "auth.cleanup"


@pytest.fixture
def app(app):  # noqa: ANN001, ANN201 - the real app, with two routes of its own
    @app.post("/test/enqueue")
    async def enqueue(session: DbSession, jobs: JobsAfterCommit, fail: bool = False) -> dict[str, bool]:
        await session.execute(text("SELECT 1"))
        jobs.enqueue_after_commit(CLEANUP, job_id="cleanup:test")
        if fail:
            raise Conflict("fallita dopo aver accodato")
        return {"ok": True}

    return app


async def test_a_job_queued_in_a_request_that_rolls_back_never_runs(client, resources, monkeypatch):
    runs: list[int] = []

    async def counted(*args: object, **kwargs: object) -> dict[str, int]:
        runs.append(1)
        return {}

    monkeypatch.setattr(auth_service, "drop_dead_sessions", counted)
    assert (await client.post("/test/enqueue?fail=true")).status_code == 409
    assert await resources.queue.waiting() == 0
    assert await run_jobs(resources) == 0
    assert runs == []
    # The same request that commits does queue it, and the worker runs it.
    assert (await client.post("/test/enqueue")).status_code == 200
    assert await resources.queue.waiting() == 1
    assert await run_jobs(resources) == 1
    assert runs == [1]


async def test_a_failing_job_is_tried_again_with_a_growing_delay(resources, monkeypatch):
    attempts: list[float] = []

    async def flaky(*args: object, **kwargs: object) -> dict[str, int]:
        attempts.append(time.time())
        if len(attempts) < 3:
            raise RuntimeError("database hiccup")
        return {"sessions": 0}

    monkeypatch.setattr(auth_service, "drop_dead_sessions", flaky)
    monkeypatch.setattr("saq.utils.random", lambda: 1.0)  # the jitter at its maximum: exact delays
    key = "cleanup:flaky"
    incomplete = f"saq:{QUEUE_NAME}:incomplete"
    job_id = f"saq:job:{QUEUE_NAME}:{key}"
    assert await resources.queue.enqueue(CLEANUP, job_id=key)

    delays = []
    for _ in range(2):
        assert await run_jobs(resources) == 0  # failed: put back, for later
        failed_at = attempts[-1]
        delays.append(await resources.redis.zscore(incomplete, job_id) - failed_at)
        assert await resources.queue.waiting() == 1
        # Make it due now and let the scheduler move it back to the queue (its lock taken off: the
        # worker that just ran holds it for one scheduler period).
        await resources.redis.zadd(incomplete, {job_id: time.time() - 1})
        await resources.redis.delete(f"saq:{QUEUE_NAME}:schedule")
        worker = build_worker(resources, cron=False)
        await worker.queue.schedule()
        await worker.queue.disconnect()
    assert delays[0] == pytest.approx(2, abs=0.5)
    assert delays[1] == pytest.approx(4, abs=0.5)
    assert await run_jobs(resources) == 1
    assert len(attempts) == 3
    assert await resources.queue.waiting() == 0


async def test_a_queued_job_starts_at_once_on_a_waiting_worker(resources, monkeypatch):
    started = asyncio.Event()

    async def noted(*args: object, **kwargs: object) -> dict[str, int]:
        started.set()
        return {}

    monkeypatch.setattr(auth_service, "drop_dead_sessions", noted)
    worker = build_worker(resources, cron=False, max_jobs=1)
    await worker.queue.connect()
    running = asyncio.create_task(worker.start())
    try:
        await asyncio.sleep(0.5)  # the worker is now blocked waiting on Redis
        assert await resources.queue.enqueue(CLEANUP, job_id="cleanup:now")
        # Long before its wait on Redis (60 s) would end by itself: the push wakes it. How soon is
        # measured by bench/jobs.py.
        await asyncio.wait_for(started.wait(), timeout=10)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await worker.queue.disconnect()
