"""GET /admin/metrics: figures checked against what the test did, and every part that cannot be read
reported as such while the answer stays 200."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
import redis.exceptions
from fastapi import APIRouter
from redis.asyncio import Redis
from saq import Worker as SaqWorker
from sqlalchemy import func, select

from tests.auth.factories import register
from vinted_optimizer.admin import service as admin
from vinted_optimizer.ai.cache import AnalysisCache
from vinted_optimizer.ai.client import HttpAIClient
from vinted_optimizer.ai.schemas import Analysis, CachedAnalysis
from vinted_optimizer.kit.metrics import BOUNDS_SECONDS, RequestMetrics, Window, read_windows
from vinted_optimizer.kit.queue import QUEUE_NAME, queue_stats, saq_queue
from vinted_optimizer.scraper.client import HttpScraperClient
from vinted_optimizer.scraper.service import QUEUE_NAME as SCRAPER_QUEUE
from vinted_optimizer.users.service import SEND_INVITATION_JOB


async def _metrics(client, root) -> dict:  # noqa: ANN001
    response = await client.get("/api/v1/admin/metrics", headers=root.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _window(body: dict, minutes: int) -> dict:
    return next(w for w in body["requests"]["windows"] if w["minutes"] == minutes)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_requests_are_counted_with_their_errors(client, root):
    member = await register(client, family_name="Famiglia Blu")
    before = _window(await _metrics(client, root), 5)
    for _ in range(7):
        assert (await client.get("/api/v1/meta")).status_code == 200
    for _ in range(3):
        assert (await client.get("/api/v1/admin/users", headers=member.headers)).status_code == 403
    # Outside /api: not an API request, not counted.
    await client.get("/health")

    after = await _metrics(client, root)
    five, hour = _window(after, 5), _window(after, 60)
    # The 10 requests, plus the first GET /admin/metrics (counted once it ended).
    assert five["requests"] - before["requests"] == 11
    assert five["client_errors"] - before["client_errors"] == 3
    assert five["server_errors"] == before["server_errors"] == 0
    assert hour["requests"] >= five["requests"]
    assert five["requests_per_minute"] > 0
    assert five["p50_ms"] is not None and 0 < five["p50_ms"] <= five["p95_ms"] <= five["p99_ms"]


async def test_every_process_counts_into_the_same_minutes(resources):
    # Two recorders are two API processes: the window is their sum.
    first, second = RequestMetrics(), RequestMetrics()
    for _ in range(4):
        first.record(200, first.clock() - 0.2)  # 200 ms
    second.record(503, second.clock() - 3.0)
    second.record(404, second.clock())
    await first.flush(resources.redis)
    await second.flush(resources.redis)
    (window,) = await read_windows(resources.redis, [5])
    assert window.requests == 6 and window.server_errors == 1 and window.client_errors == 1
    assert 0.1 < window.percentile(0.5) <= 0.25  # the 200 ms bucket
    assert 2.5 < window.percentile(0.99) <= 5.0  # the slow one
    assert first.totals[0] == 4


async def test_a_failed_flush_keeps_the_counts(resources, redis_url):
    recorder = RequestMetrics()
    recorder.record(200, recorder.clock())
    gone = Redis.from_url(f"redis://127.0.0.1:{_closed_port()}", socket_connect_timeout=0.5)
    with pytest.raises(redis.exceptions.ConnectionError):
        await recorder.flush(gone)
    await gone.aclose()
    await recorder.flush(resources.redis)
    (window,) = await read_windows(resources.redis, [5])
    assert window.requests == 1


def test_percentiles_come_from_the_histogram():
    buckets = [0] * (len(BOUNDS_SECONDS) + 1)
    buckets[0] = 50  # ≤ 5 ms
    buckets[4] = 45  # 50-100 ms
    buckets[-1] = 5  # slower than the last bound
    window = Window(5, 5.0, 100, 0, 0, 1.0, tuple(buckets))
    assert window.percentile(0.5) == pytest.approx(0.005)
    assert 0.05 < window.percentile(0.9) < 0.1
    assert window.percentile(0.99) == BOUNDS_SECONDS[-1]
    assert window.requests_per_minute == 20
    empty = Window(5, 5.0, 0, 0, 0, 0.0, (0,) * len(buckets))
    assert empty.percentile(0.5) is None and empty.mean_seconds is None


async def test_queues_database_and_storage(client, root, resources, session):
    await resources.queue.enqueue(SEND_INVITATION_JOB, "00000000-0000-0000-0000-000000000000", job_id="test")
    await resources.storage.put("test/a.bin", b"x" * 1000, content_type="application/octet-stream")
    await resources.storage.put("test/b.bin", b"y" * 24, content_type="application/octet-stream")
    admin.forget_storage_measure()

    body = await _metrics(client, root)
    queues = {queue["name"]: queue for queue in body["queues"]}
    assert queues[QUEUE_NAME]["available"] is True
    assert queues[QUEUE_NAME]["stats"]["queued"] == 1
    assert queues[QUEUE_NAME]["stats"]["active"] == 0
    assert queues[SCRAPER_QUEUE]["available"] is True
    assert queues[SCRAPER_QUEUE]["stats"]["queued"] == 0

    size = await session.scalar(select(func.pg_database_size(func.current_database())))
    assert body["database"] == {"available": True, "reason": None, "bytes": size}
    storage = body["storage"]
    assert storage["available"] is True and storage["kind"] == "local"
    assert storage["objects"] == 2 and storage["bytes"] == 1024 and storage["complete"] is True

    assert body["ai"]["available"] is True and body["ai"]["status"] in ("ok", "degraded")
    cache = body["analysis_cache"]
    assert cache["available"] is True and cache["hits"] == 0 and cache["misses"] == 0
    assert cache["hit_rate"] is None
    scraper = body["scraper"]
    assert scraper["available"] is True and scraper["report"]["status"] == "ok"
    assert scraper["report"]["read"]["hourly_remaining"] > 0


async def test_storage_listing_stops_at_its_cap(resources):
    for index in range(5):
        await resources.storage.put(f"cap/{index}", b"z", content_type="application/octet-stream")
    usage = await resources.storage.usage(cap=3)
    assert (usage.objects, usage.bytes, usage.complete) == (3, 3, False)
    assert (await resources.storage.usage()).complete is True


async def test_a_dependency_down_is_reported_and_the_answer_is_still_200(client, root, resources):
    dead = f"http://127.0.0.1:{_closed_port()}"
    real_ai = resources.ai
    resources.ai = HttpAIClient(dead, "token", timeout=1.0)
    resources.__dict__["scraper"] = HttpScraperClient(dead, "token", timeout=1.0)
    try:
        body = await _metrics(client, root)
    finally:
        await resources.ai.aclose()
        resources.ai = real_ai
        await resources.close_scraper()
    assert body["ai"]["available"] is False and body["ai"]["status"] == "unavailable"
    assert body["ai"]["reason"]
    assert body["analysis_cache"]["available"] is False and body["analysis_cache"]["reason"]
    assert body["scraper"]["available"] is False and "raccolta" in body["scraper"]["reason"]
    queues = {queue["name"]: queue for queue in body["queues"]}
    assert queues[SCRAPER_QUEUE]["available"] is False and queues[SCRAPER_QUEUE]["reason"]
    # The rest still answers.
    assert queues[QUEUE_NAME]["available"] is True
    assert body["database"]["available"] is True and body["requests"]["available"] is True


async def test_the_analysis_cache_counts_hits_and_misses(tmp_path):
    cache = AnalysisCache(tmp_path / "cache.duckdb", ttl_seconds=3600)
    assert await cache.get("k", "v") is None
    entry = CachedAnalysis(
        merged=Analysis(title="Borsa", confidence=0.9, model="m"),
        model_brands=[None],
        label_lines=[[]],
        images_analysed=1,
    )
    await cache.put("k", "v", entry)
    assert await cache.get("k", "v") is not None
    assert await cache.get("k", "v") is not None
    assert cache.stats() == {"hits": 2, "misses": 1, "hit_rate": 0.6667}
    await cache.aclose()


async def test_an_unhandled_error_counts_as_a_server_error(app, client, root):
    router = APIRouter()

    @router.get("/api/v1/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    app.include_router(router)
    before = _window(await _metrics(client, root), 5)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as raw:
        assert (await raw.get("/api/v1/boom")).status_code == 500
    after = _window(await _metrics(client, root), 5)
    assert after["server_errors"] - before["server_errors"] == 1
    assert after["requests"] - before["requests"] == 2  # the boom and the first GET /admin/metrics


async def test_queue_stats_read_the_workers_failures(redis_url):
    """A job that fails for good, in a real SAQ worker: its heartbeat carries the count queue_stats adds."""
    queue = saq_queue(redis_url, name="vo-stats-test")

    async def fails(ctx: dict) -> None:
        raise RuntimeError("no")

    async def works(ctx: dict) -> str:
        return "ok"

    worker = SaqWorker(queue, functions=[("fails", fails), ("works", works)], concurrency=1)
    try:
        await queue.enqueue("fails", key="f1", retries=1)
        await queue.enqueue("works", key="w1")
        await queue.enqueue("works", key="w2", scheduled=int(time.time()) + 3600)
        assert (await queue_stats(queue)).queued == 2
        await worker.process()
        await worker.process()
        await worker.worker_info()  # the heartbeat (every minute in the real workers)
        stats = await queue_stats(queue)
        assert (stats.workers, stats.failed, stats.complete) == (1, 1, 1)
        assert (stats.queued, stats.active, stats.scheduled) == (0, 0, 1)
    finally:
        await queue.disconnect()
