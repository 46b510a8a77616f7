"""Every query of the users domain, scoped to the caller's family."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.models import Family, Invitation, User


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
    return await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.family_id == family_id)
    )


async def delete_pending_invitations_for(session: AsyncSession, family_id: uuid.UUID, email: str) -> None:
    await session.execute(
        delete(Invitation).where(
            Invitation.family_id == family_id,
            func.lower(Invitation.email) == email.lower(),
            Invitation.accepted_at.is_(None),
        )
    )


async def delete_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(delete(Family).where(Family.id == family_id))


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(User).where(User.id == user_id))
