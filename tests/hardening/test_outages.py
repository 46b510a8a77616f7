"""Finding 1, in one process: a lost PostgreSQL or Redis is a 503 with Retry-After, never a 500; liveness
stays up (restarting the process would not help), readiness says not ready.

The crash and the recovery of the real embedded servers under load are in test_faults.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.auth.factories import register
from tests.listings.factories import create_listing
from vinted_optimizer.app import create_app
from vinted_optimizer.kit.db import PoolReader, create_engine, create_sessionmaker
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.redis import create_redis

DEAD_REDIS = "unix:///tmp/vo-no-such-redis.sock"
DEAD_POSTGRES = "postgresql://postgres@/vinted_optimizer?host=/tmp/vo-no-such-postgres"


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "unavailable"
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
async def without_redis(settings, resources) -> AsyncIterator[httpx.AsyncClient]:
    dead = create_redis(DEAD_REDIS)
    limits = RateLimits(settings, DEAD_REDIS)
    app = create_app(settings, resources=dataclasses.replace(resources, redis=dead, rate_limits=limits))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client
    await limits.close()
    await dead.aclose()


@pytest.fixture
async def without_postgres(settings, resources) -> AsyncIterator[httpx.AsyncClient]:
    engine = create_engine(DEAD_POSTGRES, pool_size=1)
    reader = PoolReader(DEAD_POSTGRES, acquire_timeout=2)
    broken = dataclasses.replace(
        resources, engine=engine, sessionmaker=create_sessionmaker(engine), reader=reader
    )
    app = create_app(settings, resources=broken)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client
    await engine.dispose()
    await reader.close()


async def test_without_redis_api_requests_are_503_and_liveness_stays_up(without_redis):
    assert_unavailable(await without_redis.get("/api/v1/meta"))
    assert_unavailable(
        await without_redis.post("/api/v1/auth/login", json={"login": "a@example.it", "password": "x"})
    )
    assert (await without_redis.get("/api/health")).status_code == 200
    not_ready = await without_redis.get("/api/health/ready")
    assert not_ready.status_code == 503 and "redis" in not_ready.json()["detail"]


async def test_without_postgres_requests_are_503_not_500(client, without_postgres):
    member = await register(client)  # on the working servers, before the database "goes away"
    listing = await create_listing(client, member=member, title="Giacca")
    for response in (
        await without_postgres.get("/api/v1/users/me", headers=member.headers),
        await without_postgres.get(f"/api/v1/listings/{listing['id']}", headers=member.headers),
        await without_postgres.get("/api/v1/listings", headers=member.headers),
        await without_postgres.post("/api/v1/listings", json={"title": "Giacca"}, headers=member.headers),
        await without_postgres.post("/api/v1/auth/login", json={"login": member.email, "password": "x"}),
    ):
        assert_unavailable(response)
    assert (await without_postgres.get("/api/health")).status_code == 200
    not_ready = await without_postgres.get("/api/health/ready")
    assert not_ready.status_code == 503 and "database" in not_ready.json()["detail"]


async def test_ready_when_both_answer(client):
    response = await client.get("/api/health/ready")
    assert response.status_code == 200 and response.json()["status"] == "ok"


async def test_liveness_fails_when_a_supervised_part_gave_up(app, client):
    app.state.fatal = ["embedded PostgreSQL could not be restarted"]
    response = await client.get("/api/health")
    assert response.status_code == 503
    assert "PostgreSQL" in response.json()["detail"]
