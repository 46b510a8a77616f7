"""A listing's price among comparable listings (the scraper's ``scraper.market``): the rule that checks
the draft's range against them, the sentence that explains it, and the Mercato panel's answer."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from vinted_optimizer.listings.schemas import ListingMarket
from vinted_optimizer.models import Listing
from vinted_optimizer.scraper.client import ScraperClient
from vinted_optimizer.scraper.pricing import euro, place
from vinted_optimizer.scraper.schemas import MARKET_MIN_COUNT, ComparablesQuery, MarketComparison
from vinted_optimizer.vocabulary import CONDITIONS, Condition

MARKET_DOWN_IT = (
    "Confronto con il mercato non disponibile ora (il servizio di casa non risponde): "
    "la fascia di prezzo è quella proposta dall'AI."
)


NO_CATEGORY_IT = "Senza una categoria il prezzo non si può confrontare con il mercato."
NO_CATEGORY_PANEL_IT = "Scegli una categoria per confrontare il prezzo con annunci simili su Vinted."


def condition_code(value: object) -> Condition | None:
    """A listing's condition as the vocabulary's code (anything else: no condition to match)."""
    return next((code for code in CONDITIONS if code == value), None)


async def listing_market(listing: Listing, scraper: ScraperClient) -> ListingMarket:
    """The listing's price (as it is now) among the comparables of its category, brand and condition.
    The home side down raises ``ScraperUnavailable`` (503 with Retry-After)."""
    if listing.category_id is None:
        return ListingMarket(
            listing_id=listing.id,
            price=listing.price,
            comparison=None,
            explanation=NO_CATEGORY_PANEL_IT,
            reason="no_category",
        )
    query = ComparablesQuery(
        category_id=listing.category_id, brand=listing.brand, condition=condition_code(listing.condition)
    )
    comparison = await scraper.comparables(query)
    placement = place(comparison, listing.price)
    return ListingMarket(
        listing_id=listing.id,
        price=listing.price,
        comparison=comparison,
        position=placement.position,
        percentile=placement.percentile,
        explanation=placement.explanation,
    )


def midpoint(price_range: tuple[Decimal, Decimal] | None) -> Decimal | None:
    if price_range is None:
        return None
    middle = (price_range[0] + price_range[1]) / 2
    return (
        middle.quantize(Decimal("0.50"), rounding=ROUND_HALF_UP)
        if middle >= 1
        else middle.quantize(Decimal("0.01"))
    )


def market_range(
    model: tuple[Decimal, Decimal] | None, market: MarketComparison | None
) -> tuple[Decimal, Decimal] | None:
    """The price range the draft proposes. With too few comparables (or none) the model's range stays.
    With enough, each end is clamped into the market's central half [q1, q3]; a model's range wholly
    outside it (which clamping would squash onto one quartile) becomes the half of the central half on
    the model's side: [q1, median] or [median, q3]. Without a model's range: the central half."""
    if market is None or not market.enough or None in (market.q1, market.median, market.q3):
        return model
    assert market.q1 is not None and market.median is not None and market.q3 is not None
    q1, median, q3 = market.q1, market.median, market.q3
    if model is None:
        return (q1, q3)
    if model[1] <= q1:
        return (q1, median)
    if model[0] >= q3:
        return (median, q3)
    return (max(model[0], q1), min(model[1], q3))


def draft_market(
    market: MarketComparison | None,
    note: str | None,
    model: tuple[Decimal, Decimal] | None,
    proposed: tuple[Decimal, Decimal] | None,
) -> tuple[dict[str, Any] | None, str | None]:
    """``ai_suggestion``'s "market" (the comparison and where the proposal sits) and the one-line
    "price_explanation"."""
    if market is None:
        return None, note
    if market.count == 0:
        # Nothing to compare with: the range is the model's, and the sentence says so first.
        explanation = (
            "Stima del modello dalla foto: nessun annuncio simile visto su Vinted negli ultimi "
            f"{market.days} giorni per confrontarla."
        )
        return {**market.model_dump(mode="json"), "position": None, "percentile": None}, explanation
    middle = midpoint(proposed)
    placement = place(market, middle, subject="il prezzo proposto")
    explanation = placement.explanation
    if model is not None and proposed is not None and proposed != model:
        explanation += (
            f" La fascia dell'AI ({euro(model[0])}–{euro(model[1])}) è stata riportata dentro quella del "
            "mercato."
        )
    body = {
        **market.model_dump(mode="json"),
        "position": placement.position,
        "percentile": placement.percentile,
    }
    return body, explanation


def stored_comparison(
    category_id: int,
    brand: str | None,
    count: int,
    figures: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None, Decimal | None],
) -> MarketComparison:
    """A market snapshot stored by trends (the latest for the category, or for the brand in it: its
    listings seen and min, q1, median, q3, max) as a comparison ``scraper.pricing.place`` can read."""
    low, q1, median, q3, high = figures
    return MarketComparison(
        category_id=category_id,
        brand=brand,
        step="category_brand" if brand else "category",
        step_category_id=category_id,
        enough=count >= MARKET_MIN_COUNT and None not in (q1, median, q3),
        count=count,
        min=low,
        q1=q1,
        median=median,
        q3=q3,
        max=high,
    )
