"""The Tendenze page and the instance administrator's page in a real browser against a real `serve`: the
followed categories' figures as stored by the collection path, a category's history drawn as charts and its
brands, the family admin's "Aggiorna ora" and its answers (queued, then the wait), the follows' source; and
an instance administrator landing on /amministrazione with the scraper's gate and its budgets."""

from __future__ import annotations

import itertools
import re
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    Browsing,
    Person,
    Viewport,
    heading,
    is_call,
    navigate,
    register_by_api,
    sign_in,
)
from tests.e2e.market import create_instance_admin, follow, market_history, pacing_gate
from tests.e2e.seed import Member
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_families = itertools.count(1)
# Trends are market data shared by every family of the server: each test follows categories of its own.
_categories = itertools.count(880_001)
SMALL_PHONE = Viewport("phone-375", 375, 667, phone=True)
SNEAKERS = "Donna > Scarpe > Sneakers"
# An SVG path that goes somewhere: a move, then at least one segment (a line or a curve).
DRAWN = re.compile(r"^M\s*[\d.]+[,\s]+[\d.]+.*[LC]")


@pytest.fixture
def family(server: Serve) -> Person:
    name = f"tendenze_{next(_families)}"
    person = Person(f"{name}@example.it", name, "Cesto-Di-Mele-42")
    register_by_api(server, person, f"Casa {name}")
    return person


def join_by_invite(server: Serve, person: Person, token: str) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        body = {"email": person.email, "username": person.username, "password": person.password}
        joined = client.post("/api/v1/auth/register", json={**body, "invite_token": token})
        assert joined.status_code == 201, joined.text


async def signed_in(browsing: Browsing, viewport: Viewport, person: Person, landing: re.Pattern[str]) -> Page:
    page = await browsing.page(viewport)
    await page.goto("/accedi")
    answer = await sign_in(page, person.email, person.password)
    assert answer.status == 200, await answer.text()
    await heading(page, landing)
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=lambda v: v.name)
async def test_the_followed_categories_their_history_and_aggiorna_ora(
    browsing: Browsing, server: Serve, family: Person, viewport: Viewport, screenshots
) -> None:
    category_id = next(_categories)
    name = f"{SNEAKERS} {category_id}"
    follow(server, family, category_id, name)
    await market_history(server, category_id, name)
    page = await signed_in(browsing, viewport, family, re.compile("^Ciao "))
    await navigate(page, viewport, "Tendenze")
    await heading(page, "Tendenze")

    # The category's card: the newest collection's figures, in words.
    card = page.get_by_role("article", name=name)
    await expect(card.get_by_test_id("trend-median")).to_have_text("€ 27,50")
    await expect(card.get_by_text("Metà degli annunci tra € 18,00 e € 39,00")).to_be_visible()
    await expect(card.get_by_text("Da € 3,00 a € 150,00")).to_be_visible()
    await expect(card.get_by_text("240 annunci · aggiornato 2 ore fa")).to_be_visible()
    await expect(card.get_by_text("Domanda alta", exact=True)).to_be_visible()
    await expect(card.get_by_role("meter", name="Domanda")).to_have_attribute("aria-valuenow", "72")
    await expect(card.get_by_text("Nike, Adidas, Vans")).to_be_visible()
    # What the family follows is its own choice here, not its inventory's.
    await expect(page.get_by_text("Scelte dalla famiglia", exact=True)).to_be_visible()
    await expect(page.get_by_text("Scelte in base al tuo inventario")).to_have_count(0)
    if viewport.phone:
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport.width, f"the page is {width} px wide on a {viewport.width} px phone"
    await page.screenshot(path=str(screenshots / f"{viewport.name}-tendenze.png"), full_page=True)

    # Chosen: the address names it, and its history is drawn.
    await card.get_by_role("link", name=f"Vedi l'andamento: {name}").click()
    await expect(page).to_have_url(re.compile(rf"/tendenze\?categoria={category_id}$"))
    await expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    chart = page.get_by_test_id("trend-price-chart")
    # The median's line and the q1–q3 band, each a path through the three collections.
    median = chart.locator(".recharts-wrapper svg path.recharts-line-curve")
    await expect(median).to_have_count(1)
    await expect(median).to_have_attribute("d", DRAWN)
    await expect(chart.locator(".recharts-wrapper svg path.recharts-area-area")).to_have_attribute("d", DRAWN)
    await expect(chart.locator(".recharts-line-dots circle")).to_have_count(3)
    items = page.get_by_test_id("trend-items-chart")
    await expect(items.locator(".recharts-wrapper svg path.recharts-line-curve")).to_have_count(2)
    await expect(
        page.get_by_text(re.compile(r"3 raccolte, dal .*; prezzo mediano da € 24,00 a € 27,50\."))
    ).to_be_visible()
    brands = page.get_by_role("table")
    await expect(brands.get_by_role("row", name=re.compile(r"^Nike € 35,00"))).to_be_visible()
    await expect(brands.get_by_role("rowheader")).to_have_text(["Nike", "Adidas"])
    if viewport.phone:
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport.width, f"the chart page is {width} px wide on a {viewport.width} px phone"
    await page.screenshot(path=str(screenshots / f"{viewport.name}-tendenze-categoria.png"), full_page=True)

    # Back to the list, and "Aggiorna ora": queued once, then the minutes to wait.
    await page.get_by_role("link", name="Tutte le categorie").click()
    await expect(page).to_have_url(re.compile(r"/tendenze$"))
    refresh = page.get_by_role("button", name="Aggiorna ora", exact=True)
    browsing.expected_failures |= {("/api/v1/trends/refresh", 429)}
    async with page.expect_response(is_call("/api/v1/trends/refresh", "POST")) as first:
        await refresh.click()
    assert (await first.value).status == 202
    await expect(
        page.get_by_text(re.compile(r"^Aggiornamento richiesto: 2 ricerche su Vinted"))
    ).to_be_visible()
    async with page.expect_response(is_call("/api/v1/trends/refresh", "POST")) as second:
        await refresh.click()
    answer = await second.value
    assert answer.status == 429, await answer.text()
    minutes = -(-int(answer.headers["retry-after"]) // 60)
    wait = f"I dati sono già in aggiornamento: puoi chiederlo di nuovo tra {minutes} minuti."
    await expect(page.get_by_text(wait, exact=True)).to_be_visible()
    browsing.assert_no_errors()


async def test_a_new_family_sees_what_to_do_and_its_inventory_source(
    browsing: Browsing, server: Serve, family: Person
) -> None:
    page = await signed_in(browsing, DESKTOP, family, re.compile("^Ciao "))
    await page.goto("/tendenze")
    await heading(page, "Tendenze")
    await expect(page.get_by_text("Ancora nessun dato di mercato", exact=True)).to_be_visible()
    await expect(
        page.get_by_text(re.compile(r"premi «Aggiorna ora»: i dati arrivano entro pochi minuti"))
    ).to_be_visible()
    await expect(page.get_by_text("Scelte in base al tuo inventario", exact=True)).to_be_visible()
    # Nothing to follow yet (no listing, no choice): the refresh says what to do.
    browsing.expected_failures |= {("/api/v1/trends/refresh", 409)}
    async with page.expect_response(is_call("/api/v1/trends/refresh", "POST")) as answer:
        await page.get_by_role("button", name="Aggiorna ora", exact=True).click()
    assert (await answer.value).status == 409
    await expect(page.get_by_text(re.compile(r"^Non c'è ancora niente da seguire"))).to_be_visible()
    browsing.assert_no_errors()


async def test_a_family_member_reads_the_trends_but_neither_refreshes_nor_chooses(
    browsing: Browsing, server: Serve, family: Person
) -> None:
    category_id = next(_categories)
    name = f"{SNEAKERS} {category_id}"
    follow(server, family, category_id, name)
    await market_history(server, category_id, name)
    admin = Member(server, family)
    try:
        invite = admin.invite("tendenze.membro@example.it")
    finally:
        admin.close()
    token = httpx.URL(invite).params["token"]
    member = Person("tendenze.membro@example.it", "tendenze_membro", "Vela-Nel-Porto-77")
    join_by_invite(server, member, token)
    page = await signed_in(browsing, PHONE, member, re.compile("^Ciao "))
    await page.goto(f"/tendenze?categoria={category_id}")
    await expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
    await expect(
        page.get_by_test_id("trend-price-chart").locator("path.recharts-line-curve")
    ).to_have_attribute("d", DRAWN)
    await page.goto("/tendenze")
    await expect(page.get_by_role("article", name=name).get_by_test_id("trend-median")).to_have_text(
        "€ 27,50"
    )
    await expect(page.get_by_role("button", name="Aggiorna ora")).to_have_count(0)
    await expect(
        page.get_by_text("Solo chi amministra la famiglia può cambiare cosa seguire.")
    ).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("^Togli "))).to_have_count(0)
    browsing.assert_no_errors()


@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=lambda v: v.name)
async def test_an_instance_admin_lands_on_amministrazione_and_sees_the_gate(
    browsing: Browsing, server: Serve, viewport: Viewport, screenshots
) -> None:
    root = Person(
        f"gestore.{viewport.name}@example.it",
        f"gestore_{viewport.name.replace('-', '_')}",
        "Torre-Di-Guardia-9",
    )
    await create_instance_admin(server, root)
    page = await signed_in(browsing, viewport, root, re.compile("^Amministrazione$"))
    await expect(page).to_have_url(re.compile(r"/amministrazione$"))
    # The navigation offers the installation, not a family's pages (which would answer 403).
    menu = page.get_by_role("navigation", name="Menu")
    await expect(menu.get_by_role("link", name="Amministrazione", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    await expect(menu.get_by_role("link", name="Annunci")).to_have_count(0)

    gate = page.get_by_role("region", name="Raccolta da Vinted")
    await expect(gate.get_by_test_id("scraper-status")).to_have_text("Tutto regolare")
    # The server's defaults: 3 reads and 1 write at once, 120 and 40 an hour.
    reads = gate.get_by_role("meter", name="Letture")
    await expect(reads).to_have_attribute("aria-valuemax", "3")
    await expect(gate.get_by_text(re.compile(r"^\d+ di 3 disponibili subito$"))).to_be_visible()
    await expect(gate.get_by_text(re.compile(r"^\d+ di 120 in quest'ora$"))).to_be_visible()
    await expect(gate.get_by_text(re.compile(r"^\d+ di 1 disponibili subito$"))).to_be_visible()
    await expect(gate.get_by_text(re.compile(r"^\d+ di 40 in quest'ora$"))).to_be_visible()
    await expect(gate.get_by_text("Nessun cambiamento di Vinted rilevato.")).to_be_visible()
    await expect(gate.get_by_test_id("scraper-queued")).to_have_text(re.compile(r"^\d+$"))
    if viewport.phone:
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport.width, f"the page is {width} px wide on a {viewport.width} px phone"
    await page.screenshot(path=str(screenshots / f"{viewport.name}-amministrazione.png"), full_page=True)

    # "Avvia raccolta": what the families follow is queued (other tests' families follow searches).
    async with page.expect_response(is_call("/api/v1/admin/scraper/trigger", "POST")) as answer:
        await gate.get_by_role("button", name="Avvia raccolta", exact=True).click()
    assert (await answer.value).status == 202, await (await answer.value).text()
    queued = r"^(Raccolta di \d+ ricerch[ae] messa in coda\.|La stessa raccolta è già in coda o in corso\.)$"
    await expect(gate.get_by_text(re.compile(queued))).to_be_visible()
    browsing.assert_no_errors()


async def test_amministrazione_is_for_the_instance_admin_only(browsing: Browsing, family: Person) -> None:
    page = await signed_in(browsing, DESKTOP, family, re.compile("^Ciao "))
    await expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Amministrazione")
    ).to_have_count(0)
    await page.goto("/amministrazione")
    await heading(page, "Amministrazione")
    await expect(
        page.get_by_text("Questa pagina è riservata a chi amministra l'installazione.")
    ).to_be_visible()
    browsing.assert_no_errors()


@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=lambda v: v.name)
async def test_the_family_admin_chooses_what_to_follow_and_goes_back_to_the_inventory(
    browsing: Browsing, server: Serve, family: Person, viewport: Viewport
) -> None:
    page = await signed_in(browsing, viewport, family, re.compile("^Ciao "))
    await page.goto("/tendenze")
    await heading(page, "Tendenze")
    editor = page.get_by_role("region", name="Cosa seguire")
    await expect(editor.get_by_text("Scelte in base al tuo inventario", exact=True)).to_be_visible()
    await expect(editor.get_by_text("Nessuna categoria seguita.", exact=True)).to_be_visible()

    # Aggiungi without a category says what is missing; then a category from Vinted's tree and a brand.
    await editor.get_by_role("button", name="Aggiungi", exact=True).click()
    await expect(editor.get_by_text("Scegli prima una categoria.", exact=True)).to_be_visible()
    await editor.get_by_role("button", name="Scegli", exact=True).click()
    results = editor.get_by_role("list", name="Categorie")
    await results.get_by_role("button", name="Uomo", exact=True).click()
    await results.get_by_role("button", name="Scarpe", exact=True).click()
    await results.get_by_role("button", name="Sneakers", exact=True).click()
    await expect(editor.get_by_text("Uomo > Scarpe > Sneakers", exact=True)).to_be_visible()
    await editor.get_by_label("Marchio (facoltativo)", exact=True).fill("Nike")
    async with page.expect_response(is_call("/api/v1/trends/follows", "PUT")) as saved:
        await editor.get_by_role("button", name="Aggiungi", exact=True).click()
    answer = await saved.value
    assert answer.status == 200, await answer.text()
    chosen = await answer.json()
    assert chosen["source"] == "configured"
    assert [(f["category_name"], f["brand"]) for f in chosen["follows"]] == [
        ("Uomo > Scarpe > Sneakers", "Nike")
    ]
    await expect(editor.get_by_text("Scelte salvate.", exact=True)).to_be_visible()
    await expect(editor.get_by_text("Scelte dalla famiglia", exact=True)).to_be_visible()
    await expect(editor.get_by_role("listitem").filter(has_text="Uomo > Scarpe > Sneakers")).to_contain_text(
        "Nike"
    )

    # The whole category too; the choice outlives a reload (it is the family's, on the server).
    await editor.get_by_role("button", name="Scegli", exact=True).click()
    await editor.get_by_role("searchbox", name="Cerca una categoria").fill("sneakers uomo")
    await results.get_by_role("button", name="Uomo > Scarpe > Sneakers", exact=True).click()
    async with page.expect_response(is_call("/api/v1/trends/follows", "PUT")):
        await editor.get_by_role("button", name="Aggiungi", exact=True).click()
    await page.reload()
    await heading(page, "Tendenze")
    rows = editor.get_by_role("listitem")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("Tutta la categoria")
    await expect(rows.nth(1)).to_contain_text("Nike")

    # Removed one by one; back to the inventory's choice.
    async with page.expect_response(is_call("/api/v1/trends/follows", "PUT")):
        await editor.get_by_role("button", name="Togli Uomo > Scarpe > Sneakers · Nike", exact=True).click()
    await expect(rows).to_have_count(1)
    async with page.expect_response(is_call("/api/v1/trends/follows", "PUT")) as reset:
        await editor.get_by_role("button", name="Torna al mio inventario", exact=True).click()
    assert await (await reset.value).json() == {"source": "inventory", "follows": []}
    await expect(editor.get_by_text("Scelte in base al tuo inventario", exact=True)).to_be_visible()
    await expect(editor.get_by_text("Nessuna categoria seguita.", exact=True)).to_be_visible()
    browsing.assert_no_errors()


def minutes_of(retry_after: str) -> int:
    return -(-int(retry_after) // 60)


async def test_while_vinted_asks_to_wait_the_pages_say_until_when_and_why(
    browsing: Browsing, server: Serve, family: Person
) -> None:
    category_id = next(_categories)
    follow(server, family, category_id, f"{SNEAKERS} {category_id}")
    root = Person("gestore.pausa@example.it", "gestore_pausa", "Torre-Di-Guardia-9")
    await create_instance_admin(server, root)
    browsing.expected_failures |= {("/api/v1/trends/refresh", 503), ("/api/v1/admin/scraper/trigger", 503)}
    async with pacing_gate(server) as gate:
        until = await gate.challenge("datadome")
        await gate.changed("/api/v2/catalog/items", "manca il campo «items» nella risposta")

        # The family admin's "Aggiorna ora": refused, with the minutes of Retry-After.
        page = await signed_in(browsing, DESKTOP, family, re.compile("^Ciao "))
        await page.goto("/tendenze")
        await heading(page, "Tendenze")
        async with page.expect_response(is_call("/api/v1/trends/refresh", "POST")) as refused:
            await page.get_by_role("button", name="Aggiorna ora", exact=True).click()
        answer = await refused.value
        assert answer.status == 503, await answer.text()
        minutes = minutes_of(answer.headers["retry-after"])
        assert 29 <= minutes <= 30
        await expect(
            page.get_by_text(f"Vinted ci ha chiesto una pausa: riprova tra {minutes} minuti.")
        ).to_be_visible()

        # The instance administrator's page: until when, and why; the last change of Vinted.
        admin = await signed_in(browsing, DESKTOP, root, re.compile("^Amministrazione$"))
        gate_region = admin.get_by_role("region", name="Raccolta da Vinted")
        at = until.astimezone(ZoneInfo("Europe/Rome")).strftime("%H:%M")
        await expect(gate_region.get_by_test_id("scraper-status")).to_have_text(
            f"In pausa fino alle {at}: Vinted ha mostrato una verifica (DataDome)"
        )
        changed = gate_region.get_by_role("region", name="Ultimo «Vinted è cambiato»")
        await expect(changed.get_by_text("/api/v2/catalog/items", exact=True)).to_be_visible()
        await expect(changed.get_by_text("manca il campo «items» nella risposta", exact=True)).to_be_visible()
        async with admin.expect_response(is_call("/api/v1/admin/scraper/trigger", "POST")) as triggered:
            await gate_region.get_by_role("button", name="Avvia raccolta", exact=True).click()
        answer = await triggered.value
        assert answer.status == 503, await answer.text()
        minutes = minutes_of(answer.headers["retry-after"])
        await expect(
            gate_region.get_by_text(f"Vinted ci ha chiesto una pausa: riprova tra {minutes} minuti.")
        ).to_be_visible()
    browsing.assert_no_errors()
