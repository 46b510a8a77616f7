"""Notifications for tests: the feed and the e-mail preferences, through the API. Keyword-only."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.factories import Member
from vinted_optimizer.models import Notification


async def feed(client: httpx.AsyncClient, *, member: Member, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/notifications", params=params, headers=member.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def choose_emails(client: httpx.AsyncClient, *, member: Member, **kinds: bool) -> dict[str, Any]:
    """Turn kinds of notification e-mails on or off (``sale_recorded=False``); the user as answered."""
    response = await client.patch(
        "/api/v1/users/me", json={"preferences": {"notifications": kinds}}, headers=member.headers
    )
    assert response.status_code == 200, response.text
    user: dict[str, Any] = response.json()
    return user


async def parcel_notes(session: AsyncSession, family_id: Any = None) -> list[Notification]:
    """The family's parcel notifications, oldest first: recording the sale notified the family first."""
    query = select(Notification).where(Notification.kind != "sale_recorded")
    if family_id is not None:
        query = query.where(Notification.family_id == uuid.UUID(str(family_id)))
    return list((await session.scalars(query.order_by(Notification.created_at, Notification.id))).all())
