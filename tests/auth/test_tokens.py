from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
from sqlalchemy import select

from tests.auth.factories import login, register
from tests.support.settings import TEST_JWT_SECRET
from vinted_optimizer.models import AuditLog, AuthSession


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


async def _me(client, token: str):
    return await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


async def test_alg_none_token_is_rejected(client):
    member = await register(client)
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims_of(member.access_token))}."
    response = await _me(client, forged)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_other_algorithms_are_rejected_even_with_the_right_key(client):
    member = await register(client)
    claims = _claims_of(member.access_token)
    for algorithm in ("HS384", "HS512"):
        forged = jwt.encode(claims, TEST_JWT_SECRET, algorithm=algorithm)
        assert (await _me(client, forged)).status_code == 401


async def test_wrong_key_expired_tampered_and_malformed_tokens_are_rejected(client):
    member = await register(client)
    claims = _claims_of(member.access_token)
    wrong_key = jwt.encode(claims, "another-secret-of-sufficient-length!!", algorithm="HS256")
    expired = jwt.encode(
        {**claims, "iat": int(time.time()) - 3600, "exp": int(time.time()) - 60}, TEST_JWT_SECRET
    )
    missing_jti = jwt.encode({k: v for k, v in claims.items() if k != "jti"}, TEST_JWT_SECRET)
    header, payload, signature = member.access_token.split(".")
    tampered = f"{header}.{_b64({**claims, 'sub': str(uuid.uuid4())})}.{signature}"
    for token in (wrong_key, expired, missing_jti, tampered, "not-a-jwt", ""):
        response = await _me(client, token)
        assert response.status_code == 401, token
    assert (await client.get("/api/v1/users/me", headers={"Authorization": "Basic abc"})).status_code == 401
    assert (await client.get("/api/v1/users/me")).status_code == 401


async def test_refresh_rotates_the_token(client):
    member = await register(client)
    first = await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["refresh_token"] != member.refresh_token
    assert body["session_id"] == member.session_id
    assert (await _me(client, body["access_token"])).status_code == 200
    second = await client.post("/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert second.status_code == 200


async def test_refresh_reuse_revokes_the_whole_session_chain(client, session):
    member = await register(client)
    rotated = (await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})).json()

    # The old token is presented again: theft.
    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert reuse.status_code == 401
    assert reuse.json()["error"] == "refresh_token_reused"

    # Every token of that chain is dead: the newest refresh token and the access tokens.
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    ).status_code == 401
    assert (await _me(client, rotated["access_token"])).status_code == 401
    assert (await _me(client, member.access_token)).status_code == 401

    auth_session = await session.get(AuthSession, uuid.UUID(member.session_id))
    await session.refresh(auth_session)
    assert auth_session.revoked_reason == "refresh_reuse"
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "auth.refresh_reuse_detected"))
    assert audit is not None and audit.resource_id == member.session_id


async def test_reuse_in_one_session_leaves_other_sessions_alone(client):
    member = await register(client)
    other_device = await client.post(
        "/api/v1/auth/login", json={"login": member.email, "password": member.password}
    )
    client.cookies.clear()
    await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    assert (await _me(client, other_device.json()["access_token"])).status_code == 200


async def test_refresh_through_the_httponly_cookie(client):
    member = await register(client)
    response = await client.post(
        "/api/v1/auth/refresh", headers={"Cookie": f"vo_refresh={member.refresh_token}"}
    )
    assert response.status_code == 200, response.text
    # A browser's refresh: the rotated token comes back only as the httpOnly cookie, never in the JSON
    # where an injected script could read it (hardening finding 7).
    assert response.cookies.get("vo_refresh")
    assert response.json()["refresh_token"] is None
    # The old cookie is now a reused token.
    again = await client.post(
        "/api/v1/auth/refresh", headers={"Cookie": f"vo_refresh={member.refresh_token}"}
    )
    assert again.status_code == 401


async def test_refresh_without_or_with_unknown_token_is_401(client):
    assert (await client.post("/api/v1/auth/refresh")).status_code == 401
    unknown = await client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_refresh_token"


async def test_logout_revokes_the_session(client, session):
    member = await register(client)
    response = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": member.refresh_token}, headers=member.headers
    )
    assert response.status_code == 204
    assert 'vo_refresh=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    assert (await _me(client, member.access_token)).status_code == 401
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": member.refresh_token})
    ).status_code == 401
    assert await session.scalar(select(AuditLog).where(AuditLog.action == "auth.logout")) is not None


async def test_logout_with_only_the_access_token(client):
    member = await register(client)
    response = await client.post("/api/v1/auth/logout", headers=member.headers)
    assert response.status_code == 204
    assert (await _me(client, member.access_token)).status_code == 401


async def test_sessions_list_and_revoke(client, session):
    member = await register(client)
    phone = await login(client, member=type(member)(**{**member.__dict__}))
    listed = await client.get("/api/v1/auth/sessions", headers=member.headers)
    assert listed.status_code == 200
    sessions = listed.json()
    assert {s["jti"] for s in sessions} == {member.session_id, phone.session_id}
    assert [s["current"] for s in sessions if s["jti"] == member.session_id] == [True]
    assert all("refresh" not in json.dumps(s).lower() for s in sessions)

    revoked = await client.delete(f"/api/v1/auth/sessions/{phone.session_id}", headers=member.headers)
    assert revoked.status_code == 204
    assert (await _me(client, phone.access_token)).status_code == 401
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": phone.refresh_token})
    ).status_code == 401
    assert (await _me(client, member.access_token)).status_code == 200
    remaining = (await client.get("/api/v1/auth/sessions", headers=member.headers)).json()
    assert [s["jti"] for s in remaining] == [member.session_id]
    assert await session.scalar(select(AuditLog).where(AuditLog.action == "auth.session_revoked")) is not None
    # Revoking again, or an unknown id, is a 404.
    again = await client.delete(f"/api/v1/auth/sessions/{phone.session_id}", headers=member.headers)
    assert again.status_code == 404
    malformed = await client.delete("/api/v1/auth/sessions/not-a-uuid", headers=member.headers)
    assert malformed.status_code == 422


async def test_cannot_revoke_someone_elses_session(client):
    alice = await register(client)
    bob = await register(client)
    response = await client.delete(f"/api/v1/auth/sessions/{bob.session_id}", headers=alice.headers)
    assert response.status_code == 404
    assert (await _me(client, bob.access_token)).status_code == 200
