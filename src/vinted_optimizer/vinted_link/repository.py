"""Every query on the pairing codes (the table this domain owns)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.db import rowcount
from vinted_optimizer.models import VintedPairing


async def add(session: AsyncSession, pairing: VintedPairing) -> None:
    session.add(pairing)
    await session.flush()


async def expire_open_for(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """The member's codes not yet used end now: a new code replaces them. They stay (until the daily
    clean-up) so a page still asking about an older code hears "expired", not "not found"."""
    await session.execute(
        update(VintedPairing)
        .where(
            VintedPairing.user_id == user_id,
            VintedPairing.redeemed_at.is_(None),
            VintedPairing.expires_at > now,
        )
        .values(expires_at=now)
    )


async def of_member(session: AsyncSession, user_id: uuid.UUID, pairing_id: uuid.UUID) -> VintedPairing | None:
    found: VintedPairing | None = await session.scalar(
        select(VintedPairing).where(VintedPairing.id == pairing_id, VintedPairing.user_id == user_id)
    )
    return found


async def by_code_hash(session: AsyncSession, digest: str) -> VintedPairing | None:
    """Locked: two redeems of one code cannot both pass."""
    found: VintedPairing | None = await session.scalar(
        select(VintedPairing).where(VintedPairing.code_hash == digest).with_for_update()
    )
    return found


async def delete_stale(session: AsyncSession, before: datetime) -> int:
    return rowcount(await session.execute(delete(VintedPairing).where(VintedPairing.expires_at < before)))
