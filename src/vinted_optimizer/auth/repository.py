"""Every query on sign-in sessions and refresh tokens (the tables this domain owns)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ScalarSelect, SQLColumnExpression, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.db import rowcount
from vinted_optimizer.models import AuthSession, RefreshToken


async def refresh_token_for_update(session: AsyncSession, digest: str) -> RefreshToken | None:
    # Row lock: two concurrent refreshes with the same token cannot both rotate it.
    found: RefreshToken | None = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == digest).with_for_update()
    )
    return found


async def auth_session(session: AsyncSession, session_id: uuid.UUID) -> AuthSession | None:
    return await session.get(AuthSession, session_id)


async def active_sessions(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> list[AuthSession]:
    result = await session.scalars(
        select(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        .order_by(AuthSession.last_used_at.desc())
    )
    return list(result)


def last_used_of(user_id: SQLColumnExpression[uuid.UUID]) -> ScalarSelect[datetime]:
    """The newest ``last_used_at`` of the user's sessions (ended ones too: their use happened), as a
    column of another query (NULL without any session)."""
    return select(func.max(AuthSession.last_used_at)).where(AuthSession.user_id == user_id).scalar_subquery()


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


async def delete_expired_refresh_tokens(session: AsyncSession, before: datetime) -> int:
    return rowcount(await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < before)))


async def delete_dead_sessions(session: AsyncSession, before: datetime) -> int:
    return rowcount(
        await session.execute(
            delete(AuthSession).where(or_(AuthSession.expires_at < before, AuthSession.revoked_at < before))
        )
    )
