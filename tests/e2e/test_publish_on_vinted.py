"""Publishing on Vinted from the listing's page, in a real browser against a real `serve` whose scraper
speaks to the Vinted stand-in: «Pubblica su Vinted» queues it, the page follows the job by itself (live
events) up to «Pubblicato — apri su Vinted»; a listing Vinted would refuse says which field to fix."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.browser import DESKTOP, Browsing, Person, heading, register_by_api, sign_in
from tests.e2e.conftest import _shared_env
from tests.e2e.seed import Member
from tests.fakes.sendcloud import FakeSendcloud
from tests.fakes.server import serve_in_thread
from tests.fakes.vinted import FakeVinted
from tests.support.serve import Serve, running_serve
from tests.vinted_link.factories import EXTENSION_ORIGIN

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TITLE = "Giacca di jeans Levi's"
READY = {
    "title": TITLE,
    "description": "Giacca di jeans blu, taglia M, come nuova.",
    "price": "32.00",
    "category_id": 1908,  # Donna > Abbigliamento > Capispalla > Giacche
    "size_id": 4,  # M / 38 / 10
    "condition": "very_good",
    "package_size_id": 2,
}
PUBLISHED_TIMEOUT_MS = 45_000


@pytest.fixture(scope="module")
def e2e_vinted() -> Iterator[tuple[FakeVinted, str]]:
    fake = FakeVinted()
    with serve_in_thread(fake.app) as url:
        yield fake, url


@pytest.fixture(scope="module")
def vinted_server(
    browser_prerequisites: None,
    e2e_vinted: tuple[FakeVinted, str],
    e2e_sendcloud: tuple[FakeSendcloud, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Serve]:
    """A `serve` whose Vinted is the stand-in, with a write budget that never makes a test wait."""
    _, url = e2e_vinted
    log = tmp_path_factory.mktemp("logs") / "serve-vinted.log"
    env = _shared_env(
        e2e_sendcloud[1],
        VO_VINTED_BASE_URL=url,
        VO_VINTED_API_URL=url,
        VO_VINTED_WRITE_BURST="10",
        VO_VINTED_WRITE_INTERVAL_SECONDS="0.01",
        VO_VINTED_WRITE_HOURLY_CAP="500",
        VO_VINTED_READ_BURST="30",
        VO_VINTED_READ_INTERVAL_SECONDS="0.01",
    )
    with running_serve(log, **env) as server:
        yield server


@pytest.fixture
async def vinted_browsing(browser: Browser, vinted_server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, vinted_server.url)
    yield session
    await session.close()


def link_vinted(server: Serve, member: Member, fake: FakeVinted) -> None:
    """What the browser extension does: the member's code and vinted.it cookies to the redeem route."""
    code = member.client.post("/api/v1/vinted-link/pairings")
    assert code.status_code == 201, code.text
    access, refresh = fake.member_session()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        redeemed = client.post(
            "/api/v1/vinted-link/redeem",
            json={"code": code.json()["code"], "access_token_web": access, "refresh_token_web": refresh},
            headers={"Origin": EXTENSION_ORIGIN},
        )
    assert redeemed.status_code == 200, redeemed.text


async def test_publish_from_the_listing_page_follows_the_job_to_the_vinted_link(
    vinted_browsing: Browsing, vinted_server: Serve, e2e_vinted: tuple[FakeVinted, str]
) -> None:
    fake, _ = e2e_vinted
    person = Person("pubblica@example.it", "pubblica", "Cesto-Di-Pere-42")
    register_by_api(vinted_server, person, "Casa Pubblica")
    member = Member(vinted_server, person)
    link_vinted(vinted_server, member, fake)
    listing = member.listing_with_photos(photos=2, **READY)
    incomplete = member.listing_with_photos(photos=1, title="Sciarpa di lana")
    member.close()

    page = await vinted_browsing.page(DESKTOP)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))

    # Vinted would refuse it: the page says which fields to fix, and nothing is queued.
    vinted_browsing.expected_failures.add((f"/api/v1/listings/{incomplete['id']}/publish", 422))
    await page.goto(f"/annunci?id={incomplete['id']}")
    await heading(page, "Sciarpa di lana")
    await page.get_by_role("button", name="Pubblica su Vinted", exact=True).click()
    refusal = page.get_by_role("alert").filter(has_text="Da sistemare prima di pubblicare:")
    await expect(refusal).to_be_visible()
    await expect(refusal.get_by_role("button", name=re.compile("formato del pacco"))).to_be_visible()

    await page.goto(f"/annunci?id={listing['id']}")
    await heading(page, TITLE)
    section = page.get_by_test_id("publish-on-vinted")
    await expect(section.get_by_role("heading", name="Su Vinted")).to_be_visible()
    await section.get_by_role("button", name="Pubblica su Vinted", exact=True).click()
    # No reload: the job's live events bring the page to the item's link on Vinted.
    done = section.get_by_role("link", name=re.compile("Pubblicato — apri su Vinted"))
    await expect(done).to_be_visible(timeout=PUBLISHED_TIMEOUT_MS)
    (item_id,) = fake.items
    assert await done.get_attribute("href") == f"{vinted_server_vinted_url(e2e_vinted)}/items/{item_id}"
    item = json.loads(fake.calls_to("create")[-1].body)["item"]
    assert item["title"] == TITLE and item["price"] == 32 and len(item["assigned_photos"]) == 2
    await expect(section.get_by_role("button", name="Ripubblica", exact=True)).to_be_visible()
    await expect(section.get_by_role("button", name="Ritira da Vinted", exact=True)).to_be_visible()

    # A repost asks first, and says what it does.
    await section.get_by_role("button", name="Ripubblica", exact=True).click()
    await expect(section.get_by_text(re.compile("cancellato da Vinted e creato di nuovo"))).to_be_visible()
    await section.get_by_role("button", name="Annulla", exact=True).click()
    vinted_browsing.assert_no_errors()


def vinted_server_vinted_url(e2e_vinted: tuple[FakeVinted, str]) -> str:
    return e2e_vinted[1].rstrip("/")
