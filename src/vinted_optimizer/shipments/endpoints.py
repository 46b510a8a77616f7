from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Query, Response, status

from vinted_optimizer.auth.dependencies import CurrentMember, FamilyAdmin
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import Forbidden, InvalidField, NotFound, responses
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res
from vinted_optimizer.sales.service import SaleNotFound
from vinted_optimizer.shipments import account, carriers, service
from vinted_optimizer.shipments.schemas import (
    AccountRead,
    AccountUpdate,
    BulkLabels,
    CarrierList,
    CarrierQuery,
    LabelQuery,
    QuoteRequest,
    ShipmentCreate,
    ShipmentFilters,
    ShipmentFollow,
    ShipmentPage,
    ShipmentRead,
)
from vinted_optimizer.shipments.sendcloud import (
    SendcloudAccountIncomplete,
    SendcloudKeysRejected,
    SendcloudUnavailable,
)

router = DomainRouter(prefix="/shipments", tags=["shipments"])
carriers_router = DomainRouter(prefix="/carriers", tags=["carriers"])

# What any call to the family's Sendcloud can answer.
SENDCLOUD_ERRORS = (
    account.KeysMissing,
    account.SenderMissing,
    SendcloudKeysRejected,
    SendcloudAccountIncomplete,
    SendcloudUnavailable,
    InvalidField,
)
NO_STORE = {"Cache-Control": "private, no-store"}


async def shipping_tools(resources: Res) -> account.Tools:
    settings = resources.settings
    return account.Tools(
        secret_box=resources.secret_box,
        storage=resources.storage,
        redis=resources.redis,
        sendcloud_url=settings.sendcloud_base_url,
        timeout_seconds=settings.sendcloud_timeout_seconds,
        public_url=settings.public_url,
    )


Tools = Annotated[account.Tools, Depends(shipping_tools)]


@router.get(
    "",
    operation_id="shipments:list",
    response_model=ShipmentPage,
    responses=responses(Forbidden, InvalidField),
    summary="The family's parcels, newest first: by status, in trouble, still open, or of one sale",
)
async def list_shipments(
    session: DbSession, member: CurrentMember, filters: Annotated[ShipmentFilters, Query()]
) -> ShipmentPage:
    return await service.search(session, member, filters)


@router.get(
    "/account",
    operation_id="shipments:account",
    response_model=AccountRead,
    responses=responses(Forbidden),
    summary="The family's sender address and whether its Sendcloud keys are set (never the keys)",
)
async def read_account(session: DbSession, member: CurrentMember, tools: Tools) -> AccountRead:
    return await account.read(session, member, tools)


@router.put(
    "/account",
    operation_id="shipments:update_account",
    response_model=AccountRead,
    responses=responses(Forbidden, InvalidField),
    summary="Set the sender address, the Sendcloud keys (write-only) or the default option (family admin)",
)
async def update_account(
    data: AccountUpdate, session: DbSession, member: FamilyAdmin, tools: Tools, context: Context
) -> AccountRead:
    return await account.update(session, member, data, tools, context)


@router.delete(
    "/account/keys",
    operation_id="shipments:remove_keys",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(Forbidden),
    summary="Forget the family's Sendcloud keys (family admin)",
)
async def remove_keys(session: DbSession, member: FamilyAdmin, context: Context) -> Response:
    await account.remove_keys(session, member, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/track/{tracking_code}",
    operation_id="shipments:by_tracking_code",
    response_model=ShipmentRead,
    responses=responses(Forbidden, NotFound),
    summary="The family's parcel with this tracking code",
)
async def by_tracking_code(
    tracking_code: Annotated[str, Path(min_length=1, max_length=80)],
    session: DbSession,
    member: CurrentMember,
) -> ShipmentRead:
    shipment = await service.by_tracking_code(session, member, tracking_code)
    return await service.read_one(session, member, shipment)


@router.get(
    "/{shipment_id:uuid}",
    operation_id="shipments:get",
    response_model=ShipmentRead,
    responses=responses(Forbidden, NotFound),
)
async def get_shipment(shipment_id: uuid.UUID, session: DbSession, member: CurrentMember) -> ShipmentRead:
    return await service.read_one(session, member, await service.require(session, member, shipment_id))


@router.get(
    "/{shipment_id:uuid}/label",
    operation_id="shipments:label",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}, "application/zpl": {}, "image/png": {}},
            "description": "The label: PDF (stored), or ZPL/PNG for a label printer if the carrier has them",
        },
        **responses(Forbidden, NotFound, service.NoLabel, *SENDCLOUD_ERRORS),
    },
    summary="Download a parcel's label",
)
async def download_label(
    shipment_id: uuid.UUID,
    session: DbSession,
    member: CurrentMember,
    tools: Tools,
    query: Annotated[LabelQuery, Query()],
) -> Response:
    shipment = await service.require(session, member, shipment_id)
    body, media_type = await service.label(session, member, shipment, query.format, tools)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{service.filename(shipment, query.format)}"',
            **NO_STORE,
        },
    )


@router.post(
    "/labels",
    operation_id="shipments:labels",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {}},
            "description": "One PDF with every label, in the order asked",
        },
        **responses(Forbidden, NotFound, InvalidField),
    },
    summary="Many labels in one PDF: four to an A4 sheet, or one a page for a label printer",
)
async def merged_labels(
    data: BulkLabels, session: DbSession, member: CurrentMember, tools: Tools
) -> Response:
    body = await service.merged_labels(session, member, data, tools)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="etichette-{data.layout}.pdf"', **NO_STORE},
    )


@router.post(
    "/follow",
    operation_id="shipments:follow",
    status_code=status.HTTP_201_CREATED,
    response_model=ShipmentRead,
    responses=responses(Forbidden, SaleNotFound, service.ShipmentExists, InvalidField),
    summary="Follow a parcel sent with another label (Vinted's own): its tracking code only",
)
async def follow(
    data: ShipmentFollow, session: DbSession, member: CurrentMember, context: Context
) -> ShipmentRead:
    return await service.read_one(session, member, await service.follow(session, member, data, context))


@router.post(
    "",
    operation_id="shipments:create",
    status_code=status.HTTP_201_CREATED,
    response_model=ShipmentRead,
    responses={
        200: {"model": ShipmentRead, "description": "The sale already had its label: the same shipment"},
        **responses(Forbidden, SaleNotFound, service.ShipmentExists, *SENDCLOUD_ERRORS),
    },
    summary="Buy the sale's label through Sendcloud (idempotent: a sale gets one label)",
)
async def create_shipment(
    data: ShipmentCreate,
    session: DbSession,
    member: CurrentMember,
    tools: Tools,
    context: Context,
    response: Response,
) -> ShipmentRead:
    shipment, created = await service.create(session, member, data, tools, context)
    if not created:
        response.status_code = status.HTTP_200_OK
    return await service.read_one(session, member, shipment)


@carriers_router.get(
    "",
    operation_id="carriers:list",
    response_model=CarrierList,
    responses=responses(Forbidden, *SENDCLOUD_ERRORS),
    summary="The shipping options from the family's sender address, with prices, cheapest first",
)
async def list_carriers(
    session: DbSession, member: CurrentMember, tools: Tools, query: Annotated[CarrierQuery, Query()]
) -> CarrierList:
    return await carriers.for_sender(session, member, tools, query)


@carriers_router.post(
    "/quote",
    operation_id="carriers:quote",
    response_model=CarrierList,
    responses=responses(Forbidden, *SENDCLOUD_ERRORS),
    summary="The shipping options and prices for a parcel between two places, cheapest first",
)
async def quote(data: QuoteRequest, session: DbSession, member: CurrentMember, tools: Tools) -> CarrierList:
    return await carriers.quote(session, member, tools, data)
