"""Trends' jobs: collect what the scraper aggregated into ``trends``."""

from __future__ import annotations

from typing import Any

from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.resources import Resources
from vinted_optimizer.trends import service


async def collect(ctx: dict[str, Any]) -> int:
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session, session.begin():
        return await service.collect(session, resources.scraper)


JOBS = DomainJobs(
    functions={"trends.collect": collect},
    cron=(Cron("trends.collect", collect, minutes=frozenset(range(0, 60, 5))),),
)
