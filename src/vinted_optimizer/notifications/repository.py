"""Every query on the notifications table, scoped to one family."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import Notification
from vinted_optimizer.notifications.schemas import Note


async def insert_once(session: AsyncSession, note: Note) -> uuid.UUID | None:
    """The new notification's id, or None when its dedupe key was already recorded for the family."""
    statement = (
        insert(Notification)
        .values(
            id=uuid.uuid4(),
            family_id=note.family_id,
            user_id=note.user_id,
            kind=note.kind,
            title=note.title[:200],
            body=note.body[:1000],
            data=note.data,
            dedupe_key=note.dedupe_key[:200],
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[Notification.family_id, Notification.dedupe_key])
        .returning(Notification.id)
    )
    created: uuid.UUID | None = (await session.execute(statement)).scalar_one_or_none()
    return created


async def page(
    session: AsyncSession, family_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[Sequence[Notification], int]:
    """The family's notifications, newest first, and how many there are."""
    query = (
        select(Notification, func.count().over().label("total"))
        .where(Notification.family_id == family_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        total = (
            0
            if offset == 0
            else await session.scalar(
                select(func.count()).select_from(Notification).where(Notification.family_id == family_id)
            )
        )
        return [], int(total or 0)
    return [row[0] for row in rows], int(rows[0].total)


async def get_unscoped(session: AsyncSession, notification_id: uuid.UUID) -> Notification | None:
    """A notification by id alone: for its e-mail job, which has no member (the id came from notify)."""
    found: Notification | None = await session.get(Notification, notification_id)
    return found


async def mark_emailed(session: AsyncSession, notification_id: uuid.UUID) -> bool:
    """Set ``emailed_at`` once: False when it was already set (another run got there first)."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow())
        .returning(Notification.id)
    )
    return result.scalar_one_or_none() is not None
