"""The audit log: one row per sensitive action, written in the caller's unit of work.

Every domain records its sensitive actions through ``record``; this domain is the only writer of
``audit_log``.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.context import RequestContext
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
