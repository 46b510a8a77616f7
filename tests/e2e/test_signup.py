"""Sign-up as the server's policy (VO_REGISTRATION) allows, in a real browser against a real `serve`:

- invite (the default): the first visitor creates the first family from /registrati; after that the page
  says sign-ups are by invitation, with no form;
- open, with a real local SMTP inbox: the form answers "check your e-mail", nothing exists yet, and the
  link in the e-mail creates the account and signs the person in.

Locators use the visible Italian texts of web/src/lib/messages.ts (roles and labels, as a person sees them).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser import DESKTOP, PHONE, Browsing, Person, Viewport, heading, is_call
from tests.support.serve import Serve, running_serve, running_serves
from tests.support.smtp import Inbox, running_inbox

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
SIGNUP_LINK = re.compile(r"https?://\S+/registrati\?completa=\S+")
EMAIL_TIMEOUT = 30.0
INVITE_ONLY = (
    "Su questa istanza si entra solo con un invito. Chiedi a chi gestisce la tua famiglia di mandarti il "
    "link: aprendolo potrai creare il tuo account."
)


def smtp_env(inbox: Inbox) -> dict[str, str]:
    """The inbox's settings as the VO_SMTP_* variables of a `serve` subprocess."""
    return {
        f"VO_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in inbox.settings().items()
    }


@pytest.fixture(scope="module")
def invite_servers(
    browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Serve]]:
    """A new instance for each viewport's test (its first family can be created once), with the default
    policy: both started at once."""
    logs = tmp_path_factory.mktemp("logs")
    with running_serves(logs, [DESKTOP.name, PHONE.name]) as servers:
        yield servers


@pytest.fixture
def invite_server(invite_servers: dict[str, Serve], viewport: Viewport) -> Serve:
    """The instance of this viewport's test: no other test signs up there."""
    return invite_servers[viewport.name]


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with running_inbox() as inbox:
        yield inbox


@pytest.fixture(scope="module")
def open_server(
    browser_prerequisites: None, inbox: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Serve]:
    log = tmp_path_factory.mktemp("logs") / "serve-open.log"
    with running_serve(log, VO_REGISTRATION="open", **smtp_env(inbox)) as server:
        yield server


@pytest.fixture
async def invite_browsing(browser: Browser, invite_server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, invite_server.url)
    yield session
    await session.close()


@pytest.fixture
async def open_browsing(browser: Browser, open_server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, open_server.url)
    yield session
    await session.close()


async def snapshot(page: Page, folder: Path, viewport: Viewport, name: str) -> None:
    """A screenshot under test-artifacts/screenshots/, and no horizontal scroll on the phone."""
    if viewport.phone:
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport.width, (
            f"{name}: horizontal scroll on the phone ({width} px > {viewport.width} px)"
        )
    await page.screenshot(path=str(folder / f"{viewport.name}-{name}.png"), full_page=True)


async def fill_sign_up(page: Page, person: Person, family: str) -> None:
    await page.get_by_label("E-mail", exact=True).fill(person.email)
    await page.get_by_label("Nome utente", exact=True).fill(person.username)
    await page.get_by_label("Password", exact=True).fill(person.password)
    await page.get_by_label("Nome della famiglia (facoltativo)", exact=True).fill(family)


async def signup_link(inbox: Inbox, address: str) -> str:
    """The link in the sign-up e-mail to `address`, once the worker has sent it."""
    deadline = time.monotonic() + EMAIL_TIMEOUT
    while not inbox.to(address):
        assert time.monotonic() < deadline, f"no e-mail to {address} after {EMAIL_TIMEOUT:.0f} s"
        await asyncio.sleep(0.2)
    (message,) = inbox.to(address)
    assert message["Subject"] == "La tua registrazione a Vinted Optimizer"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = SIGNUP_LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group()


# --- tests --------------------------------------------------------------------------------------------


@VIEWPORTS
async def test_first_visitor_creates_the_family_then_sign_up_is_by_invitation(
    invite_browsing: Browsing, invite_server: Serve, screenshots: Path, viewport: Viewport
) -> None:
    admin = Person(f"marta.{viewport.name}@example.it", f"marta_{viewport.name}", "Colline-Verdi-Al-Sole-31")
    family = f"Casa Conti {viewport.name}"
    # The first attempt is refused field by field (422): the messages sit under their fields.
    invite_browsing.expected_failures |= {("/api/v1/auth/register", 422)}

    page = await invite_browsing.page(viewport)
    await page.goto("/registrati")
    await heading(page, "Crea un account")
    await expect(
        page.get_by_text("Crei una nuova famiglia: potrai invitare gli altri membri dopo.")
    ).to_be_visible()

    await fill_sign_up(page, Person("marta@localhost", "marta conti", admin.password), family)
    async with page.expect_response(is_call("/api/v1/auth/register", "POST")) as refused:
        await page.get_by_role("button", name="Crea account").click()
    assert (await refused.value).status == 422
    await expect(page.get_by_role("main").get_by_role("alert")).to_have_text(
        "Controlla i campi segnati in rosso."
    )
    email = page.get_by_label("E-mail", exact=True)
    await expect(email).to_have_accessible_description(
        "Scrivi un indirizzo e-mail valido, come nome@esempio.it."
    )
    await expect(email).to_be_focused()  # the first field with a message
    await expect(page.get_by_label("Nome utente", exact=True)).to_have_accessible_description(
        re.compile(r"^Il nome utente deve avere da 3 a 40 caratteri")
    )
    await expect(page.get_by_role("main")).not_to_contain_text(re.compile(r"value error|valid email", re.I))

    await fill_sign_up(page, admin, family)
    async with page.expect_response(is_call("/api/v1/auth/register", "POST")) as created:
        await page.get_by_role("button", name="Crea account").click()
    assert (await created.value).status == 201
    await heading(page, f"Ciao {admin.username}!")
    await expect(page).to_have_url(re.compile(r"/$"))
    await expect(page.get_by_text(f"Ecco come va il negozio di {family}.")).to_be_visible()

    # Someone else, in another browser: the family exists, so sign-ups are by invitation only.
    other = await invite_browsing.page(viewport)
    await other.goto("/registrati")
    await heading(other, "Iscrizioni su invito")
    await expect(other.get_by_text(INVITE_ONLY, exact=True)).to_be_visible()
    await expect(other.get_by_role("textbox")).to_have_count(0)
    await expect(other.get_by_label("Password", exact=True)).to_have_count(0)
    await expect(other.get_by_role("button", name="Crea account")).to_have_count(0)
    await snapshot(other, screenshots, viewport, "registrati-su-invito")
    await other.get_by_role("main").get_by_role("link", name="Accedi", exact=True).click()
    await expect(other).to_have_url(re.compile(r"/accedi$"))
    await heading(other, "Accedi")
    invite_browsing.assert_no_errors()


@VIEWPORTS
async def test_open_sign_up_is_completed_by_the_link_in_the_email(
    open_browsing: Browsing, open_server: Serve, inbox: Inbox, screenshots: Path, viewport: Viewport
) -> None:
    person = Person(f"elena.{viewport.name}@example.it", f"elena_{viewport.name}", "Sentiero-Nel-Bosco-58")
    family = f"Casa Galli {viewport.name}"

    page = await open_browsing.page(viewport)
    await page.goto("/registrati")
    await heading(page, "Crea un account")
    await fill_sign_up(page, person, family)
    async with page.expect_response(is_call("/api/v1/auth/register", "POST")) as answer:
        await page.get_by_role("button", name="Crea account").click()
    assert (await answer.value).status == 202

    await heading(page, "Controlla la tua e-mail")
    await expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        f"Ti abbiamo scritto a {person.email}: apri il link nell'e-mail per completare la registrazione."
    )
    await expect(page.get_by_text(re.compile(r"qualche minuto.*posta indesiderata \(spam\)"))).to_be_visible()
    await expect(
        page.get_by_text(re.compile(r"^Finché non apri il link non viene creato niente"))
    ).to_be_visible()
    await expect(page.get_by_role("button", name="Indirizzo sbagliato? Ricomincia")).to_be_visible()
    await snapshot(page, screenshots, viewport, "registrati-controlla-email")

    # Nothing exists until the link is opened: these credentials do not sign in yet.
    async with httpx.AsyncClient(base_url=open_server.url, timeout=10) as client:
        early = await client.post(
            "/api/v1/auth/login", json={"login": person.username, "password": person.password}
        )
    assert early.status_code == 401, early.text

    link = await signup_link(inbox, person.email)
    assert link.startswith(f"{open_server.url}/registrati?completa="), link
    async with page.expect_response(is_call("/api/v1/auth/register/complete", "POST")) as completed:
        await page.goto(link)
    assert (await completed.value).status == 201
    await heading(page, f"Ciao {person.username}!")
    await expect(page).to_have_url(re.compile(r"/$"))
    await expect(page.get_by_text(f"Ecco come va il negozio di {family}.")).to_be_visible()
    open_browsing.assert_no_errors()
