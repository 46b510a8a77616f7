"""Listings for tests, through the API. Keyword-only after the client."""

from __future__ import annotations

from typing import Any

import httpx

from tests.auth.factories import Member


async def create_listing(client: httpx.AsyncClient, *, member: Member, **fields: Any) -> dict[str, Any]:
    """A manual listing (no photos); ``fields`` override the defaults."""
    payload = {"title": "Giacca di jeans", "price": "25.00", **fields}
    response = await client.post("/api/v1/listings", json=payload, headers=member.headers)
    assert response.status_code == 201, response.text
    listing: dict[str, Any] = response.json()
    return listing


async def get_listing(client: httpx.AsyncClient, *, member: Member, listing_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/listings/{listing_id}", headers=member.headers)
    assert response.status_code == 200, response.text
    listing: dict[str, Any] = response.json()
    return listing
