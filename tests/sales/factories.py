"""Sales for tests: through the API, or many at once straight into the table. Keyword-only after the first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.factories import Member
from tests.listings.factories import create_listing
from vinted_optimizer.models import Sale


async def record_sale(
    client: httpx.AsyncClient, *, member: Member, listing_id: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A sale recorded by hand; a new listing of ``member`` when none is given."""
    if listing_id is None:
        listing = await create_listing(client, member=member, status="published", purchase_cost="5.00")
        listing_id = listing["id"]
    payload = {"listing_id": listing_id, "sale_price": "20.00", "vinted_fees": "1.50", **fields}
    response = await client.post("/api/v1/sales", json=payload, headers=member.headers)
    assert response.status_code == 201, response.text
    sale: dict[str, Any] = response.json()
    return sale


async def insert_sales(
    session: AsyncSession,
    *,
    family_id: str | uuid.UUID,
    user_id: str | uuid.UUID,
    count: int,
    start: datetime | None = None,
    **overrides: Any,
) -> None:
    """``count`` sales in one INSERT (no listing: as if the listing was deleted since), a day apart, with
    prices that vary so the sums are not trivial."""
    start = start or datetime(2026, 1, 1, 10, tzinfo=UTC)
    rows = [
        {
            "family_id": uuid.UUID(str(family_id)),
            "user_id": uuid.UUID(str(user_id)),
            "listing_id": None,
            "title": f"Articolo {n}",
            "category": ("Donna > Giacche", "Uomo > Scarpe", "Bambini > Giochi")[n % 3],
            "brand": ("Zara", "Nike", None)[n % 3],
            "buyer_username": f"compratore{n}",
            "sale_price": Decimal(10 + n % 40) + Decimal("0.50"),
            "vinted_fees": Decimal("0.70") + Decimal(n % 5) / 10,
            "purchase_cost": Decimal(n % 7),
            "shipping_cost": Decimal("0.00") if n % 4 else Decimal("3.99"),
            "status": ("completed", "pending", "shipped", "delivered", "cancelled", "refunded")[n % 6],
            "sold_at": start + timedelta(hours=n * 7),
            "listed_at": start + timedelta(hours=n * 7) - timedelta(days=n % 11),
            **overrides,
        }
        for n in range(count)
    ]
    await session.execute(insert(Sale), rows)
    await session.flush()
