"""Panoramica: what a member sees first. Every figure is the family's own (the member's family)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.dashboard import activity as activity_feed
from vinted_optimizer.dashboard import service
from vinted_optimizer.dashboard import suggestions as advice
from vinted_optimizer.dashboard.schemas import (
    SUGGESTION_KEY_PATTERN,
    ActivityPage,
    ActivityQuery,
    Analytics,
    AnalyticsQuery,
    Overview,
    SuggestionList,
)
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Forbidden, InvalidField, responses
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res

router = DomainRouter(prefix="/dashboard", tags=["dashboard"])


@router.get(
    "/overview",
    operation_id="dashboard:overview",
    response_model=Overview,
    responses=responses(Forbidden),
    summary="Listings by status, this month and the last, this week, parcels, drafts, DAC7, stale listings",
)
async def overview(session: DbSession, resources: Res, member: CurrentMember) -> Overview:
    return await service.overview(session, resources.signer, member)


@router.get(
    "/analytics",
    operation_id="dashboard:analytics",
    response_model=Analytics,
    responses=responses(Forbidden, InvalidField),
    summary="Series for the charts: revenue and profit per week or month, categories, brands, the market",
)
async def analytics(
    session: DbSession, member: CurrentMember, query: Annotated[AnalyticsQuery, Query()]
) -> Analytics:
    return await service.analytics(session, member, query)


@router.get(
    "/activity",
    operation_id="dashboard:activity",
    response_model=ActivityPage,
    responses=responses(Forbidden, InvalidField),
    summary="The family's activity, newest first, a page at a time",
)
async def activity(
    session: DbSession, member: CurrentMember, query: Annotated[ActivityQuery, Query()]
) -> ActivityPage:
    return await activity_feed.activity(session, member, query)


@router.get(
    "/suggestions",
    operation_id="dashboard:suggestions",
    response_model=SuggestionList,
    responses=responses(Forbidden),
    summary="What to do next, each with its reasoning and the one action that applies it",
)
async def suggestions(session: DbSession, resources: Res, member: CurrentMember) -> SuggestionList:
    return await advice.suggestions(session, resources.redis, member)


@router.post(
    "/suggestions/{key}/dismiss",
    operation_id="dashboard:dismiss_suggestion",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(Forbidden, InvalidField),
    summary="Hide a suggestion from the family for 30 days",
)
async def dismiss_suggestion(
    resources: Res,
    member: CurrentMember,
    key: Annotated[str, Path(pattern=SUGGESTION_KEY_PATTERN, max_length=60)],
) -> Response:
    await advice.dismiss(resources.redis, member, key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
