"""Jobs of the auth domain: thin, idempotent, handing off to the service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog

from vinted_optimizer.auth import service
from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.resources import Resources

log = structlog.get_logger(__name__)

RETENTION = timedelta(days=30)
CLEANUP_JOB = "auth.cleanup"


async def cleanup(ctx: dict[str, Any]) -> dict[str, int]:
    """Drop expired refresh tokens, long-dead sessions and stale invitations."""
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session, session.begin():
        counts = await service.drop_dead_sessions(session, retention=RETENTION)
    log.info("cleanup.auth", **counts)
    return counts


JOBS = DomainJobs(
    functions={CLEANUP_JOB: cleanup},
    cron=(Cron(CLEANUP_JOB, cleanup, minutes=frozenset({17})),),
)
