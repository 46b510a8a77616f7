"""The audit log: one row per sensitive action, written in the caller's unit of work.

Every domain records its sensitive actions through ``record``; this domain is the only writer of
``audit_log``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

import structlog
from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.pagination import Before, older_than
from vinted_optimizer.models import AuditLog

log = structlog.get_logger(__name__)


async def record(
    session: AsyncSession,
    action: str,
    *,
    context: RequestContext | None,
    user_id: uuid.UUID | None = None,
    family_id: uuid.UUID | None = None,
    resource_type: str | None = None,
    resource_id: str | uuid.UUID | None = None,
    metadata: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        action=action,
        user_id=user_id,
        family_id=family_id,
        resource_type=resource_type,
        resource_id=str(resource_id) if resource_id is not None else None,
        ip=context.ip if context else None,
        user_agent=context.user_agent if context else None,
        meta=metadata or {},
    )
    session.add(entry)
    await session.flush()
    # Never log metadata values: they may hold personal data.
    log.info("audit", action=action, user_id=str(user_id) if user_id else None, resource_type=resource_type)
    return entry


# A row's feed key: its id zero-padded, so the keys sort as the ids do.
FEED_KEY = func.concat("audit:", func.lpad(cast(AuditLog.id, String), 20, "0")).collate("C")


async def family_feed(
    session: AsyncSession,
    family_id: uuid.UUID,
    actions: Collection[str],
    before: Before | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The family's rows among ``actions``, newest first, as feed items: key, at, action, user_id,
    resource_type, resource_id, metadata. Never the IP address nor the user agent."""
    query = (
        select(
            FEED_KEY.label("key"),
            AuditLog.created_at.label("at"),
            AuditLog.action,
            AuditLog.user_id,
            AuditLog.resource_type,
            AuditLog.resource_id,
            AuditLog.meta.label("metadata"),
        )
        .where(
            AuditLog.family_id == family_id,
            AuditLog.action.in_(list(actions)),
            *older_than(AuditLog.created_at, FEED_KEY, before),
        )
        .order_by(AuditLog.created_at.desc(), FEED_KEY.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in (await session.execute(query)).all()]
