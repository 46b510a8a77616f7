from __future__ import annotations

import jwt
import pytest
from sqlalchemy import func, select

from tests.auth.factories import API_CLIENT, DEFAULT_PASSWORD, new_family_invitation, register, unique_name
from vinted_optimizer.models import AuditLog, Family, User


async def test_register_creates_a_family_with_the_member_as_admin(client, session):
    member = await register(client, family_name="Famiglia Rossi")
    assert member.user["role"] == "admin"
    assert member.user["family"]["name"] == "Famiglia Rossi"
    user = await session.scalar(select(User).where(User.username == member.username))
    assert user is not None
    family = await session.get(Family, user.family_id)
    assert family is not None and family.name == "Famiglia Rossi"
    # Argon2id hash, never the password.
    assert user.password_argon2.startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in user.password_argon2


async def test_register_without_family_name_gets_a_default(client):
    member = await register(client)
    assert member.user["family"]["name"] == f"Famiglia di {member.username}"


async def test_register_sets_the_refresh_cookie_httponly_secure_samesite(client):
    username = unique_name()
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": f"{username}@example.it", "username": username, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 201
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("vo_refresh=")
    lowered = cookie.lower()
    assert "httponly" in lowered and "secure" in lowered and "samesite=strict" in lowered
    assert "path=/api/v1/auth" in lowered


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("password", "corta1!", "almeno 10"),
        ("password", "1234567890", "troppo comune"),
        ("password", "aaaaaaaaaaaa", "troppo comune"),
        ("email", "non-una-email", "email"),
        ("username", "a b", "nome utente"),
        ("username", "x", "username"),
    ],
)
async def test_register_validates_input_with_a_readable_422(client, field, value, fragment):
    username = unique_name()
    payload = {"email": f"{username}@example.it", "username": username, "password": DEFAULT_PASSWORD}
    payload[field] = value
    response = await client.post("/api/v1/auth/register", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert fragment.lower() in body["detail"].lower()
    assert any(f["field"].startswith(field) for f in body["fields"])


async def test_password_containing_the_username_is_refused(client):
    username = unique_name("giulia")
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": f"{username}@example.it", "username": username, "password": f"{username}-segreta"},
    )
    assert response.status_code == 422
    assert "nome utente" in response.json()["detail"]


async def test_after_the_first_family_sign_up_without_an_invitation_says_nothing_about_anyone(
    client, session
):
    """Hardening finding 4: the answer was 409 "this e-mail has an account". Now sign-ups are by
    invitation: a second family without one is refused the same way whatever the address."""
    member = await register(client)
    before = await session.scalar(select(func.count()).select_from(User))
    answers = []
    for email, username in (
        (member.email.upper(), unique_name()),  # an address that has an account
        ("altro@example.it", member.username.upper()),  # a username that is taken
        (f"{unique_name()}@example.it", unique_name()),  # nobody
    ):
        response = await client.post(
            "/api/v1/auth/register", json={"email": email, "username": username, "password": DEFAULT_PASSWORD}
        )
        answers.append((response.status_code, response.json()))
    assert {status for status, _ in answers} == {403}
    assert answers[0][1] == answers[1][1] == answers[2][1]
    assert answers[0][1]["error"] == "registration_closed"
    assert await session.scalar(select(func.count()).select_from(User)) == before
    assert await session.scalar(select(func.count()).select_from(Family)) == 1


async def test_an_invitation_to_a_taken_address_or_username_is_a_conflict_and_writes_nothing(client, session):
    member = await register(client)
    before_users = await session.scalar(select(func.count()).select_from(User))
    for email, username in ((member.email, unique_name()), (f"{unique_name()}@example.it", member.username)):
        token = await new_family_invitation(client, email=email, family_name="Altra")
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": email, "username": username, "password": DEFAULT_PASSWORD, "invite_token": token},
        )
        assert response.status_code == 409
        assert response.json()["error"] == "conflict"
    assert await session.scalar(select(func.count()).select_from(User)) == before_users


async def test_a_browser_gets_the_refresh_token_only_in_the_httponly_cookie(client):
    """Hardening finding 7: it was in the JSON too, where an injected script could read it."""
    member = await register(client)
    client.cookies.clear()
    response = await client.post(
        "/api/v1/auth/login", json={"login": member.email, "password": member.password}
    )
    assert response.status_code == 200
    assert response.json()["refresh_token"] is None
    assert response.cookies.get("vo_refresh")
    assert "httponly" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize("by", ["email", "username"])
async def test_login_by_email_or_username(client, by):
    member = await register(client)
    response = await client.post(
        "/api/v1/auth/login",
        json={"login": getattr(member, by).upper(), "password": member.password},
        headers=API_CLIENT,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"] and body["refresh_token"] != member.refresh_token
    assert body["user"]["id"] == member.id
    me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200


async def test_access_token_is_hs256_with_the_required_claims(client, settings):
    member = await register(client)
    header = jwt.get_unverified_header(member.access_token)
    assert header["alg"] == "HS256"
    claims = jwt.decode(member.access_token, settings.jwt_secret.get_secret_value(), algorithms=["HS256"])
    assert {"sub", "jti", "iat", "exp"} <= set(claims)
    assert claims["sub"] == member.id
    assert claims["exp"] - claims["iat"] == 15 * 60


async def test_wrong_password_is_401_and_audited(client, session):
    member = await register(client)
    response = await client.post(
        "/api/v1/auth/login", json={"login": member.email, "password": "Sbagliata-123"}
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_credentials",
        "detail": "E-mail/nome utente o password non corretti.",
    }
    unknown = await client.post(
        "/api/v1/auth/login", json={"login": "nessuno@example.it", "password": "x" * 12}
    )
    assert unknown.status_code == 401
    assert unknown.json() == response.json()  # no account enumeration
    failures = (
        await session.scalars(
            select(AuditLog).where(AuditLog.action == "auth.login_failed").order_by(AuditLog.id)
        )
    ).all()
    assert len(failures) == 2
    assert str(failures[0].user_id) == member.id
    assert failures[1].user_id is None
    assert str(failures[0].ip) == "203.0.113.10"


async def test_inactive_member_cannot_log_in(client, session):
    member = await register(client)
    user = await session.scalar(select(User).where(User.username == member.username))
    user.is_active = False
    await session.commit()
    response = await client.post(
        "/api/v1/auth/login", json={"login": member.email, "password": member.password}
    )
    assert response.status_code == 401
    me = await client.get("/api/v1/users/me", headers=member.headers)
    assert me.status_code == 401
