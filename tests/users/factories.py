"""Family members for tests: invited by an admin and registered with the invitation, through the API."""

from __future__ import annotations

import httpx

from tests.auth.factories import Member, register, unique_name


async def invite_and_join(
    client: httpx.AsyncClient, *, admin: Member, role: str = "member", username: str | None = None
) -> Member:
    username = username or unique_name("invitato")
    email = f"{username}@example.it"
    response = await client.post(
        "/api/v1/users/family/invite", json={"email": email, "role": role}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return await register(client, username=username, email=email, invite_token=response.json()["token"])
