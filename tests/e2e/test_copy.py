"""Copy to Vinted by hand, in a real browser on a phone and a desktop: copy the texts (read back from the
clipboard), save the photos (a ZIP download on the desktop, the share sheet's files on the phone), and
mark the item "pubblicato a mano" with its Vinted link."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.browser import DESKTOP, PHONE, Browsing, Person, Viewport, heading, register_by_api, sign_in
from tests.images.factories import photo
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TITLE = "Giacca di jeans Levi's"
DESCRIPTION = "Giacca di jeans Levi's, lavaggio chiaro.\nNessun difetto, portata poche volte."
READY_TEXT = f"{TITLE}\n\n{DESCRIPTION}\n\nPrezzo: € 25,00\nTaglia: M\nCondizioni: Ottime condizioni"
VINTED_LINK = "https://www.vinted.it/items/4589123456-giacca-di-jeans-levis?referrer=catalog"
VINTED_URL = "https://www.vinted.it/items/4589123456-giacca-di-jeans-levis"

# On the phone the share sheet is the browser's own: this stands in for it and records what it was given.
SHARE_STUB = """
window.__shared = [];
Object.defineProperty(Navigator.prototype, "canShare", {
  configurable: true,
  value: (data) => Boolean(data && Array.isArray(data.files) && data.files.length > 0),
});
Object.defineProperty(Navigator.prototype, "share", {
  configurable: true,
  value: async (data) => {
    const files = [];
    for (const file of data.files) {
      const head = Array.from(new Uint8Array(await file.slice(0, 3).arrayBuffer()));
      files.push({ name: file.name, type: file.type, size: file.size, head });
    }
    window.__shared.push(files);
  },
});
"""


def _listing_with_photos(server: Serve, person: Person) -> tuple[str, list[dict[str, Any]]]:
    """A listing with two photos and the fields Vinted asks for, made through the API."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        headers = _headers(client, person)
        files = [("files", (f"foto{n}.jpg", photo(1200, 900, seed=70 + n), "image/jpeg")) for n in range(2)]
        uploaded = client.post("/api/v1/images/upload", files=files, headers=headers)
        assert uploaded.status_code == 201, uploaded.text
        listing_id = uploaded.json()["listing"]["id"]
        fields = {
            "title": TITLE,
            "description": DESCRIPTION,
            "price": "25.00",
            "size": "M",
            "condition": "very_good",
            "status": "ready",
        }
        patched = client.patch(f"/api/v1/listings/{listing_id}", json=fields, headers=headers)
        assert patched.status_code == 200, patched.text
        images = sorted(patched.json()["images"], key=lambda image: image["display_order"])
        photos = [
            {"id": image["id"], "bytes": client.get(image["url"]).content} for image in images
        ]  # the processed photos, as buyers will see them
    return listing_id, photos


def _headers(client: httpx.Client, person: Person) -> dict[str, str]:
    login = client.post("/api/v1/auth/login", json={"login": person.email, "password": person.password})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _read_listing(server: Serve, person: Person, listing_id: str) -> dict[str, Any]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.get(f"/api/v1/listings/{listing_id}", headers=_headers(client, person))
        assert response.status_code == 200, response.text
        listing: dict[str, Any] = response.json()
    return listing


def _zip_entries(path: Path) -> list[tuple[str, bytes]]:
    """A downloaded ZIP's entries (name, bytes), after checking every entry's CRC."""
    archive = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    assert archive.testzip() is None
    return [(name, archive.read(name)) for name in archive.namelist()]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_copy_save_photos_and_mark_published_by_hand(
    browsing: Browsing, server: Serve, screenshots: Path, viewport: Viewport
) -> None:
    person = Person(f"copia.{viewport.name}@example.it", f"copia_{viewport.name}", "Valigia-Rossa-2024")
    register_by_api(server, person, f"Casa Copia {viewport.name}")
    listing_id, photos = _listing_with_photos(server, person)
    page = await browsing.page(viewport, permissions=["clipboard-read", "clipboard-write"])
    if viewport.phone:
        await page.add_init_script(SHARE_STUB)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))
    await page.goto(f"/annunci?id={listing_id}")
    await heading(page, TITLE)
    await expect(page.get_by_role("heading", name="Copia su Vinted")).to_be_visible()

    # The texts, copied: what the clipboard holds is exactly the listing's.
    await page.get_by_role("button", name="Copia titolo", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="Copiato il titolo.")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == TITLE
    await page.get_by_role("button", name="Copia descrizione", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="Copiata la descrizione.")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == DESCRIPTION
    block = page.get_by_label("Testo pronto da incollare", exact=True)
    await expect(block).to_have_value(READY_TEXT)
    await page.get_by_role("button", name="Copia tutto il testo", exact=True).click()
    await expect(page.get_by_role("status").filter(has_text="Copiato tutto il testo.")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == READY_TEXT

    # The photos: on the phone to the share sheet as files, on the desktop as a ZIP.
    if viewport.phone:
        await page.get_by_role("button", name="Salva le foto sul telefono", exact=True).click()
        await expect(page.get_by_text("Foto pronte: scegli «Salva immagini»")).to_be_visible()
        shared = await page.evaluate("window.__shared")
        assert len(shared) == 1
        assert [(f["name"], f["type"]) for f in shared[0]] == [
            ("foto-01.jpg", "image/jpeg"),
            ("foto-02.jpg", "image/jpeg"),
        ]
        assert [f["size"] for f in shared[0]] == [len(p["bytes"]) for p in photos]
        assert all(f["head"] == [0xFF, 0xD8, 0xFF] for f in shared[0])
        # The ZIP stays one tap away on a phone too.
        await expect(page.get_by_role("button", name="Scarica le foto (ZIP)", exact=True)).to_be_visible()
    else:
        # A desktop browser cannot hand files to a share sheet: the button says what it does.
        await expect(page.get_by_role("button", name="Salva le foto sul telefono")).to_have_count(0)
        async with page.expect_download() as info:
            await page.get_by_role("button", name="Scarica le foto (ZIP)", exact=True).click()
        download = await info.value
        assert download.suggested_filename == "giacca-di-jeans-levi-s-foto.zip"
        entries = _zip_entries(await download.path())
        assert [name for name, _ in entries] == [
            "giacca-di-jeans-levi-s-01.jpg",
            "giacca-di-jeans-levi-s-02.jpg",
        ]
        assert [data for _, data in entries] == [p["bytes"] for p in photos]
        await expect(page.get_by_text("ZIP scaricato")).to_be_visible()

    # "Pubblicato a mano": a link that is not a Vinted item is refused under the field, in Italian.
    browsing.expected_failures.add((f"/api/v1/listings/{listing_id}/published-by-hand", 422))
    link = page.get_by_label("Link dell'annuncio su Vinted", exact=True)
    await link.fill("https://www.example.com/items/4589123456")
    await page.get_by_role("button", name="Segna come pubblicato", exact=True).click()
    await expect(link).to_have_attribute("aria-invalid", "true")
    error = page.get_by_text("Incolla il link di un annuncio Vinted, come https://www.vinted.it/items/")
    await expect(error).to_be_visible()
    assert await error.get_attribute("id") in (await link.get_attribute("aria-describedby") or "").split()
    await link.fill(VINTED_LINK)
    await page.get_by_role("button", name="Segna come pubblicato", exact=True).click()
    await expect(page.get_by_text("Segnato come pubblicato su Vinted.")).to_be_visible()
    await expect(page.get_by_text("Pubblicato su Vinted", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name=VINTED_URL)).to_have_attribute("href", VINTED_URL)
    await page.screenshot(path=str(screenshots / f"{viewport.name}-copia-su-vinted.png"), full_page=True)

    await page.reload()
    await heading(page, TITLE)
    await expect(page.get_by_text("Pubblicato su Vinted", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name=VINTED_URL)).to_have_attribute("href", VINTED_URL)
    stored = _read_listing(server, person, listing_id)
    assert (stored["status"], stored["vinted_url"], stored["vinted_id"]) == (
        "published",
        VINTED_URL,
        "4589123456",
    )

    # Undone, the form is back and the link gone.
    await page.get_by_role("button", name="Annulla «pubblicato»", exact=True).click()
    await expect(page.get_by_text("Non più segnato come pubblicato.")).to_be_visible()
    await expect(page.get_by_label("Link dell'annuncio su Vinted", exact=True)).to_be_visible()
    await expect(page.get_by_role("link", name=VINTED_URL)).to_have_count(0)

    if viewport.phone:
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport.width
    browsing.assert_no_errors()


# A browser that copies nothing (no Clipboard API permission, execCommand refused).
NO_CLIPBOARD = """
Object.defineProperty(Navigator.prototype, "clipboard", { configurable: true, get: () => undefined });
Document.prototype.execCommand = () => false;
"""


async def test_when_copying_fails_the_text_is_shown_selected(browsing: Browsing, server: Serve) -> None:
    person = Person("copia.amano@example.it", "copia_amano", "Valigia-Rossa-2024")
    register_by_api(server, person, "Casa Copia a mano")
    listing_id, _ = _listing_with_photos(server, person)
    page = await browsing.page(DESKTOP)
    await page.add_init_script(NO_CLIPBOARD)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))
    await page.goto(f"/annunci?id={listing_id}")
    await heading(page, TITLE)

    await page.get_by_role("button", name="Copia descrizione", exact=True).click()

    await expect(page.get_by_role("alert").filter(has_text="Non riesco a copiare da solo")).to_be_visible()
    manual = page.get_by_label("Testo da copiare", exact=True)
    await expect(manual).to_have_value(DESCRIPTION)
    await expect(manual).to_be_focused()
    selected = await manual.evaluate("area => area.value.slice(area.selectionStart, area.selectionEnd)")
    assert selected == DESCRIPTION
    await expect(page.get_by_role("status").filter(has_text="Copiata la descrizione.")).to_have_count(0)
    browsing.assert_no_errors()
