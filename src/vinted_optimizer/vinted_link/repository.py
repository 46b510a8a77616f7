"""Every query on the pairing codes (the table this domain owns)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.db import rowcount
from vinted_optimizer.models import VintedPairing


async def add(session: AsyncSession, pairing: VintedPairing) -> None:
    session.add(pairing)
    await session.flush()


async def delete_open_for(session: AsyncSession, user_id: uuid.UUID) -> None:
    """The member's codes not yet used: a new code replaces them."""
    await session.execute(
        delete(VintedPairing).where(VintedPairing.user_id == user_id, VintedPairing.redeemed_at.is_(None))
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
