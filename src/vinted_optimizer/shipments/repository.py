"""Every query on the shipments and shipping_accounts tables, scoped to one family."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.pagination import Before, keyed, older_than, order_by
from vinted_optimizer.models import Shipment, ShippingAccount
from vinted_optimizer.models.shipments import OPEN
from vinted_optimizer.shipments.schemas import ShipmentFilters
from vinted_optimizer.vocabulary import SHIPMENT_FINAL, SHIPMENT_TROUBLE

SORTS = {"created_at": Shipment.created_at, "status_at": Shipment.status_at}
# A cancelled shipment no longer stands for its sale: a new one may be made.
STANDING: ColumnElement[bool] = Shipment.status != "cancelled"


async def get(session: AsyncSession, family_id: uuid.UUID, shipment_id: uuid.UUID) -> Shipment | None:
    found: Shipment | None = await session.scalar(
        select(Shipment).where(Shipment.family_id == family_id, Shipment.id == shipment_id)
    )
    return found


async def many(session: AsyncSession, family_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> Sequence[Shipment]:
    return (
        await session.scalars(select(Shipment).where(Shipment.family_id == family_id, Shipment.id.in_(ids)))
    ).all()


async def standing_of_sale(
    session: AsyncSession, family_id: uuid.UUID, sale_id: uuid.UUID
) -> Shipment | None:
    found: Shipment | None = await session.scalar(
        select(Shipment)
        .where(Shipment.family_id == family_id, Shipment.sale_id == sale_id, STANDING)
        .order_by(Shipment.created_at.desc())
        .limit(1)
    )
    return found


async def by_order_number(session: AsyncSession, order_number: str) -> Shipment | None:
    """The order number is unique across families (it names the sale)."""
    found: Shipment | None = await session.scalar(
        select(Shipment).where(Shipment.order_number == order_number)
    )
    return found


async def by_tracking_code(session: AsyncSession, family_id: uuid.UUID, code: str) -> Shipment | None:
    found: Shipment | None = await session.scalar(
        select(Shipment)
        .where(Shipment.family_id == family_id, func.upper(Shipment.tracking_code) == code.upper())
        .order_by(STANDING.desc(), Shipment.created_at.desc())
        .limit(1)
    )
    return found


def _filtered(family_id: uuid.UUID, filters: ShipmentFilters) -> list[ColumnElement[bool]]:
    where = [Shipment.family_id == family_id]
    if filters.status:
        where.append(Shipment.status.in_(filters.status))
    if filters.trouble is not None:
        trouble = Shipment.status.in_(sorted(SHIPMENT_TROUBLE))
        where.append(trouble if filters.trouble else ~trouble)
    if filters.open is not None:
        final = Shipment.status.in_(sorted(SHIPMENT_FINAL))
        where.append(~final if filters.open else final)
    if filters.sale_id is not None:
        where.append(Shipment.sale_id == filters.sale_id)
    return where


async def search(
    session: AsyncSession, family_id: uuid.UUID, filters: ShipmentFilters
) -> tuple[Sequence[Shipment], int]:
    where = _filtered(family_id, filters)
    rows = (
        await session.execute(
            select(Shipment, func.count().over().label("total"))
            .where(*where)
            .order_by(order_by(filters.sort, SORTS), Shipment.id)
            .limit(filters.limit)
            .offset(filters.offset)
        )
    ).all()
    if not rows:
        total = 0 if filters.offset == 0 else await session.scalar(select(func.count()).where(*where))
        return [], int(total or 0)
    return [row[0] for row in rows], int(rows[0].total)


async def account(
    session: AsyncSession, family_id: uuid.UUID, *, for_update: bool = False
) -> ShippingAccount | None:
    query = select(ShippingAccount).where(ShippingAccount.family_id == family_id)
    if for_update:
        query = query.with_for_update()
    found: ShippingAccount | None = await session.scalar(query)
    return found


# --- tracking (branch track: 17TRACK registration and polls, webhooks) -----------------------------------
# Across families: the cron job follows every family's open parcels, and a webhook names a parcel, not a
# family (17TRACK) or a family by its webhook token (Sendcloud).


async def account_by_webhook_token(session: AsyncSession, token: str) -> ShippingAccount | None:
    account: ShippingAccount | None = await session.scalar(
        select(ShippingAccount).where(ShippingAccount.webhook_token == token)
    )
    return account


async def by_sendcloud_parcel(
    session: AsyncSession, family_id: uuid.UUID, parcel_id: str, tracking_code: str | None
) -> Shipment | None:
    """The family's shipment of a Sendcloud parcel (by its id, else by its tracking number), locked."""
    query = select(Shipment).where(Shipment.family_id == family_id, Shipment.sendcloud_parcel_id == parcel_id)
    shipment: Shipment | None = await session.scalar(query.with_for_update())
    if shipment is None and tracking_code:
        shipment = await session.scalar(
            select(Shipment)
            .where(Shipment.family_id == family_id, Shipment.tracking_code == tracking_code)
            .order_by(Shipment.created_at.desc())
            .limit(1)
            .with_for_update()
        )
    return shipment


async def every_with_tracking_code(session: AsyncSession, tracking_code: str) -> Sequence[Shipment]:
    """Every family's shipment with this tracking number (a 17TRACK webhook names only the number), locked."""
    rows = await session.scalars(
        select(Shipment)
        .where(Shipment.tracking_code == tracking_code)
        .order_by(Shipment.id)
        .with_for_update()
    )
    return rows.all()


async def lock_many(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Shipment]:
    rows = await session.scalars(
        select(Shipment).where(Shipment.id.in_(ids)).order_by(Shipment.id).with_for_update()
    )
    return rows.all()


async def to_register(
    session: AsyncSession, *, sources: Sequence[str], after: uuid.UUID | None, limit: int
) -> Sequence[Shipment]:
    """Open shipments from ``sources`` with a tracking number 17TRACK has not accepted or refused yet,
    by id."""
    query = select(Shipment).where(
        text(OPEN),
        Shipment.source.in_(sources),
        Shipment.tracking_code.is_not(None),
        Shipment.track17_registered_at.is_(None),
        Shipment.track17_error.is_(None),
    )
    if after is not None:
        query = query.where(Shipment.id > after)
    rows = await session.scalars(query.order_by(Shipment.id).limit(limit))
    return rows.all()


async def to_poll(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> Sequence[tuple[uuid.UUID, str, int | None]]:
    """Open shipments registered with 17TRACK, by id: (id, tracking number, 17TRACK carrier)."""
    query = select(Shipment.id, Shipment.tracking_code, Shipment.track17_carrier).where(
        text(OPEN), Shipment.tracking_code.is_not(None), Shipment.track17_registered_at.is_not(None)
    )
    if after is not None:
        query = query.where(Shipment.id > after)
    rows = await session.execute(query.order_by(Shipment.id).limit(limit))
    return [(row[0], str(row[1]), row[2]) for row in rows]


async def status_counts(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None
) -> dict[str, int]:
    query = (
        select(Shipment.status, func.count()).where(Shipment.family_id == family_id).group_by(Shipment.status)
    )
    if member_id is not None:
        query = query.where(Shipment.user_id == member_id)
    return {str(status): int(count) for status, count in (await session.execute(query)).all()}


async def with_statuses(
    session: AsyncSession,
    family_id: uuid.UUID,
    member_id: uuid.UUID | None,
    statuses: Sequence[str],
    limit: int,
) -> Sequence[Shipment]:
    query = (
        select(Shipment)
        .where(Shipment.family_id == family_id, Shipment.status.in_(statuses))
        .order_by(Shipment.status_at.desc().nulls_last(), Shipment.created_at.desc())
        .limit(limit)
    )
    if member_id is not None:
        query = query.where(Shipment.user_id == member_id)
    return (await session.scalars(query)).all()


# --- for the home page (dashboard) ----------------------------------------------------------------------

MOVING = ("ready", "in_transit", "out_for_delivery", "pickup")
TROUBLE = tuple(sorted(SHIPMENT_TROUBLE))
# When the status now shown happened (the source's time), else when the row last changed.
STATUS_SINCE: ColumnElement[datetime] = func.coalesce(Shipment.status_at, Shipment.updated_at)


async def overview_counts(session: AsyncSession, family_id: uuid.UUID, since: datetime) -> dict[str, int]:
    """The family's parcels on their way, and those in trouble since ``since``, in one query."""
    query = select(
        func.count().filter(Shipment.status.in_(MOVING)).label("in_transit"),
        func.count().filter(Shipment.status.in_(TROUBLE), STATUS_SINCE >= since).label("trouble"),
    ).where(Shipment.family_id == family_id)
    row = (await session.execute(query)).one()
    return {"in_transit": int(row.in_transit), "trouble": int(row.trouble)}


async def in_trouble(
    session: AsyncSession, family_id: uuid.UUID, since: datetime, limit: int
) -> Sequence[Row[Any]]:
    """id, sale_id, status, tracking_code, status_at of the parcels in trouble since ``since``."""
    query = (
        select(Shipment.id, Shipment.sale_id, Shipment.status, Shipment.tracking_code, Shipment.status_at)
        .where(Shipment.family_id == family_id, Shipment.status.in_(TROUBLE), STATUS_SINCE >= since)
        .order_by(STATUS_SINCE.desc(), Shipment.id)
        .limit(limit)
    )
    return (await session.execute(query)).all()


DELIVERED_KEY = keyed("delivered:", Shipment.id)
TROUBLE_KEY = keyed("parcel:", Shipment.id)


async def activity(
    session: AsyncSession, family_id: uuid.UUID, before: Before | None, limit: int
) -> list[dict[str, Any]]:
    """The family's parcels as feed items, newest first: each delivery, and each parcel now in trouble
    (when its status came), at most ``limit`` of each."""
    delivered = (
        select(
            DELIVERED_KEY.label("key"),
            Shipment.delivered_at.label("at"),
            Shipment.id,
            Shipment.sale_id,
            literal("delivered").label("status"),
        )
        .where(
            Shipment.family_id == family_id,
            Shipment.delivered_at.is_not(None),
            *older_than(Shipment.delivered_at, DELIVERED_KEY, before),
        )
        .order_by(Shipment.delivered_at.desc(), DELIVERED_KEY.desc())
        .limit(limit)
    )
    trouble = (
        select(
            TROUBLE_KEY.label("key"),
            STATUS_SINCE.label("at"),
            Shipment.id,
            Shipment.sale_id,
            Shipment.status,
        )
        .where(
            Shipment.family_id == family_id,
            Shipment.status.in_(TROUBLE),
            *older_than(STATUS_SINCE, TROUBLE_KEY, before),
        )
        .order_by(STATUS_SINCE.desc(), TROUBLE_KEY.desc())
        .limit(limit)
    )
    return [
        dict(row._mapping) for query in (delivered, trouble) for row in (await session.execute(query)).all()
    ]
