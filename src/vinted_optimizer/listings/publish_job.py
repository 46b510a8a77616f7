"""The publishing job: what a ticket asked (publish, unpublish, repost), run once, with no database
connection held while Vinted answers (the state machine is in ``publishing``'s docstring)."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog

from vinted_optimizer.audit import service as audit
from vinted_optimizer.images import service as images
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.listings import repository
from vinted_optimizer.listings.publish_rules import (
    BUSY_RETRY_SECONDS,
    BY_HAND,
    DEFAULT_RETRY_SECONDS,
    HISTORY,
    JOB_OPTIONS,
    MAX_ATTEMPTS,
    ON_VINTED,
    PUBLISH_JOB,
    RECORD,
    RUNNING_STATE,
    holds_ticket,
    item_of,
    job_id,
    missing_fields,
    record_of,
    update_record,
)
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
from vinted_optimizer.vinted_link.service import (
    MemberBusy,
    VintedAccess,
    VintedNotLinked,
    member_message,
    raise_for,
    with_member,
)

log = structlog.get_logger(__name__)

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


def refusal_message(error: RemoteVintedError) -> str:
    if error.vinted_code == 99:
        return (
            "Vinted ha rifiutato i dati dell'annuncio (codice 99): controlla categoria, taglia, condizioni "
            "e formato del pacco, poi riprova."
        )
    return member_message(error)


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
                update_record(listing, state="failed", error="; ".join(message for _, message in problems))
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
            update_record(listing, state=state, step=step, error=None, not_before=None)
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

    outcome = await _member_call(access, work, call)
    already_gone = bool(outcome.result is not None and outcome.result.already_gone)
    async with access.sessionmaker() as session, session.begin():
        listing = await repository.get_unscoped(session, work.listing_id, for_update=True)
        if listing is None or not holds_ticket(listing, work.ticket):
            return
        data = dict(listing.vinted_data or {})
        gone = {
            "item_id": listing.vinted_id,
            "url": listing.vinted_url,
            "published_at": (data.get(ON_VINTED) or {}).get("published_at"),
            "deleted_at": utcnow().isoformat(),
            "by": work.operation,
            "already_gone": already_gone,  # Vinted no longer had it (sold or deleted there)
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
            update_record(
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
        if listing is None or not holds_ticket(listing, work.ticket):
            return
        update_record(listing, step=step)
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
        update_record(listing, state="published", step=None, error=None)
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
        if listing is None or not holds_ticket(listing, work.ticket):
            return "skipped"
        attempts = int((record_of(listing) or {}).get("attempts", 0)) + 1
        if attempts >= MAX_ATTEMPTS:
            update_record(listing, state="failed", step=None, error=f"Troppi tentativi: {retry.reason}")
            state = "failed"
        else:
            not_before = utcnow() + timedelta(seconds=retry.seconds)
            update_record(
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
        if listing is None or not holds_ticket(listing, work.ticket):
            return "skipped"
        update_record(listing, state="failed", step=None, error=reason)
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
