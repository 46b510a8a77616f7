"""Inventory rules: create, edit, add photos, duplicate, bulk changes, similar items, deletion.

This domain owns the listings table. Photos belong to ``images`` and owners' names to ``users``: both are
reached through their services. The AI analysis of a listing is in ``analysis.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import Reader
from vinted_optimizer.kit.errors import BadRequest, NotFound
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.kit.signing import UrlSigner
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.listings import analysis, repository
from vinted_optimizer.listings.schemas import (
    TITLE_MAX,
    BulkRequest,
    BulkResult,
    ListingCreate,
    ListingFilters,
    ListingPage,
    ListingRead,
    ListingUpdate,
    SimilarListing,
    UploadResult,
)
from vinted_optimizer.models import Listing
from vinted_optimizer.users import service as users
from vinted_optimizer.vocabulary import load_catalogs
from vinted_optimizer.vocabulary.catalog import catalog_by_italian_path

SIMILAR_LIMIT = 6


class ListingNotFound(NotFound):
    default_detail = "Annuncio non trovato."


# Reads of listings with the columns the other domains add: the photos, the owner's name.
READS = repository.Reads(
    (
        images.photos_column(Listing.id).label("photos"),
        users.username_column(Listing.user_id).label("owner_username"),
    )
)


def _reads(rows: Sequence[repository.Row], signer: UrlSigner) -> list[ListingRead]:
    out = []
    for row in rows:
        data = dict(row.items())
        data["images"] = images.reads_from_json(data.pop("photos"), signer)
        data.pop("total", None)
        out.append(ListingRead.model_validate(data))
    return out


async def read_many(
    source: AsyncSession | Reader, signer: UrlSigner, family_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[ListingRead]:
    """The family's listings among ``ids``, in that order, with photos and owner, in one query: on a GET
    request's reader, or on a unit of work (after its flush, so what it changed is part of the answer)."""
    if isinstance(source, AsyncSession):
        await source.flush()
    return _reads(await READS.by_ids(source, family_id, ids), signer)


async def read_one(session: AsyncSession, signer: UrlSigner, listing: Listing) -> ListingRead:
    return (await read_many(session, signer, listing.family_id, [listing.id]))[0]


async def require(
    session: AsyncSession, member: Member, listing_id: uuid.UUID, *, for_update: bool = False
) -> Listing:
    listing = await repository.get(session, member.family_id, listing_id, for_update=for_update)
    if listing is None:
        raise ListingNotFound()
    return listing


async def read(
    source: AsyncSession | Reader, signer: UrlSigner, member: Member, listing_id: uuid.UUID
) -> ListingRead:
    """One of the family's listings (``read_many``), or 404."""
    found = await read_many(source, signer, member.family_id, [listing_id])
    if not found:
        raise ListingNotFound()
    return found[0]


async def search(reader: Reader, signer: UrlSigner, member: Member, filters: ListingFilters) -> ListingPage:
    if (
        filters.price_min is not None
        and filters.price_max is not None
        and filters.price_min > filters.price_max
    ):
        raise BadRequest("Il prezzo minimo è più alto del massimo.")
    rows, total = await READS.search(reader, member.family_id, filters)
    return ListingPage(items=_reads(rows, signer), total=total, limit=filters.limit, offset=filters.offset)


def announce(jobs: Jobs, family_id: uuid.UUID, listing_ids: Sequence[uuid.UUID], change: str) -> None:
    """Tell the family's other screens (live events) once the change commits: ``created``, ``updated``
    or ``deleted``. The event carries only ids; a screen reloads what it shows."""
    if listing_ids:
        data = {"listing_ids": [str(listing_id) for listing_id in listing_ids], "change": change}
        jobs.publish_after_commit(family_id, EventType.listing_changed, data)


def _named_category(values: dict[str, Any]) -> dict[str, Any]:
    """The category's id and name agree: a catalog id brings its Italian path as the name; a name sent
    alone names a catalog only if it is one's Italian path (else it is the member's own words, no id)."""
    catalog_id = values.get("category_id")
    if catalog_id is not None:
        values["category"] = load_catalogs()[catalog_id].path_it
    elif values.get("category") is not None and "category_id" not in values:
        values["category_id"] = catalog_by_italian_path(values["category"])
    return values


async def create(session: AsyncSession, member: Member, data: ListingCreate) -> Listing:
    values = data.model_dump()
    if "category_id" not in data.model_fields_set:
        values.pop("category_id")
    listing = Listing(family_id=member.family_id, user_id=member.id, **_named_category(values))
    session.add(listing)
    await session.flush()
    await session.refresh(listing)
    return listing


async def update(session: AsyncSession, listing: Listing, data: ListingUpdate) -> Listing:
    for field, value in _named_category(data.model_dump(exclude_unset=True)).items():
        setattr(listing, field, value)  # the schema refuses null where the column needs a value
    await session.flush()
    await session.refresh(listing)
    return listing


async def add_photos(
    session: AsyncSession,
    storage: Storage,
    signer: UrlSigner,
    limits: images.UploadLimits,
    member: Member,
    files: Sequence[images.UploadFile],
    listing_id: uuid.UUID | None,
    jobs: Jobs,
) -> UploadResult:
    """Photos of one item: to an existing listing, or as a new draft. Either way the AI analyses it."""
    listing = await require(session, member, listing_id, for_update=True) if listing_id else None
    processed = await images.process_uploads(files, limits)
    duplicates = await images.duplicates_in_family(session, member.family_id, files, processed)
    created = listing is None
    if listing is None:
        listing = Listing(family_id=member.family_id, user_id=member.id, status="draft")
        session.add(listing)
        await session.flush()
    if not listing.colors:
        listing.colors = processed[0].colors  # computed from the pixels, no AI needed
    added = await images.add_to_listing(session, storage, member.family_id, listing.id, processed)
    await analysis.request(session, listing, jobs)
    announce(jobs, member.family_id, [listing.id], "created" if created else "updated")
    await session.refresh(listing)
    read = await read_one(session, signer, listing)
    new_ids = {image.id for image in added}
    return UploadResult(
        listing=read,
        images=[image for image in read.images if image.id in new_ids],
        created_listing=created,
        duplicates=duplicates,
    )


async def delete(
    session: AsyncSession,
    storage: Storage,
    member: Member,
    listings: Sequence[Listing],
    context: RequestContext,
    jobs: Jobs,
) -> int:
    # The photo rows go with the listings (cascade); their files leave storage once that commits.
    await images.forget_files_of(session, storage, [listing.id for listing in listings], jobs)
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
    announce(jobs, member.family_id, [listing.id for listing in listings], "deleted")
    return len(listings)


COPY_SUFFIX = " (copia)"


def copy_title(title: str) -> str:
    """A duplicate's title: the original's, shortened if need be so that " (copia)" always fits (the list
    tells an original from its copy by it)."""
    return f"{title[: TITLE_MAX - len(COPY_SUFFIX)].rstrip()}{COPY_SUFFIX}" if title else ""


async def duplicate(session: AsyncSession, storage: Storage, member: Member, source: Listing) -> Listing:
    copy = Listing(
        family_id=member.family_id,
        user_id=member.id,
        title=copy_title(source.title),
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
    await images.copy_all(session, storage, member.family_id, source.id, copy.id)
    await session.refresh(copy)
    return copy


async def similar(
    session: AsyncSession, signer: UrlSigner, member: Member, listing: Listing
) -> list[SimilarListing]:
    if listing.image_embedding is None or listing.embedding_model is None:
        return []
    pairs = await repository.similar(session, member.family_id, listing, limit=SIMILAR_LIMIT)
    reads = await read_many(session, signer, member.family_id, [other.id for other, _ in pairs])
    return [
        SimilarListing(listing=read, similarity=round(max(0.0, min(1.0, score)), 4))
        for read, (_, score) in zip(reads, pairs, strict=True)
    ]


async def bulk(
    session: AsyncSession,
    storage: Storage,
    member: Member,
    data: BulkRequest,
    context: RequestContext,
    jobs: Jobs,
) -> BulkResult:
    wanted = list(dict.fromkeys(data.ids))
    listings = await repository.get_many(session, member.family_id, wanted)
    found = {listing.id for listing in listings}
    missing = [str(listing_id) for listing_id in wanted if listing_id not in found]
    if missing:
        # All or nothing: one foreign or unknown id and nothing changes.
        raise ListingNotFound(f"Annunci non trovati: {', '.join(missing[:5])}.")
    if data.action == "delete":
        affected = await delete(session, storage, member, listings, context, jobs)
    else:
        for listing in listings:
            if data.action == "set_status" and data.status is not None:
                listing.status = data.status
            elif data.action == "set_price":
                listing.price = data.price
        await session.flush()
        announce(jobs, member.family_id, [listing.id for listing in listings], "updated")
        affected = len(listings)
    return BulkResult(action=data.action, affected=affected)
