from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from tests.auth.factories import register, unique_name
from vinted_optimizer.models import AuditLog


def client_from(app, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="https://testserver"
    )


async def _fail(client, login: str):
    return await client.post("/api/v1/auth/login", json={"login": login, "password": "Sbagliata-123"})


async def test_five_failed_logins_per_account_then_429_with_retry_after(app, client, session):
    member = await register(client)
    for _ in range(5):
        assert (await _fail(client, member.email)).status_code == 401
    blocked = await _fail(client, member.email)
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "rate_limited"
    retry_after = int(blocked.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert str(retry_after) in blocked.json()["detail"]
    # The right password does not get through the block either (no brute-force oracle)...
    correct = await client.post(
        "/api/v1/auth/login", json={"login": member.email, "password": member.password}
    )
    assert correct.status_code == 429
    # ...from any IP: the account itself is limited.
    async with client_from(app, "198.51.100.7") as elsewhere:
        assert (await _fail(elsewhere, member.email)).status_code == 429
    failures = await session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == "auth.login_failed")
    )
    assert failures == 5


async def test_five_failed_logins_per_ip_across_accounts(app, client):
    async with client_from(app, "198.51.100.20") as attacker:
        for index in range(5):
            assert (await _fail(attacker, f"vittima{index}@example.it")).status_code == 401
        assert (await _fail(attacker, "ancora-un-altro@example.it")).status_code == 429
    member = await register(client)
    # Another IP and another account are not affected.
    ok = await client.post("/api/v1/auth/login", json={"login": member.email, "password": member.password})
    assert ok.status_code == 200


async def test_successful_logins_do_not_count_as_failures(client):
    member = await register(client)
    for _ in range(8):
        response = await client.post(
            "/api/v1/auth/login", json={"login": member.email, "password": member.password}
        )
        assert response.status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"rate_limit_register": "3/hour"}])
async def test_register_is_limited_per_ip(client):
    for _ in range(3):
        await register(client)
    username = unique_name()
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": f"{username}@example.it", "username": username, "password": "Valigia-Rossa-2024"},
    )
    assert response.status_code == 429
    assert "Retry-After" in response.headers


@pytest.mark.parametrize("settings_overrides", [{"rate_limit_ip": "4/minute"}])
async def test_per_ip_limit_on_every_api_route(client, app):
    statuses = [(await client.get("/api/v1/users/me")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    async with client_from(app, "198.51.100.30") as other:
        assert (await other.get("/api/v1/users/me")).status_code == 401
    # Health checks are not API routes and never throttled.
    assert (await client.get("/api/health")).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"rate_limit_user": "3/minute"}])
async def test_per_member_limit_follows_the_member_across_ips(client, app):
    member = await register(client)
    assert (await client.get("/api/v1/users/me", headers=member.headers)).status_code == 200
    assert (await client.get("/api/v1/users/me", headers=member.headers)).status_code == 200
    async with client_from(app, "198.51.100.40") as other:
        assert (await other.get("/api/v1/users/me", headers=member.headers)).status_code == 200
        assert (await other.get("/api/v1/users/me", headers=member.headers)).status_code == 429


# The test client's socket peer (203.0.113.10) plays Fly's proxy.
@pytest.mark.parametrize(
    "settings_overrides", [{"client_ip_header": "fly-client-ip", "trusted_proxies": "203.0.113.10"}]
)
async def test_client_ip_from_the_trusted_proxy_header(client, session):
    response = await client.post(
        "/api/v1/auth/login",
        json={"login": "nessuno@example.it", "password": "Sbagliata-123"},
        headers={"Fly-Client-IP": "192.0.2.55"},
    )
    assert response.status_code == 401
    entry = await session.scalar(select(AuditLog).where(AuditLog.action == "auth.login_failed"))
    assert str(entry.ip) == "192.0.2.55"


async def test_without_a_trusted_header_spoofed_forwarding_headers_are_ignored(client, session):
    await client.post(
        "/api/v1/auth/login",
        json={"login": "nessuno@example.it", "password": "Sbagliata-123"},
        headers={"X-Forwarded-For": "192.0.2.99", "Fly-Client-IP": "192.0.2.98"},
    )
    entry = await session.scalar(select(AuditLog).where(AuditLog.action == "auth.login_failed"))
    assert str(entry.ip) == "203.0.113.10"
