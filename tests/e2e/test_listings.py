"""Photo → AI draft → edit → save, in a real browser, against a real `serve` whose Ollama is the local
stand-in speaking Ollama's wire format."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.async_api import Request, WebSocket, expect

from tests.e2e.browser import (
    DESKTOP,
    PHONE,
    Browsing,
    Person,
    Viewport,
    heading,
    register_by_api,
    sign_in,
)
from tests.fakes.ollama import FakeOllama, Reply
from tests.images.factories import photo
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_upload_draft_edit_save(
    ai_browsing: Browsing, ai_server: Serve, screenshots: Path, viewport: Viewport, tmp_path: Path
) -> None:
    person = Person(f"giulia.{viewport.name}@example.it", f"giulia_{viewport.name}", "Valigia-Rossa-2024")
    register_by_api(ai_server, person, f"Casa Verdi {viewport.name}")
    page = await ai_browsing.page(viewport)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))

    await page.goto("/annunci")
    await heading(page, "Annunci")
    await page.screenshot(path=str(screenshots / f"{viewport.name}-annunci-vuoto.png"), full_page=True)
    await page.get_by_role("link", name="Nuovo annuncio").first.click()
    await heading(page, "Nuovo annuncio")

    picture = tmp_path / "giacca.jpg"
    picture.write_bytes(photo(2000, 1500, seed=41, orientation=6, gps=True))
    await page.locator('input[type="file"]:not([capture])').set_input_files(str(picture))
    await page.screenshot(path=str(screenshots / f"{viewport.name}-annunci-upload.png"), full_page=True)
    await page.get_by_role("button", name="Carica 1 foto").click()

    # The review page of the new draft; the worker analyses the photo and the page picks the draft up.
    await expect(page).to_have_url(re.compile(r"/annunci\?id=[0-9a-f-]{36}"), timeout=20_000)
    await expect(page.get_by_text("Bozza pronta")).to_be_visible(timeout=30_000)
    title = page.get_by_label("Titolo", exact=True)
    await expect(title).to_have_value("Giacca di jeans Levi's donna")
    await expect(page.get_by_label("Marca", exact=True)).to_have_value("Levi's")
    await expect(page.get_by_text(re.compile(r"Prezzo stimato € 25,00 – € 35,00"))).to_be_visible()
    await expect(page.get_by_text(re.compile(r"Affidabilità \d+%"))).to_be_visible()
    await page.screenshot(path=str(screenshots / f"{viewport.name}-annunci-bozza.png"), full_page=True)

    # The AI's category, in Italian, from Vinted's tree; the member browses the tree, then searches it.
    denim = "Donna > Abbigliamento > Capispalla > Giacche > Giacche di jeans"
    await expect(page.get_by_text(denim, exact=True)).to_be_visible()
    await page.get_by_role("button", name="Cambia", exact=True).click()
    results = page.get_by_role("list", name="Categorie")
    await results.get_by_role("button", name="Uomo", exact=True).click()
    await results.get_by_role("button", name="Scarpe", exact=True).click()
    await results.get_by_role("button", name="Sneakers", exact=True).click()
    await expect(page.get_by_text("Uomo > Scarpe > Sneakers", exact=True)).to_be_visible()
    await page.get_by_role("button", name="Cambia", exact=True).click()
    await page.get_by_role("searchbox", name="Cerca una categoria").fill("giacca biker donna")
    biker = "Donna > Abbigliamento > Capispalla > Giacche > Giacche biker e racer"
    await results.get_by_role("button", name=biker).click()
    await expect(page.get_by_text(biker, exact=True)).to_be_visible()

    # The member corrects the draft and saves.
    await title.fill("Giacca jeans Levi's taglia M")
    await page.get_by_label("Prezzo (€)", exact=True).fill("27,50")
    await page.get_by_label("Condizioni", exact=True).select_option(label="Buone condizioni")
    await page.get_by_role("button", name="Salva", exact=True).click()
    await expect(page.get_by_text("Salvato.")).to_be_visible()

    await page.reload()
    await expect(page.get_by_label("Titolo", exact=True)).to_have_value("Giacca jeans Levi's taglia M")
    await expect(page.get_by_label("Prezzo (€)", exact=True)).to_have_value(re.compile(r"27[,.]50"))
    await expect(page.get_by_label("Condizioni", exact=True)).to_have_value("good")
    await expect(page.get_by_text(biker, exact=True)).to_be_visible()

    await page.goto("/annunci")
    await expect(page.get_by_text("Giacca jeans Levi's taglia M").first).to_be_visible()
    await expect(page.get_by_text("€ 27,50").first).to_be_visible()
    await page.screenshot(path=str(screenshots / f"{viewport.name}-annunci-elenco.png"), full_page=True)
    if viewport.phone:
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport.width
    ai_browsing.assert_no_errors()


async def test_the_review_page_updates_from_a_live_event_without_polling(
    ai_browsing: Browsing, ai_server: Serve, e2e_ollama: FakeOllama, tmp_path: Path
) -> None:
    """The model takes 8 s: the page asks for the listing again only when an event says it changed, and
    shows the draft."""
    person = Person("live@example.it", "live_member", "Valigia-Rossa-2024")
    register_by_api(ai_server, person, "Casa Live")
    e2e_ollama.script("/api/generate", Reply(delay=8))
    page = await ai_browsing.page(DESKTOP)
    frames: list[tuple[float, str]] = []
    reads: list[float] = []

    def on_socket(socket: WebSocket) -> None:
        if socket.url.endswith("/api/v1/ws") or "/api/v1/ws?" in socket.url:
            socket.on("framereceived", lambda payload: frames.append((time.monotonic(), str(payload))))

    def on_request(request: Request) -> None:
        if request.method == "GET" and re.search(r"/api/v1/listings/[0-9a-f-]{36}$", request.url):
            reads.append(time.monotonic())

    page.on("websocket", on_socket)
    page.on("request", on_request)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))
    await page.goto("/annunci")
    await page.get_by_role("link", name="Nuovo annuncio").first.click()
    await heading(page, "Nuovo annuncio")
    picture = tmp_path / "maglione.jpg"
    picture.write_bytes(photo(1200, 900, seed=97))
    await page.locator('input[type="file"]:not([capture])').set_input_files(str(picture))
    await page.get_by_role("button", name="Carica 1 foto").click()
    await expect(page).to_have_url(re.compile(r"/annunci\?id=[0-9a-f-]{36}"), timeout=20_000)
    await expect(page.get_by_text("Bozza pronta")).to_be_visible(timeout=30_000)
    await expect(page.get_by_label("Titolo", exact=True)).to_have_value("Giacca di jeans Levi's donna")

    finished = [at for at, payload in frames if '"analysis.finished"' in payload]
    created = [at for at, payload in frames if '"listing.changed"' in payload]
    assert finished and created, f"the page did not get the listing's events: {frames}"
    # While the model thought (8 s), nothing asked for the listing: no timer polls it (the old page did
    # every 3 s). The only reads are the one the "listing.changed" event may cause, and the one after
    # "analysis.finished".
    quiet = [at for at in reads if created[0] + 1.0 < at < finished[0]]
    assert not quiet, f"the listing was polled while the socket was open: reads {reads}, events {frames}"
    assert any(at > finished[0] for at in reads)
    ai_browsing.assert_no_errors()
