"""The member's context, from the database: their latest listings and sales, this month's and this
year's figures, their parcels on the way and the market's trends for what the family sells, as passages
the answer may use and cite (each with its dashboard link).

Everything is read through the owning domains' services with the member's family, so another family's
rows cannot appear. What members and buyers typed (titles, descriptions, usernames) and what was scraped
from the market goes into a passage's ``text`` only: data for the model, never instructions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.chat.numbers import IN_TRANSIT, euro
from vinted_optimizer.chat.questions import italian_date, month_label
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.listings import service as listings
from vinted_optimizer.sales import service as sales
from vinted_optimizer.sales.schemas import SaleFilters, SaleScope
from vinted_optimizer.shipments import service as shipments
from vinted_optimizer.trends import service as trends
from vinted_optimizer.vocabulary import SHIPMENT_STATUS_IT

LISTINGS = 8
SALES = 5
PARCELS = 5
TRENDS = 5
DESCRIPTION_CHARS = 300


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


async def _listings(session: AsyncSession, member: Member) -> list[Passage]:
    rows = await listings.latest(session, member.family_id, member.id, LISTINGS)
    passages = []
    for row in rows:
        facts = [f for f in (row.brand, row.category, row.size, row.condition) if f]
        price = f"prezzo {euro(row.price)}" if row.price is not None else "senza prezzo"
        passages.append(
            Passage(
                id=f"listing:{row.id}",
                kind="listing",
                title=f"Annuncio «{_clip(row.title or 'senza titolo', 60)}»",
                text=f"{row.title}. {', '.join(facts)}; {price}; stato {row.status}. "
                f"{_clip(row.description or '', DESCRIPTION_CHARS)}".strip(),
                link=f"/annunci?id={row.id}",
            )
        )
    return passages


async def _sales(session: AsyncSession, member: Member) -> list[Passage]:
    page = await sales.search(session, member, SaleFilters(member=member.id, limit=SALES))
    return [
        Passage(
            id=f"sale:{sale.id}",
            kind="sale",
            title=f"Vendita «{_clip(sale.title or 'articolo', 60)}»",
            text=f"Venduto «{sale.title}» il {italian_date(sale.sold_at.date())} per {euro(sale.sale_price)} "
            f"(netto {euro(sale.net_profit)}), acquirente {sale.buyer_username or 'sconosciuto'}, "
            f"stato {sale.status}.",
            link=f"/vendite?id={sale.id}",
        )
        for sale in page.items
    ]


async def _figures(session: AsyncSession, member: Member, today: date) -> list[Passage]:
    passages = []
    spans = (
        ("month", today.replace(day=1), f"questo mese ({month_label(today.month, today.year)})"),
        ("year", date(today.year, 1, 1), f"quest'anno ({today.year})"),
    )
    for key, start, label in spans:
        t = await sales.totals(session, member, SaleScope(date_from=start, date_to=today, member=member.id))
        passages.append(
            Passage(
                id=f"fact:my_sales_{key}",
                kind="fact",
                title=f"Le tue vendite {label}",
                text=f"Le tue vendite {label}: {t.sales}; incasso {euro(t.revenue)}; guadagno netto "
                f"{euro(t.net_profit)}.",
                link=f"/vendite?dal={start.isoformat()}&al={today.isoformat()}",
            )
        )
    return passages


async def _parcels(session: AsyncSession, member: Member) -> list[Passage]:
    rows = await shipments.with_statuses(session, member.family_id, member.id, IN_TRANSIT, PARCELS)
    return [
        Passage(
            id=f"shipment:{row.id}",
            kind="shipment",
            title=f"Spedizione {row.tracking_code or row.order_number or ''}".strip(),
            text=f"Pacco {row.carrier or ''} {row.tracking_code or ''}: "
            f"{SHIPMENT_STATUS_IT.get(row.status, row.status)}"  # type: ignore[call-overload]
            + (f" ({_clip(row.status_message, 120)})" if row.status_message else "")
            + ".",
            link=f"/spedizioni?id={row.id}",
        )
        for row in rows
    ]


def _price(value: Decimal | None) -> str:
    return euro(value) if value is not None else "n.d."


async def _trends(session: AsyncSession, member: Member) -> list[Passage]:
    chosen = await trends.follows(session, member, await listings.market_profile(session, member))
    current = await trends.current(session, chosen)
    return [
        Passage(
            id=f"trend:{row.category_id}",
            kind="trend",
            title=f"Tendenza: {_clip(row.category_name, 60)}",
            text=f"Mercato di {row.category_name}: {row.total_items} annunci, prezzo mediano "
            f"{_price(row.median_price)} (da {_price(row.q1_price)} a {_price(row.q3_price)}).",
            link=f"/tendenze?categoria={row.category_id}",
        )
        for row in current.items[:TRENDS]
    ]


async def passages(session: AsyncSession, member: Member, today: date) -> list[Passage]:
    """The member's context, most telling first: figures, parcels, sales, listings, trends."""
    return [
        *await _figures(session, member, today),
        *await _parcels(session, member),
        *await _sales(session, member),
        *await _listings(session, member),
        *await _trends(session, member),
    ]
