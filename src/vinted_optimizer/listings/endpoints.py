from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import BadRequest, Forbidden, NotFound, Unauthorized, responses
from vinted_optimizer.kit.queue import JobQueue
from vinted_optimizer.kit.resources import Res
from vinted_optimizer.listings import service
from vinted_optimizer.listings.schemas import (
    BulkRequest,
    BulkResult,
    ListingCreate,
    ListingFilters,
    ListingPage,
    ListingRead,
    ListingUpdate,
    SimilarListing,
)

router = APIRouter(prefix="/listings", tags=["listings"])
ERRORS = responses(Unauthorized, Forbidden, NotFound)


@router.get(
    "",
    operation_id="listings:list",
    response_model=ListingPage,
    responses=responses(Unauthorized, Forbidden, BadRequest),
)
async def list_listings(
    session: DbSession, resources: Res, member: CurrentMember, filters: Annotated[ListingFilters, Query()]
) -> ListingPage:
    return await service.search(session, resources, member, filters)


@router.post(
    "",
    operation_id="listings:create",
    status_code=status.HTTP_201_CREATED,
    response_model=ListingRead,
    responses=responses(Unauthorized, Forbidden),
)
async def create_listing(
    data: ListingCreate, session: DbSession, resources: Res, member: CurrentMember
) -> ListingRead:
    listing = await service.create(session, member, data)
    return await service.read_one(session, listing, resources.signer)


@router.post(
    "/bulk",
    operation_id="listings:bulk",
    response_model=BulkResult,
    responses=ERRORS,
    summary="Change the status or price of many listings, or delete them: all or nothing",
)
async def bulk(
    data: BulkRequest,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    context: Context,
    jobs: JobQueue,
) -> BulkResult:
    return await service.bulk(session, resources, member, data, context, jobs)


@router.get(
    "/similar/{listing_id}",
    operation_id="listings:similar",
    response_model=list[SimilarListing],
    responses=ERRORS,
    summary="The family's listings closest to this one (description embeddings)",
)
async def similar(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember
) -> list[SimilarListing]:
    listing = await service.require(session, member, listing_id)
    return await service.similar(session, resources, member, listing)


@router.get("/{listing_id}", operation_id="listings:get", response_model=ListingRead, responses=ERRORS)
async def get_listing(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember
) -> ListingRead:
    return await service.read_one(
        session, await service.require(session, member, listing_id), resources.signer
    )


@router.patch(
    "/{listing_id}",
    operation_id="listings:update",
    response_model=ListingRead,
    responses=responses(Unauthorized, Forbidden, NotFound, BadRequest),
)
async def update_listing(
    listing_id: uuid.UUID, data: ListingUpdate, session: DbSession, resources: Res, member: CurrentMember
) -> ListingRead:
    listing = await service.require(session, member, listing_id, for_update=True)
    return await service.read_one(session, await service.update(session, listing, data), resources.signer)


@router.delete(
    "/{listing_id}",
    operation_id="listings:delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERRORS,
    summary="Delete a listing and its photos",
)
async def delete_listing(
    listing_id: uuid.UUID,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    context: Context,
    jobs: JobQueue,
) -> Response:
    listing = await service.require(session, member, listing_id, for_update=True)
    await service.delete(session, resources, member, [listing], context, jobs)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{listing_id}/duplicate",
    operation_id="listings:duplicate",
    status_code=status.HTTP_201_CREATED,
    response_model=ListingRead,
    responses=ERRORS,
    summary="Copy a listing (photos included) as a new draft",
)
async def duplicate(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember
) -> ListingRead:
    source = await service.require(session, member, listing_id)
    copy = await service.duplicate(session, resources, member, source)
    return await service.read_one(session, copy, resources.signer)
