"""The home page's figures (Panoramica): the overview and the charts' analytics, composed from the owning
domains' services. The family's activity feed is in ``activity``, the suggestions in ``suggestions``.

This domain has no table and no query of its own: listings, sales (and DAC7), shipments, trends and users
each answer for their own rows, in a few aggregated queries each; this module puts their answers
together. Months and weeks are Italian calendar time, as sales counts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.dashboard.schemas import (
    STALE_AFTER_DAYS,
    Analytics,
    AnalyticsQuery,
    Breakdown,
    DraftCounts,
    ListingCounts,
    MemberAnalytics,
    MonthComparison,
    Overview,
    ParcelCounts,
    PeriodFigures,
    PriceAgainstMarket,
    SeriesPoint,
    StaleListing,
    TroubleParcel,
)
from vinted_optimizer.kit.errors import InvalidField
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.signing import UrlSigner
from vinted_optimizer.listings import service as listings
from vinted_optimizer.sales import dac7
from vinted_optimizer.sales import service as sales
from vinted_optimizer.sales.schemas import GroupTotals, SaleScope
from vinted_optimizer.shipments import service as shipments
from vinted_optimizer.trends import service as trends
from vinted_optimizer.users import service as users
from vinted_optimizer.vocabulary import SHIPMENT_STATUS_IT

ROME = ZoneInfo("Europe/Rome")
ZERO = Decimal("0.00")
TROUBLE_DAYS = 30
OVERVIEW_LIST_MAX = 5
TOP_GROUPS = 10
DEFAULT_PERIODS = 12
RANGE_MAX_DAYS = 3660
NO_CATEGORY = "Senza categoria"
NO_BRAND = "Senza marca"


def _now() -> datetime:
    return datetime.now(UTC)


def _change(this: Decimal, last: Decimal) -> Decimal | None:
    if last <= 0:
        return None
    return (this / last - 1).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _figures(start: date, end: date, row: dict[str, Any]) -> PeriodFigures:
    return PeriodFigures(
        date_from=start, date_to=end, sales=row["sales"], revenue=row["revenue"], profit=row["net_profit"]
    )


# --- overview -------------------------------------------------------------------------------------------


async def overview(session: AsyncSession, signer: UrlSigner, member: Member) -> Overview:
    family_id = member.family_id
    now = _now()
    today = now.astimezone(ROME).date()
    month_start = today.replace(day=1)
    last_end = month_start - timedelta(days=1)
    last_start = last_end.replace(day=1)
    # The same days of last month (the 1st to today's day, or its last day): 4 days against 4, not a whole
    # month against 4 days.
    last_to_date = min(last_end, last_start + timedelta(days=today.day - 1))
    week_start = today - timedelta(days=today.weekday())
    stale_before = now - timedelta(days=STALE_AFTER_DAYS)

    counts = await listings.overview_counts(session, family_id, stale_before)
    stale = (
        await listings.stale(session, signer, family_id, stale_before, OVERVIEW_LIST_MAX)
        if counts["stale"]
        else []
    )
    ranges = {
        "this_month": (month_start, today),
        "last_month": (last_start, last_end),
        "last_month_to_date": (last_start, last_to_date),
        "week": (week_start, today),
    }
    figures = await sales.periods(session, family_id, ranges)
    trouble_since = now - timedelta(days=TROUBLE_DAYS)
    parcels = await shipments.overview_counts(session, family_id, trouble_since)
    trouble = (
        await shipments.in_trouble(session, family_id, trouble_since, OVERVIEW_LIST_MAX)
        if parcels["trouble"]
        else []
    )
    titles = await sales.titles(session, family_id, {parcel["sale_id"] for parcel in trouble})
    taxes = await dac7.summary(session, member, today.year)

    this_month = _figures(*ranges["this_month"], figures["this_month"])
    last_month = _figures(*ranges["last_month"], figures["last_month"])
    last_to_date_figures = _figures(*ranges["last_month_to_date"], figures["last_month_to_date"])
    return Overview(
        generated_at=now,
        listings=ListingCounts(**{name: counts[name] for name in ListingCounts.model_fields}),
        month=MonthComparison(
            this_month=this_month,
            last_month=last_month,
            last_month_to_date=last_to_date_figures,
            revenue_change=_change(this_month.revenue, last_to_date_figures.revenue),
            profit_change=_change(this_month.profit, last_to_date_figures.profit),
        ),
        week=_figures(*ranges["week"], figures["week"]),
        parcels=ParcelCounts(
            in_transit=parcels["in_transit"],
            trouble=parcels["trouble"],
            trouble_parcels=[
                TroubleParcel(
                    shipment_id=parcel["id"],
                    sale_id=parcel["sale_id"],
                    title=titles.get(parcel["sale_id"], ""),
                    status=parcel["status"],
                    status_text=SHIPMENT_STATUS_IT[parcel["status"]],
                    tracking_code=parcel["tracking_code"],
                    status_at=parcel["status_at"],
                )
                for parcel in trouble
            ],
        ),
        drafts=DraftCounts(
            waiting_analysis=counts["waiting_analysis"],
            failed_analysis=counts["failed_analysis"],
            not_analysed=counts["not_analysed"],
        ),
        dac7_year=taxes.year,
        dac7=taxes.members,
        stale_after_days=STALE_AFTER_DAYS,
        stale_count=counts["stale"],
        stale=[
            StaleListing(
                listing_id=row["listing_id"],
                title=row["title"],
                price=row["price"],
                days_listed=(now - row["on_sale_since"]).days,
                thumbnail_url=row["thumbnail_url"],
            )
            for row in stale
        ],
    )


# --- analytics ------------------------------------------------------------------------------------------


def _period_start(day: date, group: str) -> date:
    return day.replace(day=1) if group == "month" else day - timedelta(days=day.weekday())


def _next_period(day: date, group: str) -> date:
    if group == "week":
        return day + timedelta(days=7)
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _default_from(date_to: date, group: str) -> date:
    start = _period_start(date_to, group)
    for _ in range(DEFAULT_PERIODS - 1):
        start = _period_start(start - timedelta(days=1), group)
    return start


def _breakdown(entries: Sequence[GroupTotals], empty: str) -> list[Breakdown]:
    return [
        Breakdown(
            key=entry.key or empty,
            sales=entry.sales,
            revenue=entry.revenue,
            profit=entry.net_profit,
            average_days_to_sell=entry.average_days_to_sell,
        )
        for entry in entries
    ]


async def analytics(session: AsyncSession, member: Member, query: AnalyticsQuery) -> Analytics:
    date_to = query.date_to or _now().astimezone(ROME).date()
    date_from = query.date_from or _default_from(date_to, query.group)
    if date_from > date_to:
        raise InvalidField("date_from", "La data iniziale è dopo la data finale.")
    if (date_to - date_from).days > RANGE_MAX_DAYS:
        raise InvalidField("date_from", "L'intervallo può coprire al massimo dieci anni.")
    names = await users.family_member_names(session, member.family_id)
    if query.member is not None and query.member not in names:
        raise InvalidField("member", "Questo membro non fa parte della tua famiglia.")
    scope = SaleScope(date_from=date_from, date_to=date_to, member=query.member)

    found = {row["period"]: row for row in await sales.series(session, member, scope, query.group)}
    series = []
    period = _period_start(date_from, query.group)
    while period <= date_to:
        row = found.get(period)
        series.append(
            SeriesPoint(
                period=period,
                sales=row["sales"] if row else 0,
                revenue=row["revenue"] if row else ZERO,
                profit=row["net_profit"] if row else ZERO,
            )
        )
        period = _next_period(period, query.group)
    totals = await sales.totals(session, member, scope)
    categories = await sales.breakdown(session, member, scope, "category", TOP_GROUPS)
    brands = await sales.breakdown(session, member, scope, "brand", TOP_GROUPS)
    per_member = {entry.key: entry for entry in await sales.breakdown(session, member, scope, "member")}
    prices = await listings.asking_prices(session, member.family_id, query.member)
    snapshots = await trends.market_snapshots(session, [(row["category_id"], row["brand"]) for row in prices])

    against: list[PriceAgainstMarket] = []
    for row in prices:
        brand = row["brand"].strip().lower() if row["brand"] else None
        snapshot = snapshots.get((row["category_id"], brand))
        if snapshot is None or not snapshot.median_price:
            continue
        ours = Decimal(str(row["median"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        against.append(
            PriceAgainstMarket(
                category_id=row["category_id"],
                category=row["category"] or snapshot.category_name,
                brand=row["brand"],
                listings=row["listings"],
                our_median=ours,
                market_median=snapshot.median_price,
                ratio=(ours / snapshot.median_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            )
        )
    against.sort(key=lambda entry: (-entry.listings, entry.category_id, entry.brand or ""))

    members = []
    for member_id, username in names.items():
        if query.member is not None and member_id != query.member:
            continue
        entry = per_member.get(str(member_id))
        members.append(
            MemberAnalytics(
                member_id=member_id,
                username=username,
                sales=entry.sales if entry else 0,
                revenue=entry.revenue if entry else ZERO,
                profit=entry.net_profit if entry else ZERO,
                average_days_to_sell=entry.average_days_to_sell if entry else None,
            )
        )
    members.sort(key=lambda entry: (-entry.revenue, entry.username.lower()))
    return Analytics(
        date_from=date_from,
        date_to=date_to,
        group=query.group,
        member=query.member,
        series=series,
        totals=SeriesPoint(
            period=date_from, sales=totals.sales, revenue=totals.revenue, profit=totals.net_profit
        ),
        categories=_breakdown(categories, NO_CATEGORY),
        brands=_breakdown(brands, NO_BRAND),
        average_days_to_sell=totals.average_days_to_sell,
        price_against_market=against[:TOP_GROUPS],
        members=members,
    )
