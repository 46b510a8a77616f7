"""Recording notifications, the family's feed, and their e-mails.

The e-mails go out from the ``notifications.send`` job, which the caller enqueues with the returned id
once its transaction has committed (a request: ``Jobs.enqueue_after_commit``; a job:
``resources.queue.enqueue`` after ``session.begin()`` ends). Each active member of the family gets one
message of their own (no member's address is in another's message), unless their preferences turn that
kind off (``preferences["notifications"][kind] is False``; a kind not mentioned is on)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.email import send_email
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.notifications import repository
from vinted_optimizer.notifications.schemas import (
    PERSONAL_KINDS,
    SEND_JOB,
    Note,
    NotificationPage,
    NotificationQuery,
    NotificationRead,
    link_of,
)
from vinted_optimizer.users import service as users

__all__ = ["SEND_JOB", "Note", "notify", "send_job_id"]

# Who was already e-mailed, per notification: a retry after a failure half-way through the members
# does not write twice to those the first run reached. Kept longer than a job's retries last.
SENT_PREFIX = "vo:notifications:sent:"
SENT_KEEP_SECONDS = 24 * 3600
PAGE_NAMES = {"/vendite": "Vendite", "/spedizioni": "Spedizioni", "/impostazioni": "Impostazioni"}


async def notify(session: AsyncSession, note: Note) -> uuid.UUID | None:
    """Record ``note`` in the family's feed, once per dedupe key: its id (to enqueue ``SEND_JOB`` with after
    the commit), or None when it was already recorded (nothing to send)."""
    return await repository.insert_once(session, note)


def send_job_id(notification_id: uuid.UUID) -> str:
    """The queue key of a notification's e-mail job: one per notification, however often it is enqueued."""
    return f"{SEND_JOB}:{notification_id}"


async def feed(session: AsyncSession, member: Member, query: NotificationQuery) -> NotificationPage:
    """The member's family's notifications, newest first."""
    rows, total = await repository.page(session, member.family_id, limit=query.limit, offset=query.offset)
    return NotificationPage(
        items=[NotificationRead.model_validate(row) for row in rows],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


# --- the e-mails ------------------------------------------------------------------------------------


def wants(preferences: Mapping[str, Any], kind: str) -> bool:
    """Whether a member's preferences leave this kind of notification on (the default)."""
    chosen = preferences.get("notifications")
    return not (isinstance(chosen, Mapping) and chosen.get(kind) is False)


@dataclass(frozen=True)
class Recipient:
    user_id: uuid.UUID
    email: str
    username: str


@dataclass(frozen=True)
class Outgoing:
    """A notification still to e-mail, and who wants it: read in one short session, so no database
    connection is held while the SMTP server is contacted."""

    notification_id: uuid.UUID
    kind: str
    title: str
    body: str
    recipients: tuple[Recipient, ...]
    link: str = "/"


async def outgoing(session: AsyncSession, notification_id: uuid.UUID) -> Outgoing | None:
    """What to send for a notification; None when it is gone or was already e-mailed."""
    notification = await repository.get_unscoped(session, notification_id)
    if notification is None or notification.emailed_at is not None:
        return None
    members = await users.active_members(session, notification.family_id)
    return Outgoing(
        notification_id=notification.id,
        kind=notification.kind,
        title=notification.title,
        body=notification.body,
        link=link_of(notification.kind, notification.data),
        recipients=tuple(
            Recipient(user_id=member.id, email=member.email, username=member.username)
            for member in members
            if wants(member.preferences, notification.kind)
            and (notification.kind not in PERSONAL_KINDS or member.id == notification.user_id)
        ),
    )


def message(settings: Settings, outgoing: Outgoing, recipient: Recipient) -> tuple[str, str]:
    """The subject and text of one member's e-mail, in Italian."""
    base = settings.public_url.rstrip("/")
    path = outgoing.link
    page = PAGE_NAMES.get(path.split("?", 1)[0].split("#", 1)[0], "la dashboard")
    lines = [f"Ciao {recipient.username},", "", outgoing.title]
    if outgoing.body:
        lines.append(outgoing.body)
    lines += [
        "",
        f"Apri «{page}» su Vinted Optimizer: {base}{path}",
        "",
        "Ricevi questa e-mail perché fai parte della famiglia su Vinted Optimizer. Per non ricevere più "
        f"avvisi come questo, cambia le tue preferenze in Impostazioni: {base}/impostazioni",
        "",
    ]
    return f"{outgoing.title} · Vinted Optimizer", "\n".join(lines)


async def email(settings: Settings, redis: Redis, outgoing: Outgoing) -> int:
    """One message to each recipient not yet reached for this notification; how many were sent now."""
    key = f"{SENT_PREFIX}{outgoing.notification_id}"
    reached = {member.decode() for member in await redis.smembers(key)}  # type: ignore[misc]
    sent = 0
    for recipient in outgoing.recipients:
        if str(recipient.user_id) in reached:
            continue
        subject, text = message(settings, outgoing, recipient)
        await send_email(settings, to=recipient.email, subject=subject, text=text)
        await redis.sadd(key, str(recipient.user_id))  # type: ignore[misc]
        await redis.expire(key, SENT_KEEP_SECONDS)
        sent += 1
    return sent


async def mark_emailed(session: AsyncSession, notification_id: uuid.UUID) -> bool:
    """Its e-mails are out: a later run of the job sends nothing."""
    return await repository.mark_emailed(session, notification_id)
