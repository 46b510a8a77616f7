"""Jobs of the vinted_link domain: the keep-alive of the linked Vinted sessions, and the clean-up of
old pairing codes. Both may run twice."""

from __future__ import annotations

from typing import Any

from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.notifications import service as notifications
from vinted_optimizer.resources import Resources
from vinted_optimizer.scraper.keepalive import continue_chain
from vinted_optimizer.scraper.vinted.session import VintedSession
from vinted_optimizer.vinted_link import service

KEEP_ALIVE_JOB = "vinted_link.keep_alive"
CLEAN_JOB = "vinted_link.clean_pairings"


async def keep_alive(ctx: dict[str, Any]) -> dict[str, int]:
    """Refresh each linked chain before its access token expires; tell the members whose chain died."""
    resources: Resources = ctx["resources"]

    async def refresh(access: str, refresh_token: str) -> VintedSession:
        return await continue_chain(resources.settings, resources.redis, access, refresh_token)

    report = await service.keep_alive(resources.sessionmaker, resources.secret_box, refresh)
    for family_id, user_id in report.died:
        await resources.events.publish_quietly(
            family_id, EventType.vinted_link_changed, {"user_id": str(user_id), "status": "dead"}
        )
    for notification_id in report.notifications:
        await resources.queue.enqueue(
            notifications.SEND_JOB, str(notification_id), job_id=notifications.send_job_id(notification_id)
        )
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
