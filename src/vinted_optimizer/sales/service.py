"""Sales rules: record a sale by hand, its transaction life, the figures, the export.

This domain owns the sales table. A sale's listing belongs to ``listings``: marking it sold and putting
it back on sale go through ``listings.service``. What counts in a figure: only sales that still stand —
cancelled and refunded sales brought no money and count nowhere (they still appear in the list and in
the export, with their status, outside the totals).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vinted_optimizer.audit import service as audit
from vinted_optimizer.kit.context import RequestContext
from vinted_optimizer.kit.errors import Conflict, InvalidField, NotFound
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.kit.pagination import Before
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import AfterCommit
from vinted_optimizer.listings import service as listings
from vinted_optimizer.models import Sale
from vinted_optimizer.notifications import service as notifications
from vinted_optimizer.sales import formats, repository
from vinted_optimizer.sales.repository import Window
from vinted_optimizer.sales.schemas import (
    ExportQuery,
    GroupTotals,
    SaleCreate,
    SaleFilters,
    SalePage,
    SaleRange,
    SaleRead,
    SaleScope,
    SaleStats,
    SaleUpdate,
    Totals,
    VintedSale,
)
from vinted_optimizer.users import service as users
from vinted_optimizer.vocabulary import SALE_STATUSES

ROME = ZoneInfo("Europe/Rome")
# A phone's clock a little ahead is not "the future".
CLOCK_SKEW = timedelta(minutes=5)
EXPORT_BATCH = 500
TOP_GROUPS = 10

# Vinted's transaction life: paid → shipped → delivered → completed; cancelled before delivery; refunded
# after it (a return). Cancelled and refunded are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered", "cancelled"}),
    "delivered": frozenset({"completed", "refunded"}),
    "completed": frozenset({"refunded"}),
    "cancelled": frozenset(),
    "refunded": frozenset(),
}
GIVES_BACK = frozenset({"cancelled", "refunded"})


def next_of(sale: Sale) -> list[str]:
    """The statuses the sale may move to, forward steps first (the vocabulary's order)."""
    allowed = TRANSITIONS.get(sale.status, frozenset())
    return [status for status in SALE_STATUSES if status in allowed]


STATUS_WORDS_IT = {key: value.lower() for key, value in formats.STATUS_IT.items()}
STATS_NOTE = (
    "Le cifre contano solo le vendite valide: quelle annullate o rimborsate sono escluse. L'utile netto "
    "è il prezzo meno le commissioni di Vinted, il costo d'acquisto e la spedizione pagata da te. "
    "La percentuale di vendita confronta gli annunci venduti con quelli messi in vendita, oggi."
)


class SaleNotFound(NotFound):
    default_detail = "Vendita non trovata."


class ListingAlreadySold(Conflict):
    default_detail = "Questo annuncio è già venduto: un annuncio si vende una volta sola (campo listing_id)."


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_detail = "Questo cambio di stato non è consentito (campo status)."


class SaleClosed(Conflict):
    code = "sale_closed"
    default_detail = "Una vendita annullata o rimborsata non si modifica più."


def _instant(value: datetime) -> datetime:
    """A time without a zone is Italian time; a time in the future is refused."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=ROME)
    if aware > datetime.now(UTC) + CLOCK_SKEW:
        raise InvalidField("sold_at", "La data di vendita non può essere nel futuro.")
    return aware.astimezone(UTC)


def window(member: Member, filters: SaleRange) -> Window:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidField("date_from", "La data iniziale è dopo la data finale.")

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=ROME).astimezone(UTC)

    extra: dict[str, Any] = {}
    if isinstance(filters, SaleScope):
        extra = {"statuses": filters.status, "category": filters.category, "brand": filters.brand}
    if isinstance(filters, SaleFilters):
        extra["listing_id"] = filters.listing_id
    return Window(
        family_id=member.family_id,
        start=start_of(filters.date_from) if filters.date_from else None,
        end=start_of(filters.date_to + timedelta(days=1)) if filters.date_to else None,
        member=filters.member,
        **extra,
    )


async def _reads(session: AsyncSession, sales: Sequence[Sale]) -> list[SaleRead]:
    names = await users.usernames(session, {sale.user_id for sale in sales})
    return [
        SaleRead.model_validate(
            {**_columns(sale), "seller_username": names.get(sale.user_id, ""), "next_statuses": next_of(sale)}
        )
        for sale in sales
    ]


def _columns(sale: Sale) -> dict[str, Any]:
    return {column.key: getattr(sale, column.key) for column in Sale.__table__.columns}


async def read_one(session: AsyncSession, sale: Sale) -> SaleRead:
    return (await _reads(session, [sale]))[0]


async def require(
    session: AsyncSession, member: Member, sale_id: uuid.UUID, *, for_update: bool = False
) -> Sale:
    sale = await repository.get(session, member.family_id, sale_id, for_update=for_update)
    if sale is None:
        raise SaleNotFound()
    return sale


async def search(session: AsyncSession, member: Member, filters: SaleFilters) -> SalePage:
    sales, total = await repository.search(session, window(member, filters), filters)
    return SalePage(
        items=await _reads(session, sales), total=total, limit=filters.limit, offset=filters.offset
    )


async def record(
    session: AsyncSession, member: Member, data: SaleCreate, context: RequestContext, jobs: AfterCommit
) -> Sale:
    """A sale recorded by hand: the listing (the family's, not sold yet) becomes sold, its purchase cost,
    title, category and brand are copied onto the sale. The family is notified (its feed, and an e-mail
    to the members who want one) and its dashboards hear ``sale.recorded``, once the sale is committed."""
    sold_at = _instant(data.sold_at) if data.sold_at is not None else datetime.now(UTC)
    try:
        # A listing the sales sync saw sold in the wardrobe (its order not read yet) may be recorded by
        # hand; a listing with a standing sale may not (checked below).
        listing, before = await listings.mark_sold(session, member, data.listing_id, sold_on_vinted=True)
    except listings.AlreadySold as error:
        raise ListingAlreadySold() from error
    if await repository.standing_sale_of(session, listing.id) is not None:
        raise ListingAlreadySold()
    sale = Sale(
        family_id=member.family_id,
        listing_id=listing.id,
        user_id=listing.user_id,
        buyer_username=data.buyer_username,
        sale_price=data.sale_price,
        vinted_fees=data.vinted_fees,
        shipping_cost=data.shipping_cost,
        purchase_cost=listing.purchase_cost or Decimal("0.00"),
        title=listing.title,
        category=listing.category,
        brand=listing.brand,
        listed_at=listing.created_at,
        listing_status_before=before,
        status="pending",
        sold_at=sold_at,
    )
    session.add(sale)
    await session.flush()
    await session.refresh(sale)
    await audit.record(
        session,
        "sale.recorded",
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="sale",
        resource_id=sale.id,
        metadata={"listing_id": str(listing.id), "sale_price": str(sale.sale_price)},
    )
    await _announce(session, sale, jobs)
    return sale


# The notification's title keeps its price: a long listing title is shortened first (the column holds 200).
NOTE_TITLE_MAX = 150


def euro(amount: Decimal) -> str:
    """An amount as Italians write it: 1.234,50 €."""
    return f"{amount:,.2f}".translate(str.maketrans(",.", ".,")) + " €"


async def _announce(session: AsyncSession, sale: Sale, jobs: AfterCommit) -> None:
    title = sale.title if len(sale.title) <= NOTE_TITLE_MAX else sale.title[: NOTE_TITLE_MAX - 1] + "…"
    ids = {"sale_id": str(sale.id), "listing_id": str(sale.listing_id) if sale.listing_id else None}
    notification_id = await notifications.notify(
        session,
        notifications.Note(
            family_id=sale.family_id,
            kind="sale_recorded",
            title=f"Venduto: {title} a {euro(sale.sale_price)}",
            body=f"Acquirente: {sale.buyer_username}." if sale.buyer_username else "",
            dedupe_key=f"sale_recorded:{sale.id}",
            user_id=sale.user_id,
            data=ids,
        ),
    )
    if notification_id is not None:
        jobs.enqueue_after_commit(
            notifications.SEND_JOB, str(notification_id), job_id=notifications.send_job_id(notification_id)
        )
    jobs.publish_after_commit(sale.family_id, EventType.sale_recorded, ids)


async def update(
    session: AsyncSession, member: Member, sale: Sale, data: SaleUpdate, context: RequestContext
) -> Sale:
    changes = data.model_dump(exclude_unset=True)
    for name in ("sale_price", "vinted_fees", "shipping_cost", "sold_at"):
        if name in changes and changes[name] is None:
            raise InvalidField(name, "Questo campo non può essere vuoto.")
    if sale.status in GIVES_BACK:
        raise SaleClosed()
    status = changes.pop("status", None)
    if status is not None and status != sale.status and status not in TRANSITIONS[sale.status]:
        raise TransitionNotAllowed(
            f"Una vendita {STATUS_WORDS_IT[sale.status]} non può diventare "
            f"«{STATUS_WORDS_IT[status]}» (campo status)."
        )
    if "sold_at" in changes:
        changes["sold_at"] = _instant(changes["sold_at"])
    before = {name: str(getattr(sale, name)) for name in (*changes, "status")}
    for name, value in changes.items():
        setattr(sale, name, value)
    if status is not None and status != sale.status:
        sale.status = status
        if status in GIVES_BACK and sale.listing_id is not None:
            await listings.put_back_on_sale(
                session, member.family_id, sale.listing_id, sale.listing_status_before
            )
    await session.flush()
    await session.refresh(sale)
    await audit.record(
        session,
        "sale.updated",
        context=context,
        user_id=member.id,
        family_id=member.family_id,
        resource_type="sale",
        resource_id=sale.id,
        metadata={"before": before, "after": {name: str(getattr(sale, name)) for name in before}},
    )
    return sale


# --- figures ------------------------------------------------------------------------------------------


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _totals(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "sales": int(row["sales"]),
        **{name: _money(row[name]) for name in ("revenue", "vinted_fees", "purchase_cost", "shipping_cost")},
        "net_profit": _money(row["net_profit"]),
        "average_price": _money(row["average_price"]),
        "average_days_to_sell": _money(row["average_days_to_sell"]),
    }


async def stats(session: AsyncSession, member: Member, filters: SaleScope) -> SaleStats:
    scope = window(member, filters)
    groups: dict[str, list[GroupTotals]] = {}
    for group in ("category", "brand", "member", "month"):
        rows = await repository.figures_by(
            session, scope, group, TOP_GROUPS if group in ("category", "brand") else None
        )
        groups[group] = [GroupTotals(key=row["key"], label=row["key"], **_totals(row)) for row in rows]
    names = await users.usernames(session, {uuid.UUID(g.key) for g in groups["member"] if g.key})
    for entry in groups["member"]:
        entry.label = names.get(uuid.UUID(entry.key), entry.key) if entry.key else None
    sold, offered = await listings.sell_through(session, member.family_id, filters.member)
    return SaleStats(
        date_from=filters.date_from,
        date_to=filters.date_to,
        note=STATS_NOTE,
        totals=Totals(**_totals(await repository.figures(session, scope))),
        sell_through_rate=(Decimal(sold) / Decimal(offered)).quantize(Decimal("0.0001")) if offered else None,
        categories=groups["category"],
        brands=groups["brand"],
        members=groups["member"],
        months=groups["month"],
    )


# --- export ------------------------------------------------------------------------------------------


def export_filename(query: ExportQuery) -> str:
    start = query.date_from.isoformat() if query.date_from else "inizio"
    end = query.date_to.isoformat() if query.date_to else date.today().isoformat()
    return f"vendite_{start}_{end}.{query.format}"


async def _batches(
    sessionmaker: async_sessionmaker[AsyncSession], scope: Window, sort: str
) -> AsyncIterator[list[formats.ExportRow]]:
    async with sessionmaker() as session:
        names: dict[uuid.UUID, str] = {}
        async for batch in repository.stream(session, scope, sort, EXPORT_BATCH):
            rows = list(batch)
            missing = {sale.user_id for sale in rows} - names.keys()
            if missing:
                names |= await users.usernames(session, missing)
            yield [
                formats.ExportRow(
                    sold_at=sale.sold_at,
                    title=sale.title,
                    category=sale.category,
                    brand=sale.brand,
                    seller=names.get(sale.user_id, ""),
                    buyer=sale.buyer_username,
                    status=sale.status,
                    sale_price=sale.sale_price,
                    vinted_fees=sale.vinted_fees,
                    purchase_cost=sale.purchase_cost,
                    shipping_cost=sale.shipping_cost,
                    net_profit=sale.net_profit,
                )
                for sale in rows
            ]


def export(
    sessionmaker: async_sessionmaker[AsyncSession], member: Member, query: ExportQuery
) -> AsyncIterator[bytes]:
    """The file's bytes, batch by batch, on a session of its own (the response outlives the request's).
    The filters are checked here, before the response starts."""
    scope = window(member, query)
    sort = query.sort if query.sort.lstrip("-") == "sold_at" else "sold_at"
    return _csv(sessionmaker, scope, sort) if query.format == "csv" else _xlsx(sessionmaker, scope, sort)


async def _csv(
    sessionmaker: async_sessionmaker[AsyncSession], scope: Window, sort: str
) -> AsyncIterator[bytes]:
    writer = formats.CsvWriter()
    yield writer.head()
    async for rows in _batches(sessionmaker, scope, sort):
        yield writer.rows(rows)
    yield writer.tail()


async def _xlsx(
    sessionmaker: async_sessionmaker[AsyncSession], scope: Window, sort: str
) -> AsyncIterator[bytes]:
    writer = await asyncio.to_thread(formats.XlsxWriter)
    try:
        async for rows in _batches(sessionmaker, scope, sort):
            await asyncio.to_thread(writer.rows, rows)
        chunks = await asyncio.to_thread(lambda: iter(writer.finish()))
        while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
            yield chunk
    finally:
        writer.discard()


# --- the parcel's effect on the sale -------------------------------------------------------------------

# A parcel moving means the sale shipped; a parcel delivered means it was delivered. Only forward, and
# never a sale the member closed or completed (cancelled, refunded, completed).
PARCEL_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "in_transit": (frozenset({"pending"}), "shipped"),
    "out_for_delivery": (frozenset({"pending"}), "shipped"),
    "pickup": (frozenset({"pending"}), "shipped"),
    "delivered": (frozenset({"pending", "shipped"}), "delivered"),
}


async def follow_parcel(
    session: AsyncSession, family_id: uuid.UUID, sale_id: uuid.UUID, parcel_status: str
) -> Sale | None:
    """What the sale's parcel reports (shipments.progress): a parcel on its way moves a pending sale to
    shipped, a delivered one moves a pending or shipped sale to delivered, with an audit entry (no member:
    the carrier said so). The sale, moved or not; None when the family has no such sale."""
    sale = await repository.get(session, family_id, sale_id, for_update=True)
    if sale is None:
        return None
    move = PARCEL_MOVES.get(parcel_status)
    if move is None or sale.status not in move[0]:
        return sale
    before = sale.status
    sale.status = move[1]
    await session.flush()
    await audit.record(
        session,
        "sale.parcel_progress",
        context=None,
        family_id=family_id,
        resource_type="sale",
        resource_id=sale.id,
        metadata={"before": before, "after": sale.status, "parcel_status": parcel_status},
    )
    return sale


# --- for shipments ------------------------------------------------------------------------------------


async def by_ids(
    session: AsyncSession, family_id: uuid.UUID, sale_ids: set[uuid.UUID]
) -> dict[uuid.UUID, Sale]:
    """The family's sales among ``sale_ids`` (a page of shipments shows each sale's title and buyer)."""
    return {sale.id: sale for sale in await repository.many(session, family_id, sale_ids)}


def takes_no_parcel(sale: Sale) -> bool:
    """A cancelled or refunded sale ships nothing: no label is bought for it."""
    return sale.status in GIVES_BACK


# --- synced from Vinted (vinted_link.sales_sync) --------------------------------------------------------

KNOWN_TRANSACTIONS_MAX = 5000
# Vinted's forward life: a synced sale only moves forward along it (or to cancelled/refunded where
# TRANSITIONS allows), never back because of a stale order list.
FORWARD: tuple[str, ...] = ("pending", "shipped", "delivered", "completed")
SyncChange = Literal["created", "adopted", "updated", "unchanged", "skipped"]


def keep_merge(kept: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What Vinted said before stays: a key already kept keeps its value (objects merged the same way),
    a new key is added. A later, poorer answer (Vinted drops order details after some weeks) takes
    nothing away; an empty value kept is filled."""
    merged = dict(kept)
    for key, value in new.items():
        if merged.get(key) in (None, "", [], {}):
            if value not in (None, "", [], {}):
                merged[key] = value
            else:
                merged.setdefault(key, value)
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = keep_merge(merged[key], value)
    return merged


def _moves_forward(current: str, new: str) -> bool:
    if current in GIVES_BACK or new == current:
        return False
    if new in GIVES_BACK:
        return new in TRANSITIONS[current]
    return new in FORWARD and current in FORWARD and FORWARD.index(new) > FORWARD.index(current)


async def vinted_transaction_ids(session: AsyncSession, family_id: uuid.UUID) -> list[int]:
    """The family's recorded Vinted transactions (the sync does not fetch their details again)."""
    ids = await repository.vinted_transaction_ids(session, family_id, KNOWN_TRANSACTIONS_MAX)
    return [int(value) for value in ids if value.isdigit()]


async def follow_vinted(
    session: AsyncSession, family_id: uuid.UUID, transaction_id: str, status: str, vinted_data: dict[str, Any]
) -> tuple[Sale | None, SyncChange]:
    """A recorded transaction seen again in the order list: what Vinted said merged in (never over what
    is kept), the status moved forward only. (None, "skipped") when the family has no such sale."""
    sale = await repository.by_vinted_transaction(session, family_id, transaction_id, for_update=True)
    if sale is None:
        return None, "skipped"
    return sale, await _follow(session, sale, status, vinted_data)


async def _follow(session: AsyncSession, sale: Sale, status: str, vinted_data: dict[str, Any]) -> SyncChange:
    changed = False
    merged = keep_merge(sale.vinted_data or {}, vinted_data)
    if merged != (sale.vinted_data or {}):
        sale.vinted_data = merged
        changed = True
    before = sale.status
    if _moves_forward(before, status):
        sale.status = status
        changed = True
        if status in GIVES_BACK and sale.listing_id is not None:
            await listings.put_back_on_sale(
                session, sale.family_id, sale.listing_id, sale.listing_status_before
            )
        await audit.record(
            session,
            "sale.vinted_status",
            context=None,
            family_id=sale.family_id,
            resource_type="sale",
            resource_id=sale.id,
            metadata={"before": before, "after": status, "vinted": str(sale.vinted_transaction_id)},
        )
    if changed:
        await session.flush()
    return "updated" if changed else "unchanged"


async def record_from_vinted(
    session: AsyncSession, member: Member, data: VintedSale, jobs: AfterCommit
) -> tuple[Sale | None, SyncChange]:
    """A sale the sync read from Vinted, recorded once: its transaction id is the key (a second sync finds
    it and only merges and moves it forward); a sale of the same listing recorded by hand is that sale,
    now tied to its transaction (not a second one). Otherwise the listing is marked sold and the sale
    recorded with Vinted's price, status, buyer and answer. A new sale still to ship is announced like
    one recorded by hand; older ones (a first sync reads months of orders) are not."""
    family_id = member.family_id
    found = await repository.by_vinted_transaction(session, family_id, data.transaction_id, for_update=True)
    if found is not None:
        return found, await _follow(session, found, data.status, data.vinted_data)
    standing_id = await repository.standing_sale_of(session, data.listing_id)
    if standing_id is not None:
        standing = await repository.get(session, family_id, standing_id, for_update=True)
        if standing is None or standing.vinted_transaction_id is not None:
            return standing, "skipped"  # the listing's sale is another transaction's: left alone
        standing.vinted_transaction_id = data.transaction_id
        standing.buyer_username = standing.buyer_username or data.buyer_username
        await _follow(session, standing, data.status, data.vinted_data)
        await audit.record(
            session,
            "sale.vinted_matched",
            context=None,
            family_id=family_id,
            resource_type="sale",
            resource_id=standing.id,
            metadata={"vinted": data.transaction_id},
        )
        return standing, "adopted"
    try:
        listing, before = await listings.mark_sold(session, member, data.listing_id, sold_on_vinted=True)
    except listings.AlreadySold:
        return None, "skipped"
    sale = Sale(
        family_id=family_id,
        listing_id=listing.id,
        user_id=listing.user_id,
        buyer_username=data.buyer_username,
        sale_price=data.sale_price,
        vinted_fees=Decimal("0.00"),  # Italy: the buyer pays Vinted's fee, the seller none
        purchase_cost=listing.purchase_cost or Decimal("0.00"),
        title=listing.title,
        category=listing.category,
        brand=listing.brand,
        listed_at=listing.created_at,
        listing_status_before=before,
        status=data.status,
        vinted_transaction_id=data.transaction_id,
        vinted_data=data.vinted_data,
        sold_at=min(data.sold_at, datetime.now(UTC)),
    )
    session.add(sale)
    await session.flush()
    await session.refresh(sale)
    if data.status in GIVES_BACK:
        await listings.put_back_on_sale(session, family_id, listing.id, before)
    await audit.record(
        session,
        "sale.synced",
        context=None,
        user_id=member.id,
        family_id=family_id,
        resource_type="sale",
        resource_id=sale.id,
        metadata={"listing_id": str(listing.id), "vinted": data.transaction_id, "status": data.status},
    )
    if data.status == "pending":
        await _announce(session, sale, jobs)
    return sale, "created"


async def awaiting_vinted_label(
    session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID, limit: int
) -> list[Sale]:
    """The member's synced sales still to ship whose Vinted transaction has a shipment (Vinted's prepaid
    label), newest first."""
    return list(
        await repository.synced_with_vinted_shipment(session, family_id, user_id, ("pending",), limit)
    )


async def best_sellers(
    session: AsyncSession, member: Member, filters: SaleScope, group: Literal["brand", "category"]
) -> list[GroupTotals]:
    """Every brand (or category) of the scope's standing sales, the most sold first, then by revenue."""
    rows = await repository.figures_by(session, window(member, filters), group)
    groups = [GroupTotals(key=row["key"], label=row["key"], **_totals(row)) for row in rows]
    return sorted(groups, key=lambda g: (-g.sales, -g.revenue, g.key or ""))


async def totals(session: AsyncSession, member: Member, filters: SaleScope) -> Totals:
    """The scope's figures alone (one query): what ``stats`` totals, without its groups."""
    return Totals(**_totals(await repository.figures(session, window(member, filters))))


# --- for the home page (dashboard) ----------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """The instant an Italian calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=ROME).astimezone(UTC)


async def series(
    session: AsyncSession, member: Member, filters: SaleRange, group: Literal["week", "month"]
) -> list[dict[str, Any]]:
    """Per week (from Monday) or month, Italian time, in order: {"period": date, "sales", "revenue",
    "net_profit"} of the range's standing sales; periods without sales are absent."""
    rows = await repository.series(session, window(member, filters), group)
    return [
        {
            "period": row["period"].date(),
            "sales": int(row["sales"]),
            "revenue": _money(row["revenue"]),
            "net_profit": _money(row["net_profit"]),
        }
        for row in rows
    ]


async def periods(
    session: AsyncSession, family_id: uuid.UUID, ranges: dict[str, tuple[date, date]]
) -> dict[str, dict[str, Any]]:
    """Count, revenue and net profit of the family's standing sales in each named range of Italian days
    (both ends included), in one query."""
    instants = {
        name: (day_start(start), day_start(end + timedelta(days=1))) for name, (start, end) in ranges.items()
    }
    found = await repository.periods(session, family_id, instants)
    return {
        name: {
            "sales": int(row["sales"]),
            "revenue": _money(row["revenue"]),
            "net_profit": _money(row["net_profit"]),
        }
        for name, row in found.items()
    }


async def breakdown(
    session: AsyncSession,
    member: Member,
    filters: SaleRange,
    group: Literal["category", "brand", "member"],
    limit: int | None = None,
) -> list[GroupTotals]:
    """The range's figures per category, brand or member (member: the key is the user id), the best
    revenue first; the sales without a category or brand are a group of their own (key None)."""
    rows = await repository.figures_by(session, window(member, filters), group, limit, empty=True)
    return [GroupTotals(key=row["key"], label=row["key"], **_totals(row)) for row in rows]


async def titles(
    session: AsyncSession, family_id: uuid.UUID, sale_ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The titles of the family's sales among ``sale_ids`` (the listing's title when it sold)."""
    return await repository.titles(session, family_id, sale_ids)


async def sale_times(session: AsyncSession, family_id: uuid.UUID) -> list[tuple[int, int, int]]:
    """(ISO weekday 1–7, hour 0–23, standing sales) of the family, Italian time."""
    rows = await repository.sale_times(session, family_id)
    return [(int(row["weekday"]), int(row["hour"]), int(row["sales"])) for row in rows]


async def activity(
    session: AsyncSession, family_id: uuid.UUID, before: Before | None, limit: int
) -> list[dict[str, Any]]:
    """The family's sales as feed items, newest first: key, at, id, user_id, title, sale_price."""
    return [dict(row._mapping) for row in await repository.activity(session, family_id, before, limit)]
