"""The cheap hot path keeps its promises: what it caches about a session and a member is dropped the
moment it changes, so a revocation, a new password or a new username shows on the very next request."""

from __future__ import annotations

import pytest

from tests.auth.factories import Member, register
from tests.listings.factories import create_listing
from tests.support.client import AppClient


async def _read(client: AppClient, member: Member, listing_id: str) -> int:
    return (await client.get(f"/api/v1/listings/{listing_id}", headers=member.headers)).status_code


async def _second_device(client: AppClient, member: Member) -> Member:
    other = await client.post("/api/v1/auth/login", json={"login": member.email, "password": member.password})
    client.cookies.clear()
    return Member(**{**member.__dict__, "access_token": other.json()["access_token"]})


async def test_a_revoked_session_is_refused_on_the_very_next_request(client, resources):
    member = await register(client)
    listing = await create_listing(client, member=member, title="Cappotto")
    phone = await _second_device(client, member)
    for _ in range(2):  # the session and the member are now cached
        assert await _read(client, phone, listing["id"]) == 200
    assert await resources.redis.get(f"vo:member:{member.id}") is not None
    phone_session = (await client.get("/api/v1/auth/sessions", headers=phone.headers)).json()
    other = next(s for s in phone_session if not s["current"])  # the first device, from the phone
    assert (
        await client.delete(f"/api/v1/auth/sessions/{other['jti']}", headers=phone.headers)
    ).status_code == 204
    assert await _read(client, member, listing["id"]) == 401
    assert await _read(client, phone, listing["id"]) == 200


async def test_a_new_password_signs_out_the_other_devices_on_their_next_request(client):
    member = await register(client)
    listing = await create_listing(client, member=member, title="Cappotto")
    phone = await _second_device(client, member)
    assert await _read(client, phone, listing["id"]) == 200
    changed = await client.patch(
        "/api/v1/users/me",
        json={"current_password": member.password, "new_password": "Nuova-Password-Lunga-7"},
        headers=member.headers,
    )
    assert changed.status_code == 200
    assert await _read(client, phone, listing["id"]) == 401
    assert await _read(client, member, listing["id"]) == 200


async def test_a_new_username_shows_on_the_next_request(client):
    member = await register(client)
    listing = await create_listing(client, member=member, title="Cappotto")
    read = await client.get(f"/api/v1/listings/{listing['id']}", headers=member.headers)
    assert read.json()["owner_username"] == member.username
    renamed = await client.patch("/api/v1/users/me", json={"username": "nuovo_nome"}, headers=member.headers)
    assert renamed.status_code == 200
    created = await create_listing(client, member=member, title="Sciarpa")  # the member, from the cache
    assert created["owner_username"] == "nuovo_nome"


@pytest.mark.parametrize("settings_overrides", [{"rate_limit_user": "4/minute"}])
async def test_the_per_member_limit_holds_on_the_cached_path(client):
    member = await register(client)
    listing = await create_listing(client, member=member, title="Cappotto")  # 1
    statuses = [await _read(client, member, listing["id"]) for _ in range(4)]  # 2, 3, 4, 5
    assert statuses == [200, 200, 200, 429]


async def test_an_authenticated_read_costs_one_redis_command(client, resources):
    """The limits, the session state and the member come from one script; the member's dependency finds
    the gate the router's dependency opened instead of opening it again."""
    member = await register(client)
    listing = await create_listing(client, member=member, title="Gilet")
    assert await _read(client, member, listing["id"]) == 200  # the caches are warm now

    async def calls() -> dict[str, int]:
        stats = await resources.redis.info("commandstats")
        return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}

    before = await calls()
    assert await _read(client, member, listing["id"]) == 200
    after = await calls()
    ran = {name: count - before.get(name, 0) for name, count in after.items() if count != before.get(name, 0)}
    ran.pop("info")  # the measurement's own
    # One EVALSHA; inside it, each of the two limits reads its two windows and counts once, and the two
    # cached reads (session state, member): nothing else reached Redis.
    assert ran == {"evalsha": 1, "get": 2 * 2 + 2, "incr": 2, "pexpire": 2}
