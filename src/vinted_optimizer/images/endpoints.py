from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import File, Form, Query, Response, UploadFile, status

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.images import service
from vinted_optimizer.images.schemas import ImageOrder, ImageRead
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import BadRequest, ErrorBody, Forbidden, NotFound, PayloadTooLarge, responses
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.listings import analysis
from vinted_optimizer.listings import service as listings
from vinted_optimizer.listings.schemas import ListingRead, UploadResult
from vinted_optimizer.resources import Res

router = DomainRouter(prefix="/images", tags=["images"])
ERRORS = responses(Forbidden, NotFound)
UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {"model": ErrorBody, "description": "Not a JPEG, PNG, WebP or HEIC photo (checked by content)"},
    422: {"model": ErrorBody, "description": "Not a usable image: empty, truncated, or too many pixels"},
}


@router.post(
    "/upload",
    operation_id="images:upload",
    status_code=status.HTTP_201_CREATED,
    response_model=UploadResult,
    responses={**responses(Forbidden, NotFound, BadRequest, PayloadTooLarge), **UNSUPPORTED},
    summary="Upload photos of one item; without listing_id a new draft listing is created and analysed",
)
async def upload(
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    jobs: JobsAfterCommit,
    files: Annotated[list[UploadFile], File(description="JPEG, PNG, WebP or HEIC, ≤ 10 MB each")],
    listing_id: Annotated[uuid.UUID | None, Form()] = None,
) -> UploadResult:
    received = [
        service.UploadFile(filename=service.display_name(f.filename), data=await f.read()) for f in files
    ]
    limits = service.UploadLimits.from_settings(resources.settings)
    return await listings.add_photos(
        session, resources.storage, resources.signer, limits, member, received, listing_id, jobs
    )


@router.post(
    "/preview",
    operation_id="images:preview",
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The photo oriented, ≤ 640 px, no metadata"},
        **responses(PayloadTooLarge),
        **UNSUPPORTED,
    },
    response_class=Response,
    summary="A small JPEG of one photo, checked as an upload is, for a browser that cannot show it "
    "(HEIC on a desktop); nothing is stored",
)
async def preview(
    resources: Res,
    member: CurrentMember,
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or HEIC, ≤ 10 MB")],
) -> Response:
    received = service.UploadFile(filename=service.display_name(file.filename), data=await file.read())
    data = await service.preview(received, service.UploadLimits.from_settings(resources.settings))
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get("/{image_id:uuid}", operation_id="images:get", response_model=ImageRead, responses=ERRORS)
async def get_image(
    image_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember
) -> ImageRead:
    return service.image_read(await service.require(session, member.family_id, image_id), resources.signer)


@router.get(
    "/{image_id:uuid}/file",
    operation_id="images:file",
    responses={
        200: {"content": {"image/jpeg": {}}},
        403: {"model": ErrorBody, "description": "Invalid or expired signature"},
        404: {"model": ErrorBody, "description": service.ImageNotFound.default_detail},
    },
    summary="The photo's bytes, through a signed URL handed out to family members",
)
async def image_file(
    image_id: uuid.UUID,
    session: DbSession,
    resources: Res,
    variant: Annotated[str, Query(pattern="^(processed|thumbnail)$")],
    expires: Annotated[int, Query(ge=0, le=2**40)],
    signature: Annotated[str, Query(pattern="^[0-9a-f]{32}$", description="As handed out in the URL")],
) -> Response:
    if not resources.signer.verify(image_id, variant, expires, signature):
        raise Forbidden("Link alla foto non valido o scaduto: ricarica la pagina.")
    image = await service.require_signed(session, image_id)
    data = await service.read_file(resources.storage, image, variant)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


@router.delete(
    "/{image_id:uuid}", operation_id="images:delete", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS
)
async def delete_image(
    image_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> Response:
    image = await service.require(session, member.family_id, image_id)
    await service.delete(session, resources.storage, image, jobs)
    listings.announce(jobs, member.family_id, [image.listing_id], "updated")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{image_id:uuid}/set-primary",
    operation_id="images:set_primary",
    response_model=ListingRead,
    responses=ERRORS,
    summary="Make this photo the cover: it moves to the front of the listing's photos",
)
async def set_primary(
    image_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> ListingRead:
    image = await service.require(session, member.family_id, image_id)
    await service.set_primary(session, image)
    listings.announce(jobs, member.family_id, [image.listing_id], "updated")
    return await listings.read(session, resources.signer, member, image.listing_id)


@router.post(
    "/{image_id:uuid}/reanalyze",
    operation_id="images:reanalyze",
    response_model=ListingRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses=ERRORS,
    summary="Ask the AI again for the listing of this photo (queued)",
)
async def reanalyze(
    image_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember, jobs: JobsAfterCommit
) -> ListingRead:
    image = await service.require(session, member.family_id, image_id)
    listing = await listings.require(session, member, image.listing_id, for_update=True)
    await analysis.request(session, listing, jobs, overwrite=True)
    listings.announce(jobs, member.family_id, [listing.id], "updated")
    return await listings.read_one(session, resources.signer, listing)


@router.put(
    "/order/{listing_id}",
    operation_id="images:reorder",
    response_model=ListingRead,
    responses=responses(Forbidden, NotFound, BadRequest),
    summary="Set the display order of a listing's photos; the first becomes the cover",
)
async def reorder(
    listing_id: uuid.UUID,
    order: ImageOrder,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    jobs: JobsAfterCommit,
) -> ListingRead:
    listing = await listings.require(session, member, listing_id, for_update=True)
    await service.reorder(session, listing.id, order)
    listings.announce(jobs, member.family_id, [listing.id], "updated")
    return await listings.read_one(session, resources.signer, listing)
