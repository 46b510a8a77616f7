"""Every query on the shipments and shipping_accounts tables, scoped to one family."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.pagination import order_by
from vinted_optimizer.models import Shipment, ShippingAccount
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
