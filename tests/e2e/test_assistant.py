"""The Assistente page in a real browser against a real `serve` whose AI speaks to the local Ollama stand-in:
a question about this month's earnings answered with the exact figure from SQL, streamed in token by token
over the member's WebSocket, its sources as links (the sale among them), the answer still there after a
reload; "Ferma" stopping a stalled reply (stored as stopped); and the page on a 375 px phone."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.e2e.browser import DESKTOP, Browsing, Person, Viewport, heading, register_by_api, sign_in
from tests.e2e.seed import Member
from tests.fakes.ollama import FakeOllama, Reply
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUESTION = "Quanto ho guadagnato questo mese?"
TITLE = "Giacca di velluto Zara"
# 24,00 sold, 1,20 of Vinted fees, 5,00 paid for it: 17,80 net, as SQL computes it.
NET = "€ 17,80"
FIRST = "Questo mese "
LAST = "netti, con una vendita."
SMALL_PHONE = Viewport("phone-375", 375, 667, phone=True)
CONVERSATION_URL = re.compile(r"/assistente\?sessione=([0-9a-f-]{36})$")

_families = itertools.count(1)


@pytest.fixture
def family(ai_server: Serve) -> Person:
    name = f"assistente_{next(_families)}"
    person = Person(f"{name}@example.it", name, "Cesto-Di-Mele-42")
    register_by_api(ai_server, person, f"Casa {name}")
    return person


def sold_this_month(server: Serve, person: Person) -> dict[str, Any]:
    """A published listing and its sale today, through the API; returns the sale."""
    member = Member(server, person)
    try:
        listing = member.listing_with_photos(
            seed=11, title=TITLE, price="24.00", purchase_cost="5.00", brand="Zara"
        )
        response = member.client.patch(f"/api/v1/listings/{listing['id']}", json={"status": "published"})
        assert response.status_code == 200, response.text
        response = member.client.post(
            "/api/v1/sales", json={"listing_id": listing["id"], "sale_price": "24.00", "vinted_fees": "1.20"}
        )
        assert response.status_code == 201, response.text
        sale: dict[str, Any] = response.json()
        return sale
    finally:
        member.close()


def stored_reply(server: Serve, person: Person, session_id: str) -> dict[str, Any]:
    member = Member(server, person)
    try:
        response = member.client.get(f"/api/v1/chat/sessions/{session_id}/messages")
        assert response.status_code == 200, response.text
        replies = [m for m in response.json()["items"] if m["role"] == "assistant"]
        assert replies, response.text
        reply: dict[str, Any] = replies[-1]
        return reply
    finally:
        member.close()


async def open_assistant(page: Page, person: Person) -> None:
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))
    await page.goto("/assistente")
    await heading(page, "Assistente")


async def assert_no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("() => document.documentElement.scrollWidth")
    viewport = await page.evaluate("() => window.innerWidth")
    assert width <= viewport, (page.url, width, viewport)


async def test_a_streamed_answer_with_the_exact_figure_and_its_sources(
    ai_browsing: Browsing, ai_server: Serve, e2e_ollama: FakeOllama, family: Person, screenshots: Path
) -> None:
    sale = sold_this_month(ai_server, family)
    # The model only phrases: a slow one, so the first piece is on screen long before the last.
    e2e_ollama.script(
        "/api/chat",
        Reply(tokens=[FIRST, "hai guadagnato ", f"{NET} ", LAST], token_delay=1.5),
    )
    page = await ai_browsing.page(DESKTOP)
    await open_assistant(page, family)
    await expect(page.get_by_role("link", name="Assistente")).to_have_attribute("aria-current", "page")

    # An empty conversation suggests first questions; one of them asks.
    suggestions = page.get_by_role("button", name=QUESTION, exact=True)
    for question in ("Quanti pacchi sono in viaggio?", "Come spedisco con l'etichetta di Vinted?"):
        await expect(page.get_by_role("button", name=question, exact=True)).to_be_visible()
    async with page.expect_response(is_call_prefix("/api/v1/chat/sessions/", "POST")) as sent:
        await suggestions.click()
    assert (await sent.value).status == 202
    await expect(page).to_have_url(CONVERSATION_URL)
    found = CONVERSATION_URL.search(page.url)
    assert found is not None
    session_id = found[1]

    reply = page.get_by_role("group", name="Assistente", exact=True)
    await expect(page.get_by_role("group", name="Tu", exact=True)).to_have_text(QUESTION)
    # Streaming: the first piece is shown while the last is still to come, "Ferma" is offered and the
    # composer waits.
    await expect(reply).to_contain_text(FIRST)
    assert LAST not in await reply.inner_text()
    await expect(page.get_by_role("button", name="Ferma", exact=True)).to_be_visible()
    await expect(page.get_by_label("La tua domanda", exact=True)).to_be_disabled()

    # Done: the whole answer, the sources with the exact figure from SQL and a link to the sale.
    await expect(reply).to_contain_text(f"Questo mese hai guadagnato {NET} {LAST}")
    await expect(page.get_by_role("button", name="Ferma", exact=True)).to_have_count(0)
    sources = reply.get_by_role("list", name="Fonti")
    await expect(sources).to_contain_text(f"guadagno netto {NET}")
    sale_link = sources.get_by_role("link", name=f"Vendita «{sale['title']}»")
    await expect(sale_link).to_have_attribute("href", f"/vendite?id={sale['id']}")
    await expect(page.get_by_label("La tua domanda", exact=True)).to_be_enabled()
    # The figure the model was given is SQL's, not the model's.
    assert NET in str(e2e_ollama.last("/api/chat"))
    stored = stored_reply(ai_server, family, session_id)
    assert stored["status"] == "done" and NET in stored["content"]
    await page.screenshot(path=str(screenshots / "desktop-assistente-risposta.png"), full_page=True)

    # After a reload the answer is read back from the API, sources included; the conversation is listed.
    await page.reload()
    await heading(page, "Assistente")
    await expect(reply).to_contain_text(f"Questo mese hai guadagnato {NET} {LAST}")
    await expect(reply.get_by_role("list", name="Fonti")).to_contain_text(f"guadagno netto {NET}")
    await expect(page.get_by_role("button", name=QUESTION, exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    # The sale's source opens the sale.
    await reply.get_by_role("link", name=f"Vendita «{sale['title']}»").click()
    await expect(page).to_have_url(re.compile(rf"/vendite\?id={sale['id']}$"))
    ai_browsing.assert_no_errors()


def is_call_prefix(prefix: str, method: str) -> Any:
    return lambda response: (
        response.request.method == method and prefix in response.url and response.url.endswith("/messages")
    )


async def test_stop_ends_a_stalled_reply_and_it_is_stored_as_stopped(
    ai_browsing: Browsing, ai_server: Serve, e2e_ollama: FakeOllama, family: Person
) -> None:
    # One piece, then silence: only "Ferma" ends it.
    e2e_ollama.script("/api/chat", Reply(tokens=["Sto controllando ", "le spedizioni."], stall_after=1))
    page = await ai_browsing.page(DESKTOP)
    await open_assistant(page, family)
    composer = page.get_by_label("La tua domanda", exact=True)
    await composer.fill("Quanti pacchi sono in viaggio?")
    await composer.press("Enter")
    await expect(page).to_have_url(CONVERSATION_URL)
    found = CONVERSATION_URL.search(page.url)
    assert found is not None
    reply = page.get_by_role("group", name="Assistente", exact=True)
    await expect(reply).to_contain_text("Sto controllando")

    async with page.expect_response(lambda r: r.url.endswith("/stop") and r.request.method == "POST") as stop:
        await page.get_by_role("button", name="Ferma", exact=True).click()
    assert (await stop.value).status == 200
    await expect(reply).to_contain_text("Risposta interrotta")
    await expect(page.get_by_role("button", name="Ferma", exact=True)).to_have_count(0)
    await expect(composer).to_be_enabled()
    stored = stored_reply(ai_server, family, found[1])
    assert stored["status"] == "stopped"
    assert stored["content"] == "Sto controllando "
    ai_browsing.assert_no_errors()


async def test_the_page_fits_a_small_phone(ai_browsing: Browsing, family: Person) -> None:
    page = await ai_browsing.page(SMALL_PHONE)
    await open_assistant(page, family)
    await expect(page.get_by_role("button", name=QUESTION, exact=True)).to_be_visible()
    await assert_no_sideways_scroll(page)
    # The conversations are a view of their own on a phone, with "Nuova conversazione".
    await page.get_by_role("button", name="Le mie conversazioni", exact=True).click()
    await expect(page.get_by_role("heading", name="Conversazioni", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Nuova conversazione", exact=True)).to_be_visible()
    await expect(page.get_by_text("Ancora nessuna conversazione.")).to_be_visible()
    await assert_no_sideways_scroll(page)
    await page.get_by_role("button", name="Chiudi le conversazioni", exact=True).click()
    # The composer's counter follows what is typed, up to the server's limit.
    await page.get_by_label("La tua domanda", exact=True).fill("Ciao")
    await expect(page.get_by_text(re.compile(r"^4 / \d+$"))).to_be_visible()
    await assert_no_sideways_scroll(page)
    ai_browsing.assert_no_errors()


async def test_too_many_conversations_is_said_near_the_composer_and_one_is_deleted(
    ai_browsing: Browsing, ai_server: Serve, family: Person
) -> None:
    member = Member(ai_server, family)
    try:
        limit = member.client.get("/api/v1/meta").json()["limits"]["chat"]["sessions"]
        for n in range(limit):
            answer = member.client.post("/api/v1/chat/sessions", json={"title": f"Conversazione {n + 1}"})
            assert answer.status_code == 201, answer.text
    finally:
        member.close()
    page = await ai_browsing.page(DESKTOP)
    await open_assistant(page, family)
    await expect(page.get_by_role("button", name="Conversazione 1", exact=True)).to_be_visible()

    # A new one is refused by the server (409): the composer says why, in Italian.
    ai_browsing.expected_failures.add(("/api/v1/chat/sessions", 409))
    composer = page.get_by_label("La tua domanda", exact=True)
    await composer.fill("Quanti pacchi sono in viaggio?")
    await composer.press("Enter")
    await expect(page.locator("form").get_by_role("alert")).to_have_text(
        re.compile(rf"^Hai raggiunto il massimo di {limit} conversazioni")
    )
    await expect(composer).to_have_value("Quanti pacchi sono in viaggio?")

    # Deleting one asks first; "Annulla" keeps it, "Sì, elimina" removes it.
    await page.get_by_role("button", name="Elimina «Conversazione 1»", exact=True).click()
    await page.get_by_role("button", name="Annulla", exact=True).click()
    await expect(page.get_by_role("button", name="Conversazione 1", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Elimina «Conversazione 1»", exact=True).click()
    async with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        await page.get_by_role("button", name="Sì, elimina", exact=True).click()
    assert (await deleted.value).status == 204
    await expect(page.get_by_role("button", name="Conversazione 1", exact=True)).to_have_count(0)
    member = Member(ai_server, family)
    try:
        assert member.client.get("/api/v1/chat/history").json()["total"] == limit - 1
    finally:
        member.close()
    ai_browsing.assert_no_errors()


async def test_a_reply_still_being_written_after_a_reload_is_shown_whole_once_finished(
    ai_browsing: Browsing, ai_server: Serve, e2e_ollama: FakeOllama, family: Person
) -> None:
    pieces = ["Uno, ", "due, ", "tre, ", "quattro, ", "cinque."]
    e2e_ollama.script("/api/chat", Reply(tokens=pieces, token_delay=1.0))
    page = await ai_browsing.page(DESKTOP)
    await open_assistant(page, family)
    await page.get_by_role("button", name="Quanti pacchi sono in viaggio?", exact=True).click()
    reply = page.get_by_role("group", name="Assistente", exact=True)
    await expect(reply).to_contain_text("Uno, ")
    assert "cinque." not in await reply.inner_text()

    # Reloaded mid-reply: the beginning is gone from this tab's socket, so the page waits for the stored
    # reply (still offering "Ferma"), never shows a tail as if it were the answer, and ends with all of it.
    async with page.expect_websocket() as opened:
        await page.reload()
    socket = await opened.value
    await heading(page, "Assistente")
    # A later piece reaches the reloaded page: still not shown as the answer's beginning.
    await socket.wait_for_event("framereceived", predicate=lambda frame: '"chat.chunk"' in str(frame))
    shown = (await reply.inner_text()).strip()
    assert shown.startswith(("Uno, ", "Sto scrivendo")), shown
    await expect(reply).to_contain_text("Uno, due, tre, quattro, cinque.", timeout=20_000)
    await expect(page.get_by_role("button", name="Ferma", exact=True)).to_have_count(0)
    await expect(page.get_by_label("La tua domanda", exact=True)).to_be_enabled()
    ai_browsing.assert_no_errors()


async def test_a_reply_that_fails_midway_keeps_what_was_written_and_says_why(
    ai_browsing: Browsing, ai_server: Serve, e2e_ollama: FakeOllama, family: Person
) -> None:
    e2e_ollama.script(
        "/api/chat", Reply(tokens=["Per ", "spedire ", "serve ", "l'etichetta."], stream_error="boom")
    )
    page = await ai_browsing.page(DESKTOP)
    await open_assistant(page, family)
    await page.get_by_role("button", name="Come spedisco con l'etichetta di Vinted?", exact=True).click()
    reply = page.get_by_role("group", name="Assistente", exact=True)
    await expect(reply.get_by_role("alert")).to_contain_text("La risposta non è riuscita")
    await expect(reply).to_contain_text("Per spedire")
    assert "l'etichetta." not in await reply.inner_text()
    await page.reload()
    await expect(reply.get_by_role("alert")).to_contain_text("La risposta non è riuscita")
    await expect(page.get_by_label("La tua domanda", exact=True)).to_be_enabled()
    ai_browsing.assert_no_errors()
