"""The Vinted stand-in on a loopback port (one per run, reset per test), settings pointing at it, and the
test suite's real Redis for the pacing gate (flushed per test)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.fakes.fixtures import fake_vinted, fake_vinted_server  # noqa: F401
from tests.fakes.vinted import FakeVinted
from tests.support.settings import make_settings
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.redis import create_redis
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.transport import Transport

# Generous budgets, so the transport's tests never wait at the gate (the gate has its own tests).
FAST_PACING: dict[str, object] = {
    "vinted_read_burst": 30,
    "vinted_read_interval_seconds": 0.01,
    "vinted_read_hourly_cap": 1000,
    "vinted_write_burst": 10,
    "vinted_write_interval_seconds": 0.01,
    "vinted_write_hourly_cap": 500,
    "vinted_max_wait_seconds": 5,
}


@pytest.fixture
def scraper_overrides() -> dict[str, object]:
    return {}


@pytest.fixture
def scraper_settings(
    request: pytest.FixtureRequest, redis_url: str, scraper_overrides: dict[str, object]
) -> Settings:
    server: tuple[FakeVinted, str] = request.getfixturevalue("fake_vinted_server")
    _, url = server
    values: dict[str, object] = {
        "vinted_base_url": url,
        "vinted_api_url": url,
        "vinted_timeout_seconds": 2.0,
        **FAST_PACING,
        **scraper_overrides,
    }
    return make_settings("postgresql://unused@127.0.0.1:9/unused", redis_url, **values)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = create_redis(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
async def gate(redis: Redis, scraper_settings: Settings) -> PacingGate:
    return PacingGate(redis, scraper_settings)


@pytest.fixture
async def vinted(scraper_settings: Settings, gate: PacingGate) -> AsyncIterator[VintedClient]:
    client = VintedClient(Transport(scraper_settings), gate)
    yield client
    await client.aclose()
