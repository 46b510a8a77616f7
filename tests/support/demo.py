"""The demo family in a database of its own, seeded once per test run: the dashboard's tests read real
volumes (1,000 listings, 5,000 sales, 500 parcels) and check every figure against their own SQL.

Use the ``demo_database`` fixture (registered in tests/conftest.py): its ``url`` is a separate database
(``vo_demo``), so nothing here touches the rolled-back ``vo_test`` the other tests share; its ``settings``
point at it and at a storage folder that holds the photos' files. It is shared by the whole session: read
it, or write through ``demo_sessionmaker`` / ``demo_client`` (the API on it, with ``sign_in``), whose
transaction is rolled back after each test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.support.client import AppClient
from tests.support.settings import TEST_JWT_SECRET, make_settings
from vinted_optimizer.ai.client import create_ai_client
from vinted_optimizer.app import create_app
from vinted_optimizer.config import Settings
from vinted_optimizer.demo import PASSWORD, DemoMember, DemoSummary, run_demo
from vinted_optimizer.kit.db import SessionReader, create_engine
from vinted_optimizer.kit.embedded import EmbeddedServers
from vinted_optimizer.kit.migrations import upgrade
from vinted_optimizer.kit.queue import create_queue
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.redis import create_redis
from vinted_optimizer.kit.security import AccessTokens, Passwords, SecretBox
from vinted_optimizer.kit.signing import DeviceCookies, UrlSigner
from vinted_optimizer.kit.storage import Storage, create_storage
from vinted_optimizer.resources import Resources
from vinted_optimizer.worker import JOB_NAMES

DEMO_DATABASE = "vo_demo"


@dataclass(frozen=True)
class DemoDatabase:
    url: str
    settings: Settings
    storage: Storage
    summary: DemoSummary
    today: datetime  # the seed's "now": the data is relative to it

    @property
    def password(self) -> str:
        return self.summary.password

    @property
    def family_id(self):  # noqa: ANN201 - uuid.UUID
        return self.summary.family_id

    def member(self, username: str) -> DemoMember:
        return self.summary.member(username)


@pytest.fixture(scope="session")
def demo_database_url(servers: EmbeddedServers) -> str:
    """The demo's own database, built by the migrations (synchronous: they run their own event loop)."""
    assert servers.postgres is not None and servers.database_url is not None
    servers.postgres.server.psql(f"CREATE DATABASE {DEMO_DATABASE};")
    url = servers.database_url.replace("/vinted_optimizer?", f"/{DEMO_DATABASE}?")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
async def demo_database(
    demo_database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> DemoDatabase:
    url = demo_database_url
    data_dir: Path = tmp_path_factory.mktemp("demo") / "data"
    settings = make_settings(url, redis_url, data_dir=data_dir)
    storage = create_storage(settings)
    today = datetime.now(UTC)
    engine = create_engine(url, pool_size=1)
    try:
        summary = await run_demo(engine, storage, settings, today=today)
    finally:
        await engine.dispose()
    return DemoDatabase(url=url, settings=settings, storage=storage, summary=summary, today=today)


# --- the app on the demo database, each test in a transaction that is rolled back ----------------------


@pytest.fixture(scope="session")
async def demo_engine(demo_database: DemoDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(demo_database.url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def demo_sessionmaker(demo_engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the demo database inside one transaction rolled back after the test (a commit in the
    code under test is a savepoint), so a test may write to the shared demo family."""
    async with demo_engine.connect() as connection:
        transaction = await connection.begin()
        yield async_sessionmaker(
            bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
        )
        await transaction.rollback()


@pytest.fixture
async def demo_client(
    demo_database: DemoDatabase,
    demo_engine: AsyncEngine,
    demo_sessionmaker: async_sessionmaker[AsyncSession],
    redis_url: str,
) -> AsyncIterator[AppClient]:
    """The API over the demo family (``await sign_in(demo_client, "giulia")`` for the headers)."""
    settings = demo_database.settings
    redis = create_redis(redis_url)
    await redis.flushdb()
    queue = await create_queue(redis_url, JOB_NAMES)
    resources = Resources(
        settings=settings,
        engine=demo_engine,
        sessionmaker=demo_sessionmaker,
        redis=redis,
        rate_limits=RateLimits(settings, redis_url),
        passwords=Passwords(settings),
        tokens=AccessTokens(settings),
        secret_box=SecretBox(settings),
        queue=queue,
        storage=demo_database.storage,
        ai=create_ai_client(settings),
        signer=UrlSigner(TEST_JWT_SECRET),
        devices=DeviceCookies(TEST_JWT_SECRET),
        reader=SessionReader(demo_sessionmaker),
    )
    try:
        async with AppClient(create_app(settings, resources=resources)) as client:
            yield client
    finally:
        await resources.ai.aclose()
        await resources.close_scraper()
        await resources.rate_limits.close()
        await queue.aclose()
        await redis.aclose()


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """A demo member signed in through the API: the Authorization header of their access token."""
    response = await client.post(
        "/api/v1/auth/login",
        json={"login": username, "password": password},
        headers={"X-Refresh-Token": "body"},
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
