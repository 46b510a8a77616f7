"""Accessibility: axe-core run in every page of the dashboard, in Italian, on a phone and a desktop, against
a real `serve` (with the local Ollama stand-in, so the review page shows a real draft). Any `serious` or
`critical` violation fails the test, printed page by page.

`make test` tours the phone (every visit, the phone-only ones too); `make resilience` tours both viewports
(resilience/run.py sets A11Y_VIEWPORTS=desktop,phone): each tour costs about 20 s.

Why axe-core injected by hand: `@axe-core/playwright` (a devDependency in web/package.json, which brings
the pinned `axe-core`) is a Node.js wrapper, and our browser tests are Python Playwright. What it does is
small: evaluate axe-core's `axe.min.js` in the page, then call `axe.run()`. We do exactly that with the file
it installs (web/node_modules/axe-core/axe.min.js); evaluating through Playwright is not subject to the
page's Content-Security-Policy, as with the Node wrapper.

To check a new page, add a `Visit` to `VISITS` (a name, its address, the heading that shows it is ready,
and optionally what to do before the check).
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    open_more,
    register_by_api,
    sign_in,
    sign_out,
)
from tests.e2e.market import create_instance_admin, follow, market_history
from tests.e2e.seed import Member
from tests.fakes import sendcloud
from tests.images.factories import photo
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AXE_JS = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
# axe's own rule set (WCAG 2.0-2.2 A/AA and best practices; not the experimental rules), violations only.
# The rules that passed come back too (ids only): proof that axe looked at the page, not an empty frame.
AXE_RUN = """async () => {
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return {
        passed: result.passes.map((rule) => rule.id),
        violations: result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
        })),
    };
}"""
# Every page of ours has text: the contrast rule must have run there (passed or failed). With a modal open
# (the "Altro" sheet) axe checks the modal only, so the page-wide rules (title, lang) do not apply then.
ALWAYS_APPLIES = {"color-contrast"}
MIN_RULES_PASSED = 10
# The viewports toured, by name (comma-separated): the phone alone unless A11Y_VIEWPORTS says otherwise.
VIEWPORTS = {viewport.name: viewport for viewport in (DESKTOP, PHONE)}
TOURED = [VIEWPORTS[name.strip()] for name in os.environ.get("A11Y_VIEWPORTS", PHONE.name).split(",")]

Prepare = Callable[[Page, "Seeded"], Awaitable[None]]


@dataclass(frozen=True)
class Seeded:
    """What the visits point at: made once per viewport through the API."""

    person: Person
    listing_id: str
    invite_token: str
    server: Serve
    # The category the family follows in Tendenze (market data is shared: one per viewport).
    category_id: int


@dataclass(frozen=True)
class Visit:
    name: str
    # The address; {listing} and {invite} are filled from `Seeded` (a listing's id, an invitation's token).
    path: str
    # The level-1 heading that says the page is ready (a pattern, or a text matched whole).
    heading: str | re.Pattern[str]
    signed_in: bool = True
    # Done after the heading shows and before the check: open a panel, choose a file, switch a view.
    prepare: Prepare | None = None
    phone_only: bool = False
    # Rule id -> why it is tolerated for now. The test fails when such a violation stops occurring, so a
    # fixed exception is removed, not forgotten.
    known: dict[str, str] = field(default_factory=dict)


async def choose_photo(page: Page, _: Seeded) -> None:
    picture = {"name": "maglione.jpg", "mimeType": "image/jpeg", "buffer": photo(1200, 900, seed=5)}
    await page.locator('input[type="file"]:not([capture])').set_input_files(files=[picture])
    await expect(page.get_by_role("button", name="Carica 1 foto")).to_be_visible()


async def table_view(page: Page, _: Seeded) -> None:
    await page.get_by_role("button", name="Elenco", exact=True).click()
    await expect(page.get_by_role("table")).to_be_visible()


async def open_filters(page: Page, _: Seeded) -> None:
    await page.get_by_role("button", name="Filtri").click()
    await expect(page.get_by_label("Di chi", exact=True)).to_be_visible()


async def ready_draft(page: Page, _: Seeded) -> None:
    draft = page.get_by_label("Titolo", exact=True)
    await expect(draft).to_have_value("Giacca di jeans Levi's donna", timeout=30_000)


async def more_sheet(page: Page, _: Seeded) -> None:
    await open_more(page)


async def conversation_list(page: Page, seeded: Seeded) -> None:
    """A conversation of the member's (made through the API), open, its list shown (a view of its own on a
    phone) with its delete button and the confirmation."""
    with api_client(page, seeded) as client:
        answer = client.post("/api/v1/chat/sessions", json={"title": "Spese di spedizione"})
        assert answer.status_code == 201, answer.text
        session_id = answer.json()["id"]
    await page.goto(f"/assistente?sessione={session_id}")
    await expect(
        page.get_by_role("button", name="Quanto ho guadagnato questo mese?", exact=True)
    ).to_be_visible()
    show = page.get_by_role("button", name="Le mie conversazioni", exact=True)
    if await show.is_visible():
        await show.click()
    await page.get_by_role("button", name="Elimina «Spese di spedizione»", exact=True).click()
    await expect(page.get_by_role("button", name="Sì, elimina", exact=True)).to_be_visible()


@contextmanager
def api_client(page: Page, seeded: Seeded) -> Iterator[httpx.Client]:
    """The API of the page's server, signed in as the seeded member."""
    origin = httpx.URL(page.url).copy_with(path="/", query=None, fragment=None)
    with httpx.Client(base_url=str(origin), timeout=30) as client:
        login = {"login": seeded.person.email, "password": seeded.person.password}
        token = client.post("/api/v1/auth/login", json=login).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def published(client: httpx.Client, seed: int, **fields: str) -> str:
    """A new listing of the seeded member, published with `fields`; its id."""
    files = [("files", (f"foto-{seed}.jpg", photo(900, 1200, seed=seed), "image/jpeg"))]
    listing_id = str(client.post("/api/v1/images/upload", files=files).json()["listing"]["id"])
    answer = client.patch(f"/api/v1/listings/{listing_id}", json={**fields, "status": "published"})
    assert answer.status_code == 200, answer.text
    return listing_id


def a_sale(page: Page, seeded: Seeded) -> str:
    """The family's sale (made through the API the first time: a listing of its own, published, sold)."""
    with api_client(page, seeded) as client:
        found = client.get("/api/v1/sales", params={"limit": 1}).json()["items"]
        if found:
            return str(found[0]["id"])
        listing_id = published(client, 23, title="Borsa di pelle", price="40.00", purchase_cost="12.00")
        sale = {"listing_id": listing_id, "sale_price": "38.00", "vinted_fees": "2.00"}
        answer = client.post("/api/v1/sales", json={**sale, "buyer_username": "compratore_a11y"})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])


async def sales_with_one(page: Page, seeded: Seeded) -> None:
    """The list with a sale in it: its row (or card), the totals, the figures, DAC7."""
    a_sale(page, seeded)
    await page.reload()
    await heading(page, "Vendite")
    await expect(page.get_by_role("link", name="Borsa di pelle").filter(visible=True)).to_be_visible()
    await expect(page.get_by_role("progressbar", name="Vendite")).to_be_visible()


async def sell_form(page: Page, seeded: Seeded) -> None:
    """A published listing's "Segna come venduto" form, open."""
    with api_client(page, seeded) as client:
        listing_id = published(client, 29, title="Sciarpa di lana", price="15.00")
    await page.goto(f"/annunci?id={listing_id}")
    await heading(page, "Sciarpa di lana")
    await page.get_by_role("button", name="Segna come venduto", exact=True).click()
    await expect(page.get_by_label("Prezzo di vendita (€)", exact=True)).to_have_value("15,00")


async def sale_page(page: Page, seeded: Seeded) -> None:
    await page.goto(f"/vendite?id={a_sale(page, seeded)}")
    await heading(page, "Borsa di pelle")
    await expect(page.get_by_text("compratore_a11y", exact=True)).to_be_visible()


# --- Spedizioni: each visit makes its own listing and sale through the API (none shared with other visits).


def _new_sale(client: httpx.Client, title: str) -> dict[str, Any]:
    listing = client.post("/api/v1/listings", json={"title": title, "price": "18.00"})
    assert listing.status_code == 201, listing.text
    sale = client.post(
        "/api/v1/sales",
        json={"listing_id": listing.json()["id"], "sale_price": "18.00", "buyer_username": "lu_compra"},
    )
    assert sale.status_code == 201, sale.text
    result: dict[str, Any] = sale.json()
    return result


async def sale_to_ship(page: Page, seeded: Seeded) -> None:
    """The purchase form of a sale's label, once the family has its (stand-in) Sendcloud keys and sender."""
    with api_client(page, seeded) as client:
        account = client.put(
            "/api/v1/shipments/account",
            json={
                "sender_address": {
                    "name": "Casa Accessibile",
                    "address_line_1": "Via Roma",
                    "house_number": "1",
                    "postal_code": "20121",
                    "city": "Milano",
                    "country_code": "IT",
                },
                "sendcloud_public_key": sendcloud.PUBLIC_KEY,  # what the run's stand-in accepts
                "sendcloud_secret_key": sendcloud.SECRET_KEY,
            },
        )
        assert account.status_code == 200, account.text
        sale = _new_sale(client, "Borsa a tracolla")
    await page.goto(f"/vendite?id={sale['id']}")
    await heading(page, "Borsa a tracolla")
    await expect(page.get_by_role("button", name="Acquista etichetta", exact=True)).to_be_visible()
    await page.get_by_label("Peso (kg)", exact=True).fill("1")
    await expect(page.get_by_role("radio", name=re.compile("BRT"))).to_be_visible()  # the stand-in's carriers


async def follow_form(page: Page, seeded: Seeded) -> None:
    with api_client(page, seeded) as client:
        sale = _new_sale(client, "Sciarpa di seta")
    await page.goto(f"/spedizioni?vendita={sale['id']}")
    await heading(page, "Spedizione di «Sciarpa di seta»")
    await page.get_by_role("button", name="Ho già spedito con l'etichetta Vinted").click()
    await expect(page.get_by_role("button", name="Segui il pacco", exact=True)).to_be_visible()


async def followed_parcel(page: Page, seeded: Seeded) -> None:
    """The list with a parcel in it (followed by its code: no Sendcloud behind this server)."""
    with api_client(page, seeded) as client:
        sale = _new_sale(client, "Stivali in pelle")
        followed = client.post(
            "/api/v1/shipments/follow", json={"sale_id": sale["id"], "tracking_code": "RR123456785IT"}
        )
        assert followed.status_code == 201, followed.text
    await page.reload()
    await heading(page, "Spedizioni")
    await expect(page.get_by_role("link", name="Stivali in pelle", exact=True)).to_be_visible()


async def parcel_view(page: Page, seeded: Seeded) -> None:
    with api_client(page, seeded) as client:
        parcels = client.get("/api/v1/shipments").json()["items"]
    assert parcels, "spedizioni-elenco makes the parcel this visit shows"
    await page.goto(f"/spedizioni?id={parcels[0]['id']}")
    await heading(page, parcels[0]["title"])
    await expect(page.get_by_role("heading", name="Cronologia")).to_be_visible()


async def shipping_settings(page: Page, _: Seeded) -> None:
    """Impostazioni → Spedizioni as the family admin sees it, keys saved, their removal asked to confirm."""
    await expect(page.get_by_label("Chiave pubblica", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Rimuovi chiavi", exact=True).click()
    await expect(page.get_by_role("group", name=re.compile("^Rimuovere le chiavi"))).to_be_visible()


# --- Tendenze and Amministrazione.
TRENDS_CATEGORY = "Donna > Scarpe > Sneakers"
PHONE_WIDTH_LIMIT = 768  # below `md` the dashboard has the phone's tab bar


async def followed_trends(page: Page, seeded: Seeded) -> None:
    """The family follows a category with three collections: its card, the follows editor's list."""
    follow(seeded.server, seeded.person, seeded.category_id, TRENDS_CATEGORY)
    await market_history(seeded.server, seeded.category_id, TRENDS_CATEGORY)
    await page.reload()
    await heading(page, "Tendenze")
    await expect(page.get_by_role("article", name=TRENDS_CATEGORY)).to_be_visible()


async def trend_charts(page: Page, seeded: Seeded) -> None:
    """A category's history drawn (tendenze-categorie made it) and its brands' table."""
    await page.goto(f"/tendenze?categoria={seeded.category_id}")
    await expect(page.get_by_test_id("trend-price-chart").locator("path.recharts-line-curve")).to_have_count(
        1
    )
    await expect(page.get_by_role("table")).to_be_visible()


async def as_instance_admin(page: Page, seeded: Seeded) -> None:
    """Signed out, then in as the installation's administrator: their home, the scraper's gate."""
    admin = Person(
        f"gestore.{seeded.person.username}@example.it",
        f"gestore_{seeded.person.username}",
        "Faro-Sul-Porto-31",
    )
    await create_instance_admin(seeded.server, admin)
    size = page.viewport_size
    await sign_out(page, PHONE if size and size["width"] < PHONE_WIDTH_LIMIT else DESKTOP)
    answer = await sign_in(page, admin.email, admin.password)
    assert answer.status == 200, await answer.text()
    await heading(page, "Amministrazione")
    await expect(page.get_by_test_id("scraper-status")).to_be_visible()


async def vinted_pairing(page: Page, _: Seeded) -> None:
    """Impostazioni → Vinted with a pairing code shown and the manual fallback opened."""
    await page.get_by_role("button", name="Collega con l'estensione", exact=True).click()
    await expect(page.get_by_test_id("vinted-code")).to_be_visible()
    await page.get_by_text("Non puoi usare l'estensione? Incolla i cookie a mano").click()
    await expect(page.get_by_label("Cookie access_token_web", exact=True)).to_be_visible()


VISITS = [
    # Signed out.
    Visit("accedi", "/accedi", "Accedi", signed_in=False),
    Visit("registrati", "/registrati", "Crea un account", signed_in=False),
    Visit("invito", "/invito?token={invite}", "Sei stato invitato", signed_in=False),
    Visit("invito-incompleto", "/invito", "Sei stato invitato", signed_in=False),
    Visit("pagina-inesistente", "/pagina-che-non-esiste", "Pagina non trovata", signed_in=False),
    Visit("password-dimenticata", "/password-dimenticata", "Password dimenticata", signed_in=False),
    Visit("reimposta-password", "/reimposta-password?token=abc", "Nuova password", signed_in=False),
    # Signed in.
    Visit("panoramica", "/", re.compile(r"^Ciao ")),
    Visit("annunci", "/annunci", "Annunci"),
    Visit("annunci-elenco", "/annunci", "Annunci", prepare=table_view),
    Visit("annunci-filtri", "/annunci", "Annunci", prepare=open_filters, phone_only=True),
    Visit("annunci-nuovo", "/annunci?nuovo=1", "Nuovo annuncio"),
    Visit("annunci-nuovo-foto-scelta", "/annunci?nuovo=1", "Nuovo annuncio", prepare=choose_photo),
    # A listing with two photos, reviewed once the model's draft is in (or while it is being written).
    Visit("annunci-revisione", "/annunci?id={listing}", re.compile("."), prepare=ready_draft),
    Visit("vendite", "/vendite", "Vendite"),
    Visit("vendite-elenco", "/vendite", "Vendite", prepare=sales_with_one),
    # A sale's page (/vendite?id=…): the sale is made through the API by the prepare step.
    Visit("vendite-vendita", "/vendite", "Vendite", prepare=sale_page),
    Visit("annunci-segna-venduto", "/annunci", "Annunci", prepare=sell_form),
    Visit("spedizioni", "/spedizioni", "Spedizioni"),
    Visit("vendite-spedizione", "/vendite", "Vendite", prepare=sale_to_ship),
    Visit("spedizioni-vendita-vinted", "/spedizioni", "Spedizioni", prepare=follow_form),
    Visit("spedizioni-elenco", "/spedizioni", "Spedizioni", prepare=followed_parcel),
    Visit("spedizioni-pacco", "/spedizioni", "Spedizioni", prepare=parcel_view),
    Visit("tendenze", "/tendenze", "Tendenze"),
    Visit("tendenze-categorie", "/tendenze", "Tendenze", prepare=followed_trends),
    Visit("tendenze-categoria", "/tendenze", "Tendenze", prepare=trend_charts),
    Visit("assistente", "/assistente", "Assistente"),
    Visit("assistente-conversazioni", "/assistente", "Assistente", prepare=conversation_list),
    Visit("famiglia", "/famiglia", "Famiglia"),
    Visit("impostazioni", "/impostazioni", "Impostazioni"),
    Visit("impostazioni-vinted-codice", "/impostazioni", "Impostazioni", prepare=vinted_pairing),
    # After spedizioni-vendita, which saved the family's Sendcloud keys.
    Visit("impostazioni-spedizioni", "/impostazioni", "Impostazioni", prepare=shipping_settings),
    Visit("altro", "/", re.compile(r"^Ciao "), prepare=more_sheet, phone_only=True),
    # Last: it signs the page out of the family and in as the instance administrator.
    Visit("amministrazione", "/amministrazione", "Amministrazione", prepare=as_instance_admin),
]


def test_every_page_of_the_dashboard_has_a_visit() -> None:
    """Each page of web/src/app is in VISITS: a new page without an accessibility check fails here."""
    app = Path(__file__).resolve().parents[2] / "web" / "src" / "app"
    routes = set()
    for page in app.rglob("page.tsx"):
        folder = page.parent.relative_to(app).as_posix()
        routes.add("/" if folder == "." else f"/{folder}")
    visited = {visit.path.split("?")[0] for visit in VISITS}
    assert not routes - visited, f"pages without an accessibility visit in VISITS: {sorted(routes - visited)}"


def report(problems: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for where, violations in problems.items():
        for violation in violations:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}")
            lines.append(f"    {violation['helpUrl']}")
            for node in violation["nodes"][:5]:
                reasons = [line.strip() for line in node["summary"].splitlines()[1:] if line.strip()]
                summary = " / ".join(reasons)
                lines.append(f"    - {node['target']}: {summary}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    … and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


async def axe_run(page: Page) -> dict[str, Any]:
    """axe-core in the page as it is now: {"passed": [rule ids], "violations": [...]}."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result: dict[str, Any] = await page.evaluate(AXE_RUN)
    return result


@pytest.fixture(scope="module")
def a11y_server(ai_server: Serve) -> Serve:
    if not AXE_JS.is_file():
        pytest.fail(f"{AXE_JS} is missing: run make install (axe-core comes with @axe-core/playwright)")
    return ai_server


def seed(server: Serve, viewport: Viewport) -> Seeded:
    person = Person(f"a11y.{viewport.name}@example.it", f"a11y_{viewport.name}", "Faro-Sul-Porto-31")
    register_by_api(server, person, f"Casa Accessibile {viewport.name}")
    member = Member(server, person)
    try:
        listing = member.listing_with_photos(photos=2, seed=11)
        invite = member.invite(f"ospite.{viewport.name}@example.it")
    finally:
        member.close()
    token = httpx.URL(invite).params["token"]
    category_id = 870_001 if viewport.phone else 870_002
    return Seeded(
        person=person, listing_id=listing["id"], invite_token=token, server=server, category_id=category_id
    )


@pytest.mark.parametrize("viewport", TOURED, ids=lambda v: v.name)
async def test_no_serious_accessibility_violations(
    ai_browsing: Browsing, a11y_server: Serve, viewport: Viewport
) -> None:
    # The 404 page is a page too: its status is expected.
    ai_browsing.expected_failures |= {("/pagina-che-non-esiste", 404)}
    seeded = seed(a11y_server, viewport)
    visits = [visit for visit in VISITS if viewport.phone or not visit.phone_only]
    anonymous = await ai_browsing.page(viewport)
    member = await ai_browsing.page(viewport)
    await member.goto("/accedi")
    answer = await sign_in(member, seeded.person.email, seeded.person.password)
    assert answer.status == 200, await answer.text()
    await heading(member, re.compile(r"^Ciao "))

    problems: dict[str, list[dict[str, Any]]] = {}
    stale: list[str] = []
    for visit in visits:
        page = member if visit.signed_in else anonymous
        await page.goto(visit.path.format(listing=seeded.listing_id, invite=seeded.invite_token))
        await heading(page, visit.heading)
        if visit.prepare:
            await visit.prepare(page, seeded)
        result = await axe_run(page)
        found = result["violations"]
        unchecked = ALWAYS_APPLIES - set(result["passed"]) - {v["id"] for v in found}
        assert not unchecked, f"{visit.name}: axe did not check {sorted(unchecked)}"
        assert len(result["passed"]) >= MIN_RULES_PASSED, (visit.name, result["passed"])
        failing = [v for v in found if v["impact"] in FAILING_IMPACTS and v["id"] not in visit.known]
        if failing:
            problems[f"{viewport.name} {visit.name} ({visit.path})"] = failing
        seen = {v["id"] for v in found}
        stale += [f"{visit.name}: {rule}" for rule in visit.known if rule not in seen]

    assert not problems, "serious or critical accessibility violations:\n" + report(problems)
    assert not stale, f"known exceptions that no longer occur (remove them from VISITS): {stale}"
    ai_browsing.assert_no_errors()


def test_the_report_is_readable() -> None:
    """What a failure prints: page, rule, impact, help link, the elements and why (axe's own summary)."""
    violation = {
        "id": "color-contrast",
        "impact": "serious",
        "help": "Elements must meet minimum color contrast ratio thresholds",
        "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/color-contrast",
        "nodes": [
            {
                "target": ".badge",
                "summary": "Fix any of the following:\n  Element has insufficient color contrast of 2.5",
            }
        ],
    }
    text = report({"phone annunci (/annunci)": [violation]})
    assert text.splitlines() == [
        "phone annunci (/annunci): color-contrast (serious) Elements must meet minimum color contrast ratio"
        " thresholds",
        "    https://dequeuniversity.com/rules/axe/4.14/color-contrast",
        "    - .badge: Element has insufficient color contrast of 2.5",
    ]
