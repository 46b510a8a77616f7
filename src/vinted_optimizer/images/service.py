"""Photos: processing an upload, storing it, the cover and the order, copies and deletion.

This domain owns the images table and the photo objects in storage. A listing's photos have one order,
the display order, and the cover (``is_primary``) is always the first in it. The listing itself belongs
to ``listings``, which calls this service; this service never calls ``listings``.

An upload is all or nothing: every file is checked and processed before anything is stored, and a failure
after storing removes what was stored.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from zipstream import ZIP_STORED, ZipStream

from vinted_optimizer.config import Settings
from vinted_optimizer.images import repository
from vinted_optimizer.images.processing import (
    ImageRejected,
    ProcessedImage,
    perceptual_distance,
    preview_image,
    process_image,
)
from vinted_optimizer.images.schemas import DuplicateWarning, ImageOrder, ImageRead, QualityHint
from vinted_optimizer.kit.errors import BadRequest, DomainError, NotFound
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.kit.schemas import strip_control_characters
from vinted_optimizer.kit.signing import UrlSigner
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.models import Image

DUPLICATE_DISTANCE = 6
QUALITY_HINTS: frozenset[str] = frozenset(("too_dark", "too_bright", "blurry", "low_resolution"))


class UploadRejected(DomainError):
    """One file of the upload cannot be used; the status comes from the check that refused it."""

    field = "files"

    def __init__(self, filename: str, rejection: ImageRejected) -> None:
        self.status_code = rejection.status
        self.code = rejection.code
        super().__init__(f"{filename}: {rejection.detail}")


class ImageNotFound(NotFound):
    default_detail = "Foto non trovata."


@dataclass(frozen=True)
class UploadFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class UploadLimits:
    max_files: int
    max_bytes: int
    max_pixels: int

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(
            max_files=settings.max_files_per_upload,
            max_bytes=settings.max_upload_bytes,
            max_pixels=settings.max_image_pixels,
        )


def display_name(filename: str | None) -> str:
    """A sent file's name as it may appear in messages: control characters dropped, 120 characters."""
    return strip_control_characters(filename or "").strip()[:120] or "foto"


def image_key(family_id: uuid.UUID, listing_id: uuid.UUID, image_id: uuid.UUID, suffix: str) -> str:
    return f"families/{family_id}/listings/{listing_id}/{image_id}.{suffix}"


def image_read(image: Image, signer: UrlSigner) -> ImageRead:
    return _read(
        signer,
        image.id,
        listing_id=image.listing_id,
        width=image.width,
        height=image.height,
        is_primary=image.is_primary,
        display_order=image.display_order,
        meta=image.meta,
        created_at=image.created_at,
    )


def _read(signer: UrlSigner, image_id: uuid.UUID | str, *, meta: dict[str, Any], **fields: Any) -> ImageRead:
    hints: list[QualityHint] = [hint for hint in meta.get("quality_hints", []) if hint in QUALITY_HINTS]
    return ImageRead.model_validate(
        {
            "id": image_id,
            "url": signer.url(image_id, "processed"),
            "thumbnail_url": signer.url(image_id, "thumbnail"),
            "quality_hints": hints,
            "colors": list(meta.get("colors", [])),
            **fields,
        }
    )


# A listing's photos as one column of the listings' read queries; ``reads_from_json`` turns it into reads.
photos_column = repository.photos_json
# The cover's id and the number of photos, as columns of other domains' queries.
cover_column = repository.cover_id
photo_count_column = repository.photo_count


def thumbnail_url(signer: UrlSigner, image_id: uuid.UUID | None) -> str | None:
    """The signed URL of a photo's thumbnail (None without a photo)."""
    return None if image_id is None else signer.url(image_id, "thumbnail")


def reads_from_json(photos: list[dict[str, Any]], signer: UrlSigner) -> list[ImageRead]:
    return [
        # The id as the JSON column carries it, the canonical string: the schema parses it.
        _read(signer, photo.pop("id"), meta=photo.pop("meta") or {}, **photo)
        for photo in photos
    ]


async def photos_of(
    session: AsyncSession, listing_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[Image]]:
    """The one way to load listings' photos: in display order, the cover first."""
    return await repository.of_listings(session, listing_ids)


async def reads_of(
    session: AsyncSession, signer: UrlSigner, listing_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[ImageRead]]:
    photos = await repository.of_listings(session, listing_ids)
    return {
        listing_id: [image_read(image, signer) for image in images] for listing_id, images in photos.items()
    }


async def require(session: AsyncSession, family_id: uuid.UUID, image_id: uuid.UUID) -> Image:
    image = await repository.get(session, family_id, image_id)
    if image is None:
        raise ImageNotFound()
    return image


async def require_signed(session: AsyncSession, image_id: uuid.UUID) -> Image:
    """A photo reached through a signed URL (the caller has verified the signature)."""
    image = await repository.get_unscoped(session, image_id)
    if image is None:
        raise ImageNotFound()
    return image


async def read_file(storage: Storage, image: Image, variant: str) -> bytes:
    key = image.thumbnail_path if variant == "thumbnail" and image.thumbnail_path else image.storage_path
    try:
        return await storage.get(key)
    except FileNotFoundError:
        raise ImageNotFound() from None


# --- uploads ----------------------------------------------------------------------------------------


async def process_uploads(files: Sequence[UploadFile], limits: UploadLimits) -> list[ProcessedImage]:
    """Check and process every file before anything is stored; the first bad file refuses the upload."""
    if not files:
        raise BadRequest("Nessuna foto nella richiesta.")
    if len(files) > limits.max_files:
        raise BadRequest(f"Al massimo {limits.max_files} foto per volta.")
    processed = []
    for upload in files:
        try:
            # CPU work off the event loop; one file at a time keeps memory bounded on a small machine.
            processed.append(
                await asyncio.to_thread(
                    process_image, upload.data, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels
                )
            )
        except ImageRejected as rejection:
            raise UploadRejected(upload.filename, rejection) from None
    return processed


async def preview(upload: UploadFile, limits: UploadLimits) -> bytes:
    """A small JPEG of one photo for a browser that cannot show it (HEIC on a desktop); nothing is kept."""
    try:
        return await asyncio.to_thread(
            preview_image, upload.data, max_bytes=limits.max_bytes, max_pixels=limits.max_pixels
        )
    except ImageRejected as rejection:
        raise UploadRejected(upload.filename, rejection) from None


async def duplicates_in_family(
    session: AsyncSession,
    family_id: uuid.UUID,
    files: Sequence[UploadFile],
    processed: Sequence[ProcessedImage],
) -> list[DuplicateWarning]:
    """Photos of this upload that look like one the family already has (perceptual hash)."""
    known = await repository.family_hashes(session, family_id)
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
    return duplicates


async def add_to_listing(
    session: AsyncSession,
    storage: Storage,
    family_id: uuid.UUID,
    listing_id: uuid.UUID,
    processed: Sequence[ProcessedImage],
) -> list[Image]:
    """Store processed photos after the listing's others; the listing's first photo is its cover."""
    existing = (await repository.of_listings(session, [listing_id], for_update=True))[listing_id]
    stored: list[str] = []
    added: list[Image] = []
    try:
        for image in processed:
            image_id = uuid.uuid4()
            processed_key = image_key(family_id, listing_id, image_id, "jpg")
            thumb_key = image_key(family_id, listing_id, image_id, "thumb.jpg")
            await storage.put(processed_key, image.jpeg, content_type="image/jpeg")
            stored.append(processed_key)
            await storage.put(thumb_key, image.thumbnail, content_type="image/jpeg")
            stored.append(thumb_key)
            row = Image(
                id=image_id,
                listing_id=listing_id,
                family_id=family_id,
                storage_path=processed_key,
                thumbnail_path=thumb_key,
                processed_url=f"/api/v1/images/{image_id}/file?variant=processed",
                thumbnail_url=f"/api/v1/images/{image_id}/file?variant=thumbnail",
                sha256=image.sha256,
                perceptual_hash=image.perceptual_hash,
                width=image.width,
                height=image.height,
                size_bytes=len(image.jpeg),
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
            added.append(row)
        _renumber([*existing, *added])
        await session.flush()
    except BaseException:
        await storage.delete(stored)
        raise
    return added


async def copy_all(
    session: AsyncSession,
    storage: Storage,
    family_id: uuid.UUID,
    source_listing_id: uuid.UUID,
    target_listing_id: uuid.UUID,
) -> None:
    """Copy a listing's photos (objects and rows, same order) to another listing of the family."""
    copied: list[str] = []
    try:
        for image in (await repository.of_listings(session, [source_listing_id]))[source_listing_id]:
            new_id = uuid.uuid4()
            processed_key = image_key(family_id, target_listing_id, new_id, "jpg")
            thumb_key = image_key(family_id, target_listing_id, new_id, "thumb.jpg")
            await storage.copy(image.storage_path, processed_key)
            copied.append(processed_key)
            if image.thumbnail_path:
                await storage.copy(image.thumbnail_path, thumb_key)
                copied.append(thumb_key)
            session.add(
                Image(
                    id=new_id,
                    listing_id=target_listing_id,
                    family_id=family_id,
                    storage_path=processed_key,
                    thumbnail_path=thumb_key if image.thumbnail_path else None,
                    processed_url=image.processed_url,
                    sha256=image.sha256,
                    perceptual_hash=image.perceptual_hash,
                    meta=dict(image.meta),
                    is_primary=image.is_primary,
                    display_order=image.display_order,
                    width=image.width,
                    height=image.height,
                    size_bytes=image.size_bytes,
                )
            )
        await session.flush()
    except BaseException:
        # Nothing half-written: the copies made so far go away with the failed request.
        await storage.delete(copied)
        raise


def _files(images: Sequence[Image]) -> list[str]:
    keys: list[str] = []
    for image in images:
        keys.append(image.storage_path)
        if image.thumbnail_path:
            keys.append(image.thumbnail_path)
    return keys


async def forget_files_of(
    session: AsyncSession, storage: Storage, listing_ids: Collection[uuid.UUID], jobs: Jobs
) -> None:
    """The listings are being deleted (their photo rows go with them, by cascade): once the deletion
    commits, their files leave storage too."""
    photos = await repository.of_listings(session, listing_ids)
    keys = [key for images in photos.values() for key in _files(images)]
    jobs.call_after_commit(lambda: storage.delete(keys))


# --- cover, order, deletion -------------------------------------------------------------------------


def _renumber(images: Sequence[Image]) -> None:
    """Display order 0, 1, 2…; the first photo is the cover."""
    for position, image in enumerate(images):
        image.display_order = position
        image.is_primary = position == 0


async def _siblings(session: AsyncSession, image: Image) -> list[Image]:
    return (await repository.of_listings(session, [image.listing_id], for_update=True))[image.listing_id]


async def delete(session: AsyncSession, storage: Storage, image: Image, jobs: Jobs) -> None:
    keys = _files([image])
    remaining = [other for other in await _siblings(session, image) if other.id != image.id]
    await session.delete(image)
    _renumber(remaining)
    await session.flush()
    jobs.call_after_commit(lambda: storage.delete(keys))


async def set_primary(session: AsyncSession, image: Image) -> None:
    """Make this photo the cover: it moves to the front, the others keep their order."""
    others = [other for other in await _siblings(session, image) if other.id != image.id]
    _renumber([image, *others])
    await session.flush()


async def reorder(session: AsyncSession, listing_id: uuid.UUID, order: ImageOrder) -> None:
    images = {
        image.id: image
        for image in (await repository.of_listings(session, [listing_id], for_update=True))[listing_id]
    }
    if set(order.image_ids) != set(images) or len(order.image_ids) != len(images):
        raise BadRequest("L'ordine deve elencare ogni foto dell'annuncio una volta sola.")
    _renumber([images[image_id] for image_id in order.image_ids])
    await session.flush()


# --- the photos as one ZIP ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoArchive:
    """What a ZIP of a listing's photos holds: (name in the archive, storage key), in display order.
    Plain values, so the archive streams after the request's session has closed."""

    entries: tuple[tuple[str, str], ...]


def photo_archive(photos: Sequence[Image], stem: str) -> PhotoArchive:
    """The processed photos (the ones buyers see, no metadata), named ``<stem>-01.jpg``, ``-02``…"""
    return PhotoArchive(
        tuple((f"{stem}-{position:02d}.jpg", image.storage_path) for position, image in enumerate(photos, 1))
    )


async def stream_archive(storage: Storage, archive: PhotoArchive) -> AsyncIterator[bytes]:
    """The ZIP, produced as it is sent: one photo in memory at a time, JPEGs stored as they are (they do
    not compress), the central directory at the end (zipstream-ng)."""
    zip_stream = ZipStream(compress_type=ZIP_STORED)
    for name, key in archive.entries:
        zip_stream.add(await storage.get(key), name)
        for chunk in zip_stream.all_files():
            yield chunk
    for chunk in zip_stream.footer():
        yield chunk
