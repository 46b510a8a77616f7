"""Navigation for thumbs, in a real browser against a real `serve`: the phone's bottom tab bar and its
"Altro" sheet, the desktop's side navigation, the Assistente among them, where sign-in lands, and the
list view's layout (clamped titles, a copy's "copia", the member filter) measured by bounding boxes."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.async_api import Locator, Page, expect

from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    Browsing,
    Person,
    Viewport,
    heading,
    navigate,
    open_more,
    register_by_api,
    sign_in,
    sign_out,
)
from tests.e2e.seed import Member
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# What the navigation offers: only sections that work. The others keep their routes, which say what they
# will do and when.
DESKTOP_SECTIONS = [
    "Panoramica",
    "Annunci",
    "Vendite",
    "Spedizioni",
    "Tendenze",
    "Assistente",
    "Famiglia",
    "Impostazioni",
]
MORE_SECTIONS = ["Spedizioni", "Tendenze", "Assistente", "Famiglia", "Impostazioni"]
MIN_TARGET = 44
BULK_ACTIONS = "Azioni sugli annunci selezionati"


async def box(locator: Locator) -> dict[str, float]:
    found = await locator.bounding_box()
    assert found is not None, f"{locator} has no box (not rendered)"
    return found


async def assert_target(locator: Locator, what: str) -> None:
    found = await box(locator)
    assert found["height"] >= MIN_TARGET and found["width"] >= MIN_TARGET, (what, found)


async def assert_content_above_tab_bar(page: Page) -> None:
    """Scrolled to the very end, the page's last content ends above the fixed tab bar, not behind it."""
    # A page may still be growing (its figures arrive after its heading): scroll and measure until it
    # settles, for at most a few seconds.
    measured: list[float] = []
    for _ in range(20):
        measured = await page.evaluate(
            """() => {
                window.scrollTo(0, document.documentElement.scrollHeight);
                const bar = document.querySelector('nav[aria-label="Menu"]:not(aside nav)');
                const last = document.querySelector('main').lastElementChild;
                return [bar.getBoundingClientRect().top, last.getBoundingClientRect().bottom];
            }"""
        )
        if measured[1] <= measured[0]:
            return
        await page.wait_for_timeout(200)
    bar_top, content_bottom = measured
    assert content_bottom <= bar_top, (page.url, content_bottom, bar_top)


_families = itertools.count(1)


@pytest.fixture
def family(server: Serve) -> Person:
    """A new family of one (its admin) on the module's server, for each test."""
    name = f"nav_{next(_families)}"
    person = Person(f"{name}@example.it", name, "Girasole-Blu-Lago-77")
    register_by_api(server, person, f"Casa {name}")
    return person


async def signed_in(browsing: Browsing, viewport: Viewport, person: Person) -> Page:
    page = await browsing.page(viewport)
    await page.goto("/accedi")
    answer = await sign_in(page, person.email, person.password)
    assert answer.status == 200, await answer.text()
    await heading(page, f"Ciao {person.username}!")
    return page


async def test_phone_tab_bar(browsing: Browsing, family: Person) -> None:
    """Below `md`: no hamburger; a bottom bar of 44 px targets, the current tab marked, "Nuovo" opening the
    upload panel, "Altro" a sheet with the rest; the content is never hidden behind the bar."""
    page = await signed_in(browsing, PHONE, family)
    await expect(page.get_by_role("button", name="Menu", exact=True)).to_have_count(0)
    bar = page.get_by_role("navigation", name="Menu")
    tabs = {
        "Panoramica": bar.get_by_role("link", name="Panoramica", exact=True),
        "Annunci": bar.get_by_role("link", name="Annunci", exact=True),
        "Nuovo annuncio": bar.get_by_role("link", name="Nuovo annuncio", exact=True),
        "Vendite": bar.get_by_role("link", name="Vendite", exact=True),
        "Altro": bar.get_by_role("button", name="Altro", exact=True),
    }
    for name, tab in tabs.items():
        await expect(tab).to_be_visible()
        await assert_target(tab, name)
    # The bar is at the bottom of the screen, the "Nuovo" action in its middle.
    bar_box = await box(bar)
    assert bar_box["y"] + bar_box["height"] == PHONE.height, bar_box
    new_box = await box(tabs["Nuovo annuncio"])
    assert abs(new_box["x"] + new_box["width"] / 2 - PHONE.width / 2) < 2, new_box
    await expect(tabs["Panoramica"]).to_have_attribute("aria-current", "page")
    await expect(bar.locator("[aria-current]")).to_have_count(1)
    await assert_content_above_tab_bar(page)

    await tabs["Nuovo annuncio"].click()
    await expect(page).to_have_url(re.compile(r"/annunci\?nuovo=1$"))
    await heading(page, "Nuovo annuncio")
    await expect(tabs["Nuovo annuncio"]).to_have_attribute("aria-current", "page")
    await expect(tabs["Annunci"]).not_to_have_attribute("aria-current", re.compile("."))
    await assert_content_above_tab_bar(page)

    await tabs["Annunci"].click()
    await expect(page).to_have_url(re.compile(r"/annunci$"))
    await heading(page, "Annunci")
    await expect(tabs["Annunci"]).to_have_attribute("aria-current", "page")
    await assert_content_above_tab_bar(page)

    await tabs["Vendite"].click()
    await heading(page, "Vendite")
    await expect(tabs["Vendite"]).to_have_attribute("aria-current", "page")
    await assert_content_above_tab_bar(page)

    # "Altro": a modal sheet with the other sections, the language and sign out; Escape closes it.
    sheet = await open_more(page)
    await expect(tabs["Altro"]).to_have_attribute("aria-expanded", "true")
    links = sheet.get_by_role("navigation", name="Altro").get_by_role("link")
    await expect(links).to_have_text(MORE_SECTIONS)
    for target in [
        *[links.nth(n) for n in range(len(MORE_SECTIONS))],
        sheet.get_by_role("button", name="Italiano", exact=True),
        sheet.get_by_role("button", name="English", exact=True),
        sheet.get_by_role("button", name="Esci", exact=True),
        sheet.get_by_role("button", name="Chiudi menu", exact=True),
    ]:
        await assert_target(target, str(target))
    await page.keyboard.press("Escape")
    await expect(sheet).to_be_hidden()
    await expect(tabs["Altro"]).to_have_attribute("aria-expanded", "false")

    await navigate(page, PHONE, "Famiglia")
    await heading(page, "Famiglia")
    await expect(page.get_by_role("dialog", name="Altro")).to_be_hidden()
    # A section of the sheet is open: "Altro" is the current tab.
    await expect(tabs["Altro"]).to_have_attribute("aria-current", "true")
    await expect(bar.locator("[aria-current]")).to_have_count(1)
    await assert_content_above_tab_bar(page)

    # The sheet open, the screen grows past `md`: the sheet closes, the page is usable, not left inert.
    await open_more(page)
    await page.set_viewport_size({"width": DESKTOP.width, "height": DESKTOP.height})
    await expect(page.get_by_role("dialog", name="Altro")).to_be_hidden()
    await page.get_by_role("navigation", name="Menu").get_by_role("link", name="Annunci").click()
    await heading(page, "Annunci")
    browsing.assert_no_errors()


async def test_desktop_side_navigation(browsing: Browsing, family: Person) -> None:
    """From `md` up: the side navigation with every section that exists and a "new listing" button; no
    tab bar."""
    page = await signed_in(browsing, DESKTOP, family)
    navs = page.get_by_role("navigation", name="Menu")
    await expect(navs).to_have_count(1)
    await expect(navs.get_by_role("link")).to_have_text(DESKTOP_SECTIONS)
    await expect(navs.get_by_role("link", name="Panoramica")).to_have_attribute("aria-current", "page")
    await expect(page.get_by_role("button", name="Altro")).to_have_count(0)
    await page.get_by_role("complementary").get_by_role("link", name="Nuovo annuncio").click()
    await expect(page).to_have_url(re.compile(r"/annunci\?nuovo=1$"))
    await heading(page, "Nuovo annuncio")
    browsing.assert_no_errors()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_the_assistant_is_in_the_navigation(
    browsing: Browsing, family: Person, viewport: Viewport
) -> None:
    """Assistente works now: the side navigation has it on a desktop, the "Altro" sheet on a phone, and it
    opens the page with its suggested first questions (nothing says "in arrivo" any more)."""
    page = await signed_in(browsing, viewport, family)
    await navigate(page, viewport, "Assistente")
    await expect(page).to_have_url(re.compile(r"/assistente$"))
    await heading(page, "Assistente")
    await expect(
        page.get_by_role("button", name="Quanto ho guadagnato questo mese?", exact=True)
    ).to_be_visible()
    await expect(page.get_by_text("Non è ancora disponibile", exact=False)).to_have_count(0)
    if viewport.phone:
        await expect(page.get_by_role("button", name="Altro")).to_have_attribute("aria-current", "true")
    else:
        link = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Assistente")
        await expect(link).to_have_attribute("aria-current", "page")
    browsing.assert_no_errors()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_sign_in_lands_home_or_where_the_member_was_sent_away(
    browsing: Browsing, family: Person, viewport: Viewport
) -> None:
    # Signed out from Famiglia, signed in again: the home page, not Famiglia.
    page = await signed_in(browsing, viewport, family)
    await navigate(page, viewport, "Famiglia")
    await heading(page, "Famiglia")
    await sign_out(page, viewport)
    await expect(page).to_have_url(re.compile(r"/accedi$"))
    answer = await sign_in(page, family.username, family.password)
    assert answer.status == 200, await answer.text()
    await heading(page, f"Ciao {family.username}!")
    await expect(page).to_have_url(re.compile(r"/$"))

    # A protected deep link opened while signed out (another browser): sign-in leads to it, query and all.
    other = await browsing.page(viewport)
    await other.goto("/annunci?q=giacca")
    await expect(other).to_have_url(re.compile(r"/accedi\?next=%2Fannunci%3Fq%3Dgiacca$"))
    answer = await sign_in(other, family.email, family.password)
    assert answer.status == 200, await answer.text()
    await expect(other).to_have_url(re.compile(r"/annunci\?q=giacca$"))
    await heading(other, "Annunci")
    await expect(other.get_by_role("searchbox", name="Cerca")).to_have_value("giacca")
    browsing.assert_no_errors()


LONG_TITLE = (
    "Giacca di jeans Levi's da donna, taglia M, lavaggio chiaro, come nuova, con bottoni in metallo "
    "e due tasche sul petto"
)

# The element with the title's text: the title alone, or (where "(copia)" is not its own badge) with it.
TITLE_TEXT = re.compile(rf"^{re.escape(LONG_TITLE)}(?: \(copia\))?$")


async def is_clamped(locator: Locator) -> bool:
    clamped: bool = await locator.evaluate("el => el.scrollHeight > el.clientHeight + 1")
    return clamped


async def assert_below(upper: Locator, lower: Locator, what: str) -> None:
    """`lower` starts where `upper` ends or further down: their boxes do not overlap."""
    top, bottom = await box(upper), await box(lower)
    assert top["y"] + top["height"] <= bottom["y"] + 0.5, (what, top, bottom)


async def assert_inside(inner: Locator, outer: Locator, what: str) -> None:
    a, b = await box(inner), await box(outer)
    assert (
        a["x"] >= b["x"] - 0.5
        and a["y"] >= b["y"] - 0.5
        and a["x"] + a["width"] <= b["x"] + b["width"] + 0.5
        and a["y"] + a["height"] <= b["y"] + b["height"] + 0.5
    ), (what, a, b)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_list_view_long_title_and_its_copy(
    browsing: Browsing, server: Serve, family: Person, viewport: Viewport
) -> None:
    """A long title is clamped without running into the line below it; its copy shows "copia" as its own
    badge, so the two never look the same; the member filter shows its whole text."""
    member = Member(server, family)
    try:
        original = member.listing_with_photos(title=LONG_TITLE, brand="Levi's", size="M")
        copy = member.duplicate(original["id"])
    finally:
        member.close()
    assert copy["title"] == f"{LONG_TITLE} (copia)"
    page = await signed_in(browsing, viewport, family)
    await page.goto("/annunci")
    await heading(page, "Annunci")

    # The grid (the default view): title, then the row of price and badges.
    cards = page.get_by_role("main").get_by_role("listitem").filter(has_text=LONG_TITLE)
    await expect(cards).to_have_count(2)
    for n in range(2):
        card = cards.nth(n)
        title = card.get_by_text(TITLE_TEXT)
        assert await is_clamped(title), f"card {n}: the long title is not clamped: the test shows nothing"
        await assert_below(title, card.get_by_text("Bozza", exact=True), f"card {n}: title over the badge")
    copies = cards.filter(has=page.get_by_text("copia", exact=True))
    await expect(copies).to_have_count(1)
    chip = copies.get_by_text("copia", exact=True)
    await expect(chip).to_be_visible()
    await assert_inside(chip, copies, "the copy's badge inside its card")
    await assert_below(copies.get_by_text(LONG_TITLE, exact=True), chip, "the copy's title over its badge")
    # A screen reader hears the whole title, "(copia)" included: the card's link names the copy.
    await expect(page.get_by_role("link", name=re.compile(r"\(copia\)"))).to_have_count(1)

    # The list ("Elenco"): the clamped title, then the brand line (and on a phone the status badge).
    await page.get_by_role("button", name="Elenco", exact=True).click()
    rows = page.get_by_role("row").filter(has_text=LONG_TITLE)
    await expect(rows).to_have_count(2)
    for n in range(2):
        row = rows.nth(n)
        title = row.get_by_text(TITLE_TEXT)
        assert await is_clamped(title), f"row {n}: the long title is not clamped: the test shows nothing"
        await assert_below(title, row.get_by_text("Levi's · M", exact=True), f"row {n}: title over the brand")
        if viewport.phone:
            badge = row.get_by_text("Bozza", exact=True).filter(visible=True)
            await assert_below(title, badge, f"row {n}: title over the badge")
    copy_rows = rows.filter(has=page.get_by_text("copia", exact=True))
    await expect(copy_rows).to_have_count(1)
    chip = copy_rows.get_by_text("copia", exact=True)
    await expect(chip).to_be_visible()
    await assert_inside(chip, copy_rows, "the copy's badge inside its row")
    await assert_below(copy_rows.get_by_text(LONG_TITLE, exact=True), chip, "the copy's title over its badge")

    # The filters (behind "Filtri" on a phone): no select cuts its text ("Tutta la famigl").
    if viewport.phone:
        await page.get_by_role("button", name="Filtri").click()
    member_filter = page.get_by_label("Di chi", exact=True)
    await expect(member_filter.locator("option:checked")).to_have_text("Tutta la famiglia")
    selects = page.get_by_role("main").get_by_role("combobox")
    assert await selects.count() >= 4
    for n in range(await selects.count()):
        select = selects.nth(n)
        await expect(select).to_be_visible()
        widths = await select.evaluate("el => [el.scrollWidth, el.clientWidth, el.selectedOptions[0].text]")
        assert widths[0] <= widths[1], f"select {n} cuts {widths[2]!r}: {widths[0]} > {widths[1]} px"

    if viewport.phone:
        await assert_sticky_bar_above_tab_bar(page, cards)
    browsing.assert_no_errors()


async def assert_sticky_bar_above_tab_bar(page: Page, cards: Locator) -> None:
    """The bulk actions stick to the bottom of the content: on a phone, just above the tab bar, not under
    it. The filters are open, so the page scrolls and the bar is stuck, not at its place in the flow."""
    await page.get_by_role("button", name="Griglia", exact=True).click()
    await cards.first.get_by_role("checkbox").check()
    bulk = page.get_by_role("region", name=BULK_ACTIONS)
    await expect(bulk).to_be_visible()
    await page.evaluate("window.scrollTo(0, 0)")
    tab_bar = await box(page.get_by_role("navigation", name="Menu"))
    found = await box(bulk)
    bottom = found["y"] + found["height"]
    assert abs(bottom - tab_bar["y"]) < 1, ("the bulk bar is not on the tab bar", found, tab_bar)
