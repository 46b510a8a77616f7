"""Shipping for tests: a family's account with the fake's keys, a sale to ship, a label bought."""

from __future__ import annotations

from typing import Any

import httpx

from tests.auth.factories import Member
from tests.fakes.sendcloud import PUBLIC_KEY, SECRET_KEY, Call, FakeSendcloud
from tests.sales.factories import record_sale
from vinted_optimizer.shipments.sendcloud import KEY_CHECK_ORDER

SENDER = {
    "name": "Giulia Bianchi",
    "address_line_1": "Via Roma",
    "house_number": "12",
    "postal_code": "20121",
    "city": "Milano",
    "country_code": "IT",
    "email": "giulia@example.it",
}
BUYER = {
    "name": "Marco Rossi",
    "address_line_1": "Corso Vittorio Emanuele",
    "house_number": "5",
    "postal_code": "00186",
    "city": "Roma",
    "country_code": "IT",
}


async def shipping_account(
    client: httpx.AsyncClient, *, admin: Member, keys: bool = True, **fields: Any
) -> dict[str, Any]:
    """The family's sender address and, unless ``keys=False``, the Sendcloud keys the fake accepts."""
    payload: dict[str, Any] = {"sender_address": SENDER, **fields}
    if keys:
        payload |= {"sendcloud_public_key": PUBLIC_KEY, "sendcloud_secret_key": SECRET_KEY}
    response = await client.put("/api/v1/shipments/account", json=payload, headers=admin.headers)
    assert response.status_code == 200, response.text
    account: dict[str, Any] = response.json()
    return account


def label_request(sale_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "sale_id": sale_id,
        "shipping_option_code": "brt:standard",
        "weight_kg": "1.250",
        "to_address": BUYER,
        **fields,
    }


async def sale_to_ship(client: httpx.AsyncClient, *, member: Member, **fields: Any) -> dict[str, Any]:
    return await record_sale(client, member=member, buyer_username="marco_r", **fields)


async def buy_label(
    client: httpx.AsyncClient, *, member: Member, sale_id: str, expect: int = 201, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/shipments", json=label_request(sale_id, **fields), headers=member.headers
    )
    assert response.status_code == expect, response.text
    shipment: dict[str, Any] = response.json()
    return shipment


def asked(fake: FakeSendcloud, method: str | None = None, path: str | None = None) -> list[Call]:
    """What Sendcloud was asked, leaving out the check of the keys when the account was saved."""
    return [
        call
        for call in fake.calls
        if call.query.get("order_number") != KEY_CHECK_ORDER
        and (method is None or call.method == method)
        and (path is None or call.path == path)
    ]
