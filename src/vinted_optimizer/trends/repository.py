"""Every query on the ``trends`` and ``trend_follows`` tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.models import Trend, TrendFollow

# A snapshot's ``top_brands`` is [{"name": "Nike", "count": 120}, …] (the scraper writes it); anything
# else in it is skipped rather than trusted.
_BRANDS_LIKE = text(
    """
    SELECT btrim(entry->>'name') AS name
    FROM trends
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(top_brands) = 'array' THEN top_brands ELSE '[]'::jsonb END
    ) AS entry
    WHERE jsonb_typeof(entry) = 'object'
      AND btrim(entry->>'name') <> ''
      AND (btrim(entry->>'name') ILIKE :prefix OR btrim(entry->>'name') ILIKE :word)
    GROUP BY 1
    ORDER BY sum(CASE WHEN jsonb_typeof(entry->'count') = 'number' THEN (entry->>'count')::numeric ELSE 1 END)
             DESC, 1
    LIMIT :limit
    """
)


async def brands_like(session: AsyncSession, prefix: str, word: str, limit: int) -> list[str]:
    """Brand names in the market snapshots that match either ILIKE pattern (backslash escapes, as is
    PostgreSQL's default), the most seen first."""
    rows = await session.execute(_BRANDS_LIKE, {"prefix": prefix, "word": word, "limit": limit})
    return [str(name) for (name,) in rows]


async def latest_per_category(session: AsyncSession, category_ids: Sequence[int]) -> list[Trend]:
    """The newest category-wide row of each category (brand-level rows aside)."""
    query = (
        select(Trend)
        .where(Trend.brand.is_(None), Trend.category_id.in_(category_ids))
        .distinct(Trend.category_id)
        .order_by(Trend.category_id, Trend.scraped_at.desc(), Trend.id)
    )
    return list((await session.scalars(query)).all())


async def history(session: AsyncSession, category_id: int, limit: int) -> list[Trend]:
    query = (
        select(Trend)
        .where(Trend.category_id == category_id, Trend.brand.is_(None))
        .order_by(Trend.scraped_at.desc(), Trend.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def latest_brands(session: AsyncSession, category_ids: Sequence[int], limit: int) -> list[Trend]:
    """Each (category, brand)'s newest row, most listings first."""
    newest = (
        select(Trend)
        .where(Trend.brand.is_not(None), Trend.category_id.in_(category_ids))
        .distinct(Trend.category_id, Trend.brand)
        .order_by(Trend.category_id, Trend.brand, Trend.scraped_at.desc(), Trend.id)
        .subquery()
    )
    query = (
        select(Trend)
        .join(newest, newest.c.id == Trend.id)
        .order_by(Trend.total_items.desc(), Trend.category_id, Trend.brand)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def last_source_id(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(Trend.source_id), 0))) or 0)


async def add_collected(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the scraper's aggregates; one already collected (its ``source_id``) is skipped."""
    if not rows:
        return 0
    statement = insert(Trend).values(list(rows)).on_conflict_do_nothing(index_elements=["source_id"])
    result = await session.execute(statement.returning(Trend.id))
    return len(result.all())


async def follows_of(session: AsyncSession, family_id: uuid.UUID) -> list[TrendFollow]:
    query = (
        select(TrendFollow)
        .where(TrendFollow.family_id == family_id)
        .order_by(TrendFollow.category_id, TrendFollow.brand.nulls_first())
    )
    return list((await session.scalars(query)).all())


async def every_follow(session: AsyncSession) -> list[TrendFollow]:
    return list((await session.scalars(select(TrendFollow).order_by(TrendFollow.created_at))).all())


async def replace_follows(
    session: AsyncSession, family_id: uuid.UUID, follows: Sequence[dict[str, Any]]
) -> list[TrendFollow]:
    await session.execute(delete(TrendFollow).where(TrendFollow.family_id == family_id))
    rows = [TrendFollow(family_id=family_id, **follow) for follow in follows]
    session.add_all(rows)
    await session.flush()
    return await follows_of(session, family_id)


async def followed_categories(session: AsyncSession) -> list[int]:
    """Every category with a stored trend (what an instance-wide refresh follows when no family chose)."""
    return [int(c) for c in (await session.scalars(select(Trend.category_id).distinct())).all()]


async def latest_for(
    session: AsyncSession, category_ids: Sequence[int], brands: Sequence[str]
) -> list[Trend]:
    """The newest row of each category (category-wide) and of each (category, brand) among ``brands``
    (lower case), in one query."""
    brand = func.lower(func.btrim(Trend.brand))
    query = (
        select(Trend)
        .where(Trend.category_id.in_(category_ids), or_(Trend.brand.is_(None), brand.in_(brands)))
        .distinct(Trend.category_id, brand)
        .order_by(Trend.category_id, brand, Trend.scraped_at.desc(), Trend.id)
    )
    return list((await session.scalars(query)).all())
