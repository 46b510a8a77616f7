"""Jobs of the vinted_link domain: the keep-alive of the linked Vinted sessions, and the clean-up of
old pairing codes. Both may run twice."""

from __future__ import annotations

from typing import Any

from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.resources import Resources
from vinted_optimizer.vinted_link import service

KEEP_ALIVE_JOB = "vinted_link.keep_alive"
CLEAN_JOB = "vinted_link.clean_pairings"


def vinted_access(resources: Resources) -> service.VintedAccess:
    return service.VintedAccess(
        sessionmaker=resources.sessionmaker,
        secret_box=resources.secret_box,
        redis=resources.redis,
        scraper=resources.scraper,
        events=resources.events,
        queue=resources.queue,
    )


async def keep_alive(ctx: dict[str, Any]) -> dict[str, int]:
    """Refresh each linked chain before its access token expires; tell the members whose chain died."""
    report = await service.keep_alive(vinted_access(ctx["resources"]))
    return {"refreshed": report.refreshed, "dead": report.dead, "failed": report.failed}


async def clean_pairings(ctx: dict[str, Any]) -> int:
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session, session.begin():
        return await service.delete_stale_pairings(session)


JOBS = DomainJobs(
    functions={KEEP_ALIVE_JOB: keep_alive, CLEAN_JOB: clean_pairings},
    cron=(
        # Every 10 minutes, off the round minutes; the access token lives about 2 hours.
        Cron(KEEP_ALIVE_JOB, keep_alive, minutes=frozenset(range(7, 60, 10))),
        Cron(CLEAN_JOB, clean_pairings, minutes=frozenset({41}), hours=frozenset({3})),
    ),
)
