"""Every image query, scoped to the member's family."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.models import Image, User


async def get(session: AsyncSession, member: User, image_id: uuid.UUID) -> Image | None:
    return await session.scalar(
        select(Image).where(Image.id == image_id, Image.family_id == member.family_id)
    )


async def get_unscoped(session: AsyncSession, image_id: uuid.UUID) -> Image | None:
    """Only for signed URLs, whose signature the API itself issued to a family member."""
    return await session.get(Image, image_id)


async def of_listing(session: AsyncSession, listing_id: uuid.UUID) -> list[Image]:
    rows = await session.scalars(
        select(Image).where(Image.listing_id == listing_id).order_by(Image.display_order, Image.created_at)
    )
    return list(rows)


async def family_hashes(
    session: AsyncSession, family_id: uuid.UUID, *, limit: int = 5000
) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    rows = await session.execute(
        select(Image.id, Image.listing_id, Image.perceptual_hash)
        .where(Image.family_id == family_id, Image.perceptual_hash.is_not(None))
        .order_by(Image.created_at.desc())
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in rows]
