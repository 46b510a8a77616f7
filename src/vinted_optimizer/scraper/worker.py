"""The scraper's own worker: one SAQ worker on the ``vo-scraper`` queue, one scrape at a time (the gate
paces the requests anyway; two scrapes side by side would only share the same budget). It runs inside
``scraper-service``, and inside ``serve`` with the in-process client."""

from __future__ import annotations

from typing import Any

import structlog
from saq import Worker

from vinted_optimizer.scraper.service import SCRAPE_JOB, ScraperService, run_scrape_job

log = structlog.get_logger(__name__)


class ScraperWorker(Worker[Any]):
    SIGNALS = []  # noqa: RUF012 - SAQ's class attribute: the process's owner handles the signals


def scraper_worker(service: ScraperService) -> ScraperWorker:
    async def startup(ctx: dict[str, Any]) -> None:
        ctx["scraper"] = service

    return ScraperWorker(
        service.queue,
        functions=[(SCRAPE_JOB, run_scrape_job)],
        concurrency=1,
        startup=startup,
        timers={"schedule": 30, "worker_info": 60, "sweep": 60, "abort": 2},
        dequeue_timeout=60,
    )
