"""The scraper service against the Vinted stand-in: runs stored as snapshots in DuckDB with what the search
honoured, aggregates checked against numbers computed here independently, the demand score on a crafted
pair of runs, the queue's de-duplication, and the cool-down after a challenge (no retry, then refused)."""

from __future__ import annotations

import json
import statistics
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from redis.asyncio import Redis

from tests.fakes.vinted import SEARCH_FIXTURE, FakeVinted, Reply
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.queue import saq_queue
from vinted_optimizer.scraper.errors import ScraperCoolingDown
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.schemas import Follow, ScrapeRequest
from vinted_optimizer.scraper.service import QUEUE_NAME, ScraperService
from vinted_optimizer.scraper.snapshots import SnapshotStore
from vinted_optimizer.scraper.trends import aggregate_run, demand_score
from vinted_optimizer.scraper.vinted.search import Pagination, SearchItem, SearchPage, SearchQuery

FOLLOW = Follow(category_id=1439, category_name="Donna > Sport > Reggiseni sportivi")


@pytest.fixture
def scraper_overrides() -> dict[str, object]:
    return {"scraper_max_pages": 3, "scraper_per_page": 5}


@pytest.fixture
async def service(
    scraper_settings: Settings, redis: Redis, gate: PacingGate, redis_url: str
) -> AsyncIterator[ScraperService]:
    queue = saq_queue(redis_url, name=QUEUE_NAME)
    service = ScraperService(scraper_settings, redis, store=SnapshotStore(None), queue=queue, gate=gate)
    yield service
    await service.aclose()


def fixture_items() -> list[dict[str, object]]:
    items: list[dict[str, object]] = json.loads(SEARCH_FIXTURE.read_bytes())["items"]
    return items


async def test_a_scrape_is_stored_with_what_the_search_honoured(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    report = await service.scrape(ScrapeRequest(follows=[FOLLOW]))
    assert (report.searches, report.stopped) == (1, None)
    searches = fake_vinted.calls_to("search")
    assert [call.query["page"] for call in searches] == ["1", "2", "3"]  # every page through the gate
    assert all(call.query["catalog_ids"] == "1439" for call in searches)
    stored = service.store.search_record(1)
    # The stand-in replays the same five listings on each page: kept once each.
    assert (stored["pages"], stored["result_count"], stored["stopped"]) == (3, 5, "last_page")
    assert stored["total_entries"] == 960
    # The answer carries no catalog ids: recorded as "could not check", never assumed honoured.
    assert stored["honoured"] == {"page": True, "per_page": True, "catalog_ids": None}
    assert [record["page"] for record in stored["records"]] == [1, 2, 3]
    assert stored["records"][0]["asked"]["catalog_ids"] == "1439"
    assert stored["records"][0]["time"] is not None


async def test_the_aggregates_match_numbers_computed_independently(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    await service.scrape(ScrapeRequest(follows=[FOLLOW]))
    page = await service.aggregates(0)
    rows = page.aggregates
    items = fixture_items()
    prices = [float(item["price"]["amount"]) for item in items]
    q1, median, q3 = statistics.quantiles(prices, n=4, method="inclusive")
    whole = rows[0]
    assert whole["brand"] is None and whole["total_items"] == len(items)

    def cents(value: float) -> str:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))

    assert whole["avg_price"] == cents(statistics.fmean(prices))
    assert (whole["min_price"], whole["max_price"]) == (cents(min(prices)), cents(max(prices)))
    assert (whole["q1_price"], whole["median_price"], whole["q3_price"]) == (
        cents(q1),
        cents(median),
        cents(q3),
    )
    brands: dict[str, list[float]] = {}
    for item, price in zip(items, prices, strict=True):
        brands.setdefault(str(item["item_box"]["first_line"]).strip(), []).append(price)
    expected_top = sorted(brands.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    assert whole["top_brands"] == [{"name": name, "count": len(p)} for name, p in expected_top[:5]]
    by_brand = {row["brand"]: row for row in rows[1:]}
    assert set(by_brand) == set(brands)
    for name, values in brands.items():
        assert by_brand[name]["total_items"] == len(values)
        assert by_brand[name]["avg_price"] == cents(statistics.fmean(values))
        assert by_brand[name]["max_price"] == cents(max(values))
    # First run: every listing is one day old at least, so favourites a day are the favourites.
    favourites = [int(item["favourite_count"]) for item in items]
    assert whole["favourites_per_day"] == pytest.approx(statistics.fmean(favourites), abs=0.001)
    assert whole["disappearance_per_day"] is None
    assert whole["demand_score"] == pytest.approx(min(1.0, statistics.fmean(favourites) / 3) * 100, abs=0.001)
    assert whole["sample"]["pages"] == 3 and whole["sample"]["honoured"]["catalog_ids"] is None
    assert page.last_id == rows[-1]["id"] and (await service.aggregates(page.last_id)).aggregates == []


def crafted(ids: list[int], favourites: dict[int, int]) -> list[SearchPage]:
    items = tuple(
        SearchItem(
            id=i,
            title=f"Articolo {i}",
            price=Decimal(10 + i % 7),
            currency="EUR",
            service_fee=None,
            total_item_price=None,
            favourite_count=favourites.get(i, 0),
            view_count=0,
            url=f"https://www.vinted.it/items/{i}",
            user_id=1,
            user_login="anna",
            user_business=False,
            photo_url=None,
            promoted=False,
            brand="Nike" if i % 2 == 0 else "Adidas",
            size="M",
            condition="good",
            condition_label="Buone",
        )  # fmt: skip
        for i in sorted(ids, reverse=True)
    )
    pagination = Pagination(current_page=1, per_page=96, total_entries=len(items), total_pages=1, time=None)
    return [SearchPage(query=SearchQuery(), items=items, pagination=pagination)]


def test_the_demand_score_on_a_crafted_pair_of_runs() -> None:
    store = SnapshotStore(None)
    day = 86_400.0
    first = list(range(100, 110))
    # A day later: the odd ones are gone (5 of 10), two new ones; the oldest seen is still 100.
    second = [100, 102, 104, 106, 108, 110, 111]
    favourites = {100: 6, 102: 0, 104: 2, 106: 4, 108: 2, 110: 6, 111: 1}

    def run(ids: list[int], liked: dict[int, int], at: float, stopped: str = "last_page") -> int:
        pages = crafted(ids, liked)
        stored = store.store(
            follow_key="f", category_id=5, category_name="Uomo", brand=None, search_text="",
            pages=pages, stopped=stopped, scraped_at=1_000_000.0 + at,
        )  # fmt: skip
        return stored.id

    run(first, {}, 0)
    later = run(second, favourites, day)
    whole, *brands = aggregate_run(store, later)
    # Listings 100-108 were first seen a day before (1 day old), 110 and 111 today (counted 1 day old).
    assert whole.favourites_per_day == pytest.approx(sum(favourites.values()) / 7, abs=0.001)
    assert whole.disappearance_per_day == pytest.approx(0.5)  # 5 of 10 gone in one day
    liked = min(1.0, (sum(favourites.values()) / 7) / 3)
    assert whole.demand_score == pytest.approx(100 * (0.5 * liked + 0.5 * 1.0), abs=0.001)
    by_brand = {row.brand: row for row in brands}
    assert by_brand["Adidas"].disappearance_per_day == pytest.approx(1.0)  # every odd one gone
    assert by_brand["Nike"].disappearance_per_day == pytest.approx(0.0)
    # Listings merely pushed past the last page are not gone: a run that reaches back only to 106.
    third = run([106, 108, 110, 111, 112], {}, 2 * day, "max_pages")
    assert aggregate_run(store, third)[0].disappearance_per_day == pytest.approx(0.0)
    store.close()


def test_the_demand_formula_bounds() -> None:
    assert demand_score(None, None) is None
    assert demand_score(0.0, None) == 0.0
    assert demand_score(30.0, 5.0) == 100.0
    assert demand_score(1.5, 0.125) == pytest.approx(50.0)


async def test_the_same_scrape_is_queued_once(fake_vinted: FakeVinted, service: ScraperService) -> None:
    request = ScrapeRequest(follows=[FOLLOW])
    first = await service.request(request)
    second = await service.request(request)
    assert (first.queued, second.queued) == (True, False) and first.job_key == second.job_key
    assert (await service.status()).queued_scrapes == 1
    assert fake_vinted.calls_to("search") == []  # queued, not run: the scraper's worker runs it


async def test_a_challenge_cools_down_without_retrying(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    fake_vinted.script("search", Reply.challenge_page())
    other = Follow(category_id=5, category_name="Uomo")
    report = await service.scrape(ScrapeRequest(follows=[FOLLOW, other]))
    assert (report.searches, report.stopped) == (0, "vinted_challenge")
    assert len(fake_vinted.calls_to("search")) == 1  # not retried, and the next follow not tried
    status = await service.status()
    assert status.status == "cooling_down" and status.cooldown_reason == "cooldown"
    assert status.cooldown_cause == "cloudflare" and status.cooldown_until is not None
    with pytest.raises(ScraperCoolingDown) as refused:
        await service.request(ScrapeRequest(follows=[FOLLOW]))
    assert int(refused.value.headers["Retry-After"]) >= 29 * 60
    assert "verifica anti-robot" in refused.value.detail


async def test_the_scraper_s_worker_runs_a_queued_scrape(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    import asyncio

    from vinted_optimizer.scraper.client import InProcessScraperClient

    client = InProcessScraperClient(service.settings, service.redis, service=service)
    client.start_worker()
    try:
        assert (await client.request_scrape(ScrapeRequest(follows=[FOLLOW]))).queued
        for _ in range(200):
            page = await client.aggregates(0)
            if page.aggregates:
                break
            await asyncio.sleep(0.05)
        assert page.aggregates and page.aggregates[0]["category_id"] == FOLLOW.category_id
        assert len(fake_vinted.calls_to("search")) == 3
    finally:
        await client.aclose()  # stops the worker and closes the service


def test_the_cli_has_the_scraper_service_on_port_8002() -> None:
    from vinted_optimizer.cli import build_parser

    args = build_parser().parse_args(["scraper-service"])
    assert (args.port, args.handler.__name__) == (8002, "cmd_scraper_service")


async def test_a_brand_s_own_search_is_that_brand_s_row_alone(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    nike = Follow(category_id=1439, category_name=FOLLOW.category_name, brand="Nike")
    await service.scrape(ScrapeRequest(follows=[nike]))
    assert fake_vinted.calls_to("search")[0].query["search_text"] == "Nike"  # no Vinted id: by its name
    rows = (await service.aggregates(0)).aggregates
    assert [row["brand"] for row in rows] == ["Nike"]
    assert rows[0]["total_items"] == 5 and rows[0]["top_brands"]  # its sub-brands, as catalogued
