"""Trends' jobs: collect what the scraper aggregated into ``trends``."""

from __future__ import annotations

from typing import Any

from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.resources import Resources
from vinted_optimizer.trends import service
from vinted_optimizer.users import service as users


async def collect(ctx: dict[str, Any]) -> int:
    """New market data: stored, then every family's open Tendenze page told (the data is shared)."""
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session, session.begin():
        added = await service.collect(session, resources.scraper)
    if added:
        async with resources.sessionmaker() as session:
            families = await users.family_ids(session)
        for family_id in families:
            await resources.events.publish_quietly(family_id, EventType.trends_updated, {"rows": added})
    return added


JOBS = DomainJobs(
    functions={"trends.collect": collect},
    cron=(Cron("trends.collect", collect, minutes=frozenset(range(0, 60, 5))),),
)
