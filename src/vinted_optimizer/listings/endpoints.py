from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Query, Response, status
from fastapi.responses import StreamingResponse

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.context import Context
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import BadRequest, Forbidden, InvalidField, NotFound, responses
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.listings import publishing, service
from vinted_optimizer.listings.schemas import (
    BrandList,
    BrandQuery,
    BulkPublishRequest,
    BulkPublishResult,
    BulkRequest,
    BulkResult,
    ListingCreate,
    ListingFilters,
    ListingMarket,
    ListingPage,
    ListingRead,
    ListingUpdate,
    PublishBatch,
    PublishedByHand,
    RepostRequest,
    SimilarListing,
)
from vinted_optimizer.resources import Res
from vinted_optimizer.scraper.errors import ScraperUnavailable
from vinted_optimizer.vinted_link.service import VintedNotLinked

router = DomainRouter(prefix="/listings", tags=["listings"])
ERRORS = responses(Forbidden, NotFound)

# The two reads every screen makes come first: FastAPI tries a router's routes in order (twice).


@router.get(
    "", operation_id="listings:list", response_model=ListingPage, responses=responses(Forbidden, BadRequest)
)
async def list_listings(
    resources: Res, member: CurrentMember, filters: Annotated[ListingFilters, Query()]
) -> ListingPage:
    return await service.search(resources.reader, resources.signer, member, filters)


@router.get("/{listing_id:uuid}", operation_id="listings:get", response_model=ListingRead, responses=ERRORS)
async def get_listing(listing_id: uuid.UUID, resources: Res, member: CurrentMember) -> ListingRead:
    # A read of the hot path: on the reader (kit.db.PoolReader), no unit of work.
    return await service.read(resources.reader, resources.signer, member, listing_id)


@router.get(
    "/brands",
    operation_id="listings:brands",
    response_model=BrandList,
    responses=responses(Forbidden),
    summary="Brand autocomplete: the family's own brands, then the brands seen in market data",
)
async def suggest_brands(
    session: DbSession, member: CurrentMember, query: Annotated[BrandQuery, Query()]
) -> BrandList:
    return await service.brand_suggestions(session, member, query)


@router.post(
    "",
    operation_id="listings:create",
    status_code=status.HTTP_201_CREATED,
    response_model=ListingRead,
    responses=responses(Forbidden),
)
async def create_listing(
    data: ListingCreate, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> ListingRead:
    listing = await service.create(session, member, data)
    service.announce(jobs, member.family_id, [listing.id], "created")
    return await service.read_one(session, resources.signer, listing)


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
    jobs: JobsAfterCommit,
) -> BulkResult:
    return await service.bulk(session, resources.storage, member, data, context, jobs)


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
    return await service.similar(session, resources.signer, member, listing)


@router.get(
    "/{listing_id:uuid}/market",
    operation_id="listings:market",
    response_model=ListingMarket,
    responses=responses(Forbidden, NotFound, ScraperUnavailable),
    summary="The listing's price among comparable listings on Vinted (same category, brand, condition)",
)
async def market(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember
) -> ListingMarket:
    return await service.market(session, resources.scraper, member, listing_id)


@router.patch(
    "/{listing_id:uuid}",
    operation_id="listings:update",
    response_model=ListingRead,
    responses=responses(Forbidden, NotFound, BadRequest),
)
async def update_listing(
    listing_id: uuid.UUID,
    data: ListingUpdate,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    jobs: JobsAfterCommit,
) -> ListingRead:
    listing = await service.require(session, member, listing_id, for_update=True)
    service.announce(jobs, member.family_id, [listing.id], "updated")
    return await service.read_one(session, resources.signer, await service.update(session, listing, data))


@router.delete(
    "/{listing_id:uuid}",
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
    jobs: JobsAfterCommit,
) -> Response:
    listing = await service.require(session, member, listing_id, for_update=True)
    await service.delete(session, resources.storage, member, [listing], context, jobs)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{listing_id:uuid}/duplicate",
    operation_id="listings:duplicate",
    status_code=status.HTTP_201_CREATED,
    response_model=ListingRead,
    responses=ERRORS,
    summary="Copy a listing (photos included) as a new draft",
)
async def duplicate(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> ListingRead:
    source = await service.require(session, member, listing_id)
    copy = await service.duplicate(session, resources.storage, member, source)
    service.announce(jobs, member.family_id, [copy.id], "created")
    return await service.read_one(session, resources.signer, copy)


@router.get(
    "/{listing_id:uuid}/photos.zip",
    operation_id="listings:photos_zip",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/zip": {}}, "description": "The processed photos, in display order"},
        **responses(Forbidden, NotFound, service.NoPhotos),
    },
    summary="The listing's photos as one ZIP (streamed), to save them and upload them to Vinted by hand",
)
async def photos_zip(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember
) -> StreamingResponse:
    filename, archive = await service.photos_archive(session, member, listing_id)
    return StreamingResponse(
        images.stream_archive(resources.storage, archive),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/{listing_id:uuid}/published-by-hand",
    operation_id="listings:mark_published_by_hand",
    response_model=ListingRead,
    responses=responses(Forbidden, NotFound, service.NotPublishable),
    summary="Record the Vinted link of an item the member published on Vinted themselves",
)
async def mark_published_by_hand(
    listing_id: uuid.UUID,
    data: PublishedByHand,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    context: Context,
    jobs: JobsAfterCommit,
) -> ListingRead:
    listing = await service.require(session, member, listing_id, for_update=True)
    listing = await service.mark_published_by_hand(session, member, listing, data, context)
    service.announce(jobs, member.family_id, [listing.id], "updated")
    return await service.read_one(session, resources.signer, listing)


@router.delete(
    "/{listing_id:uuid}/published-by-hand",
    operation_id="listings:undo_published_by_hand",
    response_model=ListingRead,
    responses=responses(Forbidden, NotFound, service.NotPublishedByHand),
    summary="Undo 'published by hand': back to the earlier status, the Vinted link forgotten",
)
async def undo_published_by_hand(
    listing_id: uuid.UUID,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    context: Context,
    jobs: JobsAfterCommit,
) -> ListingRead:
    listing = await service.require(session, member, listing_id, for_update=True)
    listing = await service.undo_published_by_hand(session, member, listing, context)
    service.announce(jobs, member.family_id, [listing.id], "updated")
    return await service.read_one(session, resources.signer, listing)


# --- publishing on Vinted from the app (listings/publishing.py): queued jobs, 202 ----------------------

# 409: already on Vinted / not on it / an operation running / the owner's Vinted account not linked.
PUBLISH_ERRORS = responses(Forbidden, NotFound, publishing.PublishInProgress, InvalidField)


@router.post(
    "/publish",
    operation_id="listings:publish_many",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=BulkPublishResult,
    responses=responses(Forbidden),
    summary="Queue the publishing of many listings on Vinted, spread within the write budget",
)
async def publish_many(
    data: BulkPublishRequest, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> BulkPublishResult:
    return await publishing.request_batch(session, resources.settings, member, data.ids, jobs)


@router.get(
    "/publish-batches/{batch_id}",
    operation_id="listings:publish_batch",
    response_model=PublishBatch,
    responses=ERRORS,
    summary="A bulk publish's progress: the listings in each state",
)
async def publish_batch(
    batch_id: Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")],
    session: DbSession,
    member: CurrentMember,
) -> PublishBatch:
    return await publishing.batch_progress(session, member, batch_id)


@router.post(
    "/{listing_id:uuid}/publish",
    operation_id="listings:publish",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ListingRead,
    responses=PUBLISH_ERRORS,
    summary="Queue the publishing of the listing on its owner's Vinted account",
)
async def publish(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> ListingRead:
    listing = await publishing.request(session, member, listing_id, "publish", jobs)
    return await service.read_one(session, resources.signer, listing)


@router.post(
    "/{listing_id:uuid}/unpublish",
    operation_id="listings:unpublish",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ListingRead,
    responses=responses(Forbidden, NotFound, publishing.NotOnVinted),
    summary="Queue the deletion of the listing's item on Vinted",
)
async def unpublish(
    listing_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> ListingRead:
    listing = await publishing.request(session, member, listing_id, "unpublish", jobs)
    return await service.read_one(session, resources.signer, listing)


@router.post(
    "/{listing_id:uuid}/repost",
    operation_id="listings:repost",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ListingRead,
    responses=responses(Forbidden, NotFound, VintedNotLinked, InvalidField),
    summary="Queue a repost: the item deleted on Vinted and created again with the same photos and text",
)
async def repost(
    listing_id: uuid.UUID,
    data: RepostRequest,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    jobs: JobsAfterCommit,
) -> ListingRead:
    listing = await publishing.request(session, member, listing_id, "repost", jobs)
    return await service.read_one(session, resources.signer, listing)
