"""The instance administrator's endpoints (not a family admin's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status
from fastapi.responses import Response

from vinted_optimizer.admin import service
from vinted_optimizer.admin.prometheus import CONTENT_TYPE as PROMETHEUS_CONTENT_TYPE
from vinted_optimizer.admin.schemas import InstanceMetrics, InstanceUserPage, UserQuery
from vinted_optimizer.auth.dependencies import InstanceAdmin
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Conflict, Forbidden, InvalidField, responses
from vinted_optimizer.kit.metrics import ProcessMetrics
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res
from vinted_optimizer.scraper.errors import ScraperCoolingDown, ScraperUnavailable
from vinted_optimizer.trends import service as trends
from vinted_optimizer.trends.schemas import PacingReport, RefreshAccepted
from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import InvitationCreated, NewFamilyInvitation

router = DomainRouter(prefix="/admin", tags=["admin"])


@router.get(
    "/users",
    operation_id="admin:list_users",
    response_model=InstanceUserPage,
    responses=responses(Forbidden, InvalidField),
    summary="Every account of the instance (all families), with its family and last activity",
)
async def list_users(
    session: DbSession, resources: Res, admin: InstanceAdmin, query: Annotated[UserQuery, Query()]
) -> InstanceUserPage:
    return await service.list_users(session, resources.settings, query)


@router.get(
    "/metrics",
    operation_id="admin:metrics",
    response_model=InstanceMetrics,
    responses=responses(Forbidden),
    summary="Requests, queues, the AI's cache and availability, Vinted's budget, database and storage sizes",
    description="Each part that cannot be read answers `available: false` with its reason; the answer is "
    "200 all the same.",
)
async def metrics(
    session: DbSession, resources: Res, admin: InstanceAdmin, recorder: ProcessMetrics
) -> InstanceMetrics:
    sources = service.MetricsSources(
        redis=resources.redis,
        metrics=recorder,
        queue=resources.queue,
        ai=resources.ai,
        scraper=resources.scraper,
        storage=resources.storage,
    )
    return await service.instance_metrics(session, sources)


@router.get(
    "/metrics/prometheus",
    operation_id="admin:metrics_prometheus",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "The figures"},
        **responses(Forbidden),
    },
    summary="The same figures in Prometheus's text exposition format, for a scraper",
    description="Gauges of the moment (the request figures are windows of the last 5 and 60 minutes of "
    "every API process, the latency histogram the last hour's); a part that cannot be read has "
    "`vo_part_up{part=...} 0`. Authenticate the scraper with the administrator's bearer token.",
)
async def metrics_prometheus(
    session: DbSession, resources: Res, admin: InstanceAdmin, recorder: ProcessMetrics
) -> Response:
    sources = service.MetricsSources(
        redis=resources.redis,
        metrics=recorder,
        queue=resources.queue,
        ai=resources.ai,
        scraper=resources.scraper,
        storage=resources.storage,
    )
    text = await service.prometheus_text(session, sources)
    return Response(text, media_type=PROMETHEUS_CONTENT_TYPE)


@router.post(
    "/invitations",
    operation_id="admin:invite_family",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationCreated,
    responses=responses(Forbidden),
    summary="Invite the first member (and admin) of a new family to this instance",
)
async def invite_family(
    data: NewFamilyInvitation,
    session: DbSession,
    resources: Res,
    admin: InstanceAdmin,
    context: Context,
    jobs: JobsAfterCommit,
) -> InvitationCreated:
    return await users.invite_new_family(
        session, resources.settings, resources.secret_box, admin, data, context, jobs
    )


@router.get(
    "/scraper",
    operation_id="admin:scraper_status",
    response_model=PacingReport,
    responses=responses(Forbidden),
    summary="The scraper's pacing gate: budgets left, hourly counts, cool-down, the last change of Vinted",
)
async def scraper_status(resources: Res, admin: InstanceAdmin) -> PacingReport:
    return await resources.scraper.status()


@router.post(
    "/scraper/trigger",
    operation_id="admin:scraper_trigger",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RefreshAccepted,
    responses=responses(Forbidden, Conflict, ScraperCoolingDown, ScraperUnavailable),
    summary="Queue a paced scrape of every search the families follow",
)
async def scraper_trigger(session: DbSession, resources: Res, admin: InstanceAdmin) -> RefreshAccepted:
    return await trends.trigger_all(session, resources.scraper)
