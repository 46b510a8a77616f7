from __future__ import annotations

import uuid

import pytest
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select

from tests.auth.factories import register
from tests.support.settings import TEST_FERNET_KEY
from tests.users.factories import invite_and_join
from vinted_optimizer.kit.security import SecretBox
from vinted_optimizer.models import AuditLog, AuthSession, Family, User

VINTED = {
    "access_token_web": "eyJhbGciOiJIUzI1NiJ9.ACCESS-COOKIE-VALUE-1234567890",
    "refresh_token_web": "eyJhbGciOiJIUzI1NiJ9.REFRESH-COOKIE-VALUE-0987654321",
    "vinted_user_id": 123456,
}


async def _actions(session) -> list[str]:
    return list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


async def test_me_shows_profile_without_secrets(client):
    member = await register(client)
    body = (await client.get("/api/v1/users/me", headers=member.headers)).json()
    assert body["email"] == member.email
    assert body["vinted_linked"] is False
    assert body["is_instance_admin"] is False
    assert "password_argon2" not in body and "vinted_session_fernet" not in body


async def test_patch_username_and_preferences(client, session):
    member = await register(client)
    response = await client.patch(
        "/api/v1/users/me",
        json={"username": "nuovo.nome", "preferences": {"language": "en", "theme": "scuro"}},
        headers=member.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["username"] == "nuovo.nome"
    assert response.json()["preferences"] == {"language": "en", "theme": "scuro"}


async def test_patch_rejects_unknown_fields_and_huge_preferences(client):
    member = await register(client)
    unknown = await client.patch("/api/v1/users/me", json={"role": "admin"}, headers=member.headers)
    assert unknown.status_code == 422
    huge = await client.patch(
        "/api/v1/users/me", json={"preferences": {"x": "y" * 9000}}, headers=member.headers
    )
    assert huge.status_code == 422


async def test_email_change_needs_the_current_password_and_is_audited(client, session):
    member = await register(client)
    without = await client.patch(
        "/api/v1/users/me", json={"email": "nuova@example.it"}, headers=member.headers
    )
    assert without.status_code == 403
    assert without.json()["error"] == "wrong_password"
    wrong = await client.patch(
        "/api/v1/users/me",
        json={"email": "nuova@example.it", "current_password": "Sbagliata-123"},
        headers=member.headers,
    )
    assert wrong.status_code == 403
    ok = await client.patch(
        "/api/v1/users/me",
        json={"email": "nuova@example.it", "current_password": member.password},
        headers=member.headers,
    )
    assert ok.status_code == 200
    assert ok.json()["email"] == "nuova@example.it"
    assert "user.email_changed" in await _actions(session)


async def test_password_change_signs_out_other_devices(client, session):
    member = await register(client)
    other = await client.post("/api/v1/auth/login", json={"login": member.email, "password": member.password})
    client.cookies.clear()
    other_token = other.json()["access_token"]
    weak = await client.patch(
        "/api/v1/users/me",
        json={"current_password": member.password, "new_password": "1234567890"},
        headers=member.headers,
    )
    # The policy's message, under the field the form shows it beside.
    assert weak.status_code == 422
    assert weak.json()["fields"] == [
        {"field": "new_password", "message": "La password è troppo comune: scegline una meno prevedibile."}
    ]
    changed = await client.patch(
        "/api/v1/users/me",
        json={"current_password": member.password, "new_password": "Nuova-Password-Lunga-7"},
        headers=member.headers,
    )
    assert changed.status_code == 200
    assert (await client.get("/api/v1/users/me", headers=member.headers)).status_code == 200
    assert (
        await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {other_token}"})
    ).status_code == 401
    old = await client.post("/api/v1/auth/login", json={"login": member.email, "password": member.password})
    assert old.status_code == 401
    new = await client.post(
        "/api/v1/auth/login", json={"login": member.email, "password": "Nuova-Password-Lunga-7"}
    )
    assert new.status_code == 200
    assert "user.password_changed" in await _actions(session)


async def test_username_taken_is_409(client):
    alice = await register(client)
    bob = await register(client)
    response = await client.patch("/api/v1/users/me", json={"username": alice.username}, headers=bob.headers)
    assert response.status_code == 409


async def test_vinted_session_is_encrypted_never_returned_and_audited(client, session, settings):
    member = await register(client)
    response = await client.post("/api/v1/users/me/vinted", json=VINTED, headers=member.headers)
    assert response.status_code == 200, response.text
    assert response.json()["vinted_linked"] is True
    assert (
        VINTED["access_token_web"] not in response.text and VINTED["refresh_token_web"] not in response.text
    )
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert me.json()["vinted_linked"] is True
    assert "ACCESS-COOKIE" not in me.text

    user = await session.scalar(select(User).where(User.username == member.username))
    stored = user.vinted_session_fernet
    assert b"ACCESS-COOKIE" not in stored and b"REFRESH-COOKIE" not in stored
    decrypted = SecretBox(settings).decrypt_json(stored)
    assert decrypted["access_token_web"] == VINTED["access_token_web"]
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "user.vinted_linked"))
    assert audit is not None and "ACCESS-COOKIE" not in str(audit.meta)

    unlink = await client.delete("/api/v1/users/me/vinted", headers=member.headers)
    assert unlink.status_code == 200 and unlink.json()["vinted_linked"] is False
    await session.refresh(user)
    assert user.vinted_session_fernet is None
    assert "user.vinted_unlinked" in await _actions(session)


def test_multifernet_rotation_reads_old_values(settings):
    old_box = SecretBox(settings)
    token = old_box.encrypt_json({"access_token_web": "abc"})
    new_key = Fernet.generate_key().decode()
    rotated = settings.model_copy(
        update={"fernet_keys": type(settings.fernet_keys)(f"{new_key},{TEST_FERNET_KEY}")}
    )
    rotated.__dict__.pop("fernet_key_list", None)
    new_box = SecretBox(rotated)
    assert new_box.decrypt_json(token) == {"access_token_web": "abc"}
    re_encrypted = new_box.rotate(token)
    assert MultiFernet([Fernet(new_key.encode())]).decrypt(re_encrypted)


@pytest.mark.parametrize(
    "payload",
    [
        {"access_token_web": "short", "refresh_token_web": VINTED["refresh_token_web"]},
        {
            "access_token_web": VINTED["access_token_web"] + "; Path=/",
            "refresh_token_web": VINTED["refresh_token_web"],
        },
        {**VINTED, "domain": "com"},
        {**VINTED, "extra": "no"},
    ],
)
async def test_vinted_link_validates(client, payload):
    member = await register(client)
    response = await client.post("/api/v1/users/me/vinted", json=payload, headers=member.headers)
    assert response.status_code == 422


async def test_delete_me_requires_password_and_removes_everything(client, session):
    member = await register(client)
    wrong = await client.request(
        "DELETE", "/api/v1/users/me", json={"password": "Sbagliata-123"}, headers=member.headers
    )
    assert wrong.status_code == 403
    response = await client.request(
        "DELETE", "/api/v1/users/me", json={"password": member.password}, headers=member.headers
    )
    assert response.status_code == 204
    user_id = uuid.UUID(member.id)
    assert await session.get(User, user_id) is None
    assert await session.get(Family, uuid.UUID(member.family_id)) is None
    assert (await session.scalars(select(AuthSession).where(AuthSession.user_id == user_id))).all() == []
    # The access token still within its 15 minutes is refused at once.
    assert (await client.get("/api/v1/users/me", headers=member.headers)).status_code == 401
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    ).status_code == 401
    deleted = await session.scalar(select(AuditLog).where(AuditLog.action == "user.deleted"))
    assert deleted is not None and deleted.resource_id == member.id


async def test_only_admin_with_members_must_hand_over_first(client, session):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    blocked = await client.request(
        "DELETE", "/api/v1/users/me", json={"password": admin.password}, headers=admin.headers
    )
    assert blocked.status_code == 409
    # The member may leave; the family stays with its admin.
    left = await client.request(
        "DELETE", "/api/v1/users/me", json={"password": member.password}, headers=member.headers
    )
    assert left.status_code == 204
    assert await session.get(Family, uuid.UUID(admin.family_id)) is not None
