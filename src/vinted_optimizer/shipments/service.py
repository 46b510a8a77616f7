"""Shipments rules: buy a sale's label through Sendcloud (once), follow a parcel sent with another label,
read the family's parcels, hand out their labels one by one or merged for printing.

Buying is idempotent. The sale names its Sendcloud order ("VO-" + sale id, also the external reference):
before announcing, the order is looked up at Sendcloud, because an earlier attempt may have bought the
label and lost the answer (a timeout, a 502); then it is stored, not bought again. A sale's standing
shipment already stored is answered as it is. While one request works on a sale's label, another gets a
409 at once (a lock in Redis per sale, not a row lock on the sale: that would hold the sale's other edits
for as long as Sendcloud takes); the unique order number is the last guard if the lock was lost.
Nothing is half-stored: the label file is uploaded before the row is written, and deleted if the row is
not; a label that cannot be uploaded leaves no row (the retry finds the bought label at Sendcloud).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
import uuid
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.errors import (
    Conflict,
    InvalidField,
    InvalidFields,
    NotFound,
    ServiceUnavailable,
    UpstreamUnavailable,
)
from vinted_optimizer.kit.pagination import Before
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.storage import Storage
from vinted_optimizer.models import Sale, Shipment
from vinted_optimizer.sales import service as sales
from vinted_optimizer.shipments import labels, repository
from vinted_optimizer.shipments.account import Tools, ready
from vinted_optimizer.shipments.schemas import (
    BulkLabels,
    ShipmentCreate,
    ShipmentFilters,
    ShipmentFollow,
    ShipmentPage,
    ShipmentRead,
)
from vinted_optimizer.shipments.sendcloud import MIME_TYPES, FormatNotOffered, Sendcloud

log = structlog.get_logger(__name__)

ORDER_PREFIX = "VO-"
LOCK_SECONDS = 120  # longer than every Sendcloud call of one attempt together
EXTRA_FORMATS = ("zpl", "png")
EXTENSIONS = {"pdf": "pdf", "zpl": "zpl", "png": "png"}


class ShipmentNotFound(NotFound):
    default_detail = "Spedizione non trovata."


class SaleShipsNothing(Conflict):
    code = "sale_closed"
    default_detail = "Questa vendita è annullata o rimborsata: non si spedisce (campo sale_id)."


class ShipmentExists(Conflict):
    code = "shipment_exists"
    default_detail = "Questa vendita ha già una spedizione (campo sale_id)."


class LabelInProgress(Conflict):
    code = "label_in_progress"
    default_detail = (
        "L'etichetta di questa vendita è già in preparazione in un'altra richiesta: riprova tra qualche "
        "secondo."
    )

    def __init__(self) -> None:
        super().__init__(headers={"Retry-After": "5"})


class NoLabel(Conflict):
    code = "no_label"
    default_detail = (
        "Questa spedizione non ha un'etichetta: è seguita con il codice di un'altra etichetta (per esempio "
        "quella di Vinted)."
    )


class LabelNotSaved(ServiceUnavailable):
    default_detail = (
        "L'etichetta è stata acquistata ma non è stato possibile salvarla: riprova, verrà recuperata senza "
        "pagarla di nuovo."
    )


def order_number(sale_id: uuid.UUID) -> str:
    return ORDER_PREFIX + str(sale_id)


def label_key(family_id: uuid.UUID, sale_id: uuid.UUID) -> str:
    """One object per sale, named like its order: a retry after a transaction lost past the upload (the
    row never committed) writes the same object again, so no label is ever left behind unreferenced."""
    return f"labels/{family_id}/{order_number(sale_id)}.pdf"


def filename(shipment: Shipment, label_format: str) -> str:
    return f"etichetta-{shipment.tracking_code or shipment.id}.{EXTENSIONS[label_format]}"


# --- reading ---------------------------------------------------------------------------------------------


def _read(shipment: Shipment, sale: Sale | None) -> ShipmentRead:
    return ShipmentRead.model_validate(
        {
            **{column.key: getattr(shipment, column.key) for column in Shipment.__table__.columns},
            "title": sale.title if sale else "",
            "buyer_username": sale.buyer_username if sale else None,
            "label_formats": list(shipment.label_formats or []) if shipment.label_url else [],
            "events": shipment.tracking_events or [],
            "tracking_error": shipment.track17_error,
        }
    )


async def reads(session: AsyncSession, member: Member, shipments: Sequence[Shipment]) -> list[ShipmentRead]:
    found = await sales.by_ids(session, member.family_id, {s.sale_id for s in shipments})
    return [_read(shipment, found.get(shipment.sale_id)) for shipment in shipments]


async def read_one(session: AsyncSession, member: Member, shipment: Shipment) -> ShipmentRead:
    return (await reads(session, member, [shipment]))[0]


async def require(session: AsyncSession, member: Member, shipment_id: uuid.UUID) -> Shipment:
    shipment = await repository.get(session, member.family_id, shipment_id)
    if shipment is None:
        raise ShipmentNotFound()
    return shipment


async def by_tracking_code(session: AsyncSession, member: Member, code: str) -> Shipment:
    shipment = await repository.by_tracking_code(session, member.family_id, code.strip())
    if shipment is None:
        raise ShipmentNotFound("Nessuna spedizione della famiglia ha questo codice di tracciamento.")
    return shipment


async def search(session: AsyncSession, member: Member, filters: ShipmentFilters) -> ShipmentPage:
    shipments, total = await repository.search(session, member.family_id, filters)
    return ShipmentPage(
        items=await reads(session, member, shipments), total=total, limit=filters.limit, offset=filters.offset
    )


# --- buying a label ---------------------------------------------------------------------------------------


@asynccontextmanager
async def _sale_lock(tools: Tools, sale_id: uuid.UUID) -> AsyncIterator[None]:
    key, token = f"vo:shipments:label:{sale_id}", secrets.token_hex(8)
    if not await tools.redis.set(key, token, nx=True, ex=LOCK_SECONDS):
        raise LabelInProgress()
    try:
        yield
    finally:
        # Released only by its holder (an expired lock may already be someone else's).
        release = tools.redis.eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
            1,
            key,
            token,
        )
        await cast(Awaitable[Any], release)


def _announce_body(data: ShipmentCreate, sender: dict[str, Any], number: str) -> dict[str, Any]:
    parcel: dict[str, Any] = {"weight": {"value": f"{data.weight_kg:.3f}", "unit": "kg"}}
    if data.dimensions is not None:
        parcel["dimensions"] = {
            "length": f"{data.dimensions.length_cm}",
            "width": f"{data.dimensions.width_cm}",
            "height": f"{data.dimensions.height_cm}",
            "unit": "cm",
        }
    return {
        "from_address": sender,
        "to_address": data.to_address.model_dump(mode="json", exclude_none=True),
        "ship_with": {
            "type": "shipping_option_code",
            "properties": {"shipping_option_code": data.shipping_option_code},
        },
        "parcels": [parcel],
        "label_details": {"mime_type": "application/pdf", "dpi": 203},
        "order_number": number,
        "external_reference": number,
    }


async def _label_pdf(sendcloud: Sendcloud, found: dict[str, Any], parcel_id: str) -> bytes:
    encoded = found.get("label_file")
    if isinstance(encoded, str) and encoded:
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            log.warning("sendcloud.label_file_unreadable")
    return await sendcloud.label(parcel_id, "pdf")


async def _formats(sendcloud: Sendcloud, parcel_id: str) -> list[str]:
    """PDF, and the printer formats the carrier offers for this parcel (Sendcloud answers 406 otherwise;
    a format that could not be checked now is kept: its download asks again)."""
    offered = ["pdf"]
    for label_format in EXTRA_FORMATS:
        try:
            await sendcloud.label(parcel_id, label_format)
        except FormatNotOffered:
            continue
        except UpstreamUnavailable:
            pass
        except Exception:  # noqa: BLE001 - a probe never fails the purchase
            log.warning("sendcloud.format_probe_failed", format=label_format)
        offered.append(label_format)
    return offered


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value["value"])).quantize(Decimal("0.01")) if isinstance(value, dict) else None
    except (ArithmeticError, KeyError, ValueError):
        return None


async def _store(
    session: AsyncSession,
    member: Member,
    tools: Tools,
    sendcloud: Sendcloud,
    sale: Sale,
    data: ShipmentCreate,
    found: dict[str, Any],
) -> tuple[Shipment, bool]:
    parcel = (found.get("parcels") or [{}])[0]
    parcel_id = str(parcel.get("id"))
    pdf = await _label_pdf(sendcloud, found, parcel_id)
    formats = await _formats(sendcloud, parcel_id)
    shipment_id = uuid.uuid4()
    key = label_key(member.family_id, sale.id)
    try:
        await tools.storage.put(key, pdf, content_type="application/pdf")
    except Exception as error:
        log.exception("shipments.label_upload_failed", sale_id=str(sale.id))
        raise LabelNotSaved() from error
    carrier = found.get("carrier") or {}
    status = parcel.get("status") or {}
    shipment = Shipment(
        id=shipment_id,
        family_id=member.family_id,
        sale_id=sale.id,
        user_id=member.id,
        source="sendcloud",
        order_number=order_number(sale.id),
        carrier=carrier.get("name"),
        carrier_code=carrier.get("code"),
        shipping_option_code=data.shipping_option_code,
        tracking_code=parcel.get("tracking_number"),
        tracking_url=parcel.get("tracking_url"),
        label_url=key,
        label_formats=formats,
        shipping_cost=_money(found.get("price")),
        weight_kg=data.weight_kg,
        status="ready",
        status_message=status.get("message") if isinstance(status, dict) else None,
        status_at=datetime.now(UTC),
        sendcloud_shipment_id=str(found.get("id")),
        sendcloud_parcel_id=parcel_id,
        tracking_events=[],
    )
    try:
        async with session.begin_nested():
            session.add(shipment)
            await session.flush()
    except IntegrityError:
        # Stored meanwhile by a request that had lost the lock: that row is the shipment, and the object
        # under the same key is its label (the same parcel's): it stays.
        existing = await repository.by_order_number(session, order_number(sale.id))
        if existing is None:
            raise
        return existing, False
    except BaseException:
        await tools.storage.delete([key])
        raise
    await session.refresh(shipment)
    return shipment, True


async def create(
    session: AsyncSession, member: Member, data: ShipmentCreate, tools: Tools, context: RequestContext
) -> tuple[Shipment, bool]:
    """The sale's label, bought once: (shipment, True) when stored now, (shipment, False) when it was."""
    sale = await sales.require(session, member, data.sale_id)
    existing = await repository.standing_of_sale(session, member.family_id, sale.id)
    if existing is not None:
        if existing.source == "sendcloud":
            return existing, False
        raise ShipmentExists(
            f"Questa vendita è già seguita con il codice {existing.tracking_code} (campo sale_id)."
        )
    if sales.takes_no_parcel(sale):
        raise SaleShipsNothing()
    account = await ready(session, member, tools)
    assert account.sender is not None
    number = order_number(sale.id)
    async with _sale_lock(tools, sale.id), tools.sendcloud(account.keys) as sendcloud:
        stored = await repository.by_order_number(session, number)
        if stored is not None:  # committed by another request since the first look
            return stored, False
        found = await sendcloud.find(number)
        if found is None:
            body = _announce_body(data, account.sender.model_dump(mode="json", exclude_none=True), number)
            found = await sendcloud.announce(body)
        else:
            log.info("shipments.found_at_sendcloud", sale_id=str(sale.id))
        shipment, created = await _store(session, member, tools, sendcloud, sale, data, found)
    if created:
        await audit.record(
            session,
            "shipment.label_bought",
            context=context,
            user_id=member.id,
            family_id=member.family_id,
            resource_type="shipment",
            resource_id=shipment.id,
            metadata={"sale_id": str(sale.id), "option": data.shipping_option_code},
        )
    return shipment, created


async def follow(
    session: AsyncSession, member: Member, data: ShipmentFollow, context: RequestContext
) -> Shipment:
    sale = await sales.require(session, member, data.sale_id)
    existing = await repository.standing_of_sale(session, member.family_id, sale.id)
    if existing is not None:
        raise ShipmentExists(
            f"Questa vendita ha già una spedizione ({existing.tracking_code or 'senza codice'}): "
            "una sola per vendita (campo sale_id)."
        )
    if sales.takes_no_parcel(sale):
        raise SaleShipsNothing()
    shipment = Shipment(
        family_id=member.family_id,
        sale_id=sale.id,
        user_id=member.id,
        source="other",
        carrier=data.carrier,
        tracking_code=data.tracking_code,
        label_formats=[],
        status="ready",
        status_at=datetime.now(UTC),
        tracking_events=[],
    )
    session.add(shipment)
    await session.flush()
    await session.refresh(shipment)
    await audit.record(
        session,
        "shipment.followed",
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="shipment",
        resource_id=shipment.id,
        metadata={"sale_id": str(sale.id)},
    )
    return shipment


# --- labels --------------------------------------------------------------------------------------------


async def label(
    session: AsyncSession, member: Member, shipment: Shipment, label_format: str, tools: Tools
) -> tuple[bytes, str]:
    """The label's bytes and media type: the stored PDF, or ZPL/PNG from Sendcloud when the carrier has it."""
    if not shipment.label_url:
        raise NoLabel()
    if label_format == "pdf":
        return await tools.storage.get(shipment.label_url), MIME_TYPES["pdf"]
    refused = InvalidField(
        "format",
        f"Il corriere {shipment.carrier or ''} non offre l'etichetta in formato {label_format.upper()}: "
        f"scegli tra {', '.join(f.upper() for f in shipment.label_formats)}.".replace("  ", " "),
    )
    if label_format not in (shipment.label_formats or []) or not shipment.sendcloud_parcel_id:
        raise refused
    account = await ready(session, member, tools, sender=False)
    async with tools.sendcloud(account.keys) as sendcloud:
        try:
            return await sendcloud.label(shipment.sendcloud_parcel_id, label_format), MIME_TYPES[label_format]
        except FormatNotOffered:
            raise refused from None


async def merged_labels(session: AsyncSession, member: Member, data: BulkLabels, tools: Tools) -> bytes:
    ids = list(dict.fromkeys(data.shipment_ids))
    found = {s.id: s for s in await repository.many(session, member.family_id, ids)}
    missing = [shipment_id for shipment_id in ids if shipment_id not in found]
    if missing:
        raise ShipmentNotFound(
            f"Spedizioni non trovate: {', '.join(str(m) for m in missing)} (campo shipment_ids)."
        )
    without = [
        (f"shipment_ids.{data.shipment_ids.index(shipment_id)}", _no_label_message(found[shipment_id]))
        for shipment_id in ids
        if not found[shipment_id].label_url
    ]
    if without:
        raise InvalidFields(without)
    files = await asyncio.gather(*(tools.storage.get(str(found[i].label_url)) for i in ids))
    return await asyncio.to_thread(labels.merge, files, data.layout)


def _no_label_message(shipment: Shipment) -> str:
    return (
        f"La spedizione {shipment.tracking_code or shipment.id} non ha un'etichetta da stampare "
        "(è seguita con il codice di un'altra etichetta)."
    )


# --- Vinted's prepaid labels (the sales sync: vinted_link.sales_sync) -----------------------------------


async def needing_vinted_label(
    session: AsyncSession, family_id: uuid.UUID, sale_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """Which of these sales (in their order) have no parcel yet: no standing shipment (a label bought
    through Sendcloud, or a code entered by hand, means the member already took care of it)."""
    needing = []
    for sale_id in sale_ids:
        if await repository.standing_of_sale(session, family_id, sale_id) is None:
            needing.append(sale_id)
    return needing


async def attach_vinted_label(
    session: AsyncSession,
    storage: Storage,
    *,
    family_id: uuid.UUID,
    sale_id: uuid.UUID,
    user_id: uuid.UUID,
    pdf: bytes,
    carrier: str | None,
    tracking_code: str | None,
) -> Shipment | None:
    """Vinted's prepaid label of a synced sale, stored like a Sendcloud label (``label_key``, PDF), so the
    merged printing covers it, on a new shipment (source "vinted", followed through 17TRACK by its tracking
    code like a hand-entered one). A sale that already has a parcel (a Sendcloud label, a code entered by
    hand) keeps it, and a sale that ships nothing gets none. The file is stored before the row is
    written, and deleted if the row is not."""
    found = await sales.by_ids(session, family_id, {sale_id})
    sale = found.get(sale_id)
    if sale is None or sales.takes_no_parcel(sale):
        return None
    existing = await repository.standing_of_sale(session, family_id, sale_id)
    if existing is not None:
        return existing
    key = label_key(family_id, sale_id)
    await storage.put(key, pdf, content_type="application/pdf")
    shipment = Shipment(
        family_id=family_id,
        sale_id=sale_id,
        user_id=user_id,
        source="vinted",
        carrier=carrier[:60] if carrier else "Vinted",
        tracking_code=tracking_code[:80] if tracking_code else None,
        label_url=key,
        label_formats=["pdf"],
        status="ready",
        status_at=datetime.now(UTC),
        tracking_events=[],
    )
    try:
        async with session.begin_nested():
            session.add(shipment)
            await session.flush()
    except BaseException:
        await storage.delete([key])
        raise
    await session.refresh(shipment)
    await audit.record(
        session,
        "shipment.vinted_label",
        context=None,
        user_id=user_id,
        family_id=family_id,
        resource_type="shipment",
        resource_id=shipment.id,
        metadata={"sale_id": str(sale_id)},
    )
    return shipment


# --- for the assistant (chat) -----------------------------------------------------------------------


async def status_counts(
    session: AsyncSession, family_id: uuid.UUID, member_id: uuid.UUID | None = None
) -> dict[str, int]:
    """The family's parcels per status (or those whose label one member bought)."""
    return await repository.status_counts(session, family_id, member_id)


async def with_statuses(
    session: AsyncSession,
    family_id: uuid.UUID,
    member_id: uuid.UUID | None,
    statuses: Sequence[str],
    limit: int = 10,
) -> Sequence[Shipment]:
    """The family's parcels in one of ``statuses``, the latest news first."""
    return await repository.with_statuses(session, family_id, member_id, statuses, limit)


# --- for the home page (dashboard) ----------------------------------------------------------------------


async def overview_counts(session: AsyncSession, family_id: uuid.UUID, since: datetime) -> dict[str, int]:
    """{"in_transit": parcels on their way (ready, in transit, out for delivery, at a pick-up point),
    "trouble": parcels whose trouble status (failed delivery, exception, returned, expired) came since}."""
    return await repository.overview_counts(session, family_id, since)


async def in_trouble(
    session: AsyncSession, family_id: uuid.UUID, since: datetime, limit: int
) -> list[dict[str, Any]]:
    """The parcels in trouble since ``since``, the latest news first: id, sale_id, status, tracking_code,
    status_at."""
    return [dict(row._mapping) for row in await repository.in_trouble(session, family_id, since, limit)]


async def activity(
    session: AsyncSession, family_id: uuid.UUID, before: Before | None, limit: int
) -> list[dict[str, Any]]:
    """Feed items of the family's parcels (delivered, in trouble), newest first, at most ``limit`` of each:
    key, at, id, sale_id, status."""
    return await repository.activity(session, family_id, before, limit)
