"""Accounts for tests, made through the API (registration is a flow worth exercising every time).

Keyword-only after the client, like every factory: ``await register(client, family_name="Rossi")``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

from vinted_optimizer.users import service as users
from vinted_optimizer.users.schemas import NewFamilyInvitation

DEFAULT_PASSWORD = "Valigia-Rossa-2024"
# The tests are an API client that keeps the refresh token itself (a browser gets only the cookie).
API_CLIENT = {"X-Refresh-Token": "body"}
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


async def new_family_invitation(client: httpx.AsyncClient, *, email: str, family_name: str) -> str:
    """What the instance administrator does (POST /api/v1/admin/invitations), without one: the token of
    an invitation to a new family's first member."""
    app = getattr(client, "app", None)
    if app is None:
        raise TypeError("a second family needs the test app's client (tests.support.client.AppClient)")
    resources = app.state.resources
    async with resources.sessionmaker() as session:
        created = await users.invite_new_family(
            session,
            resources.settings,
            resources.secret_box,
            None,
            NewFamilyInvitation(email=email, family_name=family_name),
            None,
            None,
        )
        await session.commit()
    return created.token


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
    """A new account through the API: joining with ``invite_token``, else a new family of its own.

    Sign-ups are by invitation: only a test's first family is created directly (the first visitor of a
    new instance); for the next ones the instance's administrator side invites the new family first.
    """
    username = username or unique_name()
    email = email or f"{username}@example.it"
    payload: dict[str, Any] = {"email": email, "username": username, "password": password}
    if family_name:
        payload["family_name"] = family_name
    if invite_token is None and not (await client.get("/api/v1/meta")).json()["registration"]["first_family"]:
        invite_token = await new_family_invitation(
            client, email=email, family_name=family_name or f"Famiglia di {username}"
        )
    if invite_token:
        payload["invite_token"] = invite_token
    response = await client.post("/api/v1/auth/register", json=payload, headers=API_CLIENT)
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
        "/api/v1/auth/login", json={"login": member.email, "password": member.password}, headers=API_CLIENT
    )
    assert response.status_code == 200, response.text
    body = response.json()
    client.cookies.clear()
    member.access_token = body["access_token"]
    member.refresh_token = body["refresh_token"]
    member.session_id = body["session_id"]
    return member
