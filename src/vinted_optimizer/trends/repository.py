"""Every query on the ``trends`` table."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# A snapshot's ``top_brands`` is [{"name": "Nike", "count": 120}, …] (the scraper writes it); anything
# else in it is skipped rather than trusted.
_BRANDS_LIKE = text(
    """
    SELECT btrim(brand->>'name') AS name
    FROM trends
    CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(top_brands) = 'array' THEN top_brands ELSE '[]'::jsonb END
    ) AS brand
    WHERE jsonb_typeof(brand) = 'object'
      AND btrim(brand->>'name') <> ''
      AND (btrim(brand->>'name') ILIKE :prefix OR btrim(brand->>'name') ILIKE :word)
    GROUP BY 1
    ORDER BY sum(CASE WHEN jsonb_typeof(brand->'count') = 'number' THEN (brand->>'count')::numeric ELSE 1 END)
             DESC, 1
    LIMIT :limit
    """
)


async def brands_like(session: AsyncSession, prefix: str, word: str, limit: int) -> list[str]:
    """Brand names in the market snapshots that match either ILIKE pattern (backslash escapes, as is
    PostgreSQL's default), the most seen first."""
    rows = await session.execute(_BRANDS_LIKE, {"prefix": prefix, "word": word, "limit": limit})
    return [str(name) for (name,) in rows]
