"""The demo family in a database of its own, seeded once per test run: the dashboard's tests read real
volumes (1,000 listings, 5,000 sales, 500 parcels) and check every figure against their own SQL.

Use the ``demo_database`` fixture (registered in tests/conftest.py): its ``url`` is a separate database
(``vo_demo``), so nothing here touches the rolled-back ``vo_test`` the other tests share; its ``settings``
point at it and at a storage folder that holds the photos' files. Tests must not write to it (or must
undo what they write): it is shared by the whole session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.settings import make_settings
from vinted_optimizer.config import Settings
from vinted_optimizer.demo import DemoMember, DemoSummary, run_demo
from vinted_optimizer.kit.db import create_engine
from vinted_optimizer.kit.embedded import EmbeddedServers
from vinted_optimizer.kit.migrations import upgrade
from vinted_optimizer.kit.storage import Storage, create_storage

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
