"""Trends (Tendenze): market prices and demand for what the family sells, and a paced refresh."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, status

from vinted_optimizer.auth.dependencies import CurrentMember, FamilyAdmin
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Conflict, Forbidden, NotFound, TooManyRequests, responses
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.listings import service as listings
from vinted_optimizer.resources import Res
from vinted_optimizer.scraper.errors import ScraperCoolingDown, ScraperUnavailable
from vinted_optimizer.trends import service
from vinted_optimizer.trends.schemas import (
    BrandTrends,
    CategoryTrends,
    Follows,
    FollowsUpdate,
    RefreshAccepted,
    TrendList,
)

router = DomainRouter(prefix="/trends", tags=["trends"])


async def _chosen(session: DbSession, member: CurrentMember) -> Follows:
    return await service.follows(session, member, await listings.market_profile(session, member))


@router.get(
    "",
    operation_id="trends:list",
    response_model=TrendList,
    summary="The current trend of each category the family follows",
)
async def current(session: DbSession, member: CurrentMember) -> TrendList:
    return await service.current(session, await _chosen(session, member))


@router.get(
    "/brands",
    operation_id="trends:brands",
    response_model=BrandTrends,
    summary="The brands' trends in the followed categories (or in one)",
)
async def brands(
    session: DbSession,
    member: CurrentMember,
    category_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Vinted catalog id")] = None,
) -> BrandTrends:
    return await service.brands(session, await _chosen(session, member), category_id)


@router.get(
    "/follows",
    operation_id="trends:follows",
    response_model=Follows,
    summary="The searches the family follows (its inventory's when none were chosen)",
)
async def follows(session: DbSession, member: CurrentMember) -> Follows:
    return await _chosen(session, member)


@router.put(
    "/follows",
    operation_id="trends:set_follows",
    response_model=Follows,
    responses=responses(Forbidden),
    summary="Choose the searches the family follows (an empty list: back to its inventory's)",
)
async def set_follows(session: DbSession, admin: FamilyAdmin, data: FollowsUpdate) -> Follows:
    chosen = await service.set_follows(session, admin, data)
    return chosen if chosen.follows else await _chosen(session, admin)


@router.post(
    "/refresh",
    operation_id="trends:refresh",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RefreshAccepted,
    responses=responses(Forbidden, Conflict, TooManyRequests, ScraperCoolingDown, ScraperUnavailable),
    summary="Ask for fresh market data (paced; refused while Vinted asks us to wait)",
)
async def refresh(session: DbSession, resources: Res, admin: FamilyAdmin) -> RefreshAccepted:
    chosen = await _chosen(session, admin)
    return await service.refresh(resources.redis, resources.scraper, resources.settings, admin, chosen)


@router.get(
    "/{category_id:int}",
    operation_id="trends:category",
    response_model=CategoryTrends,
    responses=responses(NotFound),  # an id that is not digits is no address of ours
    summary="One category: its current trend, its history and its brands",
)
async def category(
    session: DbSession,
    member: CurrentMember,
    category_id: Annotated[int, Path(ge=1, le=2_147_483_647, description="Vinted catalog id")],
) -> CategoryTrends:
    return await service.category(session, category_id)
