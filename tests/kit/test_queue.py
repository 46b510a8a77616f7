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
