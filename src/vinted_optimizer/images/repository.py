"""Every query on photos (the images table), scoped to the member's family."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import ScalarSelect, SQLColumnExpression, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.models import Image

# The one order of a listing's photos: the display order, the cover first.
DISPLAY_ORDER = (Image.display_order, Image.created_at, Image.id)


def photos_json(listing_id: SQLColumnExpression[uuid.UUID]) -> ScalarSelect[Any]:
    """A listing's photos as one JSON array in display order (``[]`` without photos): a column for the
    listings' read queries, so a page of listings and their photos is one query."""
    photo = func.json_build_object(
        "id", Image.id,
        "listing_id", Image.listing_id,
        "width", Image.width,
        "height", Image.height,
        "is_primary", Image.is_primary,
        "display_order", Image.display_order,
        "meta", Image.meta,
        "created_at", Image.created_at,
    )  # fmt: skip
    photos = func.json_agg(aggregate_order_by(photo, *DISPLAY_ORDER), type_=JSON)
    return (
        select(func.coalesce(photos, literal_column("'[]'::json"), type_=JSON))
        .where(Image.listing_id == listing_id)
        .scalar_subquery()
    )


def cover_id(listing_id: SQLColumnExpression[uuid.UUID]) -> ScalarSelect[Any]:
    """A listing's cover photo's id (the first in display order; NULL without photos), as a column."""
    return (
        select(Image.id)
        .where(Image.listing_id == listing_id)
        .order_by(*DISPLAY_ORDER)
        .limit(1)
        .scalar_subquery()
    )


def photo_count(listing_id: SQLColumnExpression[uuid.UUID]) -> ScalarSelect[Any]:
    """How many photos a listing has, as a column."""
    return select(func.count()).where(Image.listing_id == listing_id).scalar_subquery()


async def get(session: AsyncSession, family_id: uuid.UUID, image_id: uuid.UUID) -> Image | None:
    found: Image | None = await session.scalar(
        select(Image).where(Image.id == image_id, Image.family_id == family_id)
    )
    return found


async def get_unscoped(session: AsyncSession, image_id: uuid.UUID) -> Image | None:
    """Only for signed URLs, whose signature the API itself issued to a family member."""
    return await session.get(Image, image_id)


async def of_listings(
    session: AsyncSession, listing_ids: Collection[uuid.UUID], *, for_update: bool = False
) -> dict[uuid.UUID, list[Image]]:
    """The photos of each listing, in display order (listings without photos map to an empty list)."""
    grouped: dict[uuid.UUID, list[Image]] = {listing_id: [] for listing_id in listing_ids}
    if not grouped:
        return grouped
    query = select(Image).where(Image.listing_id.in_(grouped)).order_by(Image.listing_id, *DISPLAY_ORDER)
    if for_update:
        query = query.with_for_update()
    for image in await session.scalars(query):
        grouped[image.listing_id].append(image)
    return grouped


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
