"""Real servers for every test: embedded PostgreSQL (pgvector) and Redis, started once per run.

Each test runs inside one transaction that is rolled back, and starts with an empty Redis.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from tests.fakes.ollama import FakeOllama
from tests.fakes.server import serve_in_thread
from tests.support.client import AppClient
from tests.support.demo import (  # noqa: F401 - the seeded demo family, for any test
    demo_client,
    demo_database,
    demo_database_url,
    demo_engine,
    demo_sessionmaker,
)
from tests.support.settings import TEST_JWT_SECRET, make_settings
from vinted_optimizer.ai.client import create_ai_client
from vinted_optimizer.app import create_app
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.db import SessionReader, create_engine
from vinted_optimizer.kit.embedded import EmbeddedServers, start_embedded
from vinted_optimizer.kit.migrations import upgrade
from vinted_optimizer.kit.queue import create_queue
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.kit.redis import create_redis
from vinted_optimizer.kit.security import AccessTokens, Passwords, SecretBox
from vinted_optimizer.kit.signing import DeviceCookies, UrlSigner
from vinted_optimizer.kit.storage import create_storage
from vinted_optimizer.resources import Resources
from vinted_optimizer.worker import JOB_NAMES

TEST_DATABASE = "vo_test"


@pytest.fixture(scope="session")
def servers() -> Iterator[EmbeddedServers]:
    # A short folder: PostgreSQL's Unix socket path must stay under ~107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="vo-", dir="/tmp"))
    started = start_embedded(folder, need_postgres=True, need_redis=True)
    assert started.postgres is not None
    started.postgres.server.psql(f"CREATE DATABASE {TEST_DATABASE};")
    yield started
    started.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(servers: EmbeddedServers) -> str:
    assert servers.database_url is not None
    url = servers.database_url.replace("/vinted_optimizer?", f"/{TEST_DATABASE}?")
    # The schema is built by the migrations, which tests them too.
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def redis_url(servers: EmbeddedServers) -> str:
    assert servers.redis_url is not None
    return servers.redis_url


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module (or with indirect parametrisation) to change settings."""
    return {}


@pytest.fixture
def settings(
    database_url: str, redis_url: str, settings_overrides: dict[str, object], tmp_path: Path
) -> Settings:
    # Each test has its own data folder: photos, thumbnails and the AI cache land there.
    overrides = {"data_dir": tmp_path / "data", **settings_overrides}
    return make_settings(database_url, redis_url, **overrides)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        yield connection
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Every commit in the code under test becomes a savepoint inside the test's transaction.
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
async def resources(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], redis_url: str
) -> AsyncIterator[Resources]:
    redis = create_redis(redis_url)
    await redis.flushdb()
    queue = await create_queue(redis_url, JOB_NAMES)
    resources = Resources(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        redis=redis,
        rate_limits=RateLimits(settings, redis_url),
        passwords=Passwords(settings),
        tokens=AccessTokens(settings),
        secret_box=SecretBox(settings),
        queue=queue,
        storage=create_storage(settings),
        ai=create_ai_client(settings),
        signer=UrlSigner(TEST_JWT_SECRET),
        devices=DeviceCookies(TEST_JWT_SECRET),
        reader=SessionReader(sessionmaker),
    )
    yield resources
    await resources.ai.aclose()
    await resources.close_scraper()
    await resources.rate_limits.close()
    await queue.aclose()
    await redis.aclose()


@pytest.fixture
def app(settings: Settings, resources: Resources):  # noqa: ANN201
    return create_app(settings, resources=resources)


@pytest.fixture
async def client(app) -> AsyncIterator[AppClient]:  # noqa: ANN001
    async with AppClient(app) as client:
        yield client


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("VO_LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def fake_ollama_server() -> Iterator[tuple[FakeOllama, str]]:
    fake = FakeOllama()
    with serve_in_thread(fake.app) as url:
        yield fake, url


@pytest.fixture
def fake_ollama(fake_ollama_server: tuple[FakeOllama, str]) -> FakeOllama:
    fake, _ = fake_ollama_server
    fake.reset()
    return fake


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` runs on two workers (pytest-xdist, `--dist loadgroup`): each test module stays whole on one
    worker (its module-scoped fixtures are set up once), and the browser tests all share one worker, so the
    `serve` instances and the Chromium of tests/e2e start once per run, not once per worker."""
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        group = "e2e" if module.startswith("tests/e2e/") else module
        item.add_marker(pytest.mark.xdist_group(group))
