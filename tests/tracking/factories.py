"""Shipments for tests, straight into the table (the shipments endpoints are another branch's): a sale
recorded through the API, and its Shipment row. Keyword-only after the first arguments."""

from __future__ import annotations

import itertools
import secrets
import uuid
from typing import Any

import httpx
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.factories import Member
from tests.fakes.sendcloud import PUBLIC_KEY, SECRET_KEY, WEBHOOK_SECRET
from tests.sales.factories import record_sale
from vinted_optimizer.kit.security import SecretBox
from vinted_optimizer.models import Shipment, ShippingAccount

_numbers = itertools.count(100_000_001)


def italian_number() -> str:
    """A Poste Italiane S10 number the 17TRACK stand-in detects (…IT), new each time."""
    return f"RR{next(_numbers):09d}IT"


async def create_shipment(
    client: httpx.AsyncClient,
    session: AsyncSession,
    *,
    member: Member,
    sale: dict[str, Any] | None = None,
    tracking_code: str | None = None,
    **fields: Any,
) -> tuple[dict[str, Any], Shipment]:
    """A sale of ``member`` (recorded through the API unless given) and its shipment, status ready."""
    sale = sale or await record_sale(client, member=member)
    shipment = Shipment(
        family_id=uuid.UUID(member.family_id),
        sale_id=uuid.UUID(sale["id"]),
        user_id=uuid.UUID(member.id),
        source=fields.pop("source", "other"),
        tracking_code=tracking_code or italian_number(),
        status=fields.pop("status", "ready"),
        **fields,
    )
    session.add(shipment)
    await session.commit()
    return sale, shipment


async def insert_shipments(
    session: AsyncSession, *, member: Member, sale: dict[str, Any], count: int, **fields: Any
) -> list[str]:
    """``count`` open shipments of one sale in one INSERT; their tracking numbers."""
    numbers = [italian_number() for _ in range(count)]
    rows = [
        {
            "family_id": uuid.UUID(member.family_id),
            "sale_id": uuid.UUID(sale["id"]),
            "user_id": uuid.UUID(member.id),
            "source": "other",
            "tracking_code": number,
            "status": "ready",
            **fields,
        }
        for number in numbers
    ]
    await session.execute(insert(Shipment), rows)
    await session.commit()
    return numbers


async def shipping_account(
    session: AsyncSession, secret_box: SecretBox, *, member: Member, webhook_key: str | None = WEBHOOK_SECRET
) -> str:
    """The family's Sendcloud keys (the stand-in's) and its webhook token."""
    keys = {"public_key": PUBLIC_KEY, "secret_key": SECRET_KEY}
    if webhook_key is not None:
        keys["webhook_key"] = webhook_key
    token = secrets.token_urlsafe(24)
    session.add(
        ShippingAccount(
            family_id=uuid.UUID(member.family_id),
            sendcloud_keys=secret_box.encrypt_json(keys),
            webhook_token=token,
        )
    )
    await session.commit()
    return token


async def announce_parcel(sendcloud_url: str, order_number: str) -> dict[str, Any]:
    """A parcel bought at the Sendcloud stand-in (so its webhook_payload can name it)."""
    body = {
        "to_address": {
            "name": "Giulia Bianchi",
            "address_line_1": "Via Appia Nuova",
            "house_number": "12",
            "postal_code": "00184",
            "city": "Roma",
            "country_code": "IT",
        },
        "from_address": {
            "name": "Famiglia Rossi",
            "address_line_1": "Corso Buenos Aires",
            "house_number": "3",
            "postal_code": "20124",
            "city": "Milano",
            "country_code": "IT",
        },
        "ship_with": {"type": "shipping_option_code", "properties": {"shipping_option_code": "brt:standard"}},
        "parcels": [{"weight": {"value": "1.000", "unit": "kg"}}],
        "order_number": order_number,
        "external_reference": order_number,
    }
    async with httpx.AsyncClient(base_url=f"{sendcloud_url}/api/v3", auth=(PUBLIC_KEY, SECRET_KEY)) as api:
        response = await api.post("/shipments/announce", json=body)
    assert response.status_code == 201, response.text
    parcel: dict[str, Any] = response.json()["data"]["parcels"][0]
    return parcel
