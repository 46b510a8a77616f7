"""The home page's figures, read through each owning domain's service (CONTRACT STUB: to be built)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.dashboard.schemas import (
    ActivityPage,
    ActivityQuery,
    Analytics,
    AnalyticsQuery,
    Overview,
    SuggestionList,
)
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.signing import UrlSigner


async def overview(session: AsyncSession, signer: UrlSigner, member: Member) -> Overview:
    raise NotImplementedError


async def analytics(session: AsyncSession, member: Member, query: AnalyticsQuery) -> Analytics:
    raise NotImplementedError


async def activity(session: AsyncSession, member: Member, query: ActivityQuery) -> ActivityPage:
    raise NotImplementedError


async def suggestions(session: AsyncSession, redis: Any, member: Member) -> SuggestionList:
    raise NotImplementedError


async def dismiss(redis: Any, member: Member, key: str) -> None:
    raise NotImplementedError
