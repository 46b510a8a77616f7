"""What the sales sync (vinted_link.sync) does to listings: find the family's listings by Vinted's item
ids, create one for a sold item the family never listed here, and follow the member's wardrobe.

The wardrobe moves only what Vinted decides (the listing's status on Vinted), never a sale: a sale needs
its order (price, buyer, transaction), which the order list brings. So, for a listing linked to a Vinted
item (its ``vinted_id``):

- sold on Vinted (closed with ``item_closing_action`` "sold") → the listing is marked sold (its earlier
  status kept in ``vinted_data["vinted_sync"]``); the sale follows with its order, over that status;
- hidden on Vinted → hidden, if it was published or reserved; visible again → published, if it was hidden
  by the sync;
- reserved on Vinted → reserved, if published; no longer reserved → published, if it was reserved;
- closed but not sold (the member removed it on Vinted) → noted, the status left as it is;
- its Vinted URL filled when the listing has none.

Draft and ready listings are never moved (they are not on Vinted). Wardrobe items that match no listing
are left alone: the sync does not import a whole wardrobe.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.principal import Member
from vinted_optimizer.listings import repository
from vinted_optimizer.models import Listing

SYNC_KEY = "vinted_sync"
TITLE_MAX = 200
ON_VINTED = frozenset({"published", "reserved", "hidden"})


@dataclass(frozen=True)
class WardrobeState:
    vinted_id: str
    url: str | None
    closed: bool
    sold: bool
    hidden: bool
    reserved: bool


async def by_vinted_ids(
    session: AsyncSession, family_id: uuid.UUID, vinted_ids: Sequence[str]
) -> dict[str, Listing]:
    """The family's listing for each Vinted item id it has (the oldest, if two share one), locked."""
    found: dict[str, Listing] = {}
    for listing in await repository.with_vinted_ids(session, family_id, vinted_ids):
        if listing.vinted_id is not None:
            found.setdefault(listing.vinted_id, listing)
    return found


async def create_sold_on_vinted(
    session: AsyncSession,
    member: Member,
    *,
    title: str,
    price: Decimal | None,
    vinted_id: str | None,
    transaction_id: str,
) -> Listing:
    """A listing for an item sold on Vinted that the family never listed here: published (the sale marks
    it sold next), its source noted in ``vinted_data``."""
    listing = Listing(
        family_id=member.family_id,
        user_id=member.id,
        title=title[:TITLE_MAX],
        price=price,
        status="published",
        vinted_id=vinted_id,
        vinted_data={
            SYNC_KEY: {
                "source": "sales_sync",
                "transaction_id": transaction_id,
                "created_at": datetime.now(UTC).isoformat(),
            }
        },
    )
    session.add(listing)
    await session.flush()
    await session.refresh(listing)
    return listing


def _note(listing: Listing, **values: Any) -> None:
    data = dict(listing.vinted_data or {})
    data[SYNC_KEY] = {**(data.get(SYNC_KEY) or {}), **values}
    listing.vinted_data = data


def status_before_sold(listing: Listing) -> str | None:
    """The status a listing the wardrobe marked sold had before (for the sale recorded over it)."""
    before = (listing.vinted_data or {}).get(SYNC_KEY, {}).get("status_before")
    return before if isinstance(before, str) else None


def _follow(listing: Listing, item: WardrobeState, now: str) -> bool:
    changed = False
    if item.url and not listing.vinted_url:
        listing.vinted_url = item.url[:500]
        changed = True
    status = listing.status
    if status not in ON_VINTED:
        return changed
    if item.sold:
        _note(listing, status_before=status, sold_seen_at=now)
        listing.status = "sold"
        return True
    if item.closed:
        if not (listing.vinted_data or {}).get(SYNC_KEY, {}).get("closed_seen_at"):
            _note(listing, closed_seen_at=now)
            return True
        return changed
    target = "hidden" if item.hidden else "reserved" if item.reserved else "published"
    if (
        status == "hidden"
        and target != "hidden"
        and not (listing.vinted_data or {}).get(SYNC_KEY, {}).get("hidden_by_sync")
    ):
        return changed  # hidden here by the family: the family's choice stands
    if target != status:
        listing.status = target
        _note(listing, hidden_by_sync=target == "hidden")
        return True
    return changed


async def follow_wardrobe(
    session: AsyncSession, family_id: uuid.UUID, items: Sequence[WardrobeState]
) -> list[uuid.UUID]:
    """Apply the member's wardrobe to the family's listings linked to its items; the ids changed."""
    found = await by_vinted_ids(session, family_id, [item.vinted_id for item in items])
    now = datetime.now(UTC).isoformat()
    changed = [
        found[item.vinted_id].id
        for item in items
        if item.vinted_id in found and _follow(found[item.vinted_id], item, now)
    ]
    if changed:
        await session.flush()
    return changed
