"""``GET /api/v1/notifications``: the family's activity feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Forbidden, responses
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.notifications import service
from vinted_optimizer.notifications.schemas import NotificationPage, NotificationQuery

router = DomainRouter(prefix="/notifications", tags=["notifications"])


@router.get(
    "",
    operation_id="notifications:list",
    response_model=NotificationPage,
    responses=responses(Forbidden),
    summary="The family's activity feed (sales recorded, parcels delivered or in trouble), newest first",
)
async def list_notifications(
    session: DbSession, member: CurrentMember, query: Annotated[NotificationQuery, Query()]
) -> NotificationPage:
    return await service.feed(session, member, query)
