"""Finding 5: failed sign-ins slow an attacker down without locking the owner out.

The e-mail and the username of one account count as one; the delay grows; the owner's own device (a
signed vo_device cookie from an earlier sign-in) still gets in; every lock is in the audit log.
"""

from __future__ import annotations

import time

import httpx
from sqlalchemy import select

from tests.auth.factories import DEFAULT_PASSWORD, new_family_invitation, unique_name
from vinted_optimizer.auth.lockout import FIRST_DELAY_SECONDS, UNTIL_KEY, delay_after
from vinted_optimizer.kit.signing import DEVICE_COOKIE
from vinted_optimizer.models import AuditLog


def from_ip(app, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="https://testserver"
    )


async def new_account(client: httpx.AsyncClient) -> tuple[str, str, str, str]:
    """(user id, e-mail, username, the vo_device cookie of the device that registered)."""
    username = unique_name()
    email = f"{username}@example.it"
    token = await new_family_invitation(client, email=email, family_name=f"Famiglia di {username}")
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": email, "username": username, "password": DEFAULT_PASSWORD, "invite_token": token},
    )
    assert response.status_code == 201
    device = response.cookies[DEVICE_COOKIE]
    client.cookies.clear()
    return response.json()["user"]["id"], email, username, device


async def attempt(client, login: str, password: str = "Sbagliata-123", *, device: str | None = None):
    client.cookies.clear()
    headers = {"Cookie": f"{DEVICE_COOKIE}={device}"} if device else {}
    return await client.post(
        "/api/v1/auth/login", json={"login": login, "password": password}, headers=headers
    )


def test_the_delay_grows_and_is_capped():
    assert [delay_after(n) for n in (1, 4)] == [0, 0]
    assert [delay_after(n) for n in (5, 6, 7)] == [
        FIRST_DELAY_SECONDS,
        2 * FIRST_DELAY_SECONDS,
        4 * FIRST_DELAY_SECONDS,
    ]
    assert delay_after(60) == 15 * 60


async def test_the_owners_device_still_gets_in_while_an_attacker_is_slowed_down(app, client, session):
    user_id, email, _, device = await new_account(client)
    async with from_ip(app, "198.51.100.66") as attacker:
        for _ in range(5):
            assert (await attempt(attacker, email)).status_code == 401
        assert (await attempt(attacker, email)).status_code == 429  # this IP is locked too
    async with from_ip(app, "192.0.2.10") as stranger:  # another network, no device cookie: the account waits
        slowed = await attempt(stranger, email, DEFAULT_PASSWORD)  # even with the right password
        assert slowed.status_code == 429
        assert 1 <= int(slowed.headers["Retry-After"]) <= FIRST_DELAY_SECONDS
    owner = await attempt(client, email, DEFAULT_PASSWORD, device=device)
    assert owner.status_code == 200, owner.text
    async with from_ip(app, "198.51.100.66") as same_network:  # even from the attacker's locked IP
        assert (await attempt(same_network, email, DEFAULT_PASSWORD, device=device)).status_code == 200
    assert owner.cookies.get(DEVICE_COOKIE) == device  # the same device keeps its cookie
    locks = (await session.scalars(select(AuditLog).where(AuditLog.action == "auth.login_locked"))).all()
    assert {(lock.meta["scope"], str(lock.user_id)) for lock in locks} == {
        ("account", user_id),
        ("ip", user_id),
    }


async def test_email_and_username_count_as_one_account(app, client):
    _, email, username, _ = await new_account(client)
    async with from_ip(app, "198.51.100.67") as first, from_ip(app, "198.51.100.68") as second:
        for _ in range(3):
            assert (await attempt(first, email)).status_code == 401
        for _ in range(2):
            assert (await attempt(second, username.upper())).status_code == 401
        assert (await attempt(first, username)).status_code == 429


async def test_after_the_delay_the_next_failure_waits_longer(app, client, resources):
    user_id, email, _, _ = await new_account(client)
    async with from_ip(app, "198.51.100.69") as attacker:
        for _ in range(5):
            await attempt(attacker, email)
    await resources.redis.set(UNTIL_KEY.format(user_id), str(time.time() - 1))  # the 30 s are over
    async with from_ip(app, "198.51.100.70") as attacker:
        assert (await attempt(attacker, email)).status_code == 401
        longer = await attempt(attacker, email)
    assert longer.status_code == 429
    assert FIRST_DELAY_SECONDS < int(longer.headers["Retry-After"]) <= 2 * FIRST_DELAY_SECONDS


async def test_a_success_clears_the_count(app, client, resources):
    user_id, email, _, _ = await new_account(client)
    async with from_ip(app, "198.51.100.71") as somewhere:
        for _ in range(4):
            await attempt(somewhere, email)
        assert (await attempt(somewhere, email, DEFAULT_PASSWORD)).status_code == 200
    async with from_ip(app, "198.51.100.74") as elsewhere:  # (the first IP has its own count)
        for _ in range(4):
            assert (await attempt(elsewhere, email)).status_code == 401  # the account's count started again


async def test_a_forged_or_foreign_device_cookie_does_not_bypass_the_delay(app, client):
    _, email, _, device = await new_account(client)
    _, _, _, other_device = await new_account(client)
    async with from_ip(app, "198.51.100.72") as attacker:
        for _ in range(5):
            await attempt(attacker, email)
        for forged in (other_device, device[:-2] + "00", "v1.x.y.1.z"):
            assert (await attempt(attacker, email, DEFAULT_PASSWORD, device=forged)).status_code == 429


async def test_the_trusted_device_has_a_limit_of_its_own(app, client):
    _, email, _, device = await new_account(client)
    async with from_ip(app, "198.51.100.73") as thief:  # a stolen cookie does not give unlimited guesses
        for _ in range(5):
            assert (await attempt(thief, email, device=device)).status_code == 401
        assert (await attempt(thief, email, device=device)).status_code == 429
