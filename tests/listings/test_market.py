"""The market beside a listing: the draft's range checked against comparable listings (and explained), the
analysis going on when the home side is down, and the Mercato panel's endpoint, scoped to the family."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.auth.factories import register
from tests.images.factories import photo, upload
from tests.listings.factories import create_listing, get_listing
from tests.support.market import priced, seed_snapshot
from tests.support.worker import run_jobs
from vinted_optimizer.listings.market import MARKET_DOWN_IT, market_range
from vinted_optimizer.scraper.client import INVALID_ANSWER, HttpScraperClient, InProcessScraperClient
from vinted_optimizer.scraper.schemas import MarketComparison
from vinted_optimizer.scraper.snapshots import SnapshotStore

SNEAKERS = 1242
JSON = {"content-type": "application/json"}


@pytest.fixture
def settings_overrides(fake_ollama_server):
    return {"ollama_url": fake_ollama_server[1], "ollama_timeout_seconds": 2}


def snapshots(resources) -> SnapshotStore:
    scraper = resources.scraper
    assert isinstance(scraper, InProcessScraperClient)
    return scraper.service.store


@pytest.fixture
async def scraper_down(resources, monkeypatch):
    """The home side unreachable: an HTTP client pointed at a port nothing listens on."""
    down = HttpScraperClient("http://127.0.0.1:9", "t" * 40, timeout=2)
    monkeypatch.setitem(resources.__dict__, "scraper", down)
    yield down
    await down.aclose()


async def test_the_draft_s_range_is_pulled_into_the_market_and_explained(client, resources, fake_ollama):
    member = await register(client)
    body = (await upload(client, member=member, files=[("giacca.jpg", photo(seed=41))])).json()
    listing_id, image_id = body["listing"]["id"], body["images"][0]["id"]
    await run_jobs(resources)
    first = await get_listing(client, member=member, listing_id=listing_id)
    # No comparables yet: the model's range stays, and the sentence says there is nothing to compare.
    assert first["ai_suggestion"]["suggested_price_min"] == "25.00" and first["price"] == "30.00"
    assert first["ai_suggestion"]["market"]["count"] == 0
    assert first["ai_suggestion"]["price_explanation"] == (
        "Stima del modello dalla foto: nessun annuncio simile visto su Vinted negli ultimi 30 giorni per "
        "confrontarla."
    )
    category_id = first["category_id"]
    assert first["brand"] == "Levi's" and first["condition"] == "very_good"

    # Ten Levi's jackets in very good condition, € 10–19; the model's € 25–35 lies wholly above them.
    store = snapshots(resources)
    seed_snapshot(store, category_id, priced(1, list(range(10, 20)), "LEVI'S", "very_good"))
    seed_snapshot(store, category_id, priced(50, [80, 90], "Levi's", "good"))  # another condition
    response = await client.post(f"/api/v1/images/{image_id}/reanalyze", headers=member.headers)
    assert response.status_code == 202
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=listing_id)
    suggestion = listing["ai_suggestion"]
    # q1 12.25, median 14.50, q3 16.75: both ends clamp to q3, so the upper half of the central half.
    assert (suggestion["suggested_price_min"], suggestion["suggested_price_max"]) == ("14.50", "16.75")
    assert (suggestion["model_price_min"], suggestion["model_price_max"]) == ("25.00", "35.00")
    assert listing["price"] == "15.63" and suggestion["price"] == "15.63"
    market = suggestion["market"]
    assert market["step"] == "category_brand_condition" and market["count"] == 10 and market["enough"]
    assert (market["q1"], market["median"], market["q3"]) == ("12.25", "14.50", "16.75")
    assert market["position"] == "in_range"
    assert spaced(suggestion["price_explanation"]) == (
        "Tra 10 annunci simili (stessa categoria, marca e condizione) metà costa tra 12,25 € e 16,75 €; "
        "il prezzo proposto è nella fascia centrale. La fascia dell'AI (25 €–35 €) è stata riportata "
        "dentro quella del mercato."
    )


async def test_the_analysis_goes_on_when_the_home_side_is_down(client, resources, fake_ollama, scraper_down):
    member = await register(client)
    body = (await upload(client, member=member, files=[("giacca.jpg", photo(seed=42))])).json()
    await run_jobs(resources)
    listing = await get_listing(client, member=member, listing_id=body["listing"]["id"])
    assert listing["analysis_status"] == "done" and listing["price"] == "30.00"
    suggestion = listing["ai_suggestion"]
    assert suggestion["market"] is None and suggestion["price_explanation"] == MARKET_DOWN_IT
    assert (suggestion["suggested_price_min"], suggestion["suggested_price_max"]) == ("25.00", "35.00")


def spaced(text: str) -> str:
    return text.replace("\u00a0", " ")  # the no-break space between an amount and €


def comparison(**values) -> MarketComparison:
    base = dict(category_id=SNEAKERS, step="category", enough=True, count=20, min=Decimal(5))
    base |= dict(q1=Decimal(10), median=Decimal(15), q3=Decimal(20), max=Decimal(40))
    return MarketComparison(**{**base, **values})


def test_the_range_rule() -> None:
    market = comparison()
    assert market_range((Decimal(12), Decimal(18)), market) == (Decimal(12), Decimal(18))  # inside: kept
    assert market_range((Decimal(8), Decimal(25)), market) == (Decimal(10), Decimal(20))  # clamped
    assert market_range((Decimal(1), Decimal(3)), market) == (Decimal(10), Decimal(15))  # wholly below
    assert market_range((Decimal(30), Decimal(50)), market) == (Decimal(15), Decimal(20))  # wholly above
    assert market_range((Decimal(14), Decimal(14)), market) == (Decimal(14), Decimal(14))  # a point inside
    assert market_range((Decimal(20), Decimal(30)), market) == (Decimal(15), Decimal(20))  # from q3 up
    assert market_range(None, market) == (Decimal(10), Decimal(20))  # the model gave none
    few = comparison(enough=False, count=3)
    assert market_range((Decimal(30), Decimal(50)), few) == (Decimal(30), Decimal(50))  # too few: kept
    assert market_range((Decimal(30), Decimal(50)), None) == (Decimal(30), Decimal(50))


async def test_the_market_panel_of_a_listing(client, resources):
    member = await register(client)
    other = await register(client)
    seed_snapshot(snapshots(resources), SNEAKERS, priced(1, [8, 9, 10, 11, 12, 13, 14, 15], "Nike", "good"))
    listing = await create_listing(
        client, member=member, category_id=SNEAKERS, brand="nike", condition="good", price="20"
    )
    url = f"/api/v1/listings/{listing['id']}/market"
    response = await client.get(url, headers=member.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["price"] == "20.00" and body["position"] == "above" and body["percentile"] == 100
    assert body["comparison"]["step"] == "category_brand_condition" and body["comparison"]["count"] == 8
    assert body["comparison"]["q1"] == "9.75" and body["comparison"]["q3"] == "13.25"
    assert spaced(body["explanation"]) == (
        "Tra 8 annunci simili (stessa categoria, marca e condizione) metà costa tra 9,75 € e 13,25 €; "
        "il tuo prezzo è sopra la fascia centrale (costa più di circa 10 annunci simili su 10)."
    )
    assert (await client.get(url, headers=other.headers)).status_code == 404
    # Without a category there is nothing to compare: said, not refused.
    bare = await create_listing(client, member=member, title="Senza categoria")
    empty = (await client.get(f"/api/v1/listings/{bare['id']}/market", headers=member.headers)).json()
    assert empty["comparison"] is None and empty["reason"] == "no_category"
    assert "Scegli una categoria" in empty["explanation"]


async def test_the_market_panel_is_503_while_the_home_side_is_down(client, resources, scraper_down):
    member = await register(client)
    listing = await create_listing(client, member=member, category_id=SNEAKERS, price="20")
    response = await client.get(f"/api/v1/listings/{listing['id']}/market", headers=member.headers)
    assert response.status_code == 503
    assert response.json()["error"] == "scraper_unavailable"
    assert int(response.headers["Retry-After"]) >= 1


@pytest.fixture
async def scraper_garbage(resources, monkeypatch):
    """The home side there, answering a 200 whose body is not the comparison (a proxy's page, a cut body)."""
    garbage = httpx.MockTransport(
        lambda _request: httpx.Response(200, content=b'{"risposta": [1, "\xff"}!!', headers=JSON)
    )
    home = HttpScraperClient("http://home.test", "t" * 40, transport=garbage, retry_seconds=7)
    monkeypatch.setitem(resources.__dict__, "scraper", home)
    yield home
    await home.aclose()


async def test_the_market_panel_is_503_with_its_words_when_the_home_side_answers_garbage(
    client, resources, scraper_garbage
):
    member = await register(client)
    listing = await create_listing(client, member=member, category_id=SNEAKERS, price="20")
    response = await client.get(f"/api/v1/listings/{listing['id']}/market", headers=member.headers)
    assert response.status_code == 503, response.text  # was a 500: the body's JSONDecodeError escaped
    assert response.json()["error"] == "scraper_unavailable"
    assert response.json()["detail"] == INVALID_ANSWER  # not "non risponde": it answered, wrongly
    assert response.headers["Retry-After"] == "7"
