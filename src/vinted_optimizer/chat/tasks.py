"""The assistant's jobs: the family's listing texts kept in the home side's index, and replies whose
process died ended as errors."""

from __future__ import annotations

from typing import Any

import structlog

from vinted_optimizer.chat import index, service
from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.resources import Resources
from vinted_optimizer.users import service as users

log = structlog.get_logger(__name__)


async def index_listings(ctx: dict[str, Any]) -> int:
    """Every family's changed listings indexed, its deleted ones removed (a failing family waits for
    the next run; the others go on)."""
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session:
        families = await users.family_ids(session)
    total = 0
    for family_id in families:
        try:
            async with resources.sessionmaker() as session:
                indexed, _ = await index.index_family(session, resources.ai, resources.redis, family_id)
            total += indexed
        except Exception as error:  # the home side away: the mark is not moved, the next run catches up
            log.warning("chat.index_failed", family_id=str(family_id), error=type(error).__name__)
    return total


async def expire_replies(ctx: dict[str, Any]) -> int:
    resources: Resources = ctx["resources"]
    async with resources.sessionmaker() as session, session.begin():
        return await service.expire_stale_replies(session, resources.settings)


JOBS = DomainJobs(
    functions={"chat.index_listing": index_listings, "chat.expire_replies": expire_replies},
    cron=(
        Cron("chat.index_listing", index_listings, minutes=frozenset(range(2, 60, 5))),
        Cron("chat.expire_replies", expire_replies, minutes=frozenset(range(4, 60, 10))),
    ),
)
