"""Notifications for tests: the feed and the e-mail preferences, through the API. Keyword-only."""

from __future__ import annotations

from typing import Any

import httpx

from tests.auth.factories import Member


async def feed(client: httpx.AsyncClient, *, member: Member, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/notifications", params=params, headers=member.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def choose_emails(client: httpx.AsyncClient, *, member: Member, **kinds: bool) -> dict[str, Any]:
    """Turn kinds of notification e-mails on or off (``sale_recorded=False``); the user as answered."""
    response = await client.patch(
        "/api/v1/users/me", json={"preferences": {"notifications": kinds}}, headers=member.headers
    )
    assert response.status_code == 200, response.text
    user: dict[str, Any] = response.json()
    return user
