"""Market trends: which searches a family follows, asking the scraper for a paced refresh, collecting
the scraper's aggregates into ``trends``, and the reads of the Tendenze pages.

Trends are market data shared by every family; a family reads the categories it follows. A family that
has chosen nothing follows its own inventory: the catalog nodes of its listings, and in each the brands it
lists (``listings.service.market_profile``, handed in by the endpoint: listings already reads brands from
here, so this domain does not call listings).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.config import Settings
from vinted_optimizer.kit.errors import Conflict, TooManyRequests
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.models import Trend
from vinted_optimizer.scraper.client import INVALID_ANSWER, INVALID_STATUS, ScraperClient
from vinted_optimizer.scraper.errors import ScraperCoolingDown, ScraperUnavailable
from vinted_optimizer.scraper.schemas import Follow, PacingReport, ScrapeRequest
from vinted_optimizer.trends import repository
from vinted_optimizer.trends.schemas import (
    BrandTrends,
    CategoryTrends,
    FollowRead,
    Follows,
    FollowsUpdate,
    RefreshAccepted,
    TrendList,
    TrendRead,
)

log = structlog.get_logger(__name__)

REFRESH_KEY = "vo:trends:refresh:{}"
DEFAULT_FOLLOWS = 12  # from the inventory: the most listed (category, brand) pairs, and their categories
HISTORY = 30
BRANDS = 50
COLLECT_PAGES = 20


async def brands_seen(session: AsyncSession, prefix: str, word: str, limit: int) -> list[str]:
    """Brands seen on the market whose name starts with, or has a word starting with, what is typed
    (``prefix`` and ``word`` are ILIKE patterns), the most seen first."""
    return await repository.brands_like(session, prefix, word, limit)


# --- what a family follows -------------------------------------------------------------------------


def from_inventory(profile: Sequence[tuple[int, str, str | None, int]]) -> list[FollowRead]:
    """Each category the family lists in (category-wide), then its most listed brands in them."""
    out: list[FollowRead] = []
    seen: set[tuple[int, str | None]] = set()
    for category_id, category, _brand, _count in profile:
        if (category_id, None) not in seen and len(out) < DEFAULT_FOLLOWS:
            seen.add((category_id, None))
            out.append(FollowRead(category_id=category_id, category_name=category[:200]))
    for category_id, category, brand, _count in profile:
        if brand and (category_id, brand.casefold()) not in seen and len(out) < DEFAULT_FOLLOWS:
            seen.add((category_id, brand.casefold()))
            out.append(FollowRead(category_id=category_id, category_name=category[:200], brand=brand[:120]))
    return out


async def follows(
    session: AsyncSession, member: Member, profile: Sequence[tuple[int, str, str | None, int]]
) -> Follows:
    configured = await repository.follows_of(session, member.family_id)
    if configured:
        return Follows(source="configured", follows=[FollowRead.model_validate(f) for f in configured])
    return Follows(source="inventory", follows=from_inventory(profile))


async def set_follows(session: AsyncSession, member: Member, data: FollowsUpdate) -> Follows:
    unique: dict[tuple[int, str | None], dict[str, Any]] = {}
    for follow in data.follows:
        unique.setdefault(
            (follow.category_id, follow.brand.casefold() if follow.brand else None), follow.model_dump()
        )
    rows = await repository.replace_follows(session, member.family_id, list(unique.values()))
    log.info("trends.follows_set", family=str(member.family_id), follows=len(rows))
    if not rows:
        return Follows(source="inventory", follows=[])
    return Follows(source="configured", follows=[FollowRead.model_validate(f) for f in rows])


# --- refresh ---------------------------------------------------------------------------------------


def _rome(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("Europe/Rome")).strftime("%H:%M")


async def scraper_ready(scraper: ScraperClient) -> PacingReport:
    """The scraper's gate, or the 503 that says why it will not scrape now."""
    report = await scraper.status()
    if report.status == "unavailable":
        raise ScraperUnavailable(INVALID_ANSWER if report.detail == INVALID_STATUS else None)
    if report.status == "cooling_down" and report.cooldown_until is not None:
        raise ScraperCoolingDown(until=report.cooldown_until, reason=report.cooldown_reason)
    return report


async def refresh(
    redis: Redis, scraper: ScraperClient, settings: Settings, member: Member, chosen: Follows
) -> RefreshAccepted:
    """Ask the scraper for the family's searches: at most once every ``trends_refresh_cooldown_minutes``
    per family (the gate paces the requests; this keeps one family from spending everyone's budget)."""
    if not chosen.follows:
        raise Conflict(
            "Non c'è ancora niente da seguire: aggiungi articoli con una categoria Vinted, o scegli le "
            "categorie da seguire nelle Tendenze."
        )
    await scraper_ready(scraper)
    seconds = int(settings.trends_refresh_cooldown_minutes * 60)
    key = REFRESH_KEY.format(member.family_id)
    if seconds > 0 and not await redis.set(key, datetime.now(UTC).isoformat(), nx=True, ex=seconds):
        left = max(1, int(await redis.ttl(key)))
        at = _rome(datetime.now(UTC) + timedelta(seconds=left))
        raise TooManyRequests(
            left,
            f"I dati di mercato sono già in aggiornamento: per non disturbare Vinted puoi chiederlo di nuovo "
            f"dalle {at}.",
        )
    request = ScrapeRequest(
        follows=[Follow(**follow.model_dump()) for follow in chosen.follows[:50]], reason="family_refresh"
    )
    try:
        accepted = await scraper.request_scrape(request)
    except Exception:
        await redis.delete(key)  # nothing was queued: the family may ask again
        raise
    log.info(
        "trends.refresh", family=str(member.family_id), searches=accepted.searches, queued=accepted.queued
    )
    message = (
        f"Aggiornamento richiesto: {accepted.searches} ricerche su Vinted, con calma per non farsi bloccare. "
        "I nuovi dati compaiono qui tra qualche minuto."
        if accepted.queued
        else "Un aggiornamento con le stesse ricerche è già in corso: i nuovi dati arrivano a breve."
    )
    return RefreshAccepted(queued=accepted.queued, searches=accepted.searches, message=message)


async def trigger_all(session: AsyncSession, scraper: ScraperClient) -> RefreshAccepted:
    """The instance administrator's refresh: every search any family follows (or, when none chose,
    every category already in the trends)."""
    await scraper_ready(scraper)
    wanted: dict[str, Follow] = {}
    for row in await repository.every_follow(session):
        follow = Follow(
            category_id=row.category_id,
            category_name=row.category_name,
            brand=row.brand,
            brand_id=row.brand_id,
            search_text=row.search_text,
        )
        wanted.setdefault(follow.key, follow)
    if not wanted:
        known = await repository.latest_per_category(session, await repository.followed_categories(session))
        for trend in known:
            follow = Follow(category_id=trend.category_id, category_name=trend.category_name)
            wanted.setdefault(follow.key, follow)
    if not wanted:
        raise Conflict("Nessuna famiglia segue ancora una ricerca: non c'è niente da aggiornare.")
    accepted = await scraper.request_scrape(ScrapeRequest(follows=list(wanted.values())[:50], reason="admin"))
    message = (
        f"Aggiornamento di {accepted.searches} ricerche messo in coda."
        if accepted.queued
        else "Lo stesso aggiornamento è già in coda o in corso."
    )
    return RefreshAccepted(queued=accepted.queued, searches=accepted.searches, message=message)


# --- collecting the scraper's aggregates -----------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def row_of(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "source_id": int(body["id"]),
        "category_id": int(body["category_id"]),
        "category_name": str(body["category_name"])[:200],
        "brand": str(body["brand"])[:120] if body.get("brand") else None,
        "total_items": int(body.get("total_items") or 0),
        "avg_price": _decimal(body.get("avg_price")),
        "min_price": _decimal(body.get("min_price")),
        "q1_price": _decimal(body.get("q1_price")),
        "median_price": _decimal(body.get("median_price")),
        "q3_price": _decimal(body.get("q3_price")),
        "max_price": _decimal(body.get("max_price")),
        "top_brands": list(body.get("top_brands") or []),
        "favourites_per_day": _decimal(body.get("favourites_per_day")),
        "disappearance_per_day": _decimal(body.get("disappearance_per_day")),
        "demand_score": _decimal(body.get("demand_score")),
        "sample": dict(body.get("sample") or {}),
        "scraped_at": datetime.fromtimestamp(float(body["scraped_at"]), UTC),
    }


async def collect(session: AsyncSession, scraper: ScraperClient) -> int:
    """Every aggregate the scraper computed since the last one stored (idempotent: may run twice)."""
    after = await repository.last_source_id(session)
    added = 0
    for _ in range(COLLECT_PAGES):
        page = await scraper.aggregates(after)
        if not page.aggregates:
            break
        added += await repository.add_collected(session, [row_of(body) for body in page.aggregates])
        after = page.last_id
    if added:
        log.info("trends.collected", rows=added, last=after)
    return added


# --- reads -----------------------------------------------------------------------------------------


async def current(session: AsyncSession, chosen: Follows) -> TrendList:
    categories = sorted({follow.category_id for follow in chosen.follows})
    rows = await repository.latest_per_category(session, categories) if categories else []
    return TrendList(items=[TrendRead.model_validate(row) for row in rows])


async def category(session: AsyncSession, category_id: int) -> CategoryTrends:
    rows = await repository.history(session, category_id, HISTORY)
    brands = await repository.latest_brands(session, [category_id], BRANDS)
    return CategoryTrends(
        category_id=category_id,
        current=TrendRead.model_validate(rows[0]) if rows else None,
        history=[TrendRead.model_validate(row) for row in rows],
        brands=[TrendRead.model_validate(row) for row in brands],
    )


async def brands(session: AsyncSession, chosen: Follows, category_id: int | None) -> BrandTrends:
    categories = [category_id] if category_id is not None else sorted({f.category_id for f in chosen.follows})
    rows = await repository.latest_brands(session, categories, BRANDS) if categories else []
    return BrandTrends(items=[TrendRead.model_validate(row) for row in rows])


# --- for the home page (dashboard) ----------------------------------------------------------------------


async def market_snapshots(
    session: AsyncSession, keys: Sequence[tuple[int, str | None]]
) -> dict[tuple[int, str | None], Trend]:
    """For each (catalog id, brand or None), the newest market snapshot that fits best: the brand's in
    the category when one was collected, else the category's. The dict's brand is in lower case; a key
    without any snapshot is absent."""
    categories = sorted({category for category, _ in keys})
    brands = sorted({brand.strip().lower() for _, brand in keys if brand and brand.strip()})
    rows = await repository.latest_for(session, categories, brands) if categories else []
    by_key = {(row.category_id, row.brand.strip().lower() if row.brand else None): row for row in rows}
    found: dict[tuple[int, str | None], Trend] = {}
    for category, brand in keys:
        wanted = brand.strip().lower() if brand and brand.strip() else None
        row = by_key.get((category, wanted)) or by_key.get((category, None))
        if row is not None:
            found[(category, wanted)] = row
    return found
