"""Every query on the notifications table, scoped to one family."""

from __future__ import annotations

import uuid

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
