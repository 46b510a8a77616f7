"""Every query on the shipments tables (shipments, shipping_accounts)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.models import Shipment, ShippingAccount
from vinted_optimizer.models.shipments import OPEN

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
