"""Panoramica (the home page) in a real browser against a real `serve`: a family with listings and sales in
three months, the charts drawn (Recharts' SVG bars) with the totals the API's /dashboard/analytics gives and
the seeded sales add up to, the month toggled to weeks, the cards' figures, the activity; one column on a
phone, a grid on a desktop.

The money is seeded through the API (tests/e2e/seed.py), never written behind the server's back:

    sale   when                      price   fees  shipping  purchase  profit
    A      today                     24,00   1,20   0,00      5,00     17,80   Zara, Giacche
    B      last month, ≤ today's day 40,00   2,00   3,50     10,00     24,50   Nike, Sneakers
    C      the 1st, two months ago   15,50   0,80   0,00      2,00     12,70   Zara, Borse

and one listing on sale, unsold.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    Browsing,
    Person,
    Viewport,
    heading,
    is_call,
    register_by_api,
    sign_in,
)
from tests.e2e.seed import Member
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROME = ZoneInfo("Europe/Rome")
JACKETS = "Donna > Abbigliamento > Capispalla > Giacche"
SNEAKERS = "Uomo > Scarpe > Sneakers"
BAGS = "Donna > Borse"
ANALYTICS = "/api/v1/dashboard/analytics"

_families = itertools.count(1)


def today() -> date:
    return datetime.now(ROME).date()


def months_back(day: date, months: int, on: int) -> date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, on)


def sales_plan() -> list[dict[str, Any]]:
    now = today()
    return [
        {
            "title": "Giacca di velluto Zara",
            "brand": "Zara",
            "category": JACKETS,
            "purchase_cost": "5.00",
            "sold": now,
            "sale_price": "24.00",
            "vinted_fees": "1.20",
            "shipping_cost": "0.00",
        },
        {
            "title": "Sneakers Nike Air",
            "brand": "Nike",
            "category": SNEAKERS,
            "purchase_cost": "10.00",
            # On one of the same days of last month as this month's so far (the month's change compares
            # with those), and within the last 8 weeks: today's day, or the 15th from the 15th on.
            "sold": months_back(now, 1, min(now.day, 15)),
            "sale_price": "40.00",
            "vinted_fees": "2.00",
            "shipping_cost": "3.50",
        },
        {
            "title": "Borsa a tracolla Zara",
            "brand": "Zara",
            "category": BAGS,
            "purchase_cost": "2.00",
            "sold": months_back(now, 2, 1),
            "sale_price": "15.50",
            "vinted_fees": "0.80",
            "shipping_cost": "0.00",
        },
    ]


def profit(sale: dict[str, Any]) -> Decimal:
    return (
        Decimal(sale["sale_price"])
        - Decimal(sale["vinted_fees"])
        - Decimal(sale["shipping_cost"])
        - Decimal(sale["purchase_cost"])
    )


def euro(amount: Decimal | str) -> str:
    """The dashboard's "€ 1.234,50" (web/src/lib/format.ts; Italian groups thousands from 10.000)."""
    value = Decimal(amount).quantize(Decimal("0.01"))
    whole, cents = f"{abs(value):.2f}".split(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}".replace(",", ".")
    return f"{'-' if value < 0 else ''}€ {whole},{cents}"


@pytest.fixture
def family(server: Serve) -> Person:
    name = f"panoramica_{next(_families)}"
    person = Person(f"{name}@example.it", name, "Faro-Sul-Porto-31")
    register_by_api(server, person, f"Casa {name}")
    return person


def seed(server: Serve, person: Person) -> tuple[list[dict[str, Any]], str]:
    """Three listings sold on the plan's days and one on sale; returns the plan and the one on sale."""
    plan = sales_plan()
    member = Member(server, person)
    try:
        for n, sale in enumerate(plan):
            listing = member.listing_with_photos(
                seed=20 + n,
                title=sale["title"],
                price=sale["sale_price"],
                purchase_cost=sale["purchase_cost"],
                brand=sale["brand"],
                category=sale["category"],
            )
            published = member.client.patch(f"/api/v1/listings/{listing['id']}", json={"status": "published"})
            assert published.status_code == 200, published.text
            body = {
                "listing_id": listing["id"],
                "sale_price": sale["sale_price"],
                "vinted_fees": sale["vinted_fees"],
                "shipping_cost": sale["shipping_cost"],
            }
            # Today's sale is now (noon may be ahead); the others at noon, Italian time, of their day.
            if sale["sold"] != today():
                body["sold_at"] = f"{sale['sold'].isoformat()}T12:00:00"
            recorded = member.client.post("/api/v1/sales", json=body)
            assert recorded.status_code == 201, recorded.text
        on_sale = member.listing_with_photos(seed=30, title="Cappotto di lana", price="60.00", brand="Mango")
        published = member.client.patch(f"/api/v1/listings/{on_sale['id']}", json={"status": "published"})
        assert published.status_code == 200, published.text
    finally:
        member.close()
    return plan, on_sale["id"]


async def signed_in(browsing: Browsing, viewport: Viewport, person: Person) -> Page:
    page = await browsing.page(viewport)
    await page.goto("/accedi")
    answer = await sign_in(page, person.email, person.password)
    assert answer.status == 200, await answer.text()
    await heading(page, f"Ciao {person.username}!")
    return page


def bar_shapes(page: Page, chart: str) -> Locator:
    """The bars Recharts drew in a chart (an SVG shape per non-zero bar)."""
    return page.get_by_test_id(f"{chart}-plot").locator(".recharts-bar-rectangle")


def api_analytics(server: Serve, person: Person, query: dict[str, str]) -> dict[str, Any]:
    member = Member(server, person)
    try:
        response = member.client.get(ANALYTICS, params=query)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer
    finally:
        member.close()


async def test_panoramica_charts_show_the_right_totals(
    browsing: Browsing, server: Serve, family: Person, screenshots: Path
) -> None:
    plan, on_sale = seed(server, family)
    revenue = sum((Decimal(sale["sale_price"]) for sale in plan), Decimal(0))
    profits = sum((profit(sale) for sale in plan), Decimal(0))
    assert (revenue, profits) == (Decimal("79.50"), Decimal("55.00"))  # the plan itself, by hand

    page = await browsing.page(DESKTOP)
    await page.goto("/accedi")
    async with page.expect_response(
        lambda response: is_call(ANALYTICS)(response) and "group=month" in response.url
    ) as first:
        answer = await sign_in(page, family.email, family.password)
        assert answer.status == 200, await answer.text()
    analytics_answer = await first.value
    assert analytics_answer.status == 200, await analytics_answer.text()
    shown: dict[str, Any] = await analytics_answer.json()
    await heading(page, f"Ciao {family.username}!")

    # The charts are drawn: bars in the series (three months with sales, revenue and profit each), one bar
    # per brand and per category, one member with revenue and profit.
    await expect(bar_shapes(page, "chart-series")).to_have_count(6)
    await expect(bar_shapes(page, "chart-brands")).to_have_count(2)
    await expect(bar_shapes(page, "chart-categories")).to_have_count(3)
    await expect(bar_shapes(page, "chart-members")).to_have_count(2)

    # The totals shown are the API's, and the API's are the seeded sales'.
    totals = shown["totals"]
    assert (Decimal(totals["revenue"]), Decimal(totals["profit"]), totals["sales"]) == (revenue, profits, 3)
    assert sum(Decimal(point["revenue"]) for point in shown["series"]) == revenue
    assert sum(Decimal(point["profit"]) for point in shown["series"]) == profits
    assert len(shown["series"]) == 12 and shown["group"] == "month"
    assert shown["date_from"] == months_back(today(), 11, 1).isoformat()
    # The same question asked outside the browser has the same answer.
    again = api_analytics(server, family, {"group": "month", "date_from": shown["date_from"]})
    assert again["totals"] == totals and again["series"] == shown["series"]
    await expect(page.get_by_test_id("chart-series-total")).to_have_text(
        f"Totale del periodo: {euro(revenue)} di incassi, {euro(profits)} di profitto, 3 vendite."
    )
    brands = {row["key"]: Decimal(row["revenue"]) for row in shown["brands"]}
    assert brands == {"Zara": Decimal("39.50"), "Nike": Decimal("40.00")}
    await expect(page.get_by_test_id("chart-brands-total")).to_have_text(
        f"Totale: {euro(revenue)} in 3 vendite."
    )
    await expect(page.get_by_test_id("chart-categories-total")).to_have_text(
        f"Totale: {euro(revenue)} in 3 vendite."
    )
    await expect(page.get_by_test_id("chart-members-total")).to_have_text(
        f"Totale: {euro(revenue)} in 3 vendite."
    )
    # The hidden table says each month's figures to a screen reader: this month's sale A.
    series_table = page.get_by_test_id("chart-series").get_by_role("table")
    this_month = datetime.now(ROME).strftime("%m")
    month_names = [
        "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
        "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
    ]  # fmt: skip
    row = series_table.get_by_role("row", name=re.compile(rf"^{month_names[int(this_month) - 1]} \d{{4}}"))
    await expect(row).to_contain_text("€ 24,00")
    await expect(row).to_contain_text("€ 17,80")

    # The cards: this month A (24,00 against B's 40,00 on the same days of last month: -40 %), the listings.
    await expect(page.get_by_test_id("month-revenue")).to_have_text("€ 24,00")
    await expect(page.get_by_test_id("month-profit")).to_have_text("€ 17,80")
    month_card = page.get_by_test_id("card-month")
    await expect(month_card).to_contain_text("-40% sugli stessi giorni del mese scorso")
    await expect(page.get_by_test_id("listings-sold")).to_have_text(re.compile(r"^Venduto\s*3$"))
    await expect(page.get_by_test_id("listings-published")).to_have_text(re.compile(r"^Pubblicato\s*1$"))
    await expect(page.get_by_test_id("listings-sold")).to_have_attribute("href", "/annunci?stato=sold")
    # The activity lists what happened (the sales at least), newest first.
    await expect(page.get_by_test_id("activity-item").first).to_be_visible()
    await page.screenshot(path=str(screenshots / "desktop-panoramica.png"), full_page=True)

    # By week: the last 8 weeks hold A and B, not C (at least 61 days ago, the range starts at most 55).
    async with page.expect_response(
        lambda response: is_call(ANALYTICS)(response) and "group=week" in response.url
    ) as weekly:
        await page.get_by_role("button", name="Settimana", exact=True).click()
    by_week: dict[str, Any] = await (await weekly.value).json()
    assert by_week["group"] == "week" and len(by_week["series"]) == 8
    week_revenue = Decimal("64.00")
    week_profit = profit(plan[0]) + profit(plan[1])
    assert (Decimal(by_week["totals"]["revenue"]), Decimal(by_week["totals"]["profit"])) == (
        week_revenue,
        week_profit,
    )
    await expect(page.get_by_test_id("chart-series-total")).to_have_text(
        f"Totale del periodo: {euro(week_revenue)} di incassi, {euro(week_profit)} di profitto, 2 vendite."
    )
    await expect(page.get_by_role("button", name="Settimana", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    # A's and B's weeks differ: two weeks with bars, revenue and profit each.
    await expect(bar_shapes(page, "chart-series")).to_have_count(4)

    # Live: a sale recorded elsewhere (another device, the API) reaches the open page through the
    # WebSocket's "sale.recorded", without a reload: this week's total grows by the coat's 60,00.
    member = Member(server, family)
    try:
        recorded = member.client.post("/api/v1/sales", json={"listing_id": on_sale, "sale_price": "60.00"})
        assert recorded.status_code == 201, recorded.text
    finally:
        member.close()
    live_revenue = week_revenue + Decimal("60.00")
    live_profit = week_profit + Decimal("60.00")  # no fees, no shipping, no purchase cost
    await expect(page.get_by_test_id("chart-series-total")).to_have_text(
        f"Totale del periodo: {euro(live_revenue)} di incassi, {euro(live_profit)} di profitto, 3 vendite."
    )
    await expect(page.get_by_test_id("month-revenue")).to_have_text(euro(Decimal("84.00")))
    browsing.assert_no_errors()


async def test_panoramica_is_one_column_on_a_phone_and_a_grid_on_a_desktop(
    browsing: Browsing, server: Serve, family: Person, screenshots: Path
) -> None:
    seed(server, family)
    for viewport in (PHONE, DESKTOP):
        page = await signed_in(browsing, viewport, family)
        cards = page.get_by_test_id("overview-cards").locator(":scope > section")
        await expect(cards.first).to_be_visible()
        await expect(bar_shapes(page, "chart-series")).to_have_count(6)
        boxes = [await cards.nth(n).bounding_box() for n in range(await cards.count())]
        assert all(box is not None for box in boxes)
        lefts = {round(box["x"]) for box in boxes if box}
        if viewport.phone:
            assert len(lefts) == 1, f"the phone shows the cards side by side: {boxes}"
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport.width, f"horizontal scroll on the phone ({width} px)"
        else:
            assert len(lefts) == 3, f"the desktop does not show the cards three to a row: {boxes}"
        await page.screenshot(path=str(screenshots / f"{viewport.name}-panoramica-cards.png"), full_page=True)
    browsing.assert_no_errors()


def test_seeded_days_fall_where_the_test_expects() -> None:
    """The week check above needs C outside the last 8 weeks and B inside, whatever today is."""
    for offset in range(800):
        day = date(2026, 1, 1) + timedelta(days=offset)
        week_start = day - timedelta(days=day.weekday() + 7 * 7)
        assert months_back(day, 1, 15) >= week_start, day
        assert months_back(day, 2, 1) < week_start, day
