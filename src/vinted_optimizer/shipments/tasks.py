"""Jobs of the shipments domain: thin, handing off to ``tracking``. They may run twice."""

from __future__ import annotations

from typing import Any

from vinted_optimizer.config import Environment, Settings
from vinted_optimizer.kit.queue import Cron, DomainJobs
from vinted_optimizer.resources import Resources
from vinted_optimizer.shipments import tracking

FOLLOW_JOB = "shipments.follow_parcels"


async def follow_parcels(ctx: dict[str, Any]) -> dict[str, Any]:
    """Register the new tracking numbers with 17TRACK, then poll every open parcel (tracking.follow_all)."""
    resources: Resources = ctx["resources"]
    report = await tracking.follow_all(
        resources.settings, resources.rate_limits, resources.sessionmaker, resources.events, resources.queue
    )
    return vars(report)


def poll_hours(every: int) -> frozenset[int]:
    """Every ``every`` hours from midnight UTC (4: 0, 4, 8, 12, 16, 20)."""
    return frozenset(range(0, 24, every))


def _configured_every() -> int:
    """VO_TRACKING_POLL_HOURS as the settings read it (validated), when the worker's schedule is built at
    import; only that field is wanted, so the checks of a production environment are left to the process."""
    return Settings(environment=Environment.development).tracking_poll_hours


# At minute 23 of the poll hours (off the hour, when everyone's cron runs).
JOBS = DomainJobs(
    functions={FOLLOW_JOB: follow_parcels},
    cron=(Cron(FOLLOW_JOB, follow_parcels, minutes=frozenset({23}), hours=poll_hours(_configured_every())),),
)
