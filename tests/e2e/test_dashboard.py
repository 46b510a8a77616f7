"""The dashboard in a real browser against a real `serve`: sign-up, sign-in, invitations, roles, token
refresh, rate-limit message, language switch; screenshots of every page on a desktop and a phone.

Locators use the visible Italian texts of web/src/lib/messages.ts (roles and labels, as a person sees them).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import (
    Page,
    Route,
    expect,
)

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
    sign_out,
)
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PAGES = [
    "accedi",
    "registrati",
    "invito",
    "dashboard",
    "annunci",
    "vendite",
    "spedizioni",
    "tendenze",
    "assistente",
    "famiglia-admin",
    "famiglia-member",
    "impostazioni",
]


class Snapshots:
    """Screenshots under test-artifacts/screenshots/<viewport>-<page>.png, plus per-page layout checks."""

    def __init__(self, folder: Path, viewport: Viewport) -> None:
        self.folder = folder
        self.viewport = viewport

    async def take(self, page: Page, name: str) -> None:
        if self.viewport.phone:
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= self.viewport.width, (
                f"{name}: horizontal scroll on the phone ({width} px > {self.viewport.width} px)"
            )
        path = self.folder / f"{self.viewport.name}-{name}.png"
        path.unlink(missing_ok=True)
        await page.screenshot(path=str(path), full_page=True)

    def assert_complete(self) -> None:
        expected = {self.folder / f"{self.viewport.name}-{name}.png" for name in PAGES}
        missing = sorted(p.name for p in expected if not p.is_file() or p.stat().st_size == 0)
        assert not missing, f"screenshots missing or empty: {missing}"


# --- tests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_family_flow(browsing: Browsing, server: Serve, screenshots: Path, viewport: Viewport) -> None:
    """Register a family, sign out and in, invite a member who joins from another browser; roles hold."""
    admin = Person(f"anna.{viewport.name}@example.it", f"anna_{viewport.name}", "Girasole-Blu-Lago-77")
    member = Person(f"luca.{viewport.name}@example.it", f"luca_{viewport.name}", "Tramonto-Sul-Mare-42")
    family = f"Casa Rossi {viewport.name}"
    snaps = Snapshots(screenshots, viewport)

    # An anonymous visit lands on the Italian sign-in page.
    page = await browsing.page(viewport)
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/accedi$"))
    await heading(page, "Accedi")
    await expect(page.locator("html")).to_have_attribute("lang", "it")
    await snaps.take(page, "accedi")
    # Targets a thumb can hit: the language buttons are 44 px tall.
    for name in ("Italiano", "English"):
        box = await page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None and box["height"] >= 44, (name, box)

    # A new family.
    await page.get_by_role("link", name="Crea la tua famiglia").click()
    await expect(page).to_have_url(re.compile(r"/registrati$"))
    await heading(page, "Crea un account")
    await snaps.take(page, "registrati")
    await page.get_by_label("E-mail", exact=True).fill(admin.email)
    await page.get_by_label("Nome utente", exact=True).fill(admin.username)
    await page.get_by_label("Password", exact=True).fill(admin.password)
    await page.get_by_label("Nome della famiglia (facoltativo)", exact=True).fill(family)
    await page.get_by_role("button", name="Crea account").click()
    await heading(page, f"Ciao {admin.username}!")
    await expect(page).to_have_url(re.compile(r"/$"))
    await expect(page.get_by_text(f"Ecco come va il negozio di {family}.")).to_be_visible()
    await snaps.take(page, "dashboard")

    # Out and in again (with the e-mail).
    await sign_out(page, viewport)
    answer = await sign_in(page, admin.email, admin.password)
    assert answer.status == 200, await answer.text()
    await heading(page, f"Ciao {admin.username}!")

    # The inventory starts empty, with the way to fill it.
    await navigate(page, viewport, "Annunci")
    await expect(page).to_have_url(re.compile(r"/annunci$"))
    await heading(page, "Annunci")
    await expect(page.get_by_text("Ancora nessun annuncio", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name="Carica le foto")).to_be_visible()
    await snaps.take(page, "annunci")
    # Sales start empty too, and say how one gets there (from a listing).
    await navigate(page, viewport, "Vendite")
    await expect(page).to_have_url(re.compile(r"/vendite$"))
    await heading(page, "Vendite")
    await expect(page.get_by_text("Nessuna vendita ancora", exact=True)).to_be_visible()
    await expect(page.get_by_role("main").get_by_role("link", name="Vai agli annunci")).to_be_visible()
    await snaps.take(page, "vendite")
    # The home page is "Panoramica" in the navigation (Italian, not "Dashboard").
    await navigate(page, viewport, "Panoramica")
    await expect(page).to_have_url(re.compile(r"/$"))
    await heading(page, f"Ciao {admin.username}!")

    # Assistente: a new conversation suggests first questions.
    await navigate(page, viewport, "Assistente")
    await expect(page).to_have_url(re.compile(r"/assistente$"))
    await heading(page, "Assistente")
    await expect(
        page.get_by_role("button", name="Quanto ho guadagnato questo mese?", exact=True)
    ).to_be_visible()
    await snaps.take(page, "assistente")
    # Spedizioni is there (not in the navigation yet): a new family has no parcels.
    await page.goto("/spedizioni")
    await heading(page, "Spedizioni")
    await expect(page.get_by_text("Nessuna spedizione", exact=True)).to_be_visible()
    await snaps.take(page, "spedizioni")
    # Tendenze: no market data yet for a new family, and what to do about it.
    await navigate(page, viewport, "Tendenze")
    await heading(page, "Tendenze")
    await expect(page.get_by_text("Ancora nessun dato di mercato", exact=True)).to_be_visible()
    await snaps.take(page, "tendenze")

    # Settings: the signed-in devices list shows this one.
    await navigate(page, viewport, "Impostazioni")
    await heading(page, "Impostazioni")
    devices = page.get_by_role("list", name="Dispositivi collegati").get_by_role("listitem")
    await expect(devices.first).to_be_visible()
    await expect(devices.filter(has_text="questo dispositivo")).to_have_count(1)
    await snaps.take(page, "impostazioni")

    # Family: the admin sees the members and invites a relative.
    await navigate(page, viewport, "Famiglia")
    await heading(page, "Famiglia")
    members = page.get_by_role("list", name="Membri")
    await expect(members.get_by_role("listitem")).to_have_count(1)
    await expect(members).to_contain_text(admin.username)
    await page.get_by_label("E-mail", exact=True).fill(member.email)
    await page.get_by_label("Ruolo", exact=True).select_option(label="Membro")
    await page.get_by_role("button", name="Crea invito").click()
    link_field = page.get_by_test_id("invite-link")
    await expect(link_field).to_have_value(re.compile(r"/invito\?token="))
    invite_url = await link_field.input_value()
    assert invite_url.startswith(f"{server.url}/invito?token="), invite_url
    await expect(page.get_by_text(member.email, exact=True)).to_be_visible()  # pending invitation
    await snaps.take(page, "famiglia-admin")

    # Someone else, in another browser, opens the link.
    guest = await browsing.page(viewport)
    await guest.goto(invite_url)
    await heading(guest, "Sei stato invitato")
    await expect(guest.get_by_text(f"Unisciti a «{family}» come membro.")).to_be_visible()
    email_field = guest.get_by_label("E-mail", exact=True)
    await expect(email_field).to_have_value(member.email)
    await expect(email_field).not_to_be_editable()
    await snaps.take(guest, "invito")
    await guest.get_by_label("Nome utente", exact=True).fill(member.username)
    await guest.get_by_label("Password", exact=True).fill(member.password)
    await guest.get_by_role("button", name="Entra in famiglia").click()
    await heading(guest, f"Ciao {member.username}!")
    await expect(guest.get_by_text(f"Ecco come va il negozio di {family}.")).to_be_visible()

    # The member signs out and in again (with the username).
    await sign_out(guest, viewport)
    answer = await sign_in(guest, member.username, member.password)
    assert answer.status == 200, await answer.text()
    member_token = (await answer.json())["access_token"]
    await heading(guest, f"Ciao {member.username}!")

    # A member sees a notice on /famiglia, not the members nor the invitation form.
    await guest.goto("/famiglia")
    await heading(guest, "Famiglia")
    await expect(guest.get_by_text(re.compile(rf"^Fai parte di «{family}»"))).to_be_visible()
    await expect(guest.get_by_role("list", name="Membri")).to_have_count(0)
    await expect(guest.get_by_role("heading", name=re.compile(r"^Membri"))).to_have_count(0)
    await expect(guest.get_by_role("heading", name="Invita un familiare")).to_have_count(0)
    await expect(guest.get_by_role("button", name="Crea invito")).to_have_count(0)
    await snaps.take(guest, "famiglia-member")
    # ... and the API agrees: the same token reads the member's profile but not the family.
    auth = {"Authorization": f"Bearer {member_token}"}
    me = await guest.request.get("/api/v1/users/me", headers=auth)
    assert me.status == 200, await me.text()
    assert (await me.json())["role"] == "member"
    overview = await guest.request.get("/api/v1/users/family", headers=auth)
    assert overview.status == 403, await overview.text()

    # The admin now sees two members and no pending invitation.
    await page.reload()
    await heading(page, "Famiglia")
    await expect(members.get_by_role("listitem")).to_have_count(2)
    await expect(members.get_by_role("listitem").filter(has_text=member.username)).to_contain_text("Membro")
    await expect(page.get_by_text("Nessun invito in attesa.")).to_be_visible()

    snaps.assert_complete()
    browsing.assert_no_errors()


async def test_access_token_expiry_is_silent(short_browsing: Browsing, short_token_server: Serve) -> None:
    """3-second access tokens: after they expire, navigation and a reload keep working (refresh cookie)."""
    person = Person("rita@example.it", "rita", "Lanterna-Verde-Fiume-9")
    register_by_api(short_token_server, person, "Casa Bianchi")
    page = await short_browsing.page(DESKTOP)
    refreshes: list[int] = []
    is_refresh = is_call("/api/v1/auth/refresh", "POST")
    page.on("response", lambda r: refreshes.append(r.status) if is_refresh(r) else None)

    await page.goto("/accedi")
    await heading(page, "Accedi")
    answer = await sign_in(page, person.username, person.password)
    assert answer.status == 200
    assert (await answer.json())["expires_in"] == 3
    await heading(page, "Ciao rita!")
    before = len(refreshes)

    await asyncio.sleep(5)  # past the access token's expiry
    await navigate(page, DESKTOP, "Impostazioni")
    await heading(page, "Impostazioni")
    devices = page.get_by_role("list", name="Dispositivi collegati").get_by_role("listitem")
    await expect(devices.first).to_be_visible()
    await expect(devices.first).to_contain_text("questo dispositivo")
    after_login = refreshes[before:]
    assert after_login, "no POST /api/v1/auth/refresh after the access token expired"
    assert all(status == 200 for status in after_login), after_login

    # A reload forgets the in-memory access token: the refresh cookie signs the page back in. Reload right
    # after a scheduled refresh completed, so the reload never cancels one in flight (see the report).
    async with page.expect_response(is_call("/api/v1/auth/refresh", "POST")) as scheduled:
        pass
    assert (await scheduled.value).status == 200
    await page.reload()
    await heading(page, "Impostazioni")
    await expect(page).to_have_url(re.compile(r"/impostazioni$"))
    await expect(devices.first).to_contain_text("questo dispositivo")
    assert refreshes[-1] == 200, refreshes
    short_browsing.assert_no_errors()


async def test_expired_access_token_is_refreshed_on_401(
    short_browsing: Browsing, short_token_server: Serve
) -> None:
    """The scheduled refresh fails (network hiccup), so the token expires in memory: the next call gets a
    401, one silent refresh and one retry, and the person notices nothing."""
    person = Person("piero@example.it", "piero", "Ombrello-Giallo-Nord-3")
    register_by_api(short_token_server, person, "Casa Verdi")
    short_browsing.expected_failures |= {
        ("/api/v1/users/family", 401),
        ("/api/v1/auth/refresh", "net::ERR_FAILED"),
    }
    page = await short_browsing.page(DESKTOP)
    calls: list[tuple[str, int]] = []
    page.on(
        "response", lambda r: calls.append((httpx.URL(r.url).path, r.status)) if "/api/" in r.url else None
    )

    await page.goto("/accedi")
    answer = await sign_in(page, person.username, person.password)
    assert answer.status == 200
    await heading(page, "Ciao piero!")

    # The scheduled refresh (at 80 % of the 3 s lifetime) does not reach the server.
    aborted: list[str] = []

    async def drop(route: Route) -> None:
        aborted.append(route.request.url)
        await route.abort()

    await page.route("**/api/v1/auth/refresh", drop)
    await asyncio.sleep(4)  # past the expiry: the access token in memory is now refused by the server
    await page.unroute("**/api/v1/auth/refresh", drop)
    assert aborted, "the dashboard did not try to refresh the token before it expired"

    calls.clear()
    await navigate(page, DESKTOP, "Famiglia")
    await heading(page, "Famiglia")
    await expect(page.get_by_role("list", name="Membri")).to_contain_text("piero")
    assert calls[:3] == [
        ("/api/v1/users/family", 401),
        ("/api/v1/auth/refresh", 200),
        ("/api/v1/users/family", 200),
    ], calls
    short_browsing.assert_no_errors()


async def test_language_switch_is_remembered(browsing: Browsing) -> None:
    page = await browsing.page(DESKTOP)
    await page.goto("/accedi")
    await heading(page, "Accedi")
    await page.get_by_role("button", name="English", exact=True).click()
    await heading(page, "Sign in")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_label("E-mail or username", exact=True)).to_be_visible()

    await page.reload()
    await heading(page, "Sign in")
    english = page.get_by_role("button", name="English", exact=True)
    await expect(english).to_have_attribute("aria-pressed", "true")

    await page.get_by_role("button", name="Italiano", exact=True).click()
    await heading(page, "Accedi")
    await page.reload()
    await heading(page, "Accedi")
    await expect(page.locator("html")).to_have_attribute("lang", "it")
    browsing.assert_no_errors()


async def test_too_many_wrong_passwords_shows_the_wait(browsing: Browsing, server: Serve) -> None:
    """Five failures a minute per account (and per IP): the sixth attempt says how long to wait."""
    person = Person("gino@example.it", "gino", "Castello-Di-Sabbia-8")
    register_by_api(server, person, "Casa Neri")
    browsing.expected_failures |= {("/api/v1/auth/login", 401), ("/api/v1/auth/login", 429)}
    # serve trusts X-Forwarded-For from 127.0.0.1: a documentation address keeps the per-IP failure count
    # away from the other tests, which sign in from 127.0.0.1 on this same server.
    page = await browsing.page(DESKTOP, extra_http_headers={"X-Forwarded-For": "198.51.100.23"})
    await page.goto("/accedi")
    await heading(page, "Accedi")
    alert = page.get_by_role("main").get_by_role("alert")  # not Next's empty route announcer

    statuses = []
    for attempt in range(6):
        answer = await sign_in(page, person.username, f"Sbagliata-{attempt}-xyz")
        statuses.append(answer.status)
        await expect(alert).to_be_visible()
        if attempt < 5:
            await expect(alert).not_to_contain_text("riprova tra")
    assert statuses == [401] * 5 + [429], statuses
    await expect(alert).to_have_text(re.compile(r"riprova tra \d+ secondi"))
    browsing.assert_no_errors()
