"""Run the real job worker until the queue is empty (burst mode)."""

from __future__ import annotations

import asyncio

from vinted_optimizer.resources import Resources
from vinted_optimizer.worker import build_worker


async def run_jobs(resources: Resources, *, within_seconds: float = 60) -> int:
    """Run every queued job, one at a time (in tests every session shares the test's single
    connection), and return how many completed. No cron entries: a test queues what it runs."""
    worker = build_worker(resources, burst=True, max_jobs=1, cron=False, dequeue_wait_seconds=0.1)
    await worker.queue.connect()
    try:
        await asyncio.wait_for(worker.start(), timeout=within_seconds)
    finally:
        await worker.queue.disconnect()
    return worker.queue.complete
