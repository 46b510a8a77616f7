"""The sales sync (issue 12 item 7): a linked member's sold orders and wardrobe read from Vinted, new sales
recorded, listings marked sold, Vinted's prepaid labels stored for the bulk print, and what Vinted later
drops kept.

One run for one member (the job ``vinted_link.sync_member``, queued by the button or by the cron every
30 minutes for each linked member; one job per member at a time):

1. ``with_member`` → the scraper's ``sync_member`` with the transactions already recorded (their details
   are not read again). No database connection is held while Vinted answers (the read budget paces it).
2. One transaction applies what came back, through the owners' services: each detailed (new) order is
   matched to the family's listing by Vinted's item id (``listing.vinted_id``), or a listing is created
   for it (``listings.service.create_sold_on_vinted``), and recorded once (``sales.service
   .record_from_vinted``: the transaction id is the key; a sale of that listing recorded by hand becomes
   that transaction's, not a second one). An order already recorded has its answer merged into the
   sale's ``vinted_data`` (never over what is kept) and its status moved forward. Vinted's order status
   is mapped by ``vocabulary.sale_status_of_vinted`` (unknown → pending; the text kept). The wardrobe
   then moves the linked listings' status (``listings.synced``). Each order in a savepoint of its own:
   one that cannot be stored does not undo the others.
3. The labels: each of the member's synced sales still to ship whose transaction has a Vinted shipment
   and which has no parcel yet gets Vinted's PDF (``member_label``), stored by
   ``shipments.service.attach_vinted_label`` under the Sendcloud labels' scheme, so ``merged_labels``
   prints it; its tracking code is then followed through 17TRACK like a hand-entered one. A label Vinted
   refuses (not ready yet) is tried again next run; the gate stopping stops the labels too.
4. The report (``SyncReport``) is kept in Redis without expiry (the last one per member), with an audit
   entry ``vinted.synced`` and the live event ``vinted.synced``.

A run the gate stops part way keeps what it stored ("stopped", with the reason): the next run continues
with the transactions still unknown. A dead chain is the existing path (``with_member``: the pair dropped,
the member told) and the run reports "failed".
"""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import DomainError, Forbidden, TooManyRequests
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import JobQueue, JobsAfterJobCommit
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.listings import service as listings
from vinted_optimizer.sales import service as sales
from vinted_optimizer.sales.schemas import VintedSale
from vinted_optimizer.scraper.errors import RemoteVintedError, ScraperUnavailable
from vinted_optimizer.scraper.schemas import LabelOutcome, MemberSession, SyncedOrder, SyncOutcome, SyncResult
from vinted_optimizer.shipments import service as shipments
from vinted_optimizer.users import service as users
from vinted_optimizer.vinted_link.schemas import SyncAsk, SyncQueued, SyncReport, SyncReports
from vinted_optimizer.vinted_link.service import (
    MemberBusy,
    VintedAccess,
    VintedNotLinked,
    member_message,
    with_member,
)
from vinted_optimizer.vocabulary import sale_status_of_vinted

log = structlog.get_logger(__name__)

SYNC_JOB = "vinted_link.sync_member"
SYNC_ALL_JOB = "vinted_link.sync_all"
# A run waits on the pacing gate: the home side stops reading details after SyncRequest.budget_seconds,
# each label waits at most vinted_max_wait_seconds, and the labels stop after LABELS_SECONDS.
JOB_RUN_FOR = 30 * 60
LABELS_PER_RUN = 10
LABELS_SECONDS = 10 * 60
ASK_AGAIN_SECONDS = 60
# The home scraper unreachable: the run is tried again by itself after its Retry-After, doubling, this many
# times (a longer absence is the cron's next pass, twice an hour).
HOME_RETRIES = 5
ROME = ZoneInfo("Europe/Rome")

NOT_LINKED_FAMILY = (
    "Nessun membro della famiglia ha collegato Vinted: collegalo da Impostazioni → Vinted e riprova."
)
ALL_ADMIN_ONLY = "Solo l'amministratore della famiglia può sincronizzare tutti i membri (campo all)."
ASKED_AGAIN = "Sincronizzazione già chiesta meno di un minuto fa: riprova tra {seconds} secondi."
LABELS_TIME = "Etichette non ancora scaricate tutte: le altre al prossimo giro."


def report_key(user_id: uuid.UUID) -> str:
    return f"vo:vinted:sync:{user_id}"


def _asked_key(user_id: uuid.UUID) -> str:
    return f"vo:vinted:sync:asked:{user_id}"


def job_id(user_id: uuid.UUID) -> str:
    return f"{SYNC_JOB}:{user_id}"


async def _load(redis: Redis, user_id: uuid.UUID) -> SyncReport | None:
    raw = await redis.get(report_key(user_id))
    return SyncReport.model_validate_json(raw) if raw else None


async def _save(redis: Redis, report: SyncReport) -> None:
    await redis.set(report_key(report.user_id), report.model_dump_json())


# --- asked by a member (the button) and read by the dashboard -------------------------------------------


async def ask(
    session: AsyncSession, redis: Redis, queue: JobQueue, member: Member, data: SyncAsk
) -> SyncQueued:
    """Queue the member's sync, or every linked member's (``all``: the family admin). 409 when nobody
    asked for is linked; 429 when each was asked for less than a minute ago."""
    linked = await users.vinted_linked_members(session, member.family_id)
    if data.all:
        if not member.is_family_admin:
            raise Forbidden(ALL_ADMIN_ONLY)
        targets = linked
        if not targets:
            raise VintedNotLinked(NOT_LINKED_FAMILY)
    else:
        if member.id not in linked:
            raise VintedNotLinked()
        targets = [member.id]
    names = await users.family_member_names(session, member.family_id)
    queued: list[uuid.UUID] = []
    wait = 0
    for user_id in targets:
        if not await redis.set(_asked_key(user_id), "1", nx=True, ex=ASK_AGAIN_SECONDS):
            wait = max(wait, int(await redis.ttl(_asked_key(user_id))))
            continue
        previous = await _load(redis, user_id)
        now = utcnow()
        report = (
            previous.model_copy(update={"state": "queued", "trigger": "button", "queued_at": now})
            if previous is not None
            else SyncReport(
                user_id=user_id,
                username=names.get(user_id, ""),
                state="queued",
                trigger="button",
                queued_at=now,
            )
        )
        await _save(redis, report)
        # Queued at once, not after a commit: the request writes nothing the job would read.
        await queue.enqueue(SYNC_JOB, str(user_id), "button", job_id=job_id(user_id), run_for=JOB_RUN_FOR)
        queued.append(user_id)
    if not queued:
        seconds = max(1, wait)
        raise TooManyRequests(seconds, ASKED_AGAIN.format(seconds=seconds))
    return SyncQueued(queued=queued)


async def last_reports(session: AsyncSession, redis: Redis, member: Member) -> SyncReports:
    """The last sync of each member of the family (those synced at least once)."""
    names = await users.family_member_names(session, member.family_id)
    ids = list(names)
    values = await redis.mget([report_key(user_id) for user_id in ids]) if ids else []
    items = []
    for user_id, raw in zip(ids, values, strict=True):
        if raw:
            report = SyncReport.model_validate_json(raw)
            items.append(report.model_copy(update={"username": names[user_id]}))
    items.sort(key=lambda r: r.username.casefold())
    return SyncReports(items=items)


# --- the run -------------------------------------------------------------------------------------------


@dataclass
class Applied:
    orders_seen: int = 0
    new_sales: int = 0
    updated_sales: int = 0
    listings_created: int = 0
    listings_updated: int = 0
    waiting_details: int = 0
    skipped: int = 0
    changed_listings: list[uuid.UUID] = field(default_factory=list)


def _vinted_data(order: SyncedOrder, member: Member, seen_at: str) -> dict[str, Any]:
    # synced_by: whose Vinted account sold it (their session fetches its label), kept like the rest.
    return {**order.raw, "first_seen_at": seen_at, "synced_by": str(member.id)}


async def _apply_order(
    session: AsyncSession,
    member: Member,
    order: SyncedOrder,
    found: dict[str, Any],
    jobs: JobsAfterJobCommit,
    done: Applied,
    seen_at: str,
) -> None:
    transaction_id = str(order.transaction_id)
    status = sale_status_of_vinted(order.status)
    data = _vinted_data(order, member, seen_at)
    sale, change = await sales.follow_vinted(session, member.family_id, transaction_id, status, data)
    if sale is not None:
        done.updated_sales += change == "updated"
        return
    if not order.detailed:
        done.waiting_details += 1  # the gate stopped the run before its details: the next run reads them
        return
    listing = next((found[str(i)] for i in order.item_ids if str(i) in found), None)
    if listing is None:
        listing = await listings.create_sold_on_vinted(
            session,
            member,
            title=order.title,
            price=order.price,
            vinted_id=str(order.item_ids[0]) if order.item_ids else None,
            transaction_id=transaction_id,
        )
        done.listings_created += 1
        if listing.vinted_id:
            found[listing.vinted_id] = listing
    sold_at = order.date.astimezone(UTC) if order.date else datetime.now(UTC)
    record = VintedSale(
        transaction_id=transaction_id,
        listing_id=listing.id,
        sale_price=order.price if order.price is not None and order.price >= 0 else Decimal("0.00"),
        sold_at=sold_at,
        status=status,
        buyer_username=order.buyer_login[:120] if order.buyer_login else None,
        vinted_data=data,
    )
    sale, change = await sales.record_from_vinted(session, member, record, jobs)
    if change == "created":
        done.new_sales += 1
        done.changed_listings.append(listing.id)
    elif change in ("adopted", "updated"):
        done.updated_sales += 1
    elif change == "skipped":
        done.skipped += 1


async def apply(
    session: AsyncSession, member: Member, result: SyncResult, jobs: JobsAfterJobCommit
) -> Applied:
    """Store what the scraper read (one unit of work; each order in a savepoint)."""
    done = Applied(orders_seen=len(result.orders))
    seen_at = utcnow().isoformat()
    item_ids = sorted({str(i) for order in result.orders if order.detailed for i in order.item_ids})
    found: dict[str, Any] = dict(await listings.by_vinted_ids(session, member.family_id, item_ids))
    for order in reversed(result.orders):  # oldest first: the newest sale of a relisted item wins last
        try:
            async with session.begin_nested():
                await _apply_order(session, member, order, found, jobs, done, seen_at)
        except (IntegrityError, DomainError) as error:
            log.warning(
                "vinted.sync_order_skipped", transaction=order.transaction_id, error=type(error).__name__
            )
            done.skipped += 1
    if result.wardrobe_read:
        states = [
            listings.WardrobeState(
                vinted_id=str(item.id),
                url=item.url,
                closed=item.is_closed,
                sold=item.sold,
                hidden=item.is_hidden,
                reserved=item.is_reserved,
            )
            for item in result.wardrobe
        ]
        moved = await listings.follow_wardrobe(session, member.family_id, states)
        done.listings_updated += len(moved)
        done.changed_listings.extend(moved)
    listings.announce(jobs, member.family_id, list(dict.fromkeys(done.changed_listings)), "updated")
    return done


def _shipment_of(sale_data: dict[str, Any]) -> tuple[str | None, str | None]:
    """(carrier, tracking code) of the Vinted shipment kept with a sale."""
    shipment = (sale_data.get("transaction") or {}).get("shipment") or {}
    carrier = shipment.get("carrier")
    name = carrier.get("name") if isinstance(carrier, dict) else carrier
    code = shipment.get("tracking_code")
    return (name if isinstance(name, str) else None), (code if isinstance(code, str) else None)


@dataclass
class Labels:
    fetched: int = 0
    not_ready: int = 0
    stopped: str | None = None


async def fetch_labels(access: VintedAccess, storage: Storage, member: Member) -> Labels:
    """Vinted's prepaid labels of the member's synced sales still to ship that have no parcel yet."""
    labels = Labels()
    async with access.sessionmaker() as session:
        candidates = await sales.awaiting_vinted_label(
            session, member.family_id, member.id, LABELS_PER_RUN * 3
        )
        needing = set(
            await shipments.needing_vinted_label(session, member.family_id, [s.id for s in candidates])
        )
        todo = [
            (sale.id, int(str(sale.vinted_transaction_id)), *_shipment_of(sale.vinted_data or {}))
            for sale in candidates
            if sale.id in needing and str(sale.vinted_transaction_id).isdigit()
        ][:LABELS_PER_RUN]
    deadline = time.monotonic() + LABELS_SECONDS
    for sale_id, transaction_id, carrier, tracking_code in todo:
        if time.monotonic() >= deadline:
            labels.stopped = LABELS_TIME
            break

        async def call(session: MemberSession, tid: int = transaction_id) -> LabelOutcome:
            return await access.scraper.member_label(session, tid)

        try:
            outcome = await with_member(access, member.id, call)
        except (VintedNotLinked, MemberBusy, ScraperUnavailable) as error:
            labels.stopped = error.detail
            break
        if outcome.error is not None or outcome.result is None:
            refusal = RemoteVintedError(**outcome.error.model_dump()) if outcome.error else None
            if outcome.dead or refusal is None or refusal.retryable:
                labels.stopped = refusal.detail if refusal is not None else "Etichetta non ricevuta."
                break
            labels.not_ready += 1  # Vinted refused it (not ready yet, another carrier): next run
            continue
        try:
            pdf = base64.b64decode(outcome.result.pdf_base64, validate=True)
        except (binascii.Error, ValueError):
            labels.not_ready += 1
            continue
        async with access.sessionmaker() as session, session.begin():
            stored = await shipments.attach_vinted_label(
                session,
                storage,
                family_id=member.family_id,
                sale_id=sale_id,
                user_id=member.id,
                pdf=pdf,
                carrier=carrier,
                tracking_code=tracking_code,
            )
        labels.fetched += stored is not None
    return labels


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def summary(report: SyncReport) -> str:
    when = (report.finished_at or utcnow()).astimezone(ROME).strftime("%H:%M")
    if report.state == "failed":
        return f"Sincronizzazione delle {when} non riuscita: {report.reason or 'errore sconosciuto'}"
    parts = [
        _plural(report.new_sales, "nuova vendita", "nuove vendite"),
        _plural(report.labels_fetched, "etichetta scaricata", "etichette scaricate"),
    ]
    if report.updated_sales:
        parts.append(_plural(report.updated_sales, "vendita aggiornata", "vendite aggiornate"))
    if report.listings_updated:
        parts.append(_plural(report.listings_updated, "annuncio aggiornato", "annunci aggiornati"))
    text = f"Ultima sincronizzazione alle {when}: {', '.join(parts)}"
    if report.state == "stopped" and report.reason:
        text += f". Interrotta: {report.reason} Il resto al prossimo giro"
    return text + "."


async def _finish(access: VintedAccess, member: Member, report: SyncReport) -> SyncReport:
    report.finished_at = utcnow()
    report.summary = summary(report)
    await _save(access.redis, report)
    async with access.sessionmaker() as session, session.begin():
        await audit.record(
            session,
            "vinted.synced",
            context=None,
            user_id=member.id,
            family_id=member.family_id,
            resource_type="user",
            resource_id=member.id,
            metadata={
                "state": report.state,
                "trigger": report.trigger,
                "new_sales": report.new_sales,
                "updated_sales": report.updated_sales,
                "listings_created": report.listings_created,
                "listings_updated": report.listings_updated,
                "labels_fetched": report.labels_fetched,
                "reason": report.reason,
            },
        )
    await access.events.publish_quietly(
        member.family_id, EventType.vinted_synced, {"user_id": str(member.id), "state": report.state}
    )
    log.info("vinted.synced", user_id=str(member.id), state=report.state, new_sales=report.new_sales)
    return report


async def sync_member(
    access: VintedAccess, storage: Storage, user_id: uuid.UUID, trigger: str, attempt: int = 0
) -> SyncReport | None:
    """One run for one member (the job). None when the member no longer exists or has no family. The home
    scraper unreachable, the run is queued again by itself (``attempt``: how many times already)."""
    async with access.sessionmaker() as session:
        user = await users.get(session, user_id)
        member = users.member_of(user) if user is not None else None
        if member is None:
            return None
        known = await sales.vinted_transaction_ids(session, member.family_id)
    previous = await _load(access.redis, user_id)
    report = SyncReport(
        user_id=user_id,
        username=member.username,
        state="running",
        trigger="button" if trigger == "button" else "cron",
        queued_at=previous.queued_at if previous is not None and previous.state == "queued" else None,
        started_at=utcnow(),
        summary=previous.summary if previous is not None else "",
    )
    await _save(access.redis, report)

    async def call(session: MemberSession) -> SyncOutcome:
        return await access.scraper.sync_member(session, known)

    try:
        outcome = await with_member(access, user_id, call)
    except ScraperUnavailable as error:
        report.state, report.reason = "failed", error.detail
        if attempt < HOME_RETRIES:
            seconds = int(error.headers.get("Retry-After", "60")) << attempt
            await access.queue.enqueue(
                SYNC_JOB,
                str(user_id),
                trigger,
                attempt + 1,
                job_id=f"{job_id(user_id)}:home-retry-{attempt + 1}",  # not this run's own key
                run_for=JOB_RUN_FOR,
                scheduled=utcnow() + timedelta(seconds=seconds),
            )
            report.notes.append(f"Riprovo da solo tra {seconds} secondi.")
        return await _finish(access, member, report)
    except (VintedNotLinked, MemberBusy) as error:
        report.state, report.reason = "failed", error.detail
        return await _finish(access, member, report)
    if outcome.error is not None or outcome.result is None:
        report.state = "failed"
        report.reason = (
            member_message(outcome.error) if outcome.error else "Il servizio di casa non ha risposto."
        )
        return await _finish(access, member, report)
    result = outcome.result
    jobs = JobsAfterJobCommit(access.queue, access.events)
    async with access.sessionmaker() as session, session.begin():
        done = await apply(session, member, result, jobs)
    await jobs.run()
    labels = await fetch_labels(access, storage, member)
    report.orders_seen = done.orders_seen
    report.new_sales, report.updated_sales = done.new_sales, done.updated_sales
    report.listings_created, report.listings_updated = done.listings_created, done.listings_updated
    report.labels_fetched = labels.fetched
    report.notes = list(result.notes)
    if labels.not_ready:
        report.notes.append(
            _plural(labels.not_ready, "etichetta non ancora disponibile", "etichette non ancora disponibili")
            + " su Vinted: riprovo al prossimo giro."
        )
    stopped = member_message(result.stopped) if result.stopped is not None else labels.stopped
    report.state = "done" if result.complete and labels.stopped is None else "stopped"
    report.reason = stopped if report.state == "stopped" else None
    return await _finish(access, member, report)


async def queue_every_linked(access: VintedAccess) -> int:
    """The cron: one sync job per linked member (a member's job already queued or running is kept)."""
    async with access.sessionmaker() as session:
        members = await users.vinted_linked_members(session)
    queued = 0
    for user_id in members:
        queued += await access.queue.enqueue(
            SYNC_JOB, str(user_id), "cron", job_id=job_id(user_id), run_for=JOB_RUN_FOR
        )
    return queued
