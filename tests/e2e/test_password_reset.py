"""Password reset in a real browser against a real `serve`, on a phone and a desktop:

- with SMTP (a local aiosmtpd inbox): "Password dimenticata?" on the sign-in page, the e-mailed link,
  a too-short password refused under its field (in Italian, no "Value error"), the new password, a
  sign-in with it, and the session signed in before the reset no longer works;
- without SMTP: the request page says to ask the family admin (it never claims an e-mail was sent); the
  admin creates the link on the family page, the member opens it, resets, signs in.
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
from tests.e2e.test_signup import smtp_env, snapshot
from tests.support.serve import Serve, running_serve
from tests.support.smtp import Inbox, running_inbox

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
RESET_LINK = re.compile(r"https?://\S+/reimposta-password\?token=\S+")
RESET_SUBJECT = "Reimposta la password di Vinted Optimizer"
EMAIL_TIMEOUT = 30.0
ADMIN = Person("gestore@example.it", "gestore", "Armadio-Di-Noce-1987")
TOO_SHORT = "La password deve avere almeno 10 caratteri."


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with running_inbox() as inbox:
        yield inbox


@pytest.fixture(scope="module")
def mail_server(
    browser_prerequisites: None, inbox: Inbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Serve]:
    log = tmp_path_factory.mktemp("logs") / "serve-reset-smtp.log"
    with running_serve(log, **smtp_env(inbox)) as server:
        yield server


@pytest.fixture
async def mail_browsing(browser: Browser, mail_server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, mail_server.url)
    yield session
    await session.close()


def family_with_member(server: Serve, admin: Person, member: Person, family: str) -> None:
    """The admin's family (the first of the instance, or a new one where sign-ups are open) and the
    member invited into it, both through the API."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        signed_in = client.post("/api/v1/auth/login", json={"login": admin.email, "password": admin.password})
        if signed_in.status_code != 200:
            created = client.post(
                "/api/v1/auth/register",
                json={
                    "email": admin.email,
                    "username": admin.username,
                    "password": admin.password,
                    "family_name": family,
                },
            )
            assert created.status_code == 201, created.text
            signed_in = created
        headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        invited = client.post("/api/v1/users/family/invite", json={"email": member.email}, headers=headers)
        assert invited.status_code == 201, invited.text
        client.cookies.clear()
        joined = client.post(
            "/api/v1/auth/register",
            json={
                "email": member.email,
                "username": member.username,
                "password": member.password,
                "invite_token": invited.json()["token"],
            },
        )
        assert joined.status_code == 201, joined.text


async def reset_link(inbox: Inbox, address: str) -> str:
    deadline = time.monotonic() + EMAIL_TIMEOUT
    while not [m for m in inbox.to(address) if m["Subject"] == RESET_SUBJECT]:
        assert time.monotonic() < deadline, f"no reset e-mail to {address} after {EMAIL_TIMEOUT:.0f} s"
        await asyncio.sleep(0.2)
    (message,) = [m for m in inbox.to(address) if m["Subject"] == RESET_SUBJECT]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = RESET_LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group()


async def assert_touch_target(page: Page, name: str) -> None:
    box = await page.get_by_role("link", name=name, exact=True).bounding_box()
    assert box is not None and box["height"] >= 44, (name, box)


async def set_new_password(page: Page, password: str) -> None:
    """On the reset page: a too-short password first (refused under its field), then the real one."""
    await heading(page, "Nuova password")
    field = page.get_by_label("Nuova password", exact=True)
    await field.fill("corta-1")
    async with page.expect_response(is_call("/api/v1/auth/password-reset/confirm", "POST")) as refused:
        await page.get_by_role("button", name="Imposta la password", exact=True).click()
    assert (await refused.value).status == 422
    await expect(field).to_have_accessible_description(re.compile(re.escape(TOO_SHORT)))
    await expect(field).to_be_focused()
    await expect(page.get_by_role("main").get_by_role("alert")).to_have_text(
        "Controlla i campi segnati in rosso."
    )
    await expect(page.get_by_role("main")).not_to_contain_text(re.compile(r"value error", re.I))

    await field.fill(password)
    async with page.expect_response(is_call("/api/v1/auth/password-reset/confirm", "POST")) as done:
        await page.get_by_role("button", name="Imposta la password", exact=True).click()
    assert (await done.value).status == 204
    await expect(page.get_by_text("Password cambiata. Ora accedi con la nuova password.")).to_be_visible()
    await page.get_by_role("link", name="Accedi", exact=True).click()
    await heading(page, "Accedi")


@VIEWPORTS
async def test_reset_by_email_signs_in_with_the_new_password_and_ends_the_old_session(
    mail_browsing: Browsing, mail_server: Serve, inbox: Inbox, screenshots: Path, viewport: Viewport
) -> None:
    member = Person(f"lucia.{viewport.name}@example.it", f"lucia_{viewport.name}", "Tazza-Di-Caffe-Caldo-5")
    family_with_member(mail_server, ADMIN, member, "Casa Gestori")
    new_password = f"Scarpe-Rosse-Nuove-{viewport.name}"
    mail_browsing.expected_failures |= {
        ("/api/v1/auth/password-reset/confirm", 422),
        ("/api/v1/auth/refresh", 401),
        ("/api/v1/auth/login", 401),
    }

    # A device signed in before the reset.
    old = await mail_browsing.page(viewport)
    await old.goto("/accedi")
    assert (await sign_in(old, member.email, member.password)).status == 200
    await expect(old).to_have_url(re.compile(r"/$"))

    page = await mail_browsing.page(viewport)
    await page.goto("/accedi")
    await heading(page, "Accedi")
    if viewport.phone:
        await assert_touch_target(page, "Password dimenticata?")
    await page.get_by_role("link", name="Password dimenticata?", exact=True).click()
    await heading(page, "Password dimenticata")
    await page.get_by_label("E-mail", exact=True).fill(member.email)
    async with page.expect_response(is_call("/api/v1/auth/password-reset", "POST")) as asked:
        await page.get_by_role("button", name="Mandami il link", exact=True).click()
    assert (await asked.value).status == 202
    await expect(page.get_by_role("status")).to_contain_text(f"Se {member.email} corrisponde a un account")
    await snapshot(page, screenshots, viewport, "reset-requested")

    link = await reset_link(inbox, member.email)
    assert link.startswith(f"{mail_server.url}/reimposta-password?token="), link
    await page.goto(link)
    await snapshot(page, screenshots, viewport, "reset-form")
    await set_new_password(page, new_password)
    assert (await sign_in(page, member.email, member.password)).status == 401  # the old one is gone
    assert (await sign_in(page, member.email, new_password)).status == 200
    await expect(page).to_have_url(re.compile(r"/$"))

    # The session from before the reset is revoked: that device is sent to the sign-in page.
    await old.reload()
    await expect(old).to_have_url(re.compile(r"/accedi"))
    await heading(old, "Accedi")
    mail_browsing.assert_no_errors()


@VIEWPORTS
async def test_without_smtp_the_family_admin_creates_the_link(
    browsing: Browsing, server: Serve, screenshots: Path, viewport: Viewport
) -> None:
    admin = Person(f"nonna.{viewport.name}@example.it", f"nonna_{viewport.name}", "Gomitolo-Di-Lana-1950")
    member = Person(f"nipote.{viewport.name}@example.it", f"nipote_{viewport.name}", "Bicicletta-Blu-2011")
    family_with_member(server, admin, member, f"Casa Nonna {viewport.name}")
    new_password = f"Aquilone-Verde-{viewport.name}-9"
    browsing.expected_failures |= {("/api/v1/auth/password-reset/confirm", 422), ("/api/v1/auth/login", 401)}

    # The member's request page does not pretend to send an e-mail: it says whom to ask.
    page = await browsing.page(viewport)
    await page.goto("/password-dimenticata")
    await heading(page, "Password dimenticata")
    await expect(page.get_by_text("Chiedi a chi gestisce la famiglia", exact=True)).to_be_visible()
    await expect(page.get_by_role("main")).to_contain_text("Questo server non può mandare e-mail.")
    await expect(page.get_by_role("button", name="Mandami il link")).to_have_count(0)
    await expect(page.get_by_role("main")).not_to_contain_text("ti abbiamo appena scritto")
    await snapshot(page, screenshots, viewport, "reset-no-email")

    admin_page = await browsing.page(viewport)
    await admin_page.goto("/accedi")
    assert (await sign_in(admin_page, admin.email, admin.password)).status == 200
    await expect(admin_page).to_have_url(re.compile(r"/$"))
    await admin_page.goto("/famiglia")
    await heading(admin_page, "Famiglia")
    # Only for the others: one's own password is changed in the settings.
    create = admin_page.get_by_role("button", name=re.compile(r"^Crea link per reimpostare la password"))
    await expect(create).to_have_count(1)
    button = admin_page.get_by_role(
        "button", name=f"Crea link per reimpostare la password di {member.username}", exact=True
    )
    box = await button.bounding_box()
    assert box is not None and box["height"] >= 44, box
    async with admin_page.expect_response(
        lambda r: "/password-reset" in r.url and r.request.method == "POST"
    ) as created:
        await button.click()
    assert (await created.value).status == 201
    await expect(admin_page.get_by_role("status").filter(has_text="non lo vedrai più")).to_be_visible()
    link = await admin_page.get_by_test_id("reset-link").input_value()
    assert link.startswith(f"{server.url}/reimposta-password?token="), link
    await snapshot(admin_page, screenshots, viewport, "reset-link-created")

    await page.goto(link)
    await set_new_password(page, new_password)
    assert (await sign_in(page, member.email, member.password)).status == 401
    assert (await sign_in(page, member.email, new_password)).status == 200
    await expect(page).to_have_url(re.compile(r"/$"))
    browsing.assert_no_errors()


@VIEWPORTS
async def test_account_forms_show_their_errors_under_the_fields(
    browsing: Browsing, server: Serve, viewport: Viewport
) -> None:
    """The sign-in and password-change forms put each message under its field, in Italian."""
    person = Person(f"carla.{viewport.name}@example.it", f"carla_{viewport.name}", "Lampada-Da-Tavolo-42")
    register_by_api(server, person, f"Casa Carla {viewport.name}")
    browsing.expected_failures |= {("/api/v1/users/me", 403), ("/api/v1/users/me", 422)}

    page = await browsing.page(viewport)
    await page.goto("/accedi")
    await page.get_by_role("button", name="Accedi", exact=True).click()  # nothing filled in
    login = page.get_by_label("E-mail o nome utente", exact=True)
    await expect(login).to_have_accessible_description("Campo obbligatorio.")
    await expect(login).to_be_focused()
    await expect(page.get_by_label("Password", exact=True)).to_have_accessible_description(
        "Campo obbligatorio."
    )
    assert (await sign_in(page, person.email, person.password)).status == 200
    await expect(page).to_have_url(re.compile(r"/$"))

    await page.goto("/impostazioni")
    card = page.locator("section").filter(has=page.get_by_role("heading", name="Cambia password", exact=True))
    current = card.get_by_label("Password attuale", exact=True)
    new = card.get_by_label("Nuova password", exact=True)
    submit = card.get_by_role("button", name="Cambia password", exact=True)

    await current.fill("Non-E-Questa-123")
    await new.fill("Nuova-Password-Lunga-7")
    async with page.expect_response(is_call("/api/v1/users/me", "PATCH")) as wrong:
        await submit.click()
    assert (await wrong.value).status == 403
    await expect(current).to_have_accessible_description("La password attuale non è corretta.")

    await current.fill(person.password)
    await new.fill("1234567890")
    async with page.expect_response(is_call("/api/v1/users/me", "PATCH")) as weak:
        await submit.click()
    assert (await weak.value).status == 422
    await expect(new).to_have_accessible_description(
        re.compile(re.escape("La password è troppo comune: scegline una meno prevedibile."))
    )
    await expect(current).not_to_have_attribute("aria-invalid", "true")
    await expect(card.get_by_role("alert")).to_have_text("Controlla i campi segnati in rosso.")
    await expect(page.get_by_role("main")).not_to_contain_text(re.compile(r"value error", re.I))
    browsing.assert_no_errors()
