"""What a person does in the dashboard, for the browser tests: viewports, browser contexts that collect
console errors, and the few actions every test repeats (sign in, sign out, navigate)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Response,
    WebError,
    expect,
)

from tests.support.serve import Serve

ACTION_TIMEOUT_MS = 10_000
FAILED_LOAD = re.compile(
    r"Failed to load resource: (?:the server responded with a status of (?P<status>\d{3})|(?P<net>net::\w+))"
)


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    phone: bool

    def context_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "viewport": {"width": self.width, "height": self.height},
            "locale": "it-IT",
        }
        if self.phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        return options


DESKTOP = Viewport("desktop", 1280, 800, phone=False)
PHONE = Viewport("phone", 390, 844, phone=True)


@dataclass
class Person:
    email: str
    username: str
    password: str


@dataclass
class Browsing:
    """The browser contexts of one test; console errors and uncaught page errors are collected from all."""

    browser: Browser
    base_url: str
    # A signed-out visit makes no failing call at all (the session probe runs only after a sign-in).
    expected_failures: set[tuple[str, int | str]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)

    async def page(self, viewport: Viewport, **options: Any) -> Page:
        """A new browser context (a different person, no shared cookies or storage) and its page."""
        context = await self.browser.new_context(
            base_url=self.base_url, **viewport.context_options(), **options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.on("console", self._console)
        context.on("weberror", self._page_error)
        self.contexts.append(context)
        return await context.new_page()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        failed = FAILED_LOAD.match(message.text)
        if failed:
            outcome = int(failed["status"]) if failed["status"] else failed["net"]
            if (httpx.URL(url).path, outcome) in self.expected_failures:
                return
        where = message.page.url if message.page else url
        self.errors.append(f"console error on {where}: {message.text} ({url})")

    def _page_error(self, error: WebError) -> None:
        where = error.page.url if error.page else "?"
        self.errors.append(f"uncaught error on {where}: {error.error}")

    def assert_no_errors(self) -> None:
        assert not self.errors, "errors in the browser console:\n" + "\n".join(self.errors)

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()
        if self.errors:  # shown with the captured output when the test failed before assert_no_errors()
            print("browser console errors:", *self.errors, sep="\n  ")


def register_by_api(server: Serve, person: Person, family_name: str) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post(
            "/api/v1/auth/register",
            json={
                "email": person.email,
                "username": person.username,
                "password": person.password,
                "family_name": family_name,
            },
        )
        assert response.status_code == 201, response.text


def is_call(path: str, method: str = "GET") -> Callable[[Response], bool]:
    return lambda response: httpx.URL(response.url).path == path and response.request.method == method


# --- what a person does -------------------------------------------------------------------------------


async def heading(page: Page, name: str | re.Pattern[str]) -> None:
    await expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


# The phone's bottom tab bar; every other section is in its "Altro" sheet.
PHONE_TABS = ("Panoramica", "Annunci", "Nuovo annuncio", "Vendite")


async def open_more(page: Page) -> Locator:
    """On the phone: open the "Altro" sheet of the tab bar; returns the sheet."""
    await page.get_by_role("navigation", name="Menu").get_by_role("button", name="Altro", exact=True).click()
    sheet = page.get_by_role("dialog", name="Altro")
    await expect(sheet).to_be_visible()
    return sheet


async def navigate(page: Page, viewport: Viewport, label: str) -> None:
    """Click a navigation link: the side navigation on a desktop; on a phone the tab bar, or the "Altro"
    sheet for a section that is not a tab."""
    if viewport.phone and label not in PHONE_TABS:
        sheet = await open_more(page)
        links = sheet.get_by_role("navigation", name="Altro")
    else:
        links = page.get_by_role("navigation", name="Menu")
    await links.get_by_role("link", name=label, exact=True).click()


async def sign_out(page: Page, viewport: Viewport) -> None:
    """ "Esci": in the side navigation's foot on a desktop, in the "Altro" sheet on a phone."""
    where = await open_more(page) if viewport.phone else page.get_by_role("complementary")
    await where.get_by_role("button", name="Esci", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/accedi$"))
    await heading(page, "Accedi")


async def sign_in(page: Page, login: str, password: str) -> Response:
    """Fill the sign-in form on /accedi and submit it; returns the API's answer to the login call."""
    await page.get_by_label("E-mail o nome utente", exact=True).fill(login)
    await page.get_by_label("Password", exact=True).fill(password)
    async with page.expect_response(is_call("/api/v1/auth/login", "POST")) as answer:
        await page.get_by_role("button", name="Accedi", exact=True).click()
    return await answer.value
