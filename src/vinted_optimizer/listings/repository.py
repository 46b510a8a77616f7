"""Every query on listings, scoped to one family: a member never reaches another family's rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.pagination import order_by
from vinted_optimizer.listings.schemas import ListingFilters
from vinted_optimizer.models import Listing

SORTS: dict[str, SQLColumnExpression[Any]] = {
    "created_at": Listing.created_at,
    "updated_at": Listing.updated_at,
    "price": Listing.price,
    "title": func.lower(Listing.title),
}


def readable_listings(family_id: uuid.UUID) -> Select[tuple[Listing]]:
    return select(Listing).where(Listing.family_id == family_id)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(family_id: uuid.UUID, filters: ListingFilters) -> Select[tuple[Listing]]:
    query = readable_listings(family_id)
    if filters.status:
        query = query.where(Listing.status.in_(filters.status))
    if filters.condition:
        query = query.where(Listing.condition.in_(filters.condition))
    if filters.category:
        query = query.where(Listing.category.ilike(f"%{_escape_like(filters.category)}%", escape="\\"))
    if filters.brand:
        query = query.where(Listing.brand.ilike(f"%{_escape_like(filters.brand)}%", escape="\\"))
    if filters.size:
        query = query.where(func.lower(Listing.size) == filters.size.lower())
    if filters.price_min is not None:
        query = query.where(Listing.price >= filters.price_min)
    if filters.price_max is not None:
        query = query.where(Listing.price <= filters.price_max)
    if filters.member is not None:
        query = query.where(Listing.user_id == filters.member)
    if filters.analysis_status is not None:
        query = query.where(Listing.analysis_status == filters.analysis_status)
    if filters.q:
        pattern = f"%{_escape_like(filters.q)}%"
        query = query.where(
            or_(Listing.title.ilike(pattern, escape="\\"), Listing.description.ilike(pattern, escape="\\"))
        )
    return query


async def search(
    session: AsyncSession, family_id: uuid.UUID, filters: ListingFilters
) -> tuple[list[Listing], int]:
    query = _filtered(family_id, filters)
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = await session.scalars(
        query.order_by(order_by(filters.sort, SORTS), Listing.id).limit(filters.limit).offset(filters.offset)
    )
    return list(rows), total


async def get(
    session: AsyncSession, family_id: uuid.UUID, listing_id: uuid.UUID, *, for_update: bool = False
) -> Listing | None:
    query = readable_listings(family_id).where(Listing.id == listing_id)
    if for_update:
        query = query.with_for_update()
    listing: Listing | None = await session.scalar(query)
    return listing


async def get_unscoped(
    session: AsyncSession, listing_id: uuid.UUID, *, for_update: bool = False
) -> Listing | None:
    """Only for jobs, which were handed the id by a member's own request."""
    return await session.get(Listing, listing_id, with_for_update=for_update)


async def get_many(session: AsyncSession, family_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Listing]:
    query = readable_listings(family_id).where(Listing.id.in_(ids)).with_for_update()
    return list(await session.scalars(query))


async def similar(
    session: AsyncSession, family_id: uuid.UUID, listing: Listing, *, limit: int
) -> list[tuple[Listing, float]]:
    if listing.image_embedding is None:
        return []
    distance = Listing.image_embedding.cosine_distance(listing.image_embedding)
    rows = await session.execute(
        readable_listings(family_id)
        .add_columns(distance.label("distance"))
        .where(
            Listing.id != listing.id,
            Listing.image_embedding.is_not(None),
            # Only vectors of the same embedding model are comparable.
            Listing.embedding_model == listing.embedding_model,
        )
        .order_by(distance)
        .limit(limit)
    )
    return [(row[0], 1.0 - float(row[1])) for row in rows]


async def due_for_analysis(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[tuple[uuid.UUID, datetime | None, int]]:
    """Pending analyses whose next attempt is due: (id, when it was asked for, attempts so far)."""
    rows = await session.execute(
        select(Listing.id, Listing.analysis_requested_at, Listing.analysis_attempts)
        .where(
            Listing.analysis_status == "pending",
            or_(Listing.next_analysis_at.is_(None), Listing.next_analysis_at <= now),
        )
        .order_by(Listing.next_analysis_at.nulls_first())
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in rows]
