"""Accounts for tests, made through the API (registration is a flow worth exercising every time).

Keyword-only after the client, like every factory: ``await register(client, family_name="Rossi")``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

DEFAULT_PASSWORD = "Valigia-Rossa-2024"
_counter = itertools.count(1)


@dataclass
class Member:
    email: str
    username: str
    password: str
    access_token: str
    refresh_token: str
    session_id: str
    user: dict[str, Any] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def id(self) -> str:
        return self.user["id"]

    @property
    def family_id(self) -> str:
        return self.user["family"]["id"]


def unique_name(prefix: str = "utente") -> str:
    return f"{prefix}{next(_counter)}"


async def register(
    client: httpx.AsyncClient,
    *,
    username: str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    invite_token: str | None = None,
    family_name: str | None = None,
) -> Member:
    username = username or unique_name()
    email = email or f"{username}@example.it"
    payload: dict[str, Any] = {"email": email, "username": username, "password": password}
    if invite_token:
        payload["invite_token"] = invite_token
    if family_name:
        payload["family_name"] = family_name
    response = await client.post("/api/v1/auth/register", json=payload)
    assert response.status_code == 201, response.text
    body = response.json()
    client.cookies.clear()
    return Member(
        email=email,
        username=username,
        password=password,
        access_token=body["access_token"],
        refresh_token=body["refresh_token"],
        session_id=body["session_id"],
        user=body["user"],
    )


async def login(client: httpx.AsyncClient, *, member: Member) -> Member:
    response = await client.post(
        "/api/v1/auth/login", json={"login": member.email, "password": member.password}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    client.cookies.clear()
    member.access_token = body["access_token"]
    member.refresh_token = body["refresh_token"]
    member.session_id = body["session_id"]
    return member
