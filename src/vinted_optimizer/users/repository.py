"""Every query on users, families, invitations and password resets (the tables this domain owns)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, SQLColumnExpression, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from vinted_optimizer.kit.db import rowcount
from vinted_optimizer.kit.pagination import order_by
from vinted_optimizer.models import Family, Invitation, PasswordReset, User


async def user(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> User | None:
    query = select(User).options(joinedload(User.family)).where(User.id == user_id)
    if lock:
        query = query.with_for_update(of=User)
    found: User | None = await session.scalar(query)
    return found


async def user_by_login(session: AsyncSession, login: str) -> User | None:
    needle = login.strip().lower()
    found: User | None = await session.scalar(
        select(User)
        .options(joinedload(User.family))
        .where(or_(func.lower(User.email) == needle, func.lower(User.username) == needle))
    )
    return found


async def email_taken(session: AsyncSession, email: str, *, exclude: uuid.UUID | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if exclude is not None:
        query = query.where(User.id != exclude)
    return await session.scalar(query) is not None


async def username_taken(session: AsyncSession, username: str, *, exclude: uuid.UUID | None = None) -> bool:
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if exclude is not None:
        query = query.where(User.id != exclude)
    return await session.scalar(query) is not None


def username_of(user_id: SQLColumnExpression[uuid.UUID]) -> ScalarSelect[str]:
    return select(User.username).where(User.id == user_id).scalar_subquery()


async def usernames(session: AsyncSession, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.username).where(User.id.in_(set(user_ids))))
    return {row[0]: row[1] for row in rows}


# One number for "the first family is being created": two first visitors at once cannot both make one.
FIRST_FAMILY_LOCK = 0x766F_6661  # "vofa"


async def any_family(session: AsyncSession, *, lock: bool = False) -> bool:
    """Whether a family exists; ``lock`` holds the first-family lock until the transaction ends."""
    if lock:
        await session.execute(select(func.pg_advisory_xact_lock(FIRST_FAMILY_LOCK)))
    return await session.scalar(select(Family.id).limit(1)) is not None


async def family_ids(session: AsyncSession) -> list[uuid.UUID]:
    return list(await session.scalars(select(Family.id).order_by(Family.created_at)))


async def family(session: AsyncSession, family_id: uuid.UUID) -> Family | None:
    return await session.get(Family, family_id)


async def family_members(session: AsyncSession, family_id: uuid.UUID) -> list[User]:
    return list(
        await session.scalars(select(User).where(User.family_id == family_id).order_by(User.created_at))
    )


async def count_family_admins(session: AsyncSession, family_id: uuid.UUID, *, excluding: uuid.UUID) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.family_id == family_id, User.role == "admin", User.is_active, User.id != excluding)
        )
        or 0
    )


async def invitation_by_token_hash(session: AsyncSession, digest: str) -> Invitation | None:
    found: Invitation | None = await session.scalar(
        select(Invitation).where(Invitation.token_hash == digest).with_for_update()
    )
    return found


async def pending_invitations(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> list[Invitation]:
    return list(
        await session.scalars(
            select(Invitation)
            .where(
                Invitation.family_id == family_id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.created_at.desc())
        )
    )


async def invitation(
    session: AsyncSession, family_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation | None:
    found: Invitation | None = await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.family_id == family_id)
    )
    return found


async def invitation_unscoped(session: AsyncSession, invitation_id: uuid.UUID) -> Invitation | None:
    """Only for the invitation e-mail job, which was handed the id by the inviting admin's request."""
    return await session.get(Invitation, invitation_id)


async def delete_pending_invitations_for(session: AsyncSession, family_id: uuid.UUID, email: str) -> None:
    await session.execute(
        delete(Invitation).where(
            Invitation.family_id == family_id,
            func.lower(Invitation.email) == email.lower(),
            Invitation.accepted_at.is_(None),
        )
    )


async def delete_stale_invitations(session: AsyncSession, before: datetime) -> int:
    return rowcount(
        await session.execute(
            delete(Invitation).where(Invitation.accepted_at.is_(None), Invitation.expires_at < before)
        )
    )


async def delete_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(delete(Family).where(Family.id == family_id))


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(User).where(User.id == user_id))


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    found: User | None = await session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    return found


async def password_reset_by_token_hash(session: AsyncSession, digest: str) -> PasswordReset | None:
    # Row lock: two concurrent uses of one link cannot both set a password.
    found: PasswordReset | None = await session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == digest).with_for_update()
    )
    return found


async def delete_password_resets(
    session: AsyncSession, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> int:
    query = delete(PasswordReset).where(PasswordReset.user_id == user_id)
    if keep is not None:
        query = query.where(PasswordReset.id != keep)
    return rowcount(await session.execute(query))


async def delete_stale_password_resets(session: AsyncSession, before: datetime) -> int:
    return rowcount(await session.execute(delete(PasswordReset).where(PasswordReset.expires_at < before)))


async def vinted_sessions_due(session: AsyncSession, before: datetime) -> list[uuid.UUID]:
    """Members with a stored Vinted session whose access token expires before ``before`` (or unknown)."""
    rows = await session.scalars(
        select(User.id)
        .where(
            User.vinted_session_fernet.is_not(None),
            User.is_active,
            or_(User.vinted_expires_at.is_(None), User.vinted_expires_at < before),
        )
        .order_by(User.vinted_expires_at.asc().nulls_first())
    )
    return list(rows)


async def vinted_linked(session: AsyncSession, family_id: uuid.UUID | None) -> list[uuid.UUID]:
    """Active members with a stored Vinted session, of one family or of every family."""
    query = select(User.id).where(
        User.vinted_session_fernet.is_not(None), User.is_active, User.family_id.is_not(None)
    )
    if family_id is not None:
        query = query.where(User.family_id == family_id)
    return list(await session.scalars(query.order_by(User.created_at)))


def escape_like(value: str) -> str:
    # Backslash is PostgreSQL's own escape character in LIKE patterns (listings.repository does the same).
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class InstanceUserRow:
    user: User
    family: Family | None
    last_activity: datetime | None


# A column of another domain's computed per user id (auth's newest session use), as a scalar subquery.
UserColumn = Callable[[SQLColumnExpression[uuid.UUID]], ScalarSelect[Any]]


async def instance_users(
    session: AsyncSession,
    *,
    search: str | None,
    sort: str,
    limit: int,
    offset: int,
    last_activity: UserColumn,
) -> tuple[list[InstanceUserRow], int]:
    """Every user of the instance (every family, and the administrators outside any), with their family
    and ``last_activity`` (a column the caller provides), one page and the total."""
    activity = last_activity(User.id).label("last_activity")
    columns: dict[str, SQLColumnExpression[Any]] = {
        "username": func.lower(User.username),
        "email": func.lower(User.email),
        "created_at": User.created_at,
        "last_activity": activity,
        "family": func.lower(Family.name),
    }
    query = (
        select(User, Family, activity, func.count().over().label("total"))
        .outerjoin(Family, Family.id == User.family_id)
        .order_by(order_by(sort, columns), User.id)
        .limit(limit)
        .offset(offset)
    )
    condition = None
    if search:
        pattern = f"%{escape_like(search)}%"
        condition = or_(User.username.ilike(pattern), User.email.ilike(pattern))
        query = query.where(condition)
    rows = (await session.execute(query)).all()
    if not rows:
        total = 0
        if offset:
            counting = select(func.count()).select_from(User)
            if condition is not None:
                counting = counting.where(condition)
            total = int(await session.scalar(counting) or 0)
        return [], total
    return [InstanceUserRow(row[0], row[1], row[2]) for row in rows], int(rows[0].total)
