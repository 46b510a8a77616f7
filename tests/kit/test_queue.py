"""Job names are namespaced and checked against the worker's registry when enqueued."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.requests import Request

from vinted_optimizer.kit.queue import Cron, Jobs, UnknownJob
from vinted_optimizer.worker import CRON_JOBS, JOB_NAMES


def test_every_job_name_is_namespaced_by_its_domain():
    assert JOB_NAMES
    domains = {"auth", "users", "listings", "shipments", "notifications", "trends", "vinted_link", "chat"}
    assert all(name.count(".") == 1 and name.split(".")[0] in domains for name in JOB_NAMES)
    assert {job.function.__qualname__ for job in CRON_JOBS} == {
        "cron:auth.cleanup",
        "cron:listings.retry_pending_analyses",
        "cron:shipments.follow_parcels",
        "cron:trends.collect",
        "cron:vinted_link.keep_alive",
        "cron:vinted_link.clean_pairings",
        "cron:vinted_link.sync_all",
        "cron:chat.index_listing",
        "cron:chat.expire_replies",
    }


async def test_the_queue_refuses_a_name_the_worker_does_not_know(resources):
    with pytest.raises(UnknownJob, match="listings.analyse"):
        await resources.queue.enqueue("listings.analyse", "x", job_id="typo")
    assert await resources.redis.keys("saq:job:*") == []
    assert await resources.queue.enqueue("auth.cleanup", job_id="auth.cleanup:test") is True
    assert await resources.queue.enqueue("auth.cleanup", job_id="auth.cleanup:test") is False  # de-duplicated


def test_a_wrong_name_fails_inside_the_request_before_anything_commits(resources):
    app = FastAPI()
    app.state.queue = resources.queue
    request = Request({"type": "http", "app": app, "headers": [], "method": "POST", "path": "/"})
    jobs = Jobs(request)
    with pytest.raises(UnknownJob):
        jobs.enqueue_after_commit("users.send_invitation_mail", "id", "sealed")
    assert getattr(request.state, "after_commit", []) == []
    jobs.enqueue_after_commit("users.send_invitation_email", "id", "sealed")
    assert len(request.state.after_commit) == 1


def test_a_cron_entry_can_name_its_hours():
    async def job(ctx: dict[str, object]) -> None:
        return None

    assert Cron("x.every_minute", job).expression == "* * * * *"
    assert Cron("x.hourly", job, minutes=frozenset({17})).expression == "17 * * * *"
    assert Cron("x.four_hourly", job, minutes=frozenset({23}), hours=frozenset({8, 0, 16})).expression == (
        "23 0,8,16 * * *"
    )
    with pytest.raises(ValueError, match="hours"):
        Cron("x.bad", job, hours=frozenset({24}))


async def test_a_stop_lets_the_running_job_finish_and_ends_the_idle_waits(redis_url):
    """The worker's stop: a job already running gets the grace period and completes; the other loops,
    waiting up to a minute on Redis for work, are ended rather than waited for."""
    import asyncio

    from saq import Status

    from vinted_optimizer.kit.queue import saq_queue
    from vinted_optimizer.kit.redis import create_redis
    from vinted_optimizer.worker import Worker

    await create_redis(redis_url).flushdb()
    started, finished = asyncio.Event(), []

    async def slow(ctx):
        started.set()
        await asyncio.sleep(0.3)
        finished.append(ctx["job"].key)
        return "ok"

    queue = saq_queue(redis_url, blocking_seconds=60, name="vo-stop-test")
    worker = Worker(
        queue, functions=[("slow", slow)], concurrency=3, dequeue_timeout=60, shutdown_grace_period_s=10
    )
    running = asyncio.create_task(worker.start())
    job = await queue.enqueue("slow", key="slow-1")
    await asyncio.wait_for(started.wait(), timeout=30)
    await worker.stop()
    assert finished == ["slow-1"]
    await job.refresh()
    assert job.status == Status.COMPLETE and job.result == "ok"
    assert all(task.done() for task in worker.tasks)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await queue.disconnect()
