"""The market data other domains may read (through here, never through the repository)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.trends import repository


async def brands_seen(session: AsyncSession, prefix: str, word: str, limit: int) -> list[str]:
    """Brands seen on the market whose name starts with, or has a word starting with, what is typed
    (``prefix`` and ``word`` are ILIKE patterns), the most seen first."""
    return await repository.brands_like(session, prefix, word, limit)
