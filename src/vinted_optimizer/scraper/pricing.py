"""Where a price sits among the comparables (``scraper.market``), said in one Italian sentence. Pure.

The position is "below" under the first quartile, "above" over the third, else "in_range" (the central
half of the market). The percentile is interpolated linearly between the five figures the comparison
keeps (min 0, q1 25, median 50, q3 75, max 100): an estimate, good enough to say "cheaper than about 8
listings in 10". A range is placed by its middle.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from vinted_optimizer.scraper.schemas import MarketComparison, MarketPlacement, MarketPosition, MarketStep

STEP_WORDS_IT: dict[MarketStep, str] = {
    "category_brand_condition": "stessa categoria, marca e condizione",
    "category_brand": "stessa categoria e marca",
    "category_condition": "stessa categoria e condizione",
    "category": "solo la categoria",
    "parent_category": "la categoria superiore",
}


NBSP = "\u00a0"  # the sign never wraps away from its amount


def euro(amount: Decimal) -> str:
    """Italian money: "8 €", "8,50 €" (with a no-break space)."""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if cents == cents.to_integral_value():
        return f"{int(cents)}{NBSP}€"
    return f"{cents:.2f}".replace(".", ",") + f"{NBSP}€"


def percentile(comparison: MarketComparison, price: Decimal) -> int | None:
    figures = (comparison.min, comparison.q1, comparison.median, comparison.q3, comparison.max)
    if comparison.count == 0 or any(figure is None for figure in figures):
        return None
    points = [(Decimal(25 * index), figure) for index, figure in enumerate(figures) if figure is not None]
    if price <= points[0][1]:
        return 0
    if price >= points[-1][1]:
        return 100
    for (low_rank, low), (high_rank, high) in zip(points, points[1:], strict=False):
        if low <= price <= high:
            if high == low:
                return int(high_rank)
            share = low_rank + (high_rank - low_rank) * (price - low) / (high - low)
            return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return None  # unreachable: the figures are ordered


def _position(comparison: MarketComparison, price: Decimal) -> MarketPosition | None:
    if comparison.q1 is None or comparison.q3 is None:
        return None
    if price < comparison.q1:
        return "below"
    if price > comparison.q3:
        return "above"
    return "in_range"


def _where(position: MarketPosition, share: int | None) -> str:
    if position == "in_range":
        return "nella fascia centrale"
    if position == "below":
        tenths = round((100 - (share or 0)) / 10)
        return f"sotto la fascia centrale (costa meno di circa {tenths} annunci simili su 10)"
    tenths = round((share or 100) / 10)
    return f"sopra la fascia centrale (costa più di circa {tenths} annunci simili su 10)"


def place(
    comparison: MarketComparison,
    price_min: Decimal | None,
    price_max: Decimal | None = None,
    *,
    subject: str = "il tuo prezzo",
) -> MarketPlacement:
    """Place a price (``price_max`` None) or a range; ``subject`` names it in the sentence ("il tuo prezzo",
    "la fascia proposta")."""
    if comparison.count == 0 or comparison.step is None:
        return MarketPlacement(
            price=price_min,
            explanation=(
                f"Nessun annuncio simile visto su Vinted negli ultimi {comparison.days} giorni: "
                "il prezzo non si può confrontare con il mercato."
            ),
        )
    how = STEP_WORDS_IT[comparison.step]
    count = comparison.count
    noun = "annuncio simile" if count == 1 else "annunci simili"
    assert comparison.min is not None and comparison.max is not None  # count > 0
    if not comparison.enough:
        spread = (
            f"costa {euro(comparison.min)}"
            if comparison.min == comparison.max
            else f"costano tra {euro(comparison.min)} e {euro(comparison.max)}"
        )
        return MarketPlacement(
            price=price_min,
            explanation=(f"Solo {count} {noun} ({how}), troppo pochi per un confronto affidabile: {spread}."),
        )
    assert comparison.q1 is not None and comparison.q3 is not None  # count > 0
    market = f"Tra {count} {noun} ({how}) metà costa tra {euro(comparison.q1)} e {euro(comparison.q3)}"
    if price_min is None:
        return MarketPlacement(explanation=f"{market}.")
    price = price_min if price_max is None else (price_min + price_max) / 2
    price = price.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    position = _position(comparison, price)
    share = percentile(comparison, price)
    assert position is not None
    return MarketPlacement(
        price=price,
        position=position,
        percentile=share,
        explanation=f"{market}; {subject} è {_where(position, share)}.",
    )
