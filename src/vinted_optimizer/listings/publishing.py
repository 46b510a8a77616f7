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

import base64
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.config import Settings
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import Conflict, DomainError, Forbidden, InvalidFields, NotFound
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import Jobs
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.listings import repository
from vinted_optimizer.listings.schemas import (
    BulkPublishResult,
    PublishBatch,
    PublishBatchItem,
    Publishing,
    PublishOperation,
    PublishRefusal,
)
from vinted_optimizer.models import Listing
from vinted_optimizer.scraper.errors import RemoteVintedError, ScraperUnavailable
from vinted_optimizer.scraper.schemas import (
    PUBLISH_MAX_PHOTOS,
    MemberSession,
    Published,
    PublishItem,
    PublishProgress,
    PublishRequest,
    UnpublishRequest,
)
from vinted_optimizer.users import service as users
from vinted_optimizer.vinted_link.service import (
    MemberBusy,
    VintedAccess,
    VintedNotLinked,
    raise_for,
    with_member,
)
from vinted_optimizer.vocabulary import load_catalogs
from vinted_optimizer.vocabulary.sizes import sizes_for

log = structlog.get_logger(__name__)

PUBLISH_JOB = "listings.publish"
RECORD = "publish"  # vinted_data's key of the app's publishing
ON_VINTED = "vinted"  # vinted_data's key of the item the app published: id, photos, when, which account
HISTORY = "history"  # vinted_data's key of the items deleted since (unpublish, repost)
BY_HAND = "published_by_hand"  # service.BY_HAND: a listing marked published by hand
RUNNING = ("queued", "publishing", "unpublishing", "reposting")
# A running state this old is a lost job (the worker died): the member may ask again.
STALE_AFTER = timedelta(hours=1)
MAX_ATTEMPTS = 12
BUSY_RETRY_SECONDS = 60
DEFAULT_RETRY_SECONDS = 60
# Longer than the longest repost paced at the write budget: a delete, then 21 writes, each of them waiting
# at the gate up to 2 minutes (scraper.client.PUBLISH_CALL_TIMEOUT_SECONDS).
JOB_OPTIONS: dict[str, Any] = {"timeout": 95 * 60, "retries": 2}
RUNNING_STATE: dict[str, str] = {"publish": "publishing", "unpublish": "unpublishing", "repost": "reposting"}


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


# --- the rules: who, which listing, what it needs -----------------------------------------------------


def record_of(listing: Listing) -> dict[str, Any] | None:
    record = (listing.vinted_data or {}).get(RECORD)
    return record if isinstance(record, dict) else None


def _in_progress(listing: Listing) -> bool:
    """An operation is queued or running; one lost (its job gone with a worker or a flushed queue) no
    longer counts an hour after it was due or last moved."""
    record = record_of(listing)
    if record is None or record.get("state") not in RUNNING:
        return False
    moved = [record.get("updated_at"), record.get("not_before") if record.get("state") == "queued" else None]
    latest = max((datetime.fromisoformat(value) for value in moved if value), default=None)
    return latest is None or latest > utcnow() - STALE_AFTER


def missing_fields(listing: Listing, photos: int) -> list[tuple[str, str]]:
    """What Vinted's form needs and the listing lacks, each with the field to fix (Italian)."""
    problems: list[tuple[str, str]] = []
    if not listing.title.strip():
        problems.append(("title", "Manca il titolo: Vinted lo richiede."))
    if not listing.description.strip():
        problems.append(("description", "Manca la descrizione: Vinted la richiede."))
    if listing.price is None or listing.price <= 0:
        problems.append(("price", "Manca il prezzo: indicane uno maggiore di zero."))
    catalog = load_catalogs().get(listing.category_id) if listing.category_id is not None else None
    if catalog is None:
        problems.append(("category_id", "Scegli la categoria di Vinted dall'elenco."))
    if listing.status_id is None:
        problems.append(("condition", "Indica le condizioni dell'articolo."))
    if listing.package_size_id is None:
        problems.append(("package_size_id", "Scegli il formato del pacco (piccolo, medio o grande)."))
    if catalog is not None and listing.size_id is None and sizes_for(catalog):
        problems.append(("size_id", "Questa categoria ha le taglie: scegli la taglia dall'elenco."))
    if photos == 0:
        problems.append(("photos", "Aggiungi almeno una foto: Vinted non pubblica annunci senza."))
    return problems


def write_spacing(settings: Settings) -> float:
    """Seconds between two writes that keep within both the burst refill and the hourly cap."""
    return max(settings.vinted_write_interval_seconds, 3600.0 / settings.vinted_write_hourly_cap)


def job_id(listing_id: uuid.UUID, ticket: str, attempt: int) -> str:
    return f"{PUBLISH_JOB}:{listing_id}:{ticket}:{attempt}"


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
    if _in_progress(listing):
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


# --- the job --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """What a job sends, read in one short transaction (plain values: the session is gone by then)."""

    listing_id: uuid.UUID
    family_id: uuid.UUID
    user_id: uuid.UUID
    requested_by: uuid.UUID | None
    ticket: str
    operation: str
    batch_id: str | None
    vinted_id: str | None
    replaced: str | None  # a repost's deleted item (its delete may have been an earlier run's)
    item: PublishItem | None
    photo_keys: tuple[str, ...]


class Retry(Exception):  # noqa: N818 - a signal, not a failure
    def __init__(self, seconds: int, reason: str) -> None:
        super().__init__(reason)
        self.seconds = max(1, seconds)
        self.reason = reason


class Refused(Exception):  # noqa: N818 - the job's end, told to the member
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def item_of(listing: Listing) -> PublishItem:
    assert listing.category_id is not None and listing.price is not None
    assert listing.status_id is not None and listing.package_size_id is not None
    return PublishItem(
        title=listing.title.strip(),
        description=listing.description.strip(),
        catalog_id=listing.category_id,
        price=listing.price,
        status_id=listing.status_id,
        package_size_id=listing.package_size_id,
        brand=listing.brand,
        size_id=listing.size_id,
        color_ids=list(listing.color_ids)[:2],
    )


def _update(listing: Listing, **changes: Any) -> None:
    record = {**(record_of(listing) or {}), **changes, "updated_at": utcnow().isoformat()}
    listing.vinted_data = {**(listing.vinted_data or {}), RECORD: record}


def _ours(listing: Listing | None, ticket: str) -> bool:
    record = record_of(listing) if listing is not None else None
    return record is not None and record.get("ticket") == ticket


def refusal_message(error: RemoteVintedError) -> str:
    if error.vinted_code == 99:
        return (
            "Vinted ha rifiutato i dati dell'annuncio (codice 99): controlla categoria, taglia, condizioni "
            "e formato del pacco, poi riprova."
        )
    return error.detail


async def _publish_event(access: VintedAccess, work: Work, state: str) -> None:
    data = {"listing_id": str(work.listing_id), "state": state}
    await access.events.publish_quietly(work.family_id, EventType.listing_publish_changed, data)


async def _start(access: VintedAccess, listing_id: uuid.UUID, ticket: str, attempt: int) -> Work | None:
    async with access.sessionmaker() as session, session.begin():
        listing = await repository.get_unscoped(session, listing_id, for_update=True)
        record = record_of(listing) if listing is not None else None
        if listing is None or record is None or record.get("ticket") != ticket:
            return None
        if record.get("state") != "queued" or int(record.get("attempts", 0)) != attempt:
            return None  # run already (a job that ran twice), or queued again since: never sent twice
        operation = str(record.get("operation"))
        photos = (await images.photos_of(session, [listing.id])).get(listing.id, [])
        keys = tuple(photo.storage_path for photo in photos[:PUBLISH_MAX_PHOTOS])
        item: PublishItem | None = None
        if operation != "unpublish":
            problems = missing_fields(listing, len(keys))
            if problems:  # edited since it was queued: failed, saying what to fix
                _update(listing, state="failed", error="; ".join(message for _, message in problems))
            else:
                item = item_of(listing)
        requested = record.get("requested_by")
        work = Work(
            listing_id=listing.id,
            family_id=listing.family_id,
            user_id=listing.user_id,
            requested_by=uuid.UUID(requested) if requested else None,
            ticket=ticket,
            operation=operation,
            batch_id=record.get("batch_id"),
            vinted_id=listing.vinted_id,
            replaced=listing.vinted_id or record.get("replaced"),
            item=item,
            photo_keys=keys,
        )
        step = (
            "Ritiro da Vinted"
            if operation == "unpublish" or (operation == "repost" and listing.vinted_id)
            else f"Invio di {len(keys)} foto e creazione dell'annuncio"
        )
        state = "failed" if operation != "unpublish" and item is None else RUNNING_STATE[operation]
        if state != "failed":
            _update(listing, state=state, step=step, error=None, not_before=None)
    await _publish_event(access, work, state)
    return None if state == "failed" else work


async def _member_call(access: VintedAccess, work: Work, call: Any) -> Any:
    """One member's call; a retryable trouble raises ``Retry``, a refusal ``Refused``."""
    try:
        outcome = await with_member(access, work.user_id, call)
        raise_for(outcome)
    except VintedNotLinked as error:
        raise Refused(error.detail) from error
    except MemberBusy as error:
        raise Retry(BUSY_RETRY_SECONDS, error.detail) from error
    except ScraperUnavailable as error:
        raise Retry(int(error.headers.get("Retry-After", DEFAULT_RETRY_SECONDS)), error.detail) from error
    except RemoteVintedError as error:
        if error.retryable:
            raise Retry(error.retry_after or DEFAULT_RETRY_SECONDS, error.detail) from error
        raise Refused(refusal_message(error)) from error
    return outcome


async def _photos(storage: Storage, work: Work) -> list[str]:
    try:
        return [base64.b64encode(await storage.get(key)).decode() for key in work.photo_keys]
    except FileNotFoundError as error:
        raise Refused("Una foto dell'annuncio non si trova più: ricaricala e riprova.") from error


async def _delete(access: VintedAccess, work: Work) -> None:
    assert work.vinted_id is not None
    try:
        item_id = int(work.vinted_id)
    except ValueError as error:
        raise Refused("L'id Vinted salvato non è valido: correggi il link dell'annuncio.") from error

    async def call(member: MemberSession) -> Any:
        return await access.scraper.unpublish_member(UnpublishRequest(session=member, item_id=item_id))

    await _member_call(access, work, call)
    async with access.sessionmaker() as session, session.begin():
        listing = await repository.get_unscoped(session, work.listing_id, for_update=True)
        if listing is None or not _ours(listing, work.ticket):
            return
        data = dict(listing.vinted_data or {})
        gone = {
            "item_id": listing.vinted_id,
            "url": listing.vinted_url,
            "published_at": (data.get(ON_VINTED) or {}).get("published_at"),
            "deleted_at": utcnow().isoformat(),
            "by": work.operation,
        }
        data[HISTORY] = [*data.get(HISTORY, []), gone]
        data.pop(ON_VINTED, None)
        data.pop(BY_HAND, None)
        listing.vinted_data = data
        listing.vinted_id = None
        listing.vinted_url = None
        if work.operation == "unpublish":
            listing.status = "ready"
            listing.vinted_data = {key: value for key, value in data.items() if key != RECORD}
            await audit.record(
                session,
                "listing.unpublished",
                context=None,
                user_id=work.requested_by,
                family_id=work.family_id,
                resource_type="listing",
                resource_id=listing.id,
                metadata={"vinted_id": gone["item_id"]},
            )
        else:
            _update(
                listing,
                replaced=gone["item_id"],
                step=f"Ripubblicazione: invio di {len(work.photo_keys)} foto",
            )


def step_text(progress: PublishProgress) -> str:
    if progress.step == "photo":
        return f"Caricamento foto {progress.done + 1} di {progress.total}"
    return "Creazione dell'annuncio su Vinted"


async def _progress(access: VintedAccess, work: Work, progress: PublishProgress) -> None:
    """The step shown while the photos go (a short transaction of its own, then a live event)."""
    step = step_text(progress)
    async with access.sessionmaker() as session, session.begin():
        listing = await repository.get_unscoped(session, work.listing_id, for_update=True)
        if listing is None or not _ours(listing, work.ticket):
            return
        _update(listing, step=step)
        state = str((record_of(listing) or {}).get("state"))
    data = {"listing_id": str(work.listing_id), "state": state, "step": step}
    await access.events.publish_quietly(work.family_id, EventType.listing_publish_changed, data)


async def _create(access: VintedAccess, storage: Storage, work: Work, replaced: str | None) -> None:
    item = work.item
    assert item is not None
    photos = await _photos(storage, work)
    account: list[int | None] = []

    async def told(progress: PublishProgress) -> None:
        await _progress(access, work, progress)

    async def call(member: MemberSession) -> Any:
        account.append(member.vinted_user_id)
        request = PublishRequest(session=member, item=item, photos=photos)
        return await access.scraper.publish_member(request, told)

    outcome = await _member_call(access, work, call)
    published: Published = outcome.result
    async with access.sessionmaker() as session, session.begin():
        listing = await repository.get_unscoped(session, work.listing_id, for_update=True)
        if listing is None:
            log.error("listings.published_orphan", vinted_id=published.item_id)  # deleted meanwhile
            return
        listing.vinted_id = str(published.item_id)
        listing.vinted_url = published.url
        listing.status = "published"
        listing.vinted_data = {
            **{key: value for key, value in (listing.vinted_data or {}).items() if key != BY_HAND},
            ON_VINTED: {
                "item_id": published.item_id,
                "photo_ids": published.photo_ids,
                "published_at": utcnow().isoformat(),
                "user_id": str(work.user_id),
                "vinted_user_id": account[-1] if account else None,
            },
        }
        _update(listing, state="published", step=None, error=None)
        action = "listing.reposted" if work.operation == "repost" else "listing.published"
        metadata: dict[str, Any] = {"vinted_id": published.item_id, "batch_id": work.batch_id}
        if work.operation == "repost":
            metadata["replaced"] = replaced
        await audit.record(
            session,
            action,
            context=None,
            user_id=work.requested_by,
            family_id=work.family_id,
            resource_type="listing",
            resource_id=listing.id,
            metadata=metadata,
        )


async def _retry(access: VintedAccess, work: Work, retry: Retry) -> str:
    async with access.sessionmaker() as session, session.begin():
        listing = await repository.get_unscoped(session, work.listing_id, for_update=True)
        if listing is None or not _ours(listing, work.ticket):
            return "skipped"
        attempts = int((record_of(listing) or {}).get("attempts", 0)) + 1
        if attempts >= MAX_ATTEMPTS:
            _update(listing, state="failed", step=None, error=f"Troppi tentativi: {retry.reason}")
            state = "failed"
        else:
            not_before = utcnow() + timedelta(seconds=retry.seconds)
            _update(
                listing,
                state="queued",
                step=None,
                error=retry.reason,
                attempts=attempts,
                not_before=not_before.isoformat(),
            )
            await access.queue.enqueue(
                PUBLISH_JOB,
                str(work.listing_id),
                work.ticket,
                attempts,
                job_id=job_id(work.listing_id, work.ticket, attempts),
                scheduled=not_before,
                options=JOB_OPTIONS,
            )
            state = "queued"
    log.info("listings.publish_later", listing_id=str(work.listing_id), seconds=retry.seconds, state=state)
    await _publish_event(access, work, state)
    return "retry" if state == "queued" else "failed"


async def _fail(access: VintedAccess, work: Work, reason: str) -> str:
    async with access.sessionmaker() as session, session.begin():
        listing = await repository.get_unscoped(session, work.listing_id, for_update=True)
        if listing is None or not _ours(listing, work.ticket):
            return "skipped"
        _update(listing, state="failed", step=None, error=reason)
    await _publish_event(access, work, "failed")
    return "failed"


async def run(
    access: VintedAccess, storage: Storage, listing_id: uuid.UUID, ticket: str, attempt: int = 0
) -> str:
    """The job: what was asked for this ticket and attempt, once. "published", "unpublished", "retry",
    "failed" or "skipped"."""
    work = await _start(access, listing_id, ticket, attempt)
    if work is None:
        return "skipped"
    try:
        if work.vinted_id is not None and work.operation in ("unpublish", "repost"):
            await _delete(access, work)
        if work.operation == "unpublish":
            await _publish_event(access, work, "unpublished")
            return "unpublished"
        await _create(access, storage, work, work.replaced)
    except Retry as retry:
        return await _retry(access, work, retry)
    except Refused as refused:
        return await _fail(access, work, refused.reason)
    await _publish_event(access, work, "published")
    return "published"
