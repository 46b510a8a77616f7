"""kit.db.CompiledRead runs a statement through the driver: its rows must be what SQLAlchemy returns."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from tests.auth.factories import register
from tests.images.factories import photo, upload
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
