"""Photo uploads and photo management. An upload is all or nothing: every file is checked and processed
before anything is stored, and a failure after storing removes what was stored."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.images import repository
from vinted_optimizer.images.processing import (
    ImageRejected,
    ProcessedImage,
    perceptual_distance,
    process_image,
)
from vinted_optimizer.images.schemas import DuplicateWarning, ImageOrder, UploadResult
from vinted_optimizer.kit.errors import BadRequest, DomainError, NotFound
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.kit.resources import Resources
from vinted_optimizer.listings import service as listings
from vinted_optimizer.models import Image, Listing, User

DUPLICATE_DISTANCE = 6


class UploadRejected(DomainError):
    """One file of the upload cannot be used; the status comes from the check that refused it."""

    def __init__(self, filename: str, rejection: ImageRejected) -> None:
        self.status_code = rejection.status  # type: ignore[misc]
        self.code = rejection.code  # type: ignore[misc]
        super().__init__(f"{filename}: {rejection.detail}")


class ImageNotFound(NotFound):
    default_detail = "Foto non trovata."


@dataclass
class UploadFile:
    filename: str
    data: bytes


async def _process_all(resources: Resources, files: list[UploadFile]) -> list[ProcessedImage]:
    settings = resources.settings
    processed = []
    for upload in files:
        try:
            # CPU work off the event loop; one file at a time keeps memory bounded on a small machine.
            processed.append(
                await asyncio.to_thread(
                    process_image,
                    upload.data,
                    max_bytes=settings.max_upload_bytes,
                    max_pixels=settings.max_image_pixels,
                )
            )
        except ImageRejected as rejection:
            raise UploadRejected(upload.filename, rejection) from None
    return processed


async def upload(
    session: AsyncSession,
    resources: Resources,
    member: User,
    files: list[UploadFile],
    listing_id: uuid.UUID | None,
    jobs: Jobs,
) -> UploadResult:
    assert member.family_id is not None
    if not files:
        raise BadRequest("Nessuna foto nella richiesta.")
    if len(files) > resources.settings.max_files_per_upload:
        raise BadRequest(f"Al massimo {resources.settings.max_files_per_upload} foto per volta.")
    listing = await listings.require(session, member, listing_id, for_update=True) if listing_id else None
    processed = await _process_all(resources, files)

    known = await repository.family_hashes(session, member.family_id)
    duplicates = []
    for upload_file, image in zip(files, processed, strict=True):
        for image_id, other_listing, phash in known:
            distance = perceptual_distance(image.perceptual_hash, phash)
            if distance <= DUPLICATE_DISTANCE:
                duplicates.append(
                    DuplicateWarning(
                        file=upload_file.filename,
                        similar_image_id=image_id,
                        listing_id=other_listing,
                        distance=distance,
                    )
                )
                break

    created = listing is None
    if listing is None:
        listing = Listing(
            family_id=member.family_id, user_id=member.id, status="draft", colors=processed[0].colors
        )
        session.add(listing)
        await session.flush()
    elif not listing.colors:
        listing.colors = processed[0].colors

    existing = await repository.of_listing(session, listing.id)
    order = max((image.display_order for image in existing), default=-1)
    has_primary = any(image.is_primary for image in existing)
    stored: list[str] = []
    images: list[Image] = []
    try:
        for image in processed:
            image_id = uuid.uuid4()
            processed_key = listings.image_key(member.family_id, listing.id, image_id, "jpg")
            thumb_key = listings.image_key(member.family_id, listing.id, image_id, "thumb.jpg")
            await resources.storage.put(processed_key, image.jpeg, content_type="image/jpeg")
            stored.append(processed_key)
            await resources.storage.put(thumb_key, image.thumbnail, content_type="image/jpeg")
            stored.append(thumb_key)
            order += 1
            row = Image(
                id=image_id,
                listing_id=listing.id,
                family_id=member.family_id,
                storage_path=processed_key,
                thumbnail_path=thumb_key,
                processed_url=f"/api/v1/images/{image_id}/file?variant=processed",
                thumbnail_url=f"/api/v1/images/{image_id}/file?variant=thumbnail",
                sha256=image.sha256,
                perceptual_hash=image.perceptual_hash,
                width=image.width,
                height=image.height,
                size_bytes=len(image.jpeg),
                is_primary=not has_primary and not images,
                display_order=order,
                meta={
                    # Only what was computed here: no EXIF, no GPS, no original file name.
                    "source_type": image.source_type,
                    "original_width": image.original_width,
                    "original_height": image.original_height,
                    "colors": image.colors,
                    "quality_hints": image.quality_hints,
                    "brightness": image.brightness,
                    "sharpness": image.sharpness,
                },
            )
            session.add(row)
            images.append(row)
        listing.analysis_status = "pending"
        listing.analysis_error = None
        listing.analysis_attempts = 0
        listing.next_analysis_at = None
        await session.flush()
    except BaseException:
        await resources.storage.delete(stored)
        raise
    jobs.enqueue_after_commit(
        "analyze_listing", str(listing.id), _job_id=f"analyze:{listing.id}:{uuid.uuid4().hex}"
    )
    await session.refresh(listing)
    read = await listings.read_one(session, listing, resources.signer)
    new_ids = {image.id for image in images}
    return UploadResult(
        listing=read,
        images=[image for image in read.images if image.id in new_ids],
        created_listing=created,
        duplicates=duplicates,
    )


async def require(session: AsyncSession, member: User, image_id: uuid.UUID) -> Image:
    image = await repository.get(session, member, image_id)
    if image is None:
        raise ImageNotFound()
    return image


async def delete(session: AsyncSession, resources: Resources, member: User, image: Image, jobs: Jobs) -> None:
    keys = [image.storage_path] + ([image.thumbnail_path] if image.thumbnail_path else [])
    listing_id, was_primary = image.listing_id, image.is_primary
    await session.delete(image)
    await session.flush()
    if was_primary:
        remaining = await repository.of_listing(session, listing_id)
        if remaining:
            remaining[0].is_primary = True
            await session.flush()
    jobs.call_after_commit(lambda: resources.storage.delete(keys))


async def set_primary(session: AsyncSession, image: Image) -> None:
    for other in await repository.of_listing(session, image.listing_id):
        other.is_primary = other.id == image.id
    await session.flush()


async def reorder(session: AsyncSession, member: User, listing: Listing, order: ImageOrder) -> None:
    images = {image.id: image for image in await repository.of_listing(session, listing.id)}
    if set(order.image_ids) != set(images) or len(order.image_ids) != len(images):
        raise BadRequest("L'ordine deve elencare ogni foto dell'annuncio una volta sola.")
    for position, image_id in enumerate(order.image_ids):
        images[image_id].display_order = position
    await session.flush()


async def request_analysis(session: AsyncSession, listing: Listing, jobs: Jobs) -> None:
    listing.analysis_status = "pending"
    listing.analysis_error = None
    listing.analysis_attempts = 0
    listing.next_analysis_at = None
    await session.flush()
    jobs.enqueue_after_commit(
        "analyze_listing", str(listing.id), True, _job_id=f"analyze:{listing.id}:{uuid.uuid4().hex}"
    )
