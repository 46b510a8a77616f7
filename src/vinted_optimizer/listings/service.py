"""Inventory rules: create, edit, add photos, duplicate, bulk changes, similar items, deletion.

This domain owns the listings table. Photos belong to ``images`` and owners' names to ``users``: both are
reached through their services. The AI analysis of a listing is in ``analysis.py``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.db import Reader
from vinted_optimizer.kit.errors import BadRequest, Conflict, NotFound
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.pagination import Before
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import AfterCommit, Jobs
from vinted_optimizer.kit.signing import UrlSigner
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.listings import analysis, fields, publish_rules, repository, synced
from vinted_optimizer.listings import market as market_of
from vinted_optimizer.listings.schemas import (
    COLORS_MAX,
    TITLE_MAX,
    BrandList,
    BrandQuery,
    BrandSuggestion,
    BulkRequest,
    BulkResult,
    ListingCreate,
    ListingFilters,
    ListingMarket,
    ListingPage,
    ListingRead,
    ListingUpdate,
    PublishedByHand,
    SimilarListing,
    UploadResult,
)
from vinted_optimizer.models import Listing
from vinted_optimizer.scraper.client import ScraperClient
from vinted_optimizer.scraper.schemas import MarketComparison
from vinted_optimizer.trends import service as trends
from vinted_optimizer.users import service as users
from vinted_optimizer.vocabulary import ListingStatus, load_catalogs
from vinted_optimizer.vocabulary.catalog import catalog_by_italian_path
from vinted_optimizer.vocabulary.text import fold

SIMILAR_LIMIT = 6
# A listing's status as an Italian sentence says it ("un annuncio venduto").
STATUS_WORDS_IT: dict[str, str] = {
    "draft": "in bozza",
    "ready": "pronto",
    "published": "pubblicato",
    "reserved": "riservato",
    "sold": "venduto",
    "hidden": "nascosto",
}


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


def announce(jobs: AfterCommit, family_id: uuid.UUID, listing_ids: Sequence[uuid.UUID], change: str) -> None:
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
    fields.settle(listing, data.model_fields_set, strict=True)
    session.add(listing)
    await session.flush()
    await session.refresh(listing)
    return listing


async def update(session: AsyncSession, listing: Listing, data: ListingUpdate) -> Listing:
    values = _named_category(data.model_dump(exclude_unset=True))
    for field, value in values.items():
        setattr(listing, field, value)  # the schema refuses null where the column needs a value
    fields.settle(listing, values.keys(), strict=True)
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
        # Computed from the pixels, no AI needed; recorded as a proposal, so the analysis (whose colours are
        # better: a blue jacket on a white wall is not "Blu, Bianco") may replace them while untouched.
        listing.colors = processed[0].colors[:COLORS_MAX]
        suggestion = dict(listing.ai_suggestion or {})
        suggestion["colors"] = list(listing.colors)
        suggestion["sources"] = {**suggestion.get("sources", {}), "colors": "pixels"}
        listing.ai_suggestion = suggestion
        fields.settle(listing, ("colors",), strict=False)
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
        size_id=source.size_id,
        package_size_id=source.package_size_id,
        material=source.material,
        material_id=source.material_id,
        colors=list(source.colors),
        tags=list(source.tags),
        status="draft",
        image_embedding=source.image_embedding,
        embedding_model=source.embedding_model,
        analysis_status=source.analysis_status if source.analysis_status == "done" else "none",
        ai_analyzed_at=source.ai_analyzed_at,
        ai_suggestion=dict(source.ai_suggestion or {}),
    )
    fields.settle(copy, (), strict=False)
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


# --- copy to Vinted by hand: the photos as a ZIP, "published by hand" ---------------------------------

# A member who published the item on Vinted themselves says so with its link. Reserved and sold items
# are past publishing (their link is already known, or the sale is what counts now).
PUBLISHABLE_BY_HAND: tuple[ListingStatus, ...] = ("draft", "ready", "hidden", "published")
BY_HAND = "published_by_hand"  # the key in vinted_data: when, by whom, and the status to go back to
ARCHIVE_STEM_MAX = 60


class NoPhotos(Conflict):
    code = "no_photos"
    default_detail = "L'annuncio non ha ancora foto da salvare: aggiungine almeno una."


class NotPublishable(Conflict):
    code = "not_publishable"


class VintedLinkTaken(Conflict):
    code = "vinted_link_taken"


class NotPublishedByHand(Conflict):
    code = "not_published_by_hand"
    default_detail = "L'annuncio non risulta pubblicato a mano: non c'è niente da annullare."


def archive_stem(title: str, listing_id: uuid.UUID) -> str:
    """The title in plain ASCII for file names ("Maglione Però Blu" → "maglione-pero-blu"), or the
    listing's short id when the title has no letters or digits left."""
    words = re.sub(r"[^a-z0-9]+", "-", fold(title).encode("ascii", "ignore").decode()).strip("-")
    stem = words[:ARCHIVE_STEM_MAX].rstrip("-")
    return stem or f"annuncio-{listing_id.hex[:8]}"


async def photos_archive(
    session: AsyncSession, member: Member, listing_id: uuid.UUID
) -> tuple[str, images.PhotoArchive]:
    """The ZIP's file name and what it holds: the listing's processed photos in display order."""
    listing = await require(session, member, listing_id)
    photos = (await images.photos_of(session, [listing.id]))[listing.id]
    if not photos:
        raise NoPhotos()
    stem = archive_stem(listing.title, listing.id)
    return f"{stem}-foto.zip", images.photo_archive(photos, stem)


async def mark_published_by_hand(
    session: AsyncSession, member: Member, listing: Listing, data: PublishedByHand, context: RequestContext
) -> Listing:
    """Record the Vinted link of an item the member published themselves: the inventory says
    "published" and links to it, before automatic publishing exists."""
    link = data.link
    if listing.status not in PUBLISHABLE_BY_HAND:
        raise NotPublishable(
            f"Un annuncio {STATUS_WORDS_IT[listing.status]} non si può segnare come pubblicato a mano."
        )
    other = await repository.with_vinted_id(session, member.family_id, link.item_id, other_than=listing.id)
    if other is not None:
        named = f"«{other.title}»" if other.title else "un altro annuncio senza titolo"
        raise VintedLinkTaken(f"Questo link di Vinted è già collegato a {named} della famiglia.")
    earlier = (listing.vinted_data or {}).get(BY_HAND) or {}
    # Correcting the link of a listing published by hand keeps the status it came from.
    previous = earlier.get("previous_status") if listing.status == "published" else listing.status
    listing.vinted_data = {
        **(listing.vinted_data or {}),
        BY_HAND: {
            "previous_status": previous if previous in ("draft", "ready", "hidden") else "ready",
            "at": datetime.now(UTC).isoformat(),
            "user_id": str(member.id),
        },
    }
    listing.status = "published"
    listing.vinted_url = link.url
    listing.vinted_id = link.item_id
    await session.flush()
    await audit.record(
        session,
        "listing.published_by_hand",
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="listing",
        resource_id=listing.id,
        metadata={"vinted_id": link.item_id},
    )
    await session.refresh(listing)
    return listing


async def undo_published_by_hand(
    session: AsyncSession, member: Member, listing: Listing, context: RequestContext
) -> Listing:
    """Back to the status it had before it was marked published by hand; the link is forgotten."""
    marked = (listing.vinted_data or {}).get(BY_HAND)
    if listing.status != "published" or not marked:
        raise NotPublishedByHand()
    forgotten = listing.vinted_id
    listing.status = marked.get("previous_status") or "ready"
    listing.vinted_url = None
    listing.vinted_id = None
    listing.vinted_data = {key: value for key, value in listing.vinted_data.items() if key != BY_HAND}
    await session.flush()
    await audit.record(
        session,
        "listing.published_by_hand_undone",
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="listing",
        resource_id=listing.id,
        metadata={"vinted_id": forgotten, "status": listing.status},
    )
    await session.refresh(listing)
    return listing


async def brand_suggestions(session: AsyncSession, member: Member, query: BrandQuery) -> BrandList:
    """Brand autocomplete: the brands of the family's own listings, then those seen on the market, a name
    once (case aside), as many as asked."""
    typed = " ".join(query.q.split())
    own = await repository.family_brands(session, member.family_id, typed, query.limit)
    prefix, word = repository.brand_patterns(typed)
    market = await trends.brands_seen(session, prefix, word, query.limit) if len(own) < query.limit else []
    items = [BrandSuggestion(name=name, source="family") for name in own]
    seen = {name.casefold() for name in own}
    for name in market:
        if name.casefold() not in seen and len(items) < query.limit:
            seen.add(name.casefold())
            items.append(BrandSuggestion(name=name, source="market"))
    return BrandList(items=items)


# --- sales (the sales domain calls these; it never writes the listings table) ------------------------


class AlreadySold(Conflict):
    default_detail = "Questo annuncio è già venduto: un annuncio si vende una volta sola (campo listing_id)."


async def mark_sold(
    session: AsyncSession, member: Member, listing_id: uuid.UUID, *, sold_on_vinted: bool = False
) -> tuple[Listing, str]:
    """Lock one of the family's listings and mark it sold; returns it with the status it had before.
    404 for another family's listing, 409 if it is sold already — unless ``sold_on_vinted`` (the sales
    sync) and the sync itself marked it sold from the wardrobe before its order came."""
    listing = await require(session, member, listing_id, for_update=True)
    if listing.status == "sold":
        before_sync = synced.status_before_sold(listing)
        if sold_on_vinted and before_sync is not None:
            return listing, before_sync
        raise AlreadySold()
    before = listing.status
    listing.status = "sold"
    await session.flush()
    return listing, before


# A listing given back by a cancelled or refunded sale: on sale again. A reservation was for the buyer
# who withdrew, so a reserved listing goes back to published.
BACK_ON_SALE: dict[str, ListingStatus] = {"reserved": "published"}


async def put_back_on_sale(
    session: AsyncSession, family_id: uuid.UUID, listing_id: uuid.UUID, before: str | None
) -> None:
    """Give a sold listing its earlier status again. A listing changed since (no longer sold) or deleted is
    left as it is."""
    listing = await repository.get(session, family_id, listing_id, for_update=True)
    if listing is None or listing.status != "sold":
        return
    status = before if before and before != "sold" else "published"
    listing.status = BACK_ON_SALE.get(status, status)
    await session.flush()


async def sell_through(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None
) -> tuple[int, int]:
    """(sold, put on sale): the family's listings now sold, and those ever offered (published, reserved
    or sold), optionally of one member."""
    return await repository.sell_through(session, family_id, member_id)


async def market_profile(
    session: AsyncSession, member: Member, limit: int = 20
) -> list[tuple[int, str, str | None, int]]:
    """(catalog id, category, brand or None, listings) of what the family lists, the most listed first."""
    return await repository.market_profile(session, member.family_id, limit)


async def market(
    session: AsyncSession, scraper: ScraperClient, member: Member, listing_id: uuid.UUID
) -> ListingMarket:
    """The Mercato panel of one of the family's listings (``market.listing_market``)."""
    listing = await require(session, member, listing_id)
    return await market_of.listing_market(listing, scraper)


# --- the sales sync's rules on listings (listings.synced), for vinted_link.sales_sync ---------------------

WardrobeState = synced.WardrobeState
by_vinted_ids = synced.by_vinted_ids
create_sold_on_vinted = synced.create_sold_on_vinted
follow_wardrobe = synced.follow_wardrobe


# --- for the assistant (chat): counts, the latest listings, what changed for its index ----------------


async def status_counts(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None = None
) -> dict[str, int]:
    """The family's (or one member's) listings per status; a status without listings is absent."""
    return await repository.status_counts(session, family_id, member_id)


async def latest(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None, limit: int
) -> Sequence[Listing]:
    """The most recently changed listings of the family (or of one member)."""
    return await repository.latest(session, family_id, member_id, limit)


async def changed_since(
    session: AsyncSession, family_id: uuid.UUID, since: datetime | None
) -> Sequence[Listing]:
    """The family's listings changed after ``since`` (all of them when None), oldest change first."""
    return await repository.changed_since(session, family_id, since)


async def ids_in_family(session: AsyncSession, family_id: uuid.UUID) -> set[uuid.UUID]:
    return await repository.ids_in_family(session, family_id)


# --- for the home page (dashboard) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A listing the suggestions look at: when it went on sale, its photos, what Vinted's form still
    needs (publish_rules.missing_fields) and whether a Vinted operation is running for it."""

    listing: Listing
    on_sale_since: datetime
    photos: int
    missing: list[tuple[str, str]]
    busy: bool


async def overview_counts(
    session: AsyncSession, family_id: uuid.UUID, stale_before: datetime
) -> dict[str, int]:
    """One query: the listings per status and in total, the drafts per analysis state
    (waiting_analysis, failed_analysis, not_analysed) and the listings on sale since before ``stale_before``
    (stale)."""
    return await repository.overview_counts(session, family_id, stale_before)


async def stale(
    session: AsyncSession, signer: UrlSigner, family_id: uuid.UUID, stale_before: datetime, limit: int
) -> list[dict[str, Any]]:
    """The listings on sale since before ``stale_before``, the longest first, with their cover's thumbnail."""
    rows = await repository.stale(session, family_id, stale_before, limit, images.cover_column(Listing.id))
    return [
        {
            "listing_id": row.id,
            "title": row.title,
            "price": row.price,
            "on_sale_since": row.on_sale_since,
            "thumbnail_url": images.thumbnail_url(signer, row.cover),
        }
        for row in rows
    ]


async def asking_prices(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """The median asking price of the listings on sale per Vinted category and brand."""
    return await repository.asking_prices(session, family_id, member_id)


async def suggestion_candidates(
    session: AsyncSession, family_id: uuid.UUID, limit: int = 2000
) -> list[Candidate]:
    rows = await repository.suggestion_candidates(
        session, family_id, images.photo_count_column(Listing.id), limit
    )
    return [
        Candidate(
            listing=row.Listing,
            on_sale_since=row.on_sale_since,
            photos=int(row.photos),
            missing=publish_rules.missing_fields(row.Listing, int(row.photos)),
            busy=publish_rules.in_progress(row.Listing),
        )
        for row in rows
    ]


async def activity(
    session: AsyncSession, family_id: uuid.UUID, before: Before | None, limit: int
) -> list[dict[str, Any]]:
    """Feed items of the family's listings (created, published), newest first, at most ``limit`` of each:
    key, at, id, user_id, title, event ("created" or "published"), operation (the last Vinted operation)."""
    return await repository.activity(session, family_id, before, limit)


def stored_comparison(trend: Any) -> MarketComparison:
    """A trends snapshot (``trends.service.market_snapshots``) as a market comparison."""
    figures = (trend.min_price, trend.q1_price, trend.median_price, trend.q3_price, trend.max_price)
    return market_of.stored_comparison(trend.category_id, trend.brand, int(trend.total_items), figures)


async def titles(
    session: AsyncSession, family_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The titles of the family's listings among ``ids`` (a deleted one is absent)."""
    return await repository.titles(session, family_id, ids)
