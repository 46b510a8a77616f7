"""What to do next (Panoramica's suggestions): a price to change, a listing to repost, a draft to
complete, the best time to publish; each with its reasoning and the one action that applies it. A member
may dismiss one for the whole family for 30 days (a Redis key per family and suggestion).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.dashboard.schemas import (
    STALE_AFTER_DAYS,
    Suggestion,
    SuggestionAction,
    SuggestionKind,
    SuggestionList,
)
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.listings import service as listings
from vinted_optimizer.listings.market import midpoint
from vinted_optimizer.sales import service as sales
from vinted_optimizer.scraper.pricing import euro as market_euro
from vinted_optimizer.scraper.pricing import place
from vinted_optimizer.trends import service as trends
from vinted_optimizer.users import service as users

DISMISSED_KEY = "vo:dashboard:dismissed:{}:{}"
DISMISS_SECONDS = 30 * 86400
SUGGESTIONS_PER_KIND = 10
REPOST_AFTER_DAYS = 21
# Where a member links their Vinted account (the settings page's Vinted section).
VINTED_SETTINGS = "/impostazioni#vinted"
REPRICE_ABOVE = Decimal("1.05")  # a stale listing this much over the market's median: lower it
OUTLIER_ABOVE = Decimal("1.50")  # a price this far from the median, either way, is far from comparables
OUTLIER_BELOW = Decimal("0.60")
BEST_TIME_MIN_SALES = 10
WEEKDAYS_IT = ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica")


def _now() -> datetime:
    return datetime.now(UTC)


def _named(title: str | None) -> str:
    return f"«{title.strip()}»" if title and title.strip() else "un annuncio senza titolo"


def _target(median: Decimal) -> Decimal | None:
    return midpoint((median, median))


def _market_suggestion(candidate: listings.Candidate, comparison: Any, now: datetime) -> Suggestion | None:
    """A price to change: a stale listing over the market (reprice_stale), or a price far from the
    comparables either way (price_outlier); the new price is the market's median. The sentences are
    written only for a listing that gets one (most do not)."""
    price = candidate.price
    if price is None or price <= 0 or not comparison.enough or comparison.median is None:
        return None
    target = _target(comparison.median)
    if target is None or target <= 0 or target == price:
        return None
    days = (now - candidate.on_sale_since).days
    ratio = price / comparison.median
    if days >= STALE_AFTER_DAYS and ratio > REPRICE_ABOVE and target < price:
        kind: SuggestionKind = "reprice_stale"
    elif ratio >= OUTLIER_ABOVE or ratio <= OUTLIER_BELOW:
        kind = "price_outlier"
    else:
        return None
    where = place(comparison, price).explanation
    name, median = _named(candidate.title), market_euro(comparison.median)
    if kind == "reprice_stale":
        title = f"Abbassa il prezzo di {name}"
        reasoning = (
            f"È in vendita da {days} giorni a {market_euro(price)} senza essere venduto. {where} "
            f"Il prezzo mediano degli annunci simili è {median}: a {market_euro(target)} si allinea "
            "al mercato."
        )
    else:
        direction = "più alto" if ratio > 1 else "più basso"
        title = f"Il prezzo di {name} è lontano dal mercato"
        reasoning = (
            f"{where} A {market_euro(price)} è molto {direction} della mediana degli annunci simili "
            f"({median}): a {market_euro(target)} è in linea."
        )
    return Suggestion(
        key=f"{kind}:{candidate.id}",
        kind=kind,
        title=title,
        reasoning=reasoning,
        listing_id=candidate.id,
        action=SuggestionAction(
            kind="set_price", label=f"Imposta {market_euro(target)}", listing_id=candidate.id, price=target
        ),
    )


def _repost(
    candidate: listings.Candidate, member: Member, linked: set[uuid.UUID], now: datetime
) -> Suggestion | None:
    """Worth reposting (publishing.py's repost): on Vinted for weeks, nothing running for it, nothing
    Vinted's form lacks, and the member may ask (the owner or a family admin). When the owner's Vinted
    account is not linked, the app cannot repost it: the owner is asked to link it first."""
    days = (now - candidate.on_sale_since).days
    if (
        candidate.status != "published"
        or not candidate.vinted_id
        or candidate.busy
        or candidate.missing
        or days < REPOST_AFTER_DAYS
    ):
        return None
    reasoning = (
        f"È su Vinted da {days} giorni: gli annunci nuovi compaiono più in alto tra i risultati "
        "ordinati per data, e dopo qualche settimana un annuncio perde visibilità. Ripubblicarlo lo "
        "cancella e lo crea di nuovo con le stesse foto e lo stesso testo, riportandolo tra i recenti."
    )
    if candidate.user_id not in linked:
        if candidate.user_id != member.id:
            return None  # only its owner can link their own Vinted account
        action = SuggestionAction(kind="open", label="Collega Vinted", link=VINTED_SETTINGS)
        reasoning += " Per ripubblicarlo dall'app collega prima il tuo account Vinted."
    elif candidate.user_id != member.id and not member.is_family_admin:
        return None
    else:
        action = SuggestionAction(kind="repost", label="Ripubblica", listing_id=candidate.id)
    return Suggestion(
        key=f"repost:{candidate.id}",
        kind="repost",
        title=f"Ripubblica {_named(candidate.title)}",
        reasoning=reasoning,
        listing_id=candidate.id,
        action=action,
    )


def _missing(candidate: listings.Candidate) -> Suggestion | None:
    if candidate.status not in ("draft", "ready") or not candidate.missing:
        return None
    return Suggestion(
        key=f"missing_fields:{candidate.id}",
        kind="missing_fields",
        title=f"Completa {_named(candidate.title)} per pubblicarlo",
        reasoning="Per pubblicarlo su Vinted manca ancora qualcosa: "
        + " ".join(message for _, message in candidate.missing),
        listing_id=candidate.id,
        action=SuggestionAction(kind="open", label="Completa l'annuncio", link=f"/annunci?id={candidate.id}"),
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
    on_sale, drafts = await listings.suggestion_candidates(session, family_id)
    snapshots = await trends.market_snapshots(
        session, [(c.category_id, c.brand) for c in on_sale if c.category_id is not None]
    )
    linked = set(await users.vinted_linked_members(session, family_id))
    times = await sales.sale_times(session, family_id)

    found: list[Suggestion] = []
    priced: set[uuid.UUID] = set()
    for candidate in on_sale:  # the longest on sale first
        if candidate.category_id is None:
            continue
        brand = candidate.brand.strip().lower() if candidate.brand and candidate.brand.strip() else None
        snapshot = snapshots.get((candidate.category_id, brand))
        if snapshot is None:
            continue
        suggestion = _market_suggestion(candidate, listings.stored_comparison(snapshot), now)
        if suggestion is not None:
            found.append(suggestion)
            priced.add(candidate.id)
    for candidate in on_sale:
        if candidate.id not in priced and (repost := _repost(candidate, member, linked, now)):
            found.append(repost)
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
