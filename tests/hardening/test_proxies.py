"""Finding 3: a forwarded header is trusted only from a configured proxy, so per-IP limits hold."""

from __future__ import annotations

import ipaddress

import httpx
import pytest
from pydantic import ValidationError

from tests.auth.factories import unique_name
from tests.support.settings import make_settings
from vinted_optimizer.config import Environment
from vinted_optimizer.kit.context import ProxyTrust


def trust(*networks: str, header: str | None = "X-Forwarded-For") -> ProxyTrust:
    return ProxyTrust([ipaddress.ip_network(n) for n in networks], header)


def test_without_trusted_proxies_the_peer_is_the_client():
    assert trust(header="X-Forwarded-For").client_ip("127.0.0.1", "192.0.2.1") == "127.0.0.1"


def test_a_header_from_an_untrusted_peer_is_ignored():
    assert trust("10.0.0.0/8").client_ip("198.51.100.9", "192.0.2.1") == "198.51.100.9"


def test_the_nearest_untrusted_address_of_a_forwarded_chain_is_the_client():
    proxies = trust("127.0.0.1/32", "10.0.0.0/8")
    # "spoofed" was written by the client itself; 203.0.113.5 connected to our first proxy.
    assert proxies.client_ip("127.0.0.1", "192.0.2.66, 203.0.113.5, 10.1.2.3") == "203.0.113.5"
    assert proxies.client_ip("127.0.0.1", "garbage, 203.0.113.5") == "203.0.113.5"
    assert proxies.client_ip("127.0.0.1", "203.0.113.5, garbage") == "127.0.0.1"
    assert proxies.client_ip("::ffff:127.0.0.1", "203.0.113.5") == "203.0.113.5"


def test_a_client_ip_header_without_trusted_proxies_is_refused_outside_development(database_url, redis_url):
    with pytest.raises(ValidationError, match="VO_TRUSTED_PROXIES"):
        make_settings(database_url, redis_url, client_ip_header="fly-client-ip")
    relaxed = make_settings(
        database_url, redis_url, client_ip_header="fly-client-ip", environment=Environment.development
    )
    assert relaxed.trusted_proxies == []


def loopback_client(app) -> httpx.AsyncClient:
    """Every connection from 127.0.0.1: what a tunnel or a reverse proxy on the same host looks like."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    return httpx.AsyncClient(transport=transport, base_url="https://testserver")


def forged(index: int) -> dict[str, str]:
    spoof = f"192.0.2.{index % 250 + 1}"
    return {"X-Forwarded-For": spoof, "Fly-Client-IP": spoof, "CF-Connecting-IP": spoof, "X-Real-IP": spoof}


async def test_forged_headers_do_not_reset_the_failed_login_limit(app):
    async with loopback_client(app) as client:
        statuses = []
        for index in range(10):
            response = await client.post(
                "/api/v1/auth/login",
                json={"login": f"{unique_name()}@example.it", "password": "Sbagliata-123"},
                headers=forged(index),
            )
            statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 5


@pytest.mark.parametrize("settings_overrides", [{"rate_limit_ip": "30/minute"}])
async def test_forged_headers_do_not_escape_the_per_ip_limit(app):
    async with loopback_client(app) as client:
        statuses = [(await client.get("/api/v1/meta", headers=forged(n))).status_code for n in range(40)]
    assert statuses.count(200) == 30 and statuses.count(429) == 10


# Open sign-up without SMTP (development only): every attempt creates an account at once.
@pytest.mark.parametrize(
    "settings_overrides",
    [{"rate_limit_register": "3/hour", "registration": "open", "environment": "development"}],
)
async def test_forged_headers_do_not_escape_the_registration_limit(app):
    async with loopback_client(app) as client:
        statuses = []
        for index in range(6):
            username = unique_name()
            response = await client.post(
                "/api/v1/auth/register",
                json={
                    "email": f"{username}@example.it",
                    "username": username,
                    "password": "Valigia-Rossa-2024",
                },
                headers=forged(index),
            )
            statuses.append(response.status_code)
    assert statuses == [201, 201, 201, 429, 429, 429]


@pytest.mark.parametrize(
    "settings_overrides", [{"trusted_proxies": "127.0.0.1/32", "client_ip_header": "CF-Connecting-IP"}]
)
async def test_a_configured_tunnel_names_the_client(app):
    async with loopback_client(app) as client:
        for _ in range(5):
            await client.post(
                "/api/v1/auth/login",
                json={"login": f"{unique_name()}@example.it", "password": "x"},
                headers={"CF-Connecting-IP": "192.0.2.7"},
            )
        other = await client.post(
            "/api/v1/auth/login",
            json={"login": f"{unique_name()}@example.it", "password": "x"},
            headers={"CF-Connecting-IP": "192.0.2.8"},
        )
        limited = await client.post(
            "/api/v1/auth/login",
            json={"login": f"{unique_name()}@example.it", "password": "x"},
            headers={"CF-Connecting-IP": "192.0.2.7"},
        )
    assert other.status_code == 401  # another client behind the same tunnel has its own budget
    assert limited.status_code == 429
