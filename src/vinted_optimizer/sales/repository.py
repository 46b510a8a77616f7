"""Every query on the sales table, scoped to one family."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.pagination import Before, keyed, older_than, order_by
from vinted_optimizer.models import Sale
from vinted_optimizer.sales.schemas import SaleFilters

# Cancelled and refunded sales brought no money: they count in no figure.
STANDING: ColumnElement[bool] = Sale.status.not_in(("cancelled", "refunded"))
SORTS = {
    "sold_at": Sale.sold_at,
    "sale_price": Sale.sale_price,
    "net_profit": Sale.net_profit,
    "created_at": Sale.created_at,
}
ROME = "Europe/Rome"


@dataclass(frozen=True)
class Window:
    """A filter resolved for SQL: the instants the days of the range begin and end (Italian time)."""

    family_id: uuid.UUID
    start: datetime | None = None
    end: datetime | None = None  # exclusive
    member: uuid.UUID | None = None
    statuses: Sequence[str] = ()
    category: str | None = None
    brand: str | None = None
    listing_id: uuid.UUID | None = None


def scoped(window: Window) -> list[ColumnElement[bool]]:
    where = [Sale.family_id == window.family_id]
    if window.start is not None:
        where.append(Sale.sold_at >= window.start)
    if window.end is not None:
        where.append(Sale.sold_at < window.end)
    if window.member is not None:
        where.append(Sale.user_id == window.member)
    if window.statuses:
        where.append(Sale.status.in_(window.statuses))
    if window.category:
        where.append(func.lower(Sale.category) == window.category.lower())
    if window.brand:
        where.append(func.lower(Sale.brand) == window.brand.lower())
    if window.listing_id is not None:
        where.append(Sale.listing_id == window.listing_id)
    return where


async def get(
    session: AsyncSession, family_id: uuid.UUID, sale_id: uuid.UUID, *, for_update: bool = False
) -> Sale | None:
    query = select(Sale).where(Sale.family_id == family_id, Sale.id == sale_id)
    if for_update:
        query = query.with_for_update()
    sale: Sale | None = await session.scalar(query)
    return sale


async def standing_sale_of(session: AsyncSession, listing_id: uuid.UUID) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(Sale.id).where(Sale.listing_id == listing_id, STANDING)
    )
    return found


async def search(session: AsyncSession, window: Window, filters: SaleFilters) -> tuple[Sequence[Sale], int]:
    query = (
        select(Sale, func.count().over().label("total"))
        .where(*scoped(window))
        .order_by(order_by(filters.sort, SORTS), Sale.id)
        .limit(filters.limit)
        .offset(filters.offset)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        total = (
            0 if filters.offset == 0 else await session.scalar(select(func.count()).where(*scoped(window)))
        )
        return [], int(total or 0)
    return [row[0] for row in rows], int(rows[0].total)


EXPORTED = (
    Sale.user_id,
    Sale.sold_at,
    Sale.title,
    Sale.category,
    Sale.brand,
    Sale.buyer_username,
    Sale.status,
    Sale.sale_price,
    Sale.vinted_fees,
    Sale.purchase_cost,
    Sale.shipping_cost,
    Sale.net_profit,
)


async def stream(
    session: AsyncSession, window: Window, sort: str, batch: int
) -> AsyncIterator[Sequence[Row[Any]]]:
    """The exported columns of the window's sales in batches, from a server-side cursor: plain rows (no
    objects in the session), never all of them in memory."""
    result = await session.stream(
        select(*EXPORTED)
        .where(*scoped(window))
        .order_by(order_by(sort, SORTS), Sale.id)
        .execution_options(yield_per=batch)
    )
    async for partition in result.partitions(batch):
        yield partition


def _figures() -> list[Any]:
    # A sale recorded as made before its listing was added to the app (it was on Vinted first) sold in no
    # time, not in negative time.
    days = func.greatest(extract("epoch", Sale.sold_at - Sale.listed_at), 0) / 86400
    return [
        func.count().label("sales"),
        func.coalesce(func.sum(Sale.sale_price), 0).label("revenue"),
        func.coalesce(func.sum(Sale.vinted_fees), 0).label("vinted_fees"),
        func.coalesce(func.sum(Sale.purchase_cost), 0).label("purchase_cost"),
        func.coalesce(func.sum(Sale.shipping_cost), 0).label("shipping_cost"),
        func.coalesce(func.sum(Sale.net_profit), 0).label("net_profit"),
        func.avg(Sale.sale_price).label("average_price"),
        func.avg(days).label("average_days_to_sell"),
    ]


async def figures(session: AsyncSession, window: Window) -> dict[str, Any]:
    row = (await session.execute(select(*_figures()).where(*scoped(window), STANDING))).one()
    return dict(row._mapping)


async def figures_by(
    session: AsyncSession, window: Window, group: str, limit: int | None = None, *, empty: bool = False
) -> list[dict[str, Any]]:
    """The figures per category, brand, member or month (Italian time), standing sales only; sales
    without a category (or brand) count in a group of their own (key None) only with ``empty``."""
    key: Any = {
        "category": Sale.category,
        "brand": Sale.brand,
        "member": func.cast(Sale.user_id, Sale.category.type),
        "month": func.to_char(func.timezone(ROME, Sale.sold_at), "YYYY-MM"),
    }[group]
    query = select(key.label("key"), *_figures()).where(*scoped(window), STANDING).group_by(key)
    if group == "month":
        query = query.order_by(key)
    else:
        query = query.order_by(func.sum(Sale.sale_price).desc(), key)
    if group in ("category", "brand") and not empty:
        query = query.where(key.is_not(None))
    if limit is not None:
        query = query.limit(limit)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def series(session: AsyncSession, window: Window, group: str) -> list[dict[str, Any]]:
    """Per week (from Monday) or month of Italian time, in order: count, revenue and net profit of the
    window's standing sales; a period without sales is absent."""
    period = func.date_trunc(group, func.timezone(ROME, Sale.sold_at))
    query = (
        select(
            period.label("period"),
            func.count().label("sales"),
            func.sum(Sale.sale_price).label("revenue"),
            func.sum(Sale.net_profit).label("net_profit"),
        )
        .where(*scoped(window), STANDING)
        .group_by(period)
        .order_by(period)
    )
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def periods(
    session: AsyncSession, family_id: uuid.UUID, ranges: dict[str, tuple[datetime, datetime]]
) -> dict[str, dict[str, Any]]:
    """Count, revenue and net profit of the family's standing sales in each named [start, end), in one
    query over the family's sales index."""
    columns: list[Any] = []
    for name, (start, end) in ranges.items():
        inside = and_(Sale.sold_at >= start, Sale.sold_at < end)
        columns += [
            func.count().filter(inside).label(f"{name}:sales"),
            func.coalesce(func.sum(Sale.sale_price).filter(inside), 0).label(f"{name}:revenue"),
            func.coalesce(func.sum(Sale.net_profit).filter(inside), 0).label(f"{name}:net_profit"),
        ]
    query = select(*columns).where(
        Sale.family_id == family_id,
        Sale.sold_at >= min(start for start, _ in ranges.values()),
        Sale.sold_at < max(end for _, end in ranges.values()),
        STANDING,
    )
    row = (await session.execute(query)).one()._mapping
    return {
        name: {figure: row[f"{name}:{figure}"] for figure in ("sales", "revenue", "net_profit")}
        for name in ranges
    }


async def sale_times(session: AsyncSession, family_id: uuid.UUID) -> list[dict[str, Any]]:
    """The family's standing sales per ISO weekday (1 Monday … 7 Sunday) and hour, Italian time."""
    local = func.timezone(ROME, Sale.sold_at)
    weekday, hour = extract("isodow", local), extract("hour", local)
    query = (
        select(weekday.label("weekday"), hour.label("hour"), func.count().label("sales"))
        .where(Sale.family_id == family_id, STANDING)
        .group_by(weekday, hour)
    )
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


ACTIVITY_KEY = keyed("sale:", Sale.id)


async def activity(
    session: AsyncSession, family_id: uuid.UUID, before: Before | None, limit: int
) -> Sequence[Row[Any]]:
    """The family's sales as feed items (every status: a sale happened), newest first."""
    query = (
        select(
            ACTIVITY_KEY.label("key"),
            Sale.sold_at.label("at"),
            Sale.id,
            Sale.user_id,
            Sale.title,
            Sale.sale_price,
            Sale.listing_id,
        )
        .where(Sale.family_id == family_id, *older_than(Sale.sold_at, ACTIVITY_KEY, before))
        .order_by(Sale.sold_at.desc(), ACTIVITY_KEY.desc())
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def yearly_by_member(
    session: AsyncSession, family_id: uuid.UUID, start: datetime, end: datetime, member: uuid.UUID | None
) -> list[dict[str, Any]]:
    """Per member and quarter (Italian time) of [start, end): count, gross and fees of standing sales."""
    quarter = extract("quarter", func.timezone(ROME, Sale.sold_at))
    query = (
        select(
            Sale.user_id.label("user_id"),
            quarter.label("quarter"),
            func.count().label("sales"),
            func.sum(Sale.sale_price).label("gross"),
            func.sum(Sale.vinted_fees).label("fees"),
        )
        .where(Sale.family_id == family_id, Sale.sold_at >= start, Sale.sold_at < end, STANDING)
        .group_by(Sale.user_id, quarter)
    )
    if member is not None:
        query = query.where(Sale.user_id == member)
    return [dict(row._mapping) for row in (await session.execute(query)).all()]


async def many(session: AsyncSession, family_id: uuid.UUID, sale_ids: set[uuid.UUID]) -> Sequence[Sale]:
    if not sale_ids:
        return []
    return (
        await session.scalars(select(Sale).where(Sale.family_id == family_id, Sale.id.in_(sale_ids)))
    ).all()


async def titles(
    session: AsyncSession, family_id: uuid.UUID, sale_ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not sale_ids:
        return {}
    query = select(Sale.id, Sale.title).where(Sale.family_id == family_id, Sale.id.in_(sale_ids))
    return {row.id: row.title for row in (await session.execute(query)).all()}


# --- the sales sync (vinted_link.sync) ---------------------------------------------------------------


async def by_vinted_transaction(
    session: AsyncSession, family_id: uuid.UUID, transaction_id: str, *, for_update: bool = False
) -> Sale | None:
    query = select(Sale).where(Sale.family_id == family_id, Sale.vinted_transaction_id == transaction_id)
    if for_update:
        query = query.with_for_update()
    sale: Sale | None = await session.scalar(query)
    return sale


async def vinted_transaction_ids(session: AsyncSession, family_id: uuid.UUID, limit: int) -> list[str]:
    """The family's recorded Vinted transactions, the most recent sales first."""
    rows = await session.scalars(
        select(Sale.vinted_transaction_id)
        .where(Sale.family_id == family_id, Sale.vinted_transaction_id.is_not(None))
        .order_by(Sale.sold_at.desc())
        .limit(limit)
    )
    return [str(value) for value in rows]


async def synced_with_vinted_shipment(
    session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID, statuses: Sequence[str], limit: int
) -> Sequence[Sale]:
    """The synced sales of the member's Vinted account in ``statuses`` whose Vinted transaction names a
    shipment (a prepaid label), newest first."""
    query = (
        select(Sale)
        .where(
            Sale.family_id == family_id,
            # The member whose Vinted account sold it (the listing may be another member's).
            Sale.vinted_data["synced_by"].astext == str(user_id),
            Sale.vinted_transaction_id.is_not(None),
            Sale.status.in_(statuses),
            Sale.vinted_data["transaction"].has_key("shipment"),
        )
        .order_by(Sale.sold_at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()
