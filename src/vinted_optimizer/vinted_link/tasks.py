"""Jobs of the vinted_link domain: the keep-alive of the linked Vinted sessions, the clean-up of old
pairing codes, and the sales sync (one member's run; the cron queueing one per linked member). All may
run twice."""

from __future__ import annotations

import uuid
from typing import Any

from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.resources import Resources
from vinted_optimizer.vinted_link import sales_sync, service

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


async def sync_member(
    ctx: dict[str, Any], user_id: str, trigger: str = "cron", attempt: int = 0
) -> str | None:
    """One member's sales sync (the button or the cron, or its retry while the home side was away); the
    report's state."""
    resources: Resources = ctx["resources"]
    report = await sales_sync.sync_member(
        vinted_access(resources), resources.storage, uuid.UUID(user_id), trigger, attempt
    )
    return report.state if report is not None else None


async def sync_all(ctx: dict[str, Any]) -> int:
    """Queue one sync per linked member."""
    return await sales_sync.queue_every_linked(vinted_access(ctx["resources"]))


JOBS = DomainJobs(
    functions={
        KEEP_ALIVE_JOB: keep_alive,
        CLEAN_JOB: clean_pairings,
        sales_sync.SYNC_JOB: sync_member,
        sales_sync.SYNC_ALL_JOB: sync_all,
    },
    cron=(
        # Every 10 minutes, off the round minutes; the access token lives about 2 hours.
        Cron(KEEP_ALIVE_JOB, keep_alive, minutes=frozenset(range(7, 60, 10))),
        Cron(CLEAN_JOB, clean_pairings, minutes=frozenset({41}), hours=frozenset({3})),
        # The sales sync every 30 minutes, off the round minutes and the keep-alive's.
        Cron(sales_sync.SYNC_ALL_JOB, sync_all, minutes=frozenset({13, 43})),
    ),
)
