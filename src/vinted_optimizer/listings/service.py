"""Inventory rules: create, edit, duplicate, bulk changes, similar items, deletion (photos included)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit import audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.errors import BadRequest, NotFound
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.kit.resources import Resources
from vinted_optimizer.kit.signing import UrlSigner
from vinted_optimizer.listings import repository
from vinted_optimizer.listings.schemas import (
    AISuggestion,
    BulkRequest,
    BulkResult,
    ImageRead,
    ListingCreate,
    ListingFilters,
    ListingPage,
    ListingRead,
    ListingUpdate,
    SimilarListing,
)
from vinted_optimizer.models import Image, Listing, User

SIMILAR_LIMIT = 6


class ListingNotFound(NotFound):
    default_detail = "Annuncio non trovato."


def image_read(image: Image, signer: UrlSigner) -> ImageRead:
    return ImageRead(
        id=image.id,
        listing_id=image.listing_id,
        url=signer.url(image.id, "processed"),
        thumbnail_url=signer.url(image.id, "thumbnail"),
        width=image.width,
        height=image.height,
        is_primary=image.is_primary,
        display_order=image.display_order,
        quality_hints=list(image.meta.get("quality_hints", [])),
        colors=list(image.meta.get("colors", [])),
        created_at=image.created_at,
    )


async def read_many(
    session: AsyncSession, listings: Sequence[Listing], signer: UrlSigner
) -> list[ListingRead]:
    images = await repository.images_of(session, [listing.id for listing in listings])
    owners = await repository.usernames(session, [listing.user_id for listing in listings])
    out = []
    for listing in listings:
        read = ListingRead.model_validate(listing)
        read.owner_username = owners.get(listing.user_id)
        read.images = [image_read(image, signer) for image in images[listing.id]]
        read.ai_suggestion = AISuggestion.model_validate(listing.ai_suggestion or {})
        out.append(read)
    return out


async def read_one(session: AsyncSession, listing: Listing, signer: UrlSigner) -> ListingRead:
    return (await read_many(session, [listing], signer))[0]


async def require(
    session: AsyncSession, member: User, listing_id: uuid.UUID, *, for_update: bool = False
) -> Listing:
    listing = await repository.get(session, member, listing_id, for_update=for_update)
    if listing is None:
        raise ListingNotFound()
    return listing


async def search(
    session: AsyncSession, resources: Resources, member: User, filters: ListingFilters
) -> ListingPage:
    if (
        filters.price_min is not None
        and filters.price_max is not None
        and filters.price_min > filters.price_max
    ):
        raise BadRequest("Il prezzo minimo è più alto del massimo.")
    listings, total = await repository.search(session, member, filters)
    items = await read_many(session, listings, resources.signer)
    return ListingPage(items=items, total=total, limit=filters.limit, offset=filters.offset)


async def create(session: AsyncSession, member: User, data: ListingCreate) -> Listing:
    assert member.family_id is not None
    listing = Listing(family_id=member.family_id, user_id=member.id, **data.model_dump())
    session.add(listing)
    await session.flush()
    await session.refresh(listing)
    return listing


async def update(session: AsyncSession, listing: Listing, data: ListingUpdate) -> Listing:
    for field, value in data.model_dump(exclude_unset=True).items():
        if field in {"title", "description", "colors", "tags"} and value is None:
            raise BadRequest(f"Il campo '{field}' non può essere vuoto (null).")
        setattr(listing, field, value)
    await session.flush()
    await session.refresh(listing)
    return listing


def _storage_keys(images: Sequence[Image]) -> list[str]:
    keys: list[str] = []
    for image in images:
        keys.append(image.storage_path)
        if image.thumbnail_path:
            keys.append(image.thumbnail_path)
    return keys


async def delete(
    session: AsyncSession,
    resources: Resources,
    member: User,
    listings: Sequence[Listing],
    context: RequestContext,
    jobs: Jobs,
) -> int:
    images = await repository.images_of(session, [listing.id for listing in listings])
    keys = [key for listing in listings for key in _storage_keys(images[listing.id])]
    for listing in listings:
        await session.delete(listing)
    await session.flush()
    await audit.record(
        session,
        "listing.deleted",
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="listing",
        resource_id=listings[0].id if len(listings) == 1 else None,
        metadata={"count": len(listings)},
    )
    # Photos leave storage only once the rows are really gone.
    jobs.call_after_commit(lambda: resources.storage.delete(keys))
    return len(listings)


async def duplicate(session: AsyncSession, resources: Resources, member: User, source: Listing) -> Listing:
    assert member.family_id is not None
    copy = Listing(
        family_id=member.family_id,
        user_id=member.id,
        title=(f"{source.title} (copia)" if source.title else "")[:200],
        description=source.description,
        price=source.price,
        purchase_cost=source.purchase_cost,
        category=source.category,
        category_id=source.category_id,
        brand=source.brand,
        condition=source.condition,
        size=source.size,
        colors=list(source.colors),
        tags=list(source.tags),
        status="draft",
        image_embedding=source.image_embedding,
        embedding_model=source.embedding_model,
        analysis_status=source.analysis_status if source.analysis_status == "done" else "none",
        ai_analyzed_at=source.ai_analyzed_at,
        ai_suggestion=dict(source.ai_suggestion or {}),
    )
    session.add(copy)
    await session.flush()
    copied: list[str] = []
    try:
        for image in (await repository.images_of(session, [source.id]))[source.id]:
            new_id = uuid.uuid4()
            processed_key = image_key(member.family_id, copy.id, new_id, "jpg")
            thumb_key = image_key(member.family_id, copy.id, new_id, "thumb.jpg")
            await resources.storage.copy(image.storage_path, processed_key)
            copied.append(processed_key)
            if image.thumbnail_path:
                await resources.storage.copy(image.thumbnail_path, thumb_key)
                copied.append(thumb_key)
            session.add(
                Image(
                    id=new_id,
                    listing_id=copy.id,
                    family_id=member.family_id,
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
        await resources.storage.delete(copied)
        raise
    await session.refresh(copy)
    return copy


def image_key(family_id: uuid.UUID, listing_id: uuid.UUID, image_id: uuid.UUID, suffix: str) -> str:
    return f"families/{family_id}/listings/{listing_id}/{image_id}.{suffix}"


async def similar(
    session: AsyncSession, resources: Resources, member: User, listing: Listing
) -> list[SimilarListing]:
    if listing.image_embedding is None or listing.embedding_model is None:
        return []
    pairs = await repository.similar(session, member, listing, limit=SIMILAR_LIMIT)
    reads = await read_many(session, [other for other, _ in pairs], resources.signer)
    return [
        SimilarListing(listing=read, similarity=round(max(0.0, min(1.0, score)), 4))
        for read, (_, score) in zip(reads, pairs, strict=True)
    ]


async def bulk(
    session: AsyncSession,
    resources: Resources,
    member: User,
    data: BulkRequest,
    context: RequestContext,
    jobs: Jobs,
) -> BulkResult:
    wanted = list(dict.fromkeys(data.ids))
    listings = await repository.get_many(session, member, wanted)
    found = {listing.id for listing in listings}
    missing = [str(listing_id) for listing_id in wanted if listing_id not in found]
    if missing:
        # All or nothing: one foreign or unknown id and nothing changes.
        raise ListingNotFound(f"Annunci non trovati: {', '.join(missing[:5])}.")
    if data.action == "delete":
        affected = await delete(session, resources, member, listings, context, jobs)
    else:
        for listing in listings:
            if data.action == "set_status":
                listing.status = data.status
            else:
                listing.price = data.price
        await session.flush()
        affected = len(listings)
    return BulkResult(action=data.action, affected=affected)
