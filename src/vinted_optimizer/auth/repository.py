"""Every query of the auth domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from vinted_optimizer.models import AuthSession, Invitation, RefreshToken, User


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.scalar(select(User).options(joinedload(User.family)).where(User.id == user_id))


async def user_by_login(session: AsyncSession, login: str) -> User | None:
    needle = login.strip().lower()
    return await session.scalar(
        select(User)
        .options(joinedload(User.family))
        .where(or_(func.lower(User.email) == needle, func.lower(User.username) == needle))
    )


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


async def invitation_by_token_hash(session: AsyncSession, digest: str) -> Invitation | None:
    return await session.scalar(select(Invitation).where(Invitation.token_hash == digest).with_for_update())


async def refresh_token_for_update(session: AsyncSession, digest: str) -> RefreshToken | None:
    # Row lock: two concurrent refreshes with the same token cannot both rotate it.
    return await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest).with_for_update()
    )


async def auth_session(session: AsyncSession, session_id: uuid.UUID) -> AuthSession | None:
    return await session.get(AuthSession, session_id)


async def active_sessions(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> list[AuthSession]:
    result = await session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        .order_by(AuthSession.last_used_at.desc())
    )
    return list(result)


async def revoke_sessions(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, reason: str, *, keep: uuid.UUID | None = None
) -> list[uuid.UUID]:
    query = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .returning(AuthSession.id)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    return list(await session.scalars(query))
