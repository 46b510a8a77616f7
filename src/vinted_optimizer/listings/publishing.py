"""Publishing a listing on Vinted from the app: publish, unpublish, repost, and a bulk publish.

Always a member's explicit action (the listing's owner or a family admin), always with the owner's linked
Vinted account, always a queued job: every photo and the item are writes at the home IP's pacing gate
(one every 30 s, 40 an hour by default), so a publish takes minutes. Where it is lives in the listing's
``vinted_data["publish"]`` (``ListingRead.publishing``)::

    publish ─▶ queued ─job─▶ publishing ──▶ published          (vinted_id, vinted_url, vinted_data.vinted)
    unpublish ─▶ queued ─job─▶ unpublishing ──▶ (no record)    (the item in vinted_data.history, ready)
    repost ─▶ queued ─job─▶ reposting: delete, then create ──▶ published (a new vinted_id)
                 ▲               │
                 └── retryable ──┤  Vinted's pace, a check (challenge), a 429, the home side away, the
                                 │  member's other call: queued again after Retry-After, reason shown
                                 └▶ failed                     a refusal (Vinted's 400 code 99…), in Italian

Each request is one job named by a *ticket* (a new one per request): a job whose ticket is no longer the
listing's, or whose listing is no longer queued, does nothing, so a job that runs twice publishes once.
No job holds a database connection while Vinted answers: it reads what to send, lets go, calls, then
stores the result in a short transaction of its own. A bulk publish spaces its jobs so the batch stays
within the write budget; its progress is read back from the listings (``batch_id`` in their record).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.config import Settings
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import Conflict, DomainError, Forbidden, InvalidFields, NotFound
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.listings import repository
from vinted_optimizer.listings.publish_rules import (
    JOB_OPTIONS,
    PUBLISH_JOB,
    RECORD,
    in_progress,
    job_id,
    missing_fields,
    record_of,
    write_spacing,
)
from vinted_optimizer.listings.schemas import (
    BulkPublishResult,
    PublishBatch,
    PublishBatchItem,
    Publishing,
    PublishOperation,
    PublishRefusal,
)
from vinted_optimizer.models import Listing
from vinted_optimizer.scraper.schemas import (
    PUBLISH_MAX_PHOTOS,
)
from vinted_optimizer.users import service as users
from vinted_optimizer.vinted_link.service import (
    VintedNotLinked,
)

log = structlog.get_logger(__name__)


class PublishListingNotFound(NotFound):
    default_detail = "Annuncio non trovato."


class PublishBatchNotFound(NotFound):
    default_detail = "Pubblicazione di gruppo non trovata (o nessun annuncio ne fa più parte)."


class NotYourListing(Forbidden):
    code = "not_listing_owner"
    default_detail = (
        "Solo chi ha caricato l'annuncio o un amministratore della famiglia può pubblicarlo o ritirarlo da "
        "Vinted."
    )


class AlreadyOnVinted(Conflict):
    code = "already_on_vinted"
    default_detail = "L'annuncio è già su Vinted: per rinnovarlo usa «Ripubblica»."


class NotOnVinted(Conflict):
    code = "not_on_vinted"
    default_detail = "L'annuncio non è su Vinted: pubblicalo prima."


class PastSelling(Conflict):
    code = "listing_past_selling"
    default_detail = "L'annuncio è riservato o venduto: non si pubblica più su Vinted."


class PublishInProgress(Conflict):
    code = "publish_in_progress"
    default_detail = "C'è già un'operazione su Vinted in corso per questo annuncio: attendi che finisca."


# --- the requests: who, which listing, what it needs -----------------------------------------------


async def _owner_linked(session: AsyncSession, listing: Listing) -> bool:
    owner = await users.get(session, listing.user_id)
    return owner is not None and owner.vinted_linked


async def _photo_count(session: AsyncSession, listing: Listing) -> int:
    return len((await images.photos_of(session, [listing.id])).get(listing.id, []))


async def _checked(
    session: AsyncSession, member: Member, listing: Listing, operation: PublishOperation
) -> None:
    """Raise what stops ``operation``: not the member's to ask (403), the state (409), the owner not
    linked (409), a field Vinted needs (422 naming each)."""
    if listing.user_id != member.id and not member.is_family_admin:
        raise NotYourListing()
    if in_progress(listing):
        raise PublishInProgress()
    if operation != "unpublish" and listing.status in ("reserved", "sold"):
        raise PastSelling()
    if operation == "publish" and listing.vinted_id:
        raise AlreadyOnVinted()
    if operation != "publish" and not listing.vinted_id:
        raise NotOnVinted()
    if not await _owner_linked(session, listing):
        raise VintedNotLinked()
    if operation != "unpublish":
        problems = missing_fields(listing, await _photo_count(session, listing))
        if problems:
            raise InvalidFields(problems)


def _announce(jobs: Jobs, listing: Listing, state: str) -> None:
    data = {"listing_id": str(listing.id), "state": state}
    jobs.publish_after_commit(listing.family_id, EventType.listing_publish_changed, data)


def _queue(
    listing: Listing,
    member: Member,
    operation: PublishOperation,
    jobs: Jobs,
    *,
    batch_id: str | None = None,
    not_before: datetime | None = None,
) -> None:
    ticket = uuid.uuid4().hex
    now = utcnow().isoformat()
    record = {
        "state": "queued",
        "operation": operation,
        "ticket": ticket,
        "requested_by": str(member.id),
        "batch_id": batch_id,
        "queued_at": now,
        "updated_at": now,
        "not_before": not_before.isoformat() if not_before else None,
        "step": None,
        "error": None,
        "attempts": 0,
    }
    listing.vinted_data = {**(listing.vinted_data or {}), RECORD: record}
    jobs.enqueue_after_commit(
        PUBLISH_JOB,
        str(listing.id),
        ticket,
        0,
        job_id=job_id(listing.id, ticket, 0),
        scheduled=not_before,
        options=JOB_OPTIONS,
    )
    _announce(jobs, listing, "queued")


async def _require(session: AsyncSession, member: Member, listing_id: uuid.UUID) -> Listing:
    listing = await repository.get(session, member.family_id, listing_id, for_update=True)
    if listing is None:
        raise PublishListingNotFound()
    return listing


async def request(
    session: AsyncSession, member: Member, listing_id: uuid.UUID, operation: PublishOperation, jobs: Jobs
) -> Listing:
    """Queue a publish, an unpublish or a repost of one listing (checked first: nothing is queued when
    something stops it)."""
    listing = await _require(session, member, listing_id)
    await _checked(session, member, listing, operation)
    _queue(listing, member, operation, jobs)
    await session.flush()
    return listing


def _refusals(listing_id: uuid.UUID, error: DomainError) -> list[PublishRefusal]:
    if isinstance(error, InvalidFields):
        return [PublishRefusal(id=listing_id, field=f, message=m) for f, m in error.problems]
    field = {"not_listing_owner": "user_id", "vinted_not_linked": "user_id"}.get(error.code, "vinted_id")
    return [PublishRefusal(id=listing_id, field=field, message=error.detail)]


async def request_batch(
    session: AsyncSession, settings: Settings, member: Member, ids: Sequence[uuid.UUID], jobs: Jobs
) -> BulkPublishResult:
    """Queue each publishable listing, its job scheduled after the writes of the ones before it (each
    listing costs its photos plus one writes, spaced by the write budget); the others are refused with
    what to fix."""
    wanted = list(dict.fromkeys(ids))
    found = {listing.id: listing for listing in await repository.get_many(session, member.family_id, wanted)}
    batch_id = uuid.uuid4().hex[:16]
    spacing = write_spacing(settings)
    start = utcnow()
    writes = 0
    queued: list[uuid.UUID] = []
    refused: list[PublishRefusal] = []
    for listing_id in wanted:
        listing = found.get(listing_id)
        if listing is None:
            refused.append(PublishRefusal(id=listing_id, field="id", message="Annuncio non trovato."))
            continue
        try:
            await _checked(session, member, listing, "publish")
        except DomainError as error:
            refused.extend(_refusals(listing_id, error))
            continue
        not_before = start + timedelta(seconds=writes * spacing)
        _queue(listing, member, "publish", jobs, batch_id=batch_id, not_before=not_before)
        writes += min(await _photo_count(session, listing), PUBLISH_MAX_PHOTOS) + 1
        queued.append(listing_id)
    await session.flush()
    return BulkPublishResult(
        batch_id=batch_id,
        queued=queued,
        refused=refused,
        estimated_minutes=math.ceil(writes * spacing / 60),
    )


async def batch_progress(session: AsyncSession, member: Member, batch_id: str) -> PublishBatch:
    rows = await repository.in_publish_batch(session, member.family_id, batch_id)
    if not rows:
        raise PublishBatchNotFound()
    items = [
        PublishBatchItem(
            id=row.id,
            title=row.title,
            publishing=Publishing.model_validate(record_of(row)),
            vinted_url=row.vinted_url,
        )
        for row in rows
    ]
    counts = dict.fromkeys(("queued", "publishing", "published", "failed"), 0)
    for item in items:
        counts[item.publishing.state] = counts.get(item.publishing.state, 0) + 1
    return PublishBatch(batch_id=batch_id, total=len(items), counts=counts, items=items)
