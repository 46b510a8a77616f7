"""kit.db.CompiledRead runs a statement through the driver: its rows must be what SQLAlchemy returns."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import asyncpg
import pytest
from sqlalchemy import select

from tests.auth.factories import register
from tests.images.factories import photo, upload
from vinted_optimizer.kit.db import PoolReader, SessionReader
from vinted_optimizer.kit.errors import ServiceUnavailable
from vinted_optimizer.kit.outages import RETRY_AFTER_SECONDS
from vinted_optimizer.listings.service import READS
from vinted_optimizer.models import Listing


async def test_the_driver_rows_equal_sqlalchemy_rows(client, session):
    member = await register(client)
    body = (
        await upload(client, member=member, files=[("a.jpg", photo(seed=61)), ("b.jpg", photo(seed=62))])
    ).json()
    listing_id = uuid.UUID(body["listing"]["id"])
    row = await session.get(Listing, listing_id)
    row.price, row.tags, row.ai_suggestion = Decimal("12.50"), ["lana", "inverno"], {"confidence": 0.8}
    await session.commit()
    family_id = uuid.UUID(member.family_id)

    (raw,) = await READS.by_ids(session, family_id, [listing_id])
    statement = select(*READS._by_id._statement.selected_columns).where(Listing.id == listing_id)  # noqa: SLF001
    (expected,) = (await session.execute(statement)).mappings().all()
    assert dict(raw.items()) == dict(expected)
    assert isinstance(raw["photos"], list) and len(raw["photos"]) == 2  # JSON decoded, in display order
    assert raw["price"] == Decimal("12.50") and raw["ai_suggestion"] == {"confidence": 0.8}
    # Scoped: another family's id finds nothing.
    assert await READS.by_ids(session, uuid.uuid4(), [listing_id]) == []


VALUES = (
    "SELECT $1::json AS photos, $2::jsonb AS meta, 12.50::numeric AS price, $3::uuid AS id,"
    " $4::text[] AS tags"
)


async def test_the_pool_reader_decodes_like_the_sessions(database_url, sessionmaker):
    """The GET requests' pool decodes what the units of work's connections decode (and binds JSON as they
    do, from its text): JSON as Python values, numeric as Decimal, UUIDs and arrays as themselves."""
    arguments = ('[{"id": "a", "order": 1}]', '{"colors": ["blu"]}', uuid.uuid4(), ["lana", "inverno"])
    pool = PoolReader(database_url, max_size=2)
    try:
        (from_pool,) = await pool.fetch(VALUES, *arguments)
        (again,) = await pool.fetch(VALUES, *arguments)  # a connection lent again, its codecs kept
    finally:
        await pool.close()
    (from_session,) = await SessionReader(sessionmaker).fetch(VALUES, *arguments)
    assert dict(from_pool.items()) == dict(from_session.items()) == dict(again.items())
    assert from_pool["photos"] == [{"id": "a", "order": 1}] and from_pool["meta"] == {"colors": ["blu"]}
    assert from_pool["price"] == Decimal("12.50") and from_pool["tags"] == ["lana", "inverno"]


async def test_a_database_that_cannot_be_reached_is_a_503(tmp_path):
    """No server behind the socket: the read is a 503 with Retry-After, like a unit of work's."""
    pool = PoolReader(f"postgresql://postgres@/vinted_optimizer?host={tmp_path}", acquire_timeout=2)
    with pytest.raises(ServiceUnavailable) as raised:
        await pool.fetch("SELECT 1")
    assert raised.value.status_code == 503
    assert raised.value.headers == {"Retry-After": str(RETRY_AFTER_SECONDS)}
    await pool.close()


async def test_the_pool_lends_its_connections_in_turn(database_url, monkeypatch):
    """Callers that ask again as soon as they are served (requests under load) get a connection in the
    order they asked: asyncpg's own queue let some of them wait while later ones were served (under
    bench/api.py's load a few reads waited ten times the median)."""
    size = 2
    pool = PoolReader(database_url, max_size=size)
    asked: list[int] = []
    lent: list[int] = []  # whose statement went to a connection, in that order
    fetch = asyncpg.connection.Connection.fetch

    async def recording_fetch(self: asyncpg.Connection, query: str, *args: object, **kw: object) -> object:
        if args:
            lent.append(args[0])  # type: ignore[arg-type]
        return await fetch(self, query, *args, **kw)

    async def caller() -> None:
        for _ in range(30):
            await asyncio.sleep(0)  # what a request does before its read (the gate's round trip)
            ticket = len(asked)
            asked.append(ticket)
            await pool.fetch("SELECT $1::int", ticket)
            sum(range(2000))  # and after it (its response)

    try:
        # Both connections opened first (the time one takes to open is not what is measured).
        await asyncio.gather(*(pool.fetch("SELECT pg_sleep(0.05)") for _ in range(size)))
        monkeypatch.setattr(asyncpg.connection.Connection, "fetch", recording_fetch)
        await asyncio.gather(*(caller() for _ in range(20)))
    finally:
        await pool.close()
    assert sorted(lent) == asked
    # Two lent at a time: the second may start just before the first; no caller is overtaken by more.
    lateness = max(lent.index(ticket) - ticket for ticket in asked)
    assert lateness < size, lent


async def test_a_wait_for_a_turn_longer_than_the_timeout_is_a_503(database_url):
    pool = PoolReader(database_url, max_size=1, acquire_timeout=0.1)
    try:
        busy = asyncio.create_task(pool.fetch("SELECT pg_sleep(0.5)"))
        await asyncio.sleep(0.05)
        with pytest.raises(ServiceUnavailable):
            await pool.fetch("SELECT 1")
        await busy
        assert [tuple(row) for row in await pool.fetch("SELECT 1")] == [(1,)]  # the turn was given back
    finally:
        await pool.close()
