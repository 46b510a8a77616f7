"""Comparable listings in a real DuckDB: each widening step reached with crafted snapshots, the latest
sighting of an item, the window and the business sellers left out, the quartiles against an independent
computation, and the one-line placement of a price."""

from __future__ import annotations

import statistics
from decimal import Decimal
from typing import Any

import pytest

from tests.support.market import priced, seed_snapshot
from vinted_optimizer.scraper.market import find_comparables, subtree
from vinted_optimizer.scraper.pricing import euro, percentile, place
from vinted_optimizer.scraper.schemas import ComparablesQuery, MarketComparison
from vinted_optimizer.scraper.snapshots import SnapshotStore

NOW = 1_800_000_000.0
SNEAKERS = 1242  # Uomo > Scarpe > Sneakers
MEN_SHOES = 1231  # Uomo > Scarpe, its parent
BOOTS = 1233  # Uomo > Scarpe > Stivali, a sibling (with children of its own)
OTHER_ROOT = 1908  # under Donna


@pytest.fixture
def store() -> SnapshotStore:
    return SnapshotStore(None, clock=lambda: NOW)


def ask(store: SnapshotStore, **values: Any) -> MarketComparison:
    return find_comparables(store, ComparablesQuery(category_id=SNEAKERS, **values))


def test_enough_of_the_same_brand_and_condition_is_the_first_step(store: SnapshotStore) -> None:
    seed_snapshot(store, SNEAKERS, priced(1, [10, 12, 14, 16, 18, 20, 22, 24], "Nike", "good"))
    seed_snapshot(store, SNEAKERS, priced(100, [90, 95, 99], "Adidas", "good"))
    found = ask(store, brand="NIKE ", condition="good")  # the brand in any case, spaces ignored
    assert found.step == "category_brand_condition" and found.enough
    assert found.count == 8 and found.min == Decimal("10.00") and found.max == Decimal("24.00")
    assert found.examples == [1, 2, 3, 4, 5] and found.step_category_id == SNEAKERS


def test_each_widening_step_is_reached_in_turn(store: SnapshotStore) -> None:
    # 3 Nike "good", 4 more Nike "very_good" → brand alone has 7; with 2 more Nike: 9.
    seed_snapshot(store, SNEAKERS, priced(1, [10, 11, 12], "Nike", "good"))
    seed_snapshot(store, SNEAKERS, priced(10, [20, 21, 22, 23, 24, 25], "Nike", "very_good"))
    assert ask(store, brand="nike", condition="good").step == "category_brand"
    # Another brand: its condition's 3 + nothing of its brand → the category and condition need 8.
    seed_snapshot(store, SNEAKERS, priced(30, [30, 31, 32, 33, 34], "Puma", "good"))
    assert ask(store, brand="Asics", condition="good").step == "category_condition"
    assert ask(store, brand="Asics", condition="good").count == 8  # 3 Nike + 5 Puma, all "good"
    # A condition with few items and no brand: the catalog node alone (14 items).
    found = ask(store, condition="satisfactory")
    assert found.step == "category" and found.count == 14 and found.enough


def test_the_parent_step_takes_the_siblings_and_their_descendants(store: SnapshotStore) -> None:
    seed_snapshot(store, SNEAKERS, priced(1, [10, 11], "Nike", "good"))
    boots_child = next(node for node in subtree(BOOTS) if node != BOOTS)
    seed_snapshot(store, BOOTS, priced(10, [40, 41, 42], None, "good"))
    seed_snapshot(store, boots_child, priced(20, [50, 51, 52], None, "good"))
    found = ask(store, brand="Nike", condition="good")
    assert found.step == "parent_category" and found.step_category_id == MEN_SHOES
    assert found.count == 8 and found.enough and found.max == Decimal("52.00")


def test_too_few_everywhere_answers_the_widest_step_not_enough(store: SnapshotStore) -> None:
    seed_snapshot(store, SNEAKERS, priced(1, [10, 30], "Nike", "good"))
    found = ask(store, brand="Nike", condition="good", min_count=8)
    assert found.step == "parent_category" and found.count == 2 and not found.enough
    # Boots' parent holds the sneakers; another root's node has nothing at any step.
    assert find_comparables(store, ComparablesQuery(category_id=BOOTS)).count == 2
    nothing = find_comparables(store, ComparablesQuery(category_id=OTHER_ROOT, brand="Nike"))
    assert nothing.step is None and nothing.count == 0 and nothing.q1 is None


def test_latest_sighting_window_and_business_sellers(store: SnapshotStore) -> None:
    seed_snapshot(store, SNEAKERS, [(1, "100", "Nike", "good")], age_days=5)
    seed_snapshot(store, SNEAKERS, [(1, "20", "Nike", "good")], age_days=2)  # the same item, cheaper now
    seed_snapshot(store, SNEAKERS, [(2, "30", "Nike", "good")], age_days=40)  # too old
    seed_snapshot(store, SNEAKERS, [(3, "35", "Nike", "good")], age_days=1, business=True)  # a shop
    seed_snapshot(store, SNEAKERS, [(4, "25", "Nike", "good")], age_days=1, promoted=True)  # a bump: kept
    found = ask(store, brand="Nike", condition="good", min_count=1)
    assert found.count == 2 and found.min == Decimal("20.00") and found.max == Decimal("25.00")
    assert found.examples == [1, 4]
    assert ask(store, brand="Nike", days=60, min_count=1).count == 3  # the old one, within 60 days


def test_quartiles_are_the_inclusive_method(store: SnapshotStore) -> None:
    prices = [Decimal(p) for p in ("7.50", "9", "12.90", "13", "15.40", "18", "22.25", "31", "40", "75.99")]
    seed_snapshot(store, SNEAKERS, [(n, str(p), "Nike", "good") for n, p in enumerate(prices)])
    found = ask(store, brand="Nike", condition="good")
    q1, median, q3 = statistics.quantiles(prices, n=4, method="inclusive")
    for got, expected in ((found.q1, q1), (found.median, median), (found.q3, q3)):
        assert got is not None and abs(got - expected) <= Decimal("0.005")
    assert found.median == Decimal("16.70")


def spaced(text: str) -> str:
    """The sentence with its no-break spaces (between an amount and €) as plain ones."""
    return text.replace("\u00a0", " ")


def comparison(**values: Any) -> MarketComparison:
    base: dict[str, Any] = {
        "category_id": SNEAKERS,
        "step": "category_brand_condition",
        "enough": True,
        "count": 12,
        "min": Decimal(4),
        "q1": Decimal(8),
        "median": Decimal(11),
        "q3": Decimal(14),
        "max": Decimal(30),
    }
    return MarketComparison(**{**base, **values})


def test_a_price_in_the_central_half() -> None:
    placed = place(comparison(), Decimal(12))
    assert placed.position == "in_range" and placed.percentile == 58
    assert spaced(placed.explanation) == (
        "Tra 12 annunci simili (stessa categoria, marca e condizione) metà costa tra 8 € e 14 €; "
        "il tuo prezzo è nella fascia centrale."
    )


def test_below_and_above_with_the_widened_step_named() -> None:
    below = place(comparison(step="category_brand"), Decimal(5))
    assert below.position == "below" and below.percentile == 6
    assert "(stessa categoria e marca)" in below.explanation
    assert "sotto la fascia centrale (costa meno di circa 9 annunci simili su 10)" in below.explanation
    above = place(comparison(step="parent_category", q3=Decimal("14.50")), Decimal(22))
    assert above.position == "above" and above.percentile == 87
    assert "(la categoria superiore)" in above.explanation and "14,50 €" in spaced(above.explanation)
    assert "sopra la fascia centrale (costa più di circa 9 annunci simili su 10)" in above.explanation
    ranged = place(comparison(step="category"), Decimal(10), Decimal(12), subject="la fascia proposta")
    assert ranged.price == Decimal("11.00") and ranged.position == "in_range"
    assert "(solo la categoria)" in ranged.explanation and "la fascia proposta è" in ranged.explanation


def test_none_or_too_few_are_said_plainly() -> None:
    empty = MarketComparison(category_id=SNEAKERS)
    placed = place(empty, Decimal(10))
    assert placed.position is None and placed.percentile is None
    assert placed.explanation.startswith("Nessun annuncio simile visto su Vinted negli ultimi 30 giorni")
    few = place(comparison(enough=False, count=3, step="category"), Decimal(10))
    assert few.position is None
    assert spaced(few.explanation) == (
        "Solo 3 annunci simili (solo la categoria), troppo pochi per un confronto affidabile: "
        "costano tra 4 € e 30 €."
    )
    assert spaced(place(comparison(), None).explanation).endswith("metà costa tra 8 € e 14 €.")


def test_percentile_and_money_words() -> None:
    market = comparison()
    assert [percentile(market, Decimal(p)) for p in (1, 4, 8, 11, 14, 30, 99)] == [0, 0, 25, 50, 75, 100, 100]
    assert euro(Decimal("8")) == "8\u00a0€" and euro(Decimal("8.5")) == "8,50\u00a0€"  # never wrapped
