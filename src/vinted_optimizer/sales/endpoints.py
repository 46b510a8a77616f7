from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status
from fastapi.responses import StreamingResponse

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Forbidden, InvalidField, NotFound, responses
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res
from vinted_optimizer.sales import dac7, service
from vinted_optimizer.sales.schemas import (
    Dac7ExportQuery,
    Dac7Query,
    Dac7Summary,
    ExportQuery,
    SaleCreate,
    SaleFilters,
    SalePage,
    SaleRead,
    SaleScope,
    SaleStats,
    SaleUpdate,
)

router = DomainRouter(prefix="/sales", tags=["sales"])


@router.get(
    "", operation_id="sales:list", response_model=SalePage, responses=responses(Forbidden, InvalidField)
)
async def list_sales(
    session: DbSession, member: CurrentMember, filters: Annotated[SaleFilters, Query()]
) -> SalePage:
    return await service.search(session, member, filters)


@router.get(
    "/stats",
    operation_id="sales:stats",
    response_model=SaleStats,
    responses=responses(Forbidden, InvalidField),
    summary="Revenue, net profit and the other figures, per category, brand, member and month",
)
async def sale_stats(
    session: DbSession, member: CurrentMember, filters: Annotated[SaleScope, Query()]
) -> SaleStats:
    return await service.stats(session, member, filters)


@router.get(
    "/export",
    operation_id="sales:export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
            "description": "The sales as CSV (Italian Excel) or XLSX, with a totals row (streamed)",
        },
        **responses(Forbidden, InvalidField),
    },
    summary="The sales of a date range as a file for Excel",
)
async def export_sales(
    resources: Res, member: CurrentMember, query: Annotated[ExportQuery, Query()]
) -> StreamingResponse:
    # A server-side cursor lives in a transaction: the read sessionmaker (autocommit) cannot hold one.
    body = service.export(resources.sessionmaker, member, query)
    media_type = (
        "text/csv; charset=utf-8"
        if query.format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{service.export_filename(query)}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/dac7",
    operation_id="sales:dac7",
    response_model=Dac7Summary,
    responses=responses(Forbidden),
    summary="Each member's year against DAC7's thresholds (30 sales or €2,000), with the 80 % warning",
)
async def dac7_summary(
    session: DbSession, member: CurrentMember, query: Annotated[Dac7Query, Query()]
) -> Dac7Summary:
    return await dac7.summary(session, member, query.year)


@router.get(
    "/dac7/export",
    operation_id="sales:dac7_export",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "What Vinted reports: per quarter and the year"},
        **responses(Forbidden, NotFound),
    },
    summary="One member's DAC7 year as CSV, to check Vinted's pre-filled report",
)
async def dac7_export(
    session: DbSession, member: CurrentMember, query: Annotated[Dac7ExportQuery, Query()]
) -> Response:
    filename, body = await dac7.export_csv(session, member, query.year, query.member)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/{sale_id:uuid}",
    operation_id="sales:get",
    response_model=SaleRead,
    responses=responses(Forbidden, NotFound),
)
async def get_sale(sale_id: uuid.UUID, session: DbSession, member: CurrentMember) -> SaleRead:
    return await service.read_one(session, await service.require(session, member, sale_id))


@router.post(
    "",
    operation_id="sales:create",
    status_code=status.HTTP_201_CREATED,
    response_model=SaleRead,
    responses=responses(Forbidden, NotFound, service.ListingAlreadySold, InvalidField),
    summary="Record a sale by hand: the listing becomes sold",
)
async def record_sale(
    data: SaleCreate, session: DbSession, member: CurrentMember, context: Context, jobs: JobsAfterCommit
) -> SaleRead:
    return await service.read_one(session, await service.record(session, member, data, context, jobs))


@router.patch(
    "/{sale_id:uuid}",
    operation_id="sales:update",
    response_model=SaleRead,
    responses=responses(Forbidden, NotFound, service.TransitionNotAllowed, service.SaleClosed, InvalidField),
    summary="Correct a sale or move it along Vinted's transaction life",
)
async def update_sale(
    sale_id: uuid.UUID, data: SaleUpdate, session: DbSession, member: CurrentMember, context: Context
) -> SaleRead:
    sale = await service.require(session, member, sale_id, for_update=True)
    return await service.read_one(session, await service.update(session, member, sale, data, context))
