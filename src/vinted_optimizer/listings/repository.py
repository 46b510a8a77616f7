"""Every query on listings, scoped to one family: a member never reaches another family's rows."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Select,
    SQLColumnExpression,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from vinted_optimizer.kit.db import CompiledRead, Reader
from vinted_optimizer.kit.pagination import Before, keyed, older_than, order_by
from vinted_optimizer.listings.schemas import ListingFilters
from vinted_optimizer.models import Listing

SORTS: dict[str, SQLColumnExpression[Any]] = {
    "created_at": Listing.created_at,
    "updated_at": Listing.updated_at,
    "price": Listing.price,
    "title": func.lower(Listing.title),
}


# What a read of a listing shows (not its embedding, nor the raw Vinted data): with the columns other
# domains add (``joined``: its photos, its owner's name), one query reads whole listings.
READ_FIELDS = (
    Listing.id,
    Listing.user_id,
    Listing.title,
    Listing.description,
    Listing.price,
    Listing.purchase_cost,
    Listing.category,
    Listing.category_id,
    Listing.brand,
    Listing.condition,
    Listing.size,
    Listing.size_id,
    Listing.colors,
    Listing.color_ids,
    Listing.status_id,
    Listing.package_size_id,
    Listing.material,
    Listing.material_id,
    Listing.tags,
    Listing.status,
    Listing.vinted_id,
    Listing.vinted_url,
    # Marked "pubblicato a mano" (service.BY_HAND in vinted_data): the dashboard offers the undo only then.
    Listing.vinted_data.has_key("published_by_hand").label("published_by_hand"),
    # The app's publishing (publishing.py): its state while it runs and after.
    Listing.vinted_data["publish"].label("publishing"),
    Listing.analysis_status,
    Listing.analysis_error,
    Listing.analysis_attempts,
    Listing.next_analysis_at,
    Listing.ai_analyzed_at,
    Listing.ai_suggestion,
    Listing.embedding_model,
    Listing.created_at,
    Listing.updated_at,
)
Joined = Sequence[ColumnElement[Any]]


def readable_listings(family_id: uuid.UUID) -> Select[tuple[Listing]]:
    return select(Listing).where(Listing.family_id == family_id)


def _escape_like(value: str) -> str:
    # Backslash is PostgreSQL's own escape character in LIKE patterns: no ESCAPE clause is needed (and
    # none is written, so the SQL compiled once without a connection does not depend on how the server
    # reads backslashes in string literals).
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Each filter as a condition on bound parameters: a query is built once per combination of the filters
# used (and the sort), then reused with new values. SQLAlchemy computes a statement's cache key once per
# statement object, so a reused statement skips that work (a third of the CPU of a listing read).
FILTERS: dict[str, ColumnElement[bool]] = {
    "status": Listing.status == any_(bindparam("status", type_=ARRAY(String))),
    "condition": Listing.condition == any_(bindparam("condition", type_=ARRAY(String))),
    "category": Listing.category.ilike(bindparam("category")),
    "brand": Listing.brand.ilike(bindparam("brand")),
    "size": func.lower(Listing.size) == bindparam("size"),
    "price_min": Listing.price >= bindparam("price_min"),
    "price_max": Listing.price <= bindparam("price_max"),
    "member": Listing.user_id == bindparam("member"),
    "analysis_status": Listing.analysis_status == bindparam("analysis_status"),
    "q": or_(
        Listing.title.ilike(bindparam("q")),
        Listing.description.ilike(bindparam("q")),
    ),
}
IN_FAMILY = Listing.family_id == bindparam("family_id")


def _parameters(filters: ListingFilters) -> dict[str, Any]:
    """The values of the filters in use, as the conditions of FILTERS take them."""
    values: dict[str, Any] = {}
    for name in FILTERS:
        value = getattr(filters, name)
        if value is None or value == []:
            continue
        if name in ("category", "brand", "q"):
            value = f"%{_escape_like(value)}%"
        elif name == "size":
            value = value.lower()
        values[name] = value
    return values


Row = Any  # a driver record: read by column name, like a mapping


class Reads:
    """The read queries of listings, with the columns other domains add (``joined``), compiled once and
    run by the driver (``kit.db.CompiledRead``)."""

    def __init__(self, joined: Joined) -> None:
        self._joined = tuple(joined)
        fields = (*READ_FIELDS, *joined)
        self._by_id = CompiledRead(select(*fields).where(IN_FAMILY, Listing.id == bindparam("listing_id")))
        self._by_ids = CompiledRead(
            select(*fields).where(IN_FAMILY, Listing.id == any_(bindparam("listing_ids", type_=ARRAY(Uuid))))
        )
        self._pages: dict[tuple[str, tuple[str, ...]], CompiledRead] = {}
        self._counts: dict[tuple[str, ...], CompiledRead] = {}

    async def by_ids(
        self, source: AsyncSession | Reader, family_id: uuid.UUID, ids: Sequence[uuid.UUID]
    ) -> list[Row]:
        """The listings of the family among ``ids``, in the order of ``ids``: on a GET request's reader,
        or on a unit of work's connection (then after its flush, so its changes are part of the answer)."""
        if not ids:
            return []
        if len(ids) == 1:
            rows = await self._by_id.fetch(source, {"family_id": family_id, "listing_id": ids[0]})
        else:
            rows = await self._by_ids.fetch(source, {"family_id": family_id, "listing_ids": list(ids)})
        found = {row["id"]: row for row in rows}
        return [found[listing_id] for listing_id in ids if listing_id in found]

    async def search(
        self, reader: Reader, family_id: uuid.UUID, filters: ListingFilters
    ) -> tuple[list[Row], int]:
        """One page of listings and how many match in all: one query (the count is a window over the
        matches), or two when the page is past the end."""
        values = _parameters(filters)
        used = tuple(values)
        page = self._pages.get((filters.sort, used))
        if page is None:
            page = self._pages[(filters.sort, used)] = CompiledRead(
                select(*READ_FIELDS, *self._joined, func.count().over().label("total"))
                .where(IN_FAMILY, *(FILTERS[name] for name in used))
                .order_by(order_by(filters.sort, SORTS), Listing.id)
                .limit(bindparam("limit"))
                .offset(bindparam("offset"))
            )
        parameters = {**values, "family_id": family_id, "limit": filters.limit, "offset": filters.offset}
        rows = await page.fetch(reader, parameters)
        if rows:
            return rows, int(rows[0]["total"])
        count = self._counts.get(used)
        if count is None:
            count = self._counts[used] = CompiledRead(
                select(func.count()).select_from(Listing).where(IN_FAMILY, *(FILTERS[name] for name in used))
            )
        found = await count.fetch(reader, {**values, "family_id": family_id})
        return [], int(found[0][0])


async def get(
    session: AsyncSession, family_id: uuid.UUID, listing_id: uuid.UUID, *, for_update: bool = False
) -> Listing | None:
    query = readable_listings(family_id).where(Listing.id == listing_id)
    if for_update:
        query = query.with_for_update()
    listing: Listing | None = await session.scalar(query)
    return listing


async def get_unscoped(
    session: AsyncSession, listing_id: uuid.UUID, *, for_update: bool = False
) -> Listing | None:
    """Only for jobs, which were handed the id by a member's own request."""
    return await session.get(Listing, listing_id, with_for_update=for_update)


async def get_many(session: AsyncSession, family_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Listing]:
    query = readable_listings(family_id).where(Listing.id.in_(ids)).with_for_update()
    return list(await session.scalars(query))


async def similar(
    session: AsyncSession, family_id: uuid.UUID, listing: Listing, *, limit: int
) -> list[tuple[Listing, float]]:
    if listing.image_embedding is None:
        return []
    distance = Listing.image_embedding.cosine_distance(listing.image_embedding)
    rows = await session.execute(
        readable_listings(family_id)
        .add_columns(distance.label("distance"))
        .where(
            Listing.id != listing.id,
            Listing.image_embedding.is_not(None),
            # Only vectors of the same embedding model are comparable.
            Listing.embedding_model == listing.embedding_model,
        )
        .order_by(distance)
        .limit(limit)
    )
    return [(row[0], 1.0 - float(row[1])) for row in rows]


async def due_for_analysis(
    session: AsyncSession, now: datetime, *, limit: int
) -> list[tuple[uuid.UUID, datetime | None, int]]:
    """Pending analyses whose next attempt is due: (id, when it was asked for, attempts so far)."""
    rows = await session.execute(
        select(Listing.id, Listing.analysis_requested_at, Listing.analysis_attempts)
        .where(
            Listing.analysis_status == "pending",
            or_(Listing.next_analysis_at.is_(None), Listing.next_analysis_at <= now),
        )
        .order_by(Listing.next_analysis_at.nulls_first())
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def with_vinted_id(
    session: AsyncSession, family_id: uuid.UUID, vinted_id: str, *, other_than: uuid.UUID
) -> Listing | None:
    """Another listing of the family already linked to this Vinted item, if any. The family's link to
    that item is locked until the transaction ends, so two requests cannot both link it (no unique index:
    the same item may be linked in two families)."""
    key = func.hashtextextended(f"vinted-item:{family_id}:{vinted_id}", 0)
    await session.execute(select(func.pg_advisory_xact_lock(key)))
    found: Listing | None = await session.scalar(
        readable_listings(family_id)
        .where(Listing.vinted_id == vinted_id, Listing.id != other_than)
        .order_by(Listing.created_at)
        .limit(1)
    )
    return found


def brand_patterns(typed: str) -> tuple[str, str]:
    """ILIKE patterns for a brand typed so far: the name starts with it, or one of its words does."""
    escaped = _escape_like(" ".join(typed.split()))
    return f"{escaped}%", f"% {escaped}%"


async def family_brands(session: AsyncSession, family_id: uuid.UUID, typed: str, limit: int) -> list[str]:
    """The family's own brands matching what is typed, the most used first: a brand once whatever its case,
    spelt as most of its listings spell it."""
    prefix, word = brand_patterns(typed)
    brand = func.btrim(Listing.brand)
    spelling = func.mode().within_group(brand)
    query = (
        select(spelling)
        .where(Listing.family_id == family_id, brand != "", brand.ilike(prefix) | brand.ilike(word))
        .group_by(func.lower(brand))
        .order_by(func.count().desc(), spelling)
        .limit(limit)
    )
    return [str(name) for name in (await session.scalars(query)).all()]


async def sell_through(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None
) -> tuple[int, int]:
    query = select(
        func.count().filter(Listing.status == "sold"),
        func.count().filter(Listing.status.in_(("published", "reserved", "sold"))),
    ).where(Listing.family_id == family_id)
    if member_id is not None:
        query = query.where(Listing.user_id == member_id)
    sold, offered = (await session.execute(query)).one()
    return int(sold), int(offered)


async def market_profile(
    session: AsyncSession, family_id: uuid.UUID, limit: int
) -> list[tuple[int, str, str | None, int]]:
    """The family's (catalog id, category, brand, listings) with a Vinted category, the most listed first:
    what the family sells, so what it should watch on the market by default."""
    brand = func.nullif(func.btrim(Listing.brand), "")
    category = func.mode().within_group(Listing.category)
    query = (
        select(Listing.category_id, category, func.mode().within_group(brand), func.count())
        .where(Listing.family_id == family_id, Listing.category_id.is_not(None))
        .group_by(Listing.category_id, func.lower(brand))
        .order_by(func.count().desc(), Listing.category_id)
        .limit(limit)
    )
    return [
        (int(cid), str(name or cid), str(b) if b else None, int(n))
        for cid, name, b, n in (await session.execute(query)).all()
    ]


async def with_vinted_ids(
    session: AsyncSession, family_id: uuid.UUID, vinted_ids: Sequence[str]
) -> Sequence[Listing]:
    """The family's listings linked to these Vinted items (the sales sync), oldest first."""
    if not vinted_ids:
        return []
    rows = await session.scalars(
        readable_listings(family_id)
        .where(Listing.vinted_id.in_(list(vinted_ids)))
        .order_by(Listing.created_at)
        .with_for_update()
    )
    return rows.all()


def _in_batch(batch_id: str) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = Listing.vinted_data["publish"]["batch_id"].astext == batch_id
    return condition


async def in_publish_batch(session: AsyncSession, family_id: uuid.UUID, batch_id: str) -> list[Listing]:
    """The family's listings whose publishing belongs to the batch, in the order they go."""
    query = readable_listings(family_id).where(_in_batch(batch_id))
    rows = list(await session.scalars(query))
    return sorted(rows, key=lambda row: str(row.vinted_data["publish"].get("not_before") or ""))


async def status_counts(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None
) -> dict[str, int]:
    query = (
        select(Listing.status, func.count()).where(Listing.family_id == family_id).group_by(Listing.status)
    )
    if member_id is not None:
        query = query.where(Listing.user_id == member_id)
    return {str(status): int(count) for status, count in (await session.execute(query)).all()}


async def latest(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None, limit: int
) -> Sequence[Listing]:
    query = readable_listings(family_id).order_by(Listing.updated_at.desc(), Listing.id).limit(limit)
    if member_id is not None:
        query = query.where(Listing.user_id == member_id)
    return (await session.scalars(query)).all()


async def changed_since(
    session: AsyncSession, family_id: uuid.UUID, since: datetime | None
) -> Sequence[Listing]:
    query = readable_listings(family_id).order_by(Listing.updated_at, Listing.id)
    if since is not None:
        query = query.where(Listing.updated_at > since)
    return (await session.scalars(query)).all()


async def ids_in_family(session: AsyncSession, family_id: uuid.UUID) -> set[uuid.UUID]:
    return set((await session.scalars(select(Listing.id).where(Listing.family_id == family_id))).all())


# --- for the home page (dashboard) ----------------------------------------------------------------------

# When a listing went on sale: when the app published it on Vinted (a repost: its new item), else when it
# was marked published by hand, else its creation (a listing published before either existed).
ON_SALE_SINCE: ColumnElement[datetime] = func.coalesce(
    cast(Listing.vinted_data["vinted"]["published_at"].astext, DateTime(timezone=True)),
    cast(Listing.vinted_data["published_by_hand"]["at"].astext, DateTime(timezone=True)),
    Listing.created_at,
)
STATUSES = ("draft", "ready", "published", "reserved", "sold", "hidden")


async def overview_counts(
    session: AsyncSession, family_id: uuid.UUID, stale_before: datetime
) -> dict[str, int]:
    """In one query over the family's listings: the count per status, the drafts per analysis state
    (waiting: pending; failed; not analysed: none) and the listings on sale since before ``stale_before``."""
    draft = Listing.status == "draft"
    columns = [func.count().filter(Listing.status == status).label(status) for status in STATUSES]
    columns += [
        func.count().label("total"),
        func.count().filter(draft, Listing.analysis_status == "pending").label("waiting_analysis"),
        func.count().filter(draft, Listing.analysis_status == "failed").label("failed_analysis"),
        func.count().filter(draft, Listing.analysis_status == "none").label("not_analysed"),
        func.count().filter(Listing.status == "published", ON_SALE_SINCE < stale_before).label("stale"),
    ]
    row = (await session.execute(select(*columns).where(Listing.family_id == family_id))).one()
    return {name: int(value) for name, value in row._mapping.items()}


async def stale(
    session: AsyncSession,
    family_id: uuid.UUID,
    stale_before: datetime,
    limit: int,
    cover: ColumnElement[Any],
) -> Sequence[Any]:
    """The family's listings on sale since before ``stale_before``, the longest first: id, title, price,
    on_sale_since, cover (the column the caller gives: the cover photo's id)."""
    query = (
        select(
            Listing.id,
            Listing.title,
            Listing.price,
            ON_SALE_SINCE.label("on_sale_since"),
            cover.label("cover"),
        )
        .where(Listing.family_id == family_id, Listing.status == "published", ON_SALE_SINCE < stale_before)
        .order_by(ON_SALE_SINCE, Listing.id)
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def asking_prices(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """The family's (or one member's) listings on sale now with a price and a Vinted category, per
    category and brand (case and spaces aside): catalog id, category, brand or None, listings, median
    asking price."""
    brand = func.nullif(func.btrim(Listing.brand), "")
    query = (
        select(
            Listing.category_id.label("category_id"),
            func.mode().within_group(Listing.category).label("category"),
            func.mode().within_group(brand).label("brand"),
            func.count().label("listings"),
            func.percentile_cont(0.5).within_group(Listing.price).label("median"),
        )
        .where(
            Listing.family_id == family_id,
            Listing.status == "published",
            Listing.price.is_not(None),
            Listing.category_id.is_not(None),
        )
        .group_by(Listing.category_id, func.lower(brand))
    )
    if member_id is not None:
        query = query.where(Listing.user_id == member_id)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def suggestion_candidates(
    session: AsyncSession, family_id: uuid.UUID, photos: ColumnElement[Any], limit: int
) -> Sequence[Any]:
    """What the suggestions look at: the family's listings on sale, and its drafts and ready listings
    whose analysis is not running, each with when it went on sale and ``photos`` (the caller's column:
    the photo count). Without the embedding; the longest on sale first."""
    query = (
        select(Listing, ON_SALE_SINCE.label("on_sale_since"), photos.label("photos"))
        .options(defer(Listing.image_embedding), defer(Listing.ai_suggestion))
        .where(
            Listing.family_id == family_id,
            or_(
                Listing.status == "published",
                and_(Listing.status.in_(("draft", "ready")), Listing.analysis_status != "pending"),
            ),
        )
        .order_by(ON_SALE_SINCE, Listing.id)
        .limit(limit)
    )
    return (await session.execute(query)).all()


CREATED_KEY = keyed("listing:", Listing.id)
PUBLISHED_KEY = keyed("published:", Listing.id)
PUBLISHED_AT: ColumnElement[datetime] = func.coalesce(
    cast(Listing.vinted_data["vinted"]["published_at"].astext, DateTime(timezone=True)),
    cast(Listing.vinted_data["published_by_hand"]["at"].astext, DateTime(timezone=True)),
)


async def activity(
    session: AsyncSession, family_id: uuid.UUID, before: Before | None, limit: int
) -> list[dict[str, Any]]:
    """The family's listings as feed items, newest first: each creation, and each listing's latest
    publication on Vinted (by the app, a repost, or marked by hand)."""
    created = (
        select(
            CREATED_KEY.label("key"),
            Listing.created_at.label("at"),
            Listing.id,
            Listing.user_id,
            Listing.title,
            literal("created").label("event"),
            Listing.vinted_data["publish"]["operation"].astext.label("operation"),
        )
        .where(Listing.family_id == family_id, *older_than(Listing.created_at, CREATED_KEY, before))
        .order_by(Listing.created_at.desc(), CREATED_KEY.desc())
        .limit(limit)
    )
    published = (
        select(
            PUBLISHED_KEY.label("key"),
            PUBLISHED_AT.label("at"),
            Listing.id,
            # Who published: the job's member, the member who marked it by hand, else the owner.
            func.coalesce(
                cast(Listing.vinted_data["publish"]["requested_by"].astext, Uuid),
                cast(Listing.vinted_data["published_by_hand"]["user_id"].astext, Uuid),
                Listing.user_id,
            ).label("user_id"),
            Listing.title,
            literal("published").label("event"),
            Listing.vinted_data["publish"]["operation"].astext.label("operation"),
        )
        .where(
            Listing.family_id == family_id,
            PUBLISHED_AT.is_not(None),
            *older_than(PUBLISHED_AT, PUBLISHED_KEY, before),
        )
        .order_by(PUBLISHED_AT.desc(), PUBLISHED_KEY.desc())
        .limit(limit)
    )
    rows = [
        dict(row._mapping) for query in (created, published) for row in (await session.execute(query)).all()
    ]
    return rows


async def titles(
    session: AsyncSession, family_id: uuid.UUID, ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(Listing.id, Listing.title).where(Listing.family_id == family_id, Listing.id.in_(list(ids)))
    return {row.id: row.title for row in (await session.execute(query)).all()}
