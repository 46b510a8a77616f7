"""Jobs of the notifications domain: load by id, hand off to the service. Jobs may safely run twice."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from vinted_optimizer.kit.email import smtp_configured
from vinted_optimizer.kit.queue import DomainJobs
from vinted_optimizer.notifications import service
from vinted_optimizer.notifications.schemas import SEND_JOB
from vinted_optimizer.resources import Resources

log = structlog.get_logger(__name__)


async def send_notification(ctx: dict[str, Any], notification_id: str) -> str:
    """E-mail a notification to the members who want it; nothing (and success) without SMTP."""
    resources: Resources = ctx["resources"]
    if not smtp_configured(resources.settings):
        return "smtp_off"
    async with resources.sessionmaker() as session:
        outgoing = await service.outgoing(session, uuid.UUID(notification_id))
    if outgoing is None:
        return "skipped"
    # The database connection is back in the pool before the SMTP server is contacted.
    sent = await service.email(resources.settings, resources.redis, outgoing)
    async with resources.sessionmaker() as session, session.begin():
        await service.mark_emailed(session, outgoing.notification_id)
    log.info("notification.emailed", notification_id=notification_id, kind=outgoing.kind, recipients=sent)
    return "sent"


JOBS = DomainJobs(functions={SEND_JOB: send_notification})
