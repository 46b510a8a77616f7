"""Pairing codes and Vinted sessions for tests, through the API."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import httpx

from tests.auth.factories import Member

REDEEM = "/api/v1/vinted-link/redeem"
EXTENSION_ORIGIN = "chrome-extension://" + "abcdefghijklmnopabcdefghijklmnop"


def vinted_jwt(*, expires_in: float = 7200, subject: str = "48151623") -> str:
    """An access token shaped like Vinted's (a JWT whose ``exp`` and ``sub`` we read, unverified)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"sub": subject, "exp": int(time.time() + expires_in)}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.{secrets.token_hex(8)}"


def cookies(access: str | None = None, refresh: str | None = None) -> dict[str, str]:
    return {
        "access_token_web": access or vinted_jwt(),
        "refresh_token_web": refresh or secrets.token_urlsafe(24),
    }


async def new_pairing(client: httpx.AsyncClient, member: Member) -> dict[str, Any]:
    response = await client.post("/api/v1/vinted-link/pairings", headers=member.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def redeem(
    client: httpx.AsyncClient, code: str, session: dict[str, str] | None = None
) -> httpx.Response:
    return await client.post(
        REDEEM, json={"code": code, **(session or cookies())}, headers={"Origin": EXTENSION_ORIGIN}
    )
