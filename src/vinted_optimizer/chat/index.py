"""The family's listing texts in the home side's index (ChromaDB), kept in step with the listings.

The least invasive hook: no listings code calls the assistant. A cron reads, per family, the listings
changed since its last run (``updated_at``) and sends them to ``index_documents``; the ids it indexed are
remembered in Redis (``vo:chat:indexed:<family>``), so a listing deleted since is found by difference
and removed with ``delete_documents``. Running it twice indexes the same texts again: ChromaDB upserts
by id, so it is idempotent. The mark is set ``OVERLAP`` before the run's start, so a listing written by a
transaction that committed late is read again next time rather than missed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.chat.home import ChatHome
from vinted_optimizer.chat.numbers import euro
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.listings import service as listings
from vinted_optimizer.models import Listing

MARK_KEY = "vo:chat:indexed_at:"
IDS_KEY = "vo:chat:indexed:"
OVERLAP = timedelta(minutes=2)
BATCH = 200


def passage_of(listing: Listing) -> Passage:
    facts = [f for f in (listing.brand, listing.category, listing.size, listing.condition) if f]
    price = f" Prezzo {euro(listing.price)}." if listing.price is not None else ""
    return Passage(
        id=f"listing:{listing.id}",
        kind="listing",
        title=f"Annuncio «{(listing.title or 'senza titolo')[:60]}»",
        text=f"{listing.title}. {', '.join(facts)}.{price} Stato: {listing.status}. "
        f"{listing.description}".strip(),
        link=f"/annunci?id={listing.id}",
    )


async def index_family(
    session: AsyncSession, home: ChatHome, redis: Redis, family_id: uuid.UUID
) -> tuple[int, int]:
    """(indexed, deleted) for one family."""
    started = utcnow()
    raw_mark = await redis.get(f"{MARK_KEY}{family_id}")
    since = datetime.fromisoformat(raw_mark.decode()) if raw_mark else None
    changed = await listings.changed_since(session, family_id, since)
    for start in range(0, len(changed), BATCH):
        await home.index_documents(family_id, [passage_of(row) for row in changed[start : start + BATCH]])
    present = await listings.ids_in_family(session, family_id)
    known = {uuid.UUID(raw.decode()) for raw in await redis.smembers(f"{IDS_KEY}{family_id}")}  # type: ignore[misc]
    gone = known - present
    if gone:
        await home.delete_documents(family_id, [f"listing:{i}" for i in sorted(gone)])
        await redis.srem(f"{IDS_KEY}{family_id}", *(str(i) for i in gone))  # type: ignore[misc]
    if changed:
        await redis.sadd(f"{IDS_KEY}{family_id}", *(str(row.id) for row in changed))  # type: ignore[misc]
    await redis.set(f"{MARK_KEY}{family_id}", (started - OVERLAP).isoformat())
    return len(changed), len(gone)
