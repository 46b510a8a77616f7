"""The home page's figures (Panoramica), composed from the owning domains' services.

This domain has no table and no query of its own: listings, sales (and DAC7), shipments, trends, users
and the audit log each answer for their own rows, in a few aggregated queries each; this module puts
their answers together, says them in Italian and decides what to suggest. Months and weeks are Italian
calendar time, as sales counts them.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.audit import service as audit
from vinted_optimizer.dashboard.schemas import (
    ActivityItem,
    ActivityKind,
    ActivityPage,
    ActivityQuery,
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
    Suggestion,
    SuggestionAction,
    SuggestionList,
    TroubleParcel,
)
from vinted_optimizer.kit.errors import InvalidField
from vinted_optimizer.kit.pagination import Before
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.signing import UrlSigner
from vinted_optimizer.listings import service as listings
from vinted_optimizer.listings.market import midpoint
from vinted_optimizer.sales import dac7
from vinted_optimizer.sales import service as sales
from vinted_optimizer.sales.schemas import GroupTotals, SaleScope
from vinted_optimizer.scraper.pricing import euro as market_euro
from vinted_optimizer.scraper.pricing import place
from vinted_optimizer.shipments import service as shipments
from vinted_optimizer.trends import service as trends
from vinted_optimizer.users import service as users
from vinted_optimizer.vocabulary import SHIPMENT_STATUS_IT

ROME = ZoneInfo("Europe/Rome")
ZERO = Decimal("0.00")
STALE_AFTER_DAYS = 30
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
    return Overview(
        generated_at=now,
        listings=ListingCounts(**{name: counts[name] for name in ListingCounts.model_fields}),
        month=MonthComparison(
            this_month=this_month,
            last_month=last_month,
            revenue_change=_change(this_month.revenue, last_month.revenue),
            profit_change=_change(this_month.profit, last_month.profit),
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


# --- activity -------------------------------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
CURSOR = re.compile(r"(\d{1,17})~((?:audit|sale|listing|published|delivered|parcel):[0-9a-f-]{1,36})")
BAD_CURSOR = "Cursore non valido: usa il valore «next» della pagina precedente."

# The audit log's actions the family sees, by kind. What the data already says (a sale recorded or
# synced, a listing published, a parcel's status) comes from the rows themselves; sign-ins, password
# resets and the server's own events are never shown.
AUDIT_KINDS: dict[str, ActivityKind] = {
    "auth.register": "member",
    "family.invite": "member",
    "family.invite_revoked": "member",
    "user.email_changed": "account",
    "user.password_changed": "account",
    "user.vinted_linked": "vinted",
    "user.vinted_unlinked": "vinted",
    "user.vinted_session_dead": "vinted",
    "vinted.synced": "vinted",
    "listing.deleted": "other",
    "listing.unpublished": "vinted",
    "listing.published_by_hand_undone": "vinted",
    "sale.updated": "sale",
    "sale.vinted_status": "sale",
    "shipment.label_bought": "parcel",
    "shipment.followed": "parcel",
    "shipment.vinted_label": "parcel",
}


def _cursor(value: str | None) -> Before | None:
    if value is None:
        return None
    match = CURSOR.fullmatch(value)
    if match is None:
        raise InvalidField("before", BAD_CURSOR)
    try:
        at = EPOCH + int(match.group(1)) * MICROSECOND
    except OverflowError as error:
        raise InvalidField("before", BAD_CURSOR) from error
    return Before(at=at, key=match.group(2))


def _encode(item: dict[str, Any]) -> str:
    return f"{(item['at'] - EPOCH) // MICROSECOND}~{item['key']}"


def _named(title: str | None, empty: str = "un annuncio senza titolo") -> str:
    return f"«{title.strip()}»" if title and title.strip() else empty


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class _Names:
    """What the page's sentences name: members, listings and sales, each read once for the page."""

    def __init__(self) -> None:
        self.users: dict[uuid.UUID, str] = {}
        self.listings: dict[uuid.UUID, str] = {}
        self.sales: dict[uuid.UUID, str] = {}

    def who(self, user_id: uuid.UUID | None) -> str:
        return self.users.get(user_id, "Un membro") if user_id else "Un membro"

    def listing(self, value: Any) -> str:
        listing_id = _uuid(value)
        return _named(self.listings.get(listing_id) if listing_id else None, "un annuncio")

    def sale(self, value: Any) -> str:
        sale_id = _uuid(value)
        return _named(self.sales.get(sale_id) if sale_id else None, "un articolo")


def _sale_of(item: dict[str, Any]) -> Any:
    if item["source"] == "parcel":
        return item["sale_id"]
    if item["source"] == "audit":
        if item["resource_type"] == "sale":
            return item["resource_id"]
        return (item["metadata"] or {}).get("sale_id")
    return None


def _audit_text(item: dict[str, Any], names: _Names) -> str:
    who = names.who(item["user_id"])
    meta = item["metadata"] or {}
    action = item["action"]
    if action == "auth.register":
        return (
            f"{who} fa ora parte della famiglia"
            if meta.get("via_invitation")
            else f"{who} ha creato la famiglia"
        )
    if action == "listing.deleted":
        count = int(meta.get("count") or 1)
        return f"{who} ha eliminato un annuncio" if count == 1 else f"{who} ha eliminato {count} annunci"
    if action == "sale.vinted_status":
        status = sales.STATUS_WORDS_IT.get(str(meta.get("after")), str(meta.get("after")))
        return f"Da Vinted: la vendita di {names.sale(item['resource_id'])} ora è {status}"
    texts = {
        "family.invite": f"{who} ha invitato una persona nella famiglia",
        "family.invite_revoked": f"{who} ha ritirato un invito",
        "user.email_changed": f"{who} ha cambiato l'indirizzo e-mail",
        "user.password_changed": f"{who} ha cambiato la password",
        "user.vinted_linked": f"{who} ha collegato il suo account Vinted",
        "user.vinted_unlinked": f"{who} ha scollegato il suo account Vinted",
        "user.vinted_session_dead": f"La sessione Vinted di {who} è scaduta: va collegata di nuovo",
        "vinted.synced": f"{who} ha sincronizzato le vendite da Vinted",
        "listing.unpublished": f"{who} ha ritirato {names.listing(item['resource_id'])} da Vinted",
        "listing.published_by_hand_undone": (
            f"{who} ha annullato la pubblicazione a mano di {names.listing(item['resource_id'])}"
        ),
        "sale.updated": f"{who} ha aggiornato la vendita di {names.sale(item['resource_id'])}",
        "shipment.label_bought": f"{who} ha acquistato l'etichetta per {names.sale(_sale_of(item))}",
        "shipment.followed": f"{who} segue la spedizione di {names.sale(_sale_of(item))}",
        "shipment.vinted_label": f"L'etichetta prepagata di Vinted per {names.sale(_sale_of(item))} è pronta",
    }
    return texts[action]


def _audit_link(item: dict[str, Any]) -> str | None:
    kind = AUDIT_KINDS[item["action"]]
    if item["resource_type"] == "listing" and item["action"] != "listing.deleted" and item["resource_id"]:
        return f"/annunci/{item['resource_id']}"
    return {"sale": "/vendite", "parcel": "/spedizioni", "member": "/famiglia", "vinted": None}.get(kind)


def _item(item: dict[str, Any], names: _Names) -> ActivityItem:
    source = item["source"]
    kind: ActivityKind
    member: uuid.UUID | None = item.get("user_id")
    if source == "audit":
        kind, text, link = AUDIT_KINDS[item["action"]], _audit_text(item, names), _audit_link(item)
    elif source == "sale":
        kind, link = "sale", "/vendite"
        what, price = _named(item["title"], "un articolo"), sales.euro(item["sale_price"])
        text = f"{names.who(member)} ha venduto {what} a {price}"
    elif source == "listing":
        link = f"/annunci/{item['id']}"
        if item["event"] == "created":
            kind, text = "listing_created", f"{names.who(member)} ha creato {_listing_words(item['title'])}"
        else:
            verb = "ripubblicato" if item["operation"] == "repost" else "pubblicato"
            kind, text = (
                "listing_published",
                f"{names.who(member)} ha {verb} {_named(item['title'])} su Vinted",
            )
    else:
        kind, link, member = "parcel", "/spedizioni", None
        title = names.sale(item["sale_id"])
        if item["status"] == "delivered":
            text = f"Il pacco di {title} è stato consegnato"
        else:
            text = f"Il pacco di {title}: {SHIPMENT_STATUS_IT[item['status']].lower()}"
    return ActivityItem(
        id=item["key"],
        at=item["at"],
        kind=kind,
        text=text,
        member=names.users.get(member) if member else None,
        link=link,
    )


def _listing_words(title: str | None) -> str:
    return f"l'annuncio {_named(title)}" if title and title.strip() else "un annuncio senza titolo"


async def activity(session: AsyncSession, member: Member, query: ActivityQuery) -> ActivityPage:
    """The family's feed, newest first: each source reads at most one more than the page, the newest
    of all of them make the page, and the last one's (time, key) is the next cursor."""
    family_id = member.family_id
    before = _cursor(query.before)
    wanted = query.limit + 1
    items: list[dict[str, Any]] = []
    for row in await audit.family_feed(session, family_id, AUDIT_KINDS, before, wanted):
        items.append({**row, "source": "audit"})
    for row in await sales.activity(session, family_id, before, wanted):
        items.append({**row, "source": "sale"})
    for row in await listings.activity(session, family_id, before, wanted):
        items.append({**row, "source": "listing"})
    for row in await shipments.activity(session, family_id, before, wanted):
        items.append({**row, "source": "parcel"})
    items.sort(key=lambda item: (item["at"], item["key"]), reverse=True)
    page, more = items[: query.limit], len(items) > query.limit

    names = _Names()
    user_ids = {item["user_id"] for item in page if item.get("user_id")}
    names.users = await users.usernames(session, user_ids) if user_ids else {}
    listing_ids = {
        listing_id
        for item in page
        if item["source"] == "audit" and item["resource_type"] == "listing"
        if (listing_id := _uuid(item["resource_id"])) is not None
    }
    names.listings = await listings.titles(session, family_id, listing_ids)
    sale_ids = {sale_id for item in page if (sale_id := _uuid(_sale_of(item))) is not None}
    names.sales = await sales.titles(session, family_id, sale_ids)
    return ActivityPage(
        items=[_item(item, names) for item in page], next=_encode(page[-1]) if more and page else None
    )


# --- suggestions ----------------------------------------------------------------------------------------

DISMISSED_KEY = "vo:dashboard:dismissed:{}:{}"
DISMISS_SECONDS = 30 * 86400
SUGGESTIONS_PER_KIND = 10
REPOST_AFTER_DAYS = 21
REPRICE_ABOVE = Decimal("1.05")  # a stale listing this much over the market's median: lower it
OUTLIER_ABOVE = Decimal("1.50")  # a price this far from the median, either way, is far from comparables
OUTLIER_BELOW = Decimal("0.60")
BEST_TIME_MIN_SALES = 10
WEEKDAYS_IT = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")


def _target(median: Decimal) -> Decimal | None:
    return midpoint((median, median))


def _market_suggestion(candidate: listings.Candidate, comparison: Any, now: datetime) -> Suggestion | None:
    """A price to change: a stale listing over the market (reprice_stale), or a price far from the
    comparables either way (price_outlier); the new price is the market's median."""
    listing = candidate.listing
    if listing.price is None or listing.price <= 0 or not comparison.enough or comparison.median is None:
        return None
    target = _target(comparison.median)
    if target is None or target <= 0 or target == listing.price:
        return None
    days = (now - candidate.on_sale_since).days
    ratio = listing.price / comparison.median
    where = place(comparison, listing.price).explanation
    action = SuggestionAction(
        kind="set_price", label=f"Imposta {market_euro(target)}", listing_id=listing.id, price=target
    )
    name = _named(listing.title)
    if days >= STALE_AFTER_DAYS and ratio > REPRICE_ABOVE and target < listing.price:
        return Suggestion(
            key=f"reprice_stale:{listing.id}",
            kind="reprice_stale",
            title=f"Abbassa il prezzo di {name}",
            reasoning=(
                f"È in vendita da {days} giorni a {market_euro(listing.price)} senza essere venduto. {where} "
                f"Il prezzo mediano degli annunci simili è {market_euro(comparison.median)}: a "
                f"{market_euro(target)} si allinea al mercato."
            ),
            listing_id=listing.id,
            action=action,
        )
    if ratio >= OUTLIER_ABOVE or ratio <= OUTLIER_BELOW:
        direction = "più alto" if ratio > 1 else "più basso"
        return Suggestion(
            key=f"price_outlier:{listing.id}",
            kind="price_outlier",
            title=f"Il prezzo di {name} è lontano dal mercato",
            reasoning=(
                f"{where} A {market_euro(listing.price)} è molto {direction} della mediana degli annunci "
                f"simili ({market_euro(comparison.median)}): a {market_euro(target)} è in linea."
            ),
            listing_id=listing.id,
            action=action,
        )
    return None


def _repost(
    candidate: listings.Candidate, member: Member, linked: set[uuid.UUID], now: datetime
) -> Suggestion | None:
    """Worth reposting (publishing.py's repost): on Vinted for weeks, nothing running for it, the owner's
    account linked, nothing Vinted's form lacks, and the member may ask (the owner or a family admin)."""
    listing = candidate.listing
    days = (now - candidate.on_sale_since).days
    if (
        listing.status != "published"
        or not listing.vinted_id
        or candidate.busy
        or candidate.missing
        or days < REPOST_AFTER_DAYS
        or listing.user_id not in linked
        or (listing.user_id != member.id and not member.is_family_admin)
    ):
        return None
    return Suggestion(
        key=f"repost:{listing.id}",
        kind="repost",
        title=f"Ripubblica {_named(listing.title)}",
        reasoning=(
            f"È su Vinted da {days} giorni: gli annunci nuovi compaiono più in alto tra i risultati "
            "ordinati per data, e dopo qualche settimana un annuncio perde visibilità. Ripubblicarlo lo "
            "cancella e lo crea di nuovo con le stesse foto e lo stesso testo, riportandolo tra i recenti."
        ),
        listing_id=listing.id,
        action=SuggestionAction(kind="repost", label="Ripubblica", listing_id=listing.id),
    )


def _missing(candidate: listings.Candidate) -> Suggestion | None:
    listing = candidate.listing
    if listing.status not in ("draft", "ready") or not candidate.missing:
        return None
    return Suggestion(
        key=f"missing_fields:{listing.id}",
        kind="missing_fields",
        title=f"Completa {_named(listing.title)} per pubblicarlo",
        reasoning="Per pubblicarlo su Vinted manca ancora qualcosa: "
        + " ".join(message for _, message in candidate.missing),
        listing_id=listing.id,
        action=SuggestionAction(kind="open", label="Completa l'annuncio", link=f"/annunci/{listing.id}"),
    )


def _best_time(times: Sequence[tuple[int, int, int]]) -> Suggestion | None:
    total = sum(count for _, _, count in times)
    if total < BEST_TIME_MIN_SALES:
        return None
    days: Counter[int] = Counter()
    hours: Counter[int] = Counter()
    for weekday, hour, count in times:
        days[weekday] += count
        hours[hour] += count
    day, on_day = min(days.items(), key=lambda entry: (-entry[1], entry[0]))
    hour, at_hour = min(hours.items(), key=lambda entry: (-entry[1], entry[0]))
    name = WEEKDAYS_IT[day - 1]
    return Suggestion(
        key="best_time",
        kind="best_time",
        title=f"Il momento migliore per pubblicare: {name} verso le {hour}",
        reasoning=(
            f"Delle {total} vendite della famiglia, {on_day} sono arrivate di {name} e {at_hour} tra le "
            f"{hour} e le {(hour + 1) % 24} (ora italiana). Pubblica o ripubblica in quel momento: un "
            "annuncio nuovo è tra i primi risultati proprio quando chi compra da voi è online."
        ),
        listing_id=None,
        action=None,
    )


async def suggestions(session: AsyncSession, redis: Redis, member: Member) -> SuggestionList:
    family_id = member.family_id
    now = _now()
    candidates = await listings.suggestion_candidates(session, family_id)
    on_sale = [c for c in candidates if c.listing.status == "published" and c.listing.category_id is not None]
    snapshots = await trends.market_snapshots(
        session, [(c.listing.category_id, c.listing.brand) for c in on_sale if c.listing.category_id]
    )
    linked = set(await users.vinted_linked_members(session, family_id))
    times = await sales.sale_times(session, family_id)

    found: list[Suggestion] = []
    priced: set[uuid.UUID] = set()
    for candidate in on_sale:
        listing = candidate.listing
        assert listing.category_id is not None
        brand = listing.brand.strip().lower() if listing.brand and listing.brand.strip() else None
        snapshot = snapshots.get((listing.category_id, brand))
        if snapshot is None:
            continue
        suggestion = _market_suggestion(candidate, listings.stored_comparison(snapshot), now)
        if suggestion is not None:
            found.append(suggestion)
            priced.add(listing.id)
    for candidate in candidates:  # the longest on sale first
        if candidate.listing.id not in priced and (repost := _repost(candidate, member, linked, now)):
            found.append(repost)
    drafts = sorted(candidates, key=lambda c: c.listing.updated_at, reverse=True)
    found += [suggestion for candidate in drafts if (suggestion := _missing(candidate)) is not None]
    if (best := _best_time(times)) is not None:
        found.append(best)

    if found:
        keys = [DISMISSED_KEY.format(family_id, suggestion.key) for suggestion in found]
        dismissed = await redis.mget(keys)
        found = [suggestion for suggestion, gone in zip(found, dismissed, strict=True) if gone is None]
    shown: Counter[str] = Counter()
    items = []
    for suggestion in found:
        shown[suggestion.kind] += 1
        if shown[suggestion.kind] <= SUGGESTIONS_PER_KIND:
            items.append(suggestion)
    return SuggestionList(items=items)


async def dismiss(redis: Redis, member: Member, key: str) -> None:
    """Hide the suggestion from the whole family for 30 days (its key: the same advice on the same
    listing; a new kind of advice on it still shows)."""
    await redis.set(DISMISSED_KEY.format(member.family_id, key), "1", ex=DISMISS_SECONDS)
