"""Without e-mail, the family admin creates a reset link for a member of their own family, shown once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from tests.auth.factories import register
from tests.users.factories import invite_and_join
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.security import token_hash
from vinted_optimizer.models import AuditLog, PasswordReset

NEW_PASSWORD = "Ombrello-Giallo-2025"


def _path(user_id: str) -> str:
    return f"/api/v1/users/family/members/{user_id}/password-reset"


async def test_the_admin_s_link_resets_a_member_s_password(client, session):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    response = await client.post(_path(member.id), headers=admin.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reset_url"] == f"https://vo.example.test/reimposta-password?token={body['token']}"
    stored = await session.scalar(select(PasswordReset).where(PasswordReset.user_id == uuid.UUID(member.id)))
    assert stored.token_hash == token_hash(body["token"]) and stored.via == "family_admin"
    assert stored.created_by_id == uuid.UUID(admin.id)
    assert timedelta(hours=23) < stored.expires_at - utcnow() <= timedelta(hours=24)
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "family.password_reset_link"))
    assert audit.user_id == uuid.UUID(admin.id) and audit.resource_id == member.id
    assert body["token"] not in str(audit.meta)

    confirmed = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": body["token"], "password": NEW_PASSWORD}
    )
    assert confirmed.status_code == 204
    assert (await client.get("/api/v1/users/me", headers=member.headers)).status_code == 401
    # The admin's own session is untouched.
    assert (await client.get("/api/v1/users/me", headers=admin.headers)).status_code == 200
    login = await client.post("/api/v1/auth/login", json={"login": member.email, "password": NEW_PASSWORD})
    assert login.status_code == 200
    completed = await session.scalar(
        select(AuditLog).where(AuditLog.action == "user.password_reset_completed")
    )
    assert completed.user_id == uuid.UUID(member.id) and completed.meta == {"via": "family_admin"}


async def test_another_family_s_member_and_an_unknown_id_are_404(client, session):
    admin = await register(client, family_name="Famiglia Bianchi")
    other_admin = await register(client, family_name="Famiglia Verdi")
    stranger = await invite_and_join(client, admin=other_admin)
    for target in (stranger.id, other_admin.id, str(uuid.uuid4())):
        response = await client.post(_path(target), headers=admin.headers)
        assert response.status_code == 404
        assert response.json()["detail"] == "Membro non trovato."
    assert await session.scalar(select(PasswordReset)) is None


async def test_a_member_who_is_not_admin_cannot_create_links(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    response = await client.post(_path(admin.id), headers=member.headers)
    assert response.status_code == 403


async def test_a_new_link_replaces_the_older_one(client):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    first = (await client.post(_path(member.id), headers=admin.headers)).json()["token"]
    second = (await client.post(_path(member.id), headers=admin.headers)).json()["token"]
    old = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": first, "password": NEW_PASSWORD}
    )
    assert old.status_code == 410
    new = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": second, "password": NEW_PASSWORD}
    )
    assert new.status_code == 204
