"""Recording notifications. The e-mails go out from the ``notifications.send`` job, which the caller
enqueues with the returned id once its transaction has committed (a request: ``Jobs.enqueue_after_commit``;
a job: ``resources.queue.enqueue`` after ``session.begin()`` ends)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.notifications import repository
from vinted_optimizer.notifications.schemas import SEND_JOB, Note

__all__ = ["SEND_JOB", "Note", "notify", "send_job_id"]


async def notify(session: AsyncSession, note: Note) -> uuid.UUID | None:
    """Record ``note`` in the family's feed, once per dedupe key: its id (to enqueue ``SEND_JOB`` with after
    the commit), or None when it was already recorded (nothing to send)."""
    return await repository.insert_once(session, note)


def send_job_id(notification_id: uuid.UUID) -> str:
    """The queue key of a notification's e-mail job: one per notification, however often it is enqueued."""
    return f"{SEND_JOB}:{notification_id}"
