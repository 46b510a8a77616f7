from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.auth.factories import DEFAULT_PASSWORD, register, unique_name
from tests.users.factories import invite_and_join
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.security import token_hash
from vinted_optimizer.models import AuditLog, Invitation


async def _invite(client, admin, email: str, role: str = "member"):
    return await client.post(
        "/api/v1/users/family/invite", json={"email": email, "role": role}, headers=admin.headers
    )


async def test_invite_returns_a_single_use_link_and_stores_only_its_hash(client, session):
    admin = await register(client)
    response = await _invite(client, admin, "nonna@example.it")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["invite_url"] == f"https://vo.example.test/invito?token={body['token']}"
    assert body["emailed"] is False  # SMTP not configured
    stored = await session.get(Invitation, uuid.UUID(body["id"]))
    assert stored.token_hash == token_hash(body["token"])
    assert body["token"] not in stored.token_hash
    assert stored.expires_at - utcnow() > timedelta(days=6)
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "family.invite"))
    assert audit is not None and body["token"] not in str(audit.meta)


async def test_invited_member_joins_the_family_with_the_invited_role(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    assert member.family_id == admin.family_id
    assert member.user["role"] == "member"
    co_admin = await invite_and_join(client, admin=admin, role="admin")
    assert co_admin.user["role"] == "admin"
    overview = (await client.get("/api/v1/users/family", headers=admin.headers)).json()
    assert {m["username"] for m in overview["members"]} == {
        admin.username,
        member.username,
        co_admin.username,
    }
    assert overview["pending_invitations"] == []


async def test_invitation_is_single_use(client):
    admin = await register(client)
    token = (await _invite(client, admin, "zio@example.it")).json()["token"]
    await register(client, username=unique_name(), email="zio@example.it", invite_token=token)
    again = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "zio@example.it",
            "username": unique_name(),
            "password": DEFAULT_PASSWORD,
            "invite_token": token,
        },
    )
    assert again.status_code in (409, 410)


async def test_expired_invitation_is_gone(client, session):
    admin = await register(client)
    body = (await _invite(client, admin, "cugina@example.it")).json()
    invitation = await session.get(Invitation, uuid.UUID(body["id"]))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    await session.commit()
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "cugina@example.it",
            "username": unique_name(),
            "password": DEFAULT_PASSWORD,
            "invite_token": body["token"],
        },
    )
    assert response.status_code == 410
    assert response.json()["error"] == "gone"


async def test_invitation_for_another_email_or_unknown_token(client):
    admin = await register(client)
    token = (await _invite(client, admin, "fratello@example.it")).json()["token"]
    other_email = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "intruso@example.it",
            "username": unique_name(),
            "password": DEFAULT_PASSWORD,
            "invite_token": token,
        },
    )
    assert other_email.status_code == 400
    unknown = await client.post(
        "/api/v1/auth/register",
        json={
            "email": "fratello@example.it",
            "username": unique_name(),
            "password": DEFAULT_PASSWORD,
            "invite_token": "y" * 43,
        },
    )
    assert unknown.status_code == 404


async def test_new_invitation_replaces_the_old_one_and_revoke(client, session):
    admin = await register(client)
    first = (await _invite(client, admin, "sorella@example.it")).json()
    second = (await _invite(client, admin, "sorella@example.it")).json()
    pending = (await client.get("/api/v1/users/family", headers=admin.headers)).json()["pending_invitations"]
    assert [p["id"] for p in pending] == [second["id"]]
    assert await session.get(Invitation, uuid.UUID(first["id"])) is None
    revoked = await client.delete(f"/api/v1/users/family/invitations/{second['id']}", headers=admin.headers)
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/users/family", headers=admin.headers)).json()[
        "pending_invitations"
    ] == []


async def test_inviting_an_address_with_an_account_looks_like_any_invitation(client):
    """Hardening finding 4: this was a 409 "this e-mail has an account", 60 answers a second."""
    admin = await register(client)
    other = await register(client)
    taken = await _invite(client, admin, other.email)
    free = await _invite(client, admin, "nessuno-ancora@example.it")
    assert taken.status_code == free.status_code == 201
    assert set(taken.json()) == set(free.json())
    assert taken.json()["emailed"] == free.json()["emailed"]


@pytest.mark.parametrize("settings_overrides", [{"rate_limit_invitations": "3/hour"}])
async def test_invitations_are_limited_per_family(client):
    admin = await register(client)
    statuses = [(await _invite(client, admin, f"amico{n}@example.it")).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    elsewhere = await register(client)  # another family has its own budget
    assert (await _invite(client, elsewhere, "amico9@example.it")).status_code == 201


async def test_invite_validates(client):
    admin = await register(client)
    assert (await _invite(client, admin, "non-email")).status_code == 422
    assert (await _invite(client, admin, "ok@example.it", role="owner")).status_code == 422


async def test_invitation_preview_tells_family_email_and_role(client):
    admin = await register(client, family_name="Famiglia Esposito")
    token = (await _invite(client, admin, "nuora@example.it", role="admin")).json()["token"]
    preview = await client.post("/api/v1/auth/invitation", json={"token": token})
    assert preview.status_code == 200
    body = preview.json()
    assert (body["family_name"], body["email"], body["role"]) == (
        "Famiglia Esposito",
        "nuora@example.it",
        "admin",
    )
    assert (await client.post("/api/v1/auth/invitation", json={"token": "z" * 43})).status_code == 404
    await register(client, email="nuora@example.it", invite_token=token)
    assert (await client.post("/api/v1/auth/invitation", json={"token": token})).status_code == 410
