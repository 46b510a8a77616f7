"""The whole way from a phone camera to Vinted, as a member walks it on a phone and on a desktop, against a
real `serve` whose AI speaks to a local stand-in for Ollama: a camera photo over the upload limit, reduced
in the browser, becomes a draft; the review page shows the photo strip, the AI's summary and the price
above the fold on the phone; the member picks the category from Vinted's tree in Italian, a size of that
category, the parcel size and two colours, saves; copies the ready text, saves the photos, and marks the
item "pubblicato a mano" with its Vinted link. README's screenshots of the review page are taken here."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.e2e import photo_samples
from tests.e2e.browser import DESKTOP, PHONE, Browsing, Person, Viewport, heading, register_by_api, sign_in
from tests.e2e.test_copy import SHARE_STUB
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LIMIT = 10 * 1024 * 1024  # the server's default max_upload_bytes
CAMERA = 'input[type="file"][capture]'
BIKER = "Donna > Abbigliamento > Capispalla > Giacche > Giacche biker e racer"
VINTED_URL = "https://www.vinted.it/items/5123456789-giacca-biker-levis"


async def _bottom(page: Page, selector_or_locator: Any) -> float:
    box = await selector_or_locator.bounding_box()
    assert box is not None
    return float(box["y"] + box["height"])


def _stored(server: Serve, person: Person, listing_id: str) -> dict[str, Any]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        login = client.post("/api/v1/auth/login", json={"login": person.email, "password": person.password})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        listing: dict[str, Any] = client.get(f"/api/v1/listings/{listing_id}", headers=headers).json()
    return listing


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=lambda v: v.name)
async def test_from_the_camera_to_vinted(
    ai_browsing: Browsing, ai_server: Serve, screenshots: Path, viewport: Viewport, tmp_path: Path
) -> None:
    person = Person(f"walk.{viewport.name}@example.it", f"walk_{viewport.name}", "Valigia-Rossa-2024")
    register_by_api(ai_server, person, f"Casa Rossi {viewport.name}")
    page = await ai_browsing.page(viewport, permissions=["clipboard-read", "clipboard-write"])
    if viewport.phone:
        await page.add_init_script(SHARE_STUB)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))

    # A new item, from the always-visible "Nuovo" action; a camera photo larger than the server takes.
    await page.get_by_role("link", name="Nuovo annuncio").first.click()
    await heading(page, "Nuovo annuncio")
    camera = photo_samples.camera_photo(seed=11)
    assert len(camera) > LIMIT
    shot = tmp_path / "IMG_5001.JPG"
    shot.write_bytes(camera)
    await page.locator(CAMERA).set_input_files(str(shot))
    await page.get_by_role("button", name="Fatto", exact=True).click()
    await expect(
        page.get_by_text(re.compile(r"^Foto ridotta da \d+(,\d)? MB a \d+(,\d)? MB$"))
    ).to_be_visible(timeout=30_000)
    await page.get_by_role("button", name="Carica 1 foto").click()
    await expect(page).to_have_url(re.compile(r"/annunci\?id=[0-9a-f-]{36}"), timeout=20_000)
    listing_id = page.url.rsplit("id=", 1)[1]

    # The AI's draft arrives: its fields are marked, the price range explained, no model name shown.
    await expect(page.get_by_text(re.compile("^Bozza pronta"))).to_be_visible(timeout=30_000)
    await expect(page.get_by_label("Titolo", exact=True)).to_have_value("Giacca di jeans Levi's donna")
    # Nothing scraped yet to compare with: the sentence says the range is the model's own estimate.
    await expect(
        page.get_by_text(re.compile(r"Stima del modello dalla foto: nessun annuncio simile visto su Vinted"))
    ).to_be_visible()
    await expect(page.get_by_text(re.compile("moondream|nomic-embed", re.IGNORECASE))).to_have_count(0)
    await expect(page.get_by_role("button", name=re.compile("^Usa "))).to_have_count(0)  # price already set
    title_described = await page.get_by_label("Titolo", exact=True).get_attribute("aria-describedby") or ""
    marks = [await page.locator(f"#{CSS_ID(i)}").inner_text() for i in title_described.split() if "mark" in i]
    assert marks == ["IA"], title_described
    await expect(page.get_by_label("Taglia", exact=True)).to_have_value("4")  # "Taglia M" read by the model
    if viewport.phone:
        # Above the fold on a 390×844 phone: the photo strip, the AI's summary and the price.
        assert await page.evaluate("window.scrollY") == 0
        fold = viewport.height
        strip = page.get_by_role("navigation", name="Foto dell'annuncio")
        assert await _bottom(page, strip) <= fold
        assert (
            await _bottom(page, page.get_by_role("heading", name="Bozza dell'intelligenza artificiale"))
            <= fold
        )
        assert await _bottom(page, page.get_by_text(re.compile(r"^Prezzo stimato"))) <= fold
        assert await _bottom(page, page.get_by_label("Prezzo (€)", exact=True)) <= fold
    # What the member sees first (README's docs/screenshots/revisione-*.png are copies of these).
    await page.screenshot(path=str(screenshots / f"{viewport.name}-revisione.png"))

    # The category from Vinted's tree, in Italian; then a size of that category, the parcel, two colours.
    await page.get_by_role("button", name="Cambia", exact=True).click()
    results = page.get_by_role("list", name="Categorie")
    for level in ("Donna", "Abbigliamento", "Capispalla", "Giacche", "Giacche biker e racer"):
        await results.get_by_role("button", name=level, exact=True).click()
    await expect(page.get_by_text(BIKER, exact=True)).to_be_visible()
    # The new category's sizes arrive from the server; until then the size is a free text field.
    size = page.locator("select[name='size_id']")
    await expect(size).to_be_visible()
    await size.select_option(label="L / 40 / 12")
    await page.get_by_role("radio", name=re.compile("^Medio")).check()
    colours = page.get_by_role("group", name=re.compile("^Colori"))
    await expect(colours.get_by_role("button", name="Blu", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    await colours.get_by_role("button", name="Azzurro", exact=True).click()  # off
    await colours.get_by_role("button", name="Nero", exact=True).click()  # on: two, Vinted's limit
    await expect(colours.get_by_role("button", name="Rosso", exact=True)).to_be_disabled()
    await page.get_by_role("button", name="Salva", exact=True).click()
    await expect(page.get_by_text("Salvato.")).to_be_visible()

    await page.reload()
    await expect(page.get_by_text(BIKER, exact=True)).to_be_visible()
    await expect(page.get_by_label("Taglia", exact=True)).to_have_value("5")
    await expect(page.get_by_role("radio", name=re.compile("^Medio"))).to_be_checked()
    stored = _stored(ai_server, person, listing_id)
    assert (stored["category"], stored["size"], stored["size_id"]) == (BIKER, "L / 40 / 12", 5)
    assert (stored["package_size_id"], stored["colors"], stored["color_ids"]) == (2, ["Blu", "Nero"], [9, 1])
    assert stored["status_id"] == 2  # "Ottime condizioni", from the model

    # Onto Vinted by hand: the ready text, the photos, then the link.
    await page.get_by_role("button", name="Copia tutto il testo", exact=True).click()
    copied = await page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Giacca di jeans Levi's donna\n\n") and "Taglia: L / 40 / 12" in copied
    assert "Condizioni: Ottime condizioni" in copied and "Prezzo: € 30,00" in copied
    if viewport.phone:
        await page.get_by_role("button", name="Salva le foto sul telefono", exact=True).click()
        await expect(page.get_by_text("Foto pronte: scegli «Salva immagini»")).to_be_visible()
        shared = await page.evaluate("window.__shared")
        assert [(f["name"], f["type"]) for f in shared[0]] == [("foto-01.jpg", "image/jpeg")]
    else:
        async with page.expect_download() as info:
            await page.get_by_role("button", name="Scarica le foto (ZIP)", exact=True).click()
        archive = zipfile.ZipFile(io.BytesIO((await (await info.value).path()).read_bytes()))
        assert archive.testzip() is None and len(archive.namelist()) == 1
    await page.get_by_label("Link dell'annuncio su Vinted", exact=True).fill(VINTED_URL)
    await page.get_by_role("button", name="Segna come pubblicato", exact=True).click()
    await expect(page.get_by_text("Pubblicato su Vinted", exact=True)).to_be_visible()
    published = _stored(ai_server, person, listing_id)
    assert (published["status"], published["vinted_id"]) == ("published", "5123456789")
    await page.screenshot(path=str(screenshots / f"{viewport.name}-bozza-su-vinted.png"), full_page=True)
    if viewport.phone:
        assert await page.evaluate("document.documentElement.scrollWidth") <= viewport.width
    ai_browsing.assert_no_errors()


def CSS_ID(value: str) -> str:  # noqa: N802 - React's useId ids carry colons, which CSS must escape
    return value.replace(":", "\\:")
