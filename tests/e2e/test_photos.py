"""Photos from a phone, in a real browser against a real `serve`: a camera photo over the limit reduced in
the browser the right way up, shot after shot from the camera, quality hints before the upload, and a
HEIC preview on desktop Chromium (which cannot decode HEIC itself)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.async_api import Locator, Page, expect

from tests.e2e import photo_samples
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
from tests.images.factories import heic_photo, photo
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LIMIT = 10 * 1024 * 1024  # the server's default max_upload_bytes
CAMERA = 'input[type="file"][capture]'
GALLERY = 'input[type="file"]:not([capture])'


async def new_listing(browsing: Browsing, server: Serve, viewport: Viewport, who: str) -> Page:
    person = Person(f"{who}.{viewport.name}@example.it", f"{who}_{viewport.name}", "Valigia-Rossa-2024")
    register_by_api(server, person, f"Casa {who} {viewport.name}")
    page = await browsing.page(viewport)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))
    await page.goto("/annunci")
    await page.get_by_role("link", name="Nuovo annuncio").first.click()
    await heading(page, "Nuovo annuncio")
    return page


async def loaded(page: Page, image: Locator) -> tuple[int, int]:
    """Wait until the image has decoded, and return its natural size."""
    await expect(image).to_be_visible()
    handle = await image.element_handle()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    size = await image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    return int(size[0]), int(size[1])


def write(folder: Path, name: str, content: bytes) -> str:
    path = folder / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_a_camera_photo_over_the_limit_is_reduced_upright_and_becomes_a_draft(
    ai_browsing: Browsing, ai_server: Serve, screenshots: Path, viewport: Viewport, tmp_path: Path
) -> None:
    camera = photo_samples.camera_photo()
    assert len(camera) > LIMIT  # what a phone camera hands over: more than the server takes
    page = await new_listing(ai_browsing, ai_server, viewport, "ridotta")

    await page.locator(CAMERA).set_input_files(write(tmp_path, "IMG_4032.JPG", camera))
    await page.get_by_role("button", name="Fatto", exact=True).click()
    # Reduced in the browser, and the member is told by how much.
    note = page.get_by_text(re.compile(r"^Foto ridotta da \d+(,\d)? MB a \d+(,\d)? MB$"))
    await expect(note).to_be_visible(timeout=30_000)
    width, height = await loaded(page, page.get_by_role("img", name="Anteprima di IMG_4032.JPG"))
    assert height > width and max(width, height) <= 3000  # upright, as the phone showed it
    await page.screenshot(path=str(screenshots / f"{viewport.name}-foto-ridotta.png"), full_page=True)

    async with page.expect_response(is_call("/api/v1/images/upload", "POST")) as answer:
        await page.get_by_role("button", name="Carica 1 foto").click()
    response = await answer.value
    assert response.status == 201, await response.text()
    # What went over the wire: the reduced JPEG (the form's length, which a 10.9 MB file would exceed).
    sent = await response.request.header_value("content-length")
    assert sent is not None and int(sent) < LIMIT
    body = await response.json()
    assert body["created_listing"] is True
    await expect(page).to_have_url(re.compile(rf"/annunci\?id={body['listing']['id']}"), timeout=20_000)

    # The server's stored photo: portrait, the red band at the top (the right way up), under the limit.
    stored_answer = await page.request.get(body["images"][0]["url"])
    assert stored_answer.ok
    stored_bytes = await stored_answer.body()
    assert len(stored_bytes) < LIMIT
    stored = np.asarray(Image.open(io.BytesIO(stored_bytes)).convert("RGB"), dtype=np.float32)
    assert stored.shape[0] > stored.shape[1]
    band = stored.shape[0] // 10
    top, bottom = stored[:band].mean(axis=(0, 1)), stored[-band:].mean(axis=(0, 1))
    assert top[0] > 180 and top[1] < 60 and top[2] < 60, top  # the red band is at the top
    assert bottom[0] < 180 and bottom[2] > 80, bottom  # and not at the bottom (upside down)
    ai_browsing.assert_no_errors()


async def test_several_shots_in_a_row_then_the_gallery(
    ai_browsing: Browsing, ai_server: Serve, screenshots: Path, tmp_path: Path
) -> None:
    page = await new_listing(ai_browsing, ai_server, PHONE, "raffica")
    shots = [write(tmp_path, f"scatto-{n}.jpg", photo(1200, 900, seed=60 + n)) for n in range(1, 4)]

    await page.locator(CAMERA).set_input_files(shots[0])
    await expect(page.get_by_role("status").filter(has_text="Foto aggiunta (1 in tutto)")).to_be_visible()
    for taken, shot in enumerate(shots[1:], start=2):
        async with page.expect_file_chooser() as chooser:
            await page.get_by_role("button", name="Scatta un'altra", exact=True).click()
        await (await chooser.value).set_files(shot)
        added = page.get_by_role("status").filter(has_text=f"Foto aggiunta ({taken} in tutto)")
        await expect(added).to_be_visible()
    strip = page.get_by_role("region", name="Foto scelte (3)")
    await expect(strip.get_by_role("listitem")).to_have_count(3)
    await page.screenshot(path=str(screenshots / "phone-foto-raffica.png"), full_page=True)
    await page.get_by_role("button", name="Fatto", exact=True).click()
    await expect(page.get_by_role("button", name="Scatta una foto", exact=True)).to_be_visible()

    # Choosing from the gallery, several at once, still adds to the same strip.
    gallery = [write(tmp_path, f"galleria-{n}.jpg", photo(1200, 900, seed=70 + n)) for n in range(2)]
    await page.locator(GALLERY).set_input_files(gallery)
    await expect(page.get_by_role("region", name="Foto scelte (5)").get_by_role("listitem")).to_have_count(5)
    async with page.expect_response(is_call("/api/v1/images/upload", "POST")) as answer:
        await page.get_by_role("button", name="Carica 5 foto").click()
    response = await answer.value
    assert response.status == 201, await response.text()
    body = await response.json()
    assert len(body["images"]) == 5 and body["created_listing"] is True
    await expect(page).to_have_url(re.compile(r"/annunci\?id=[0-9a-f-]{36}"), timeout=20_000)
    ai_browsing.assert_no_errors()


async def test_quality_hints_on_the_preview_are_advice_not_a_block(
    ai_browsing: Browsing, ai_server: Serve, screenshots: Path, tmp_path: Path
) -> None:
    page = await new_listing(ai_browsing, ai_server, DESKTOP, "consigli")
    samples = {
        "buona.jpg": photo_samples.good_photo(),
        "nitida.jpg": photo_samples.sharp_pattern(),
        "mossa.jpg": photo_samples.blurred_pattern(),
        "scura.jpg": photo_samples.dark_photo(),
        "piccola.jpg": photo_samples.small_photo(),
    }
    files = [write(tmp_path, name, data) for name, data in samples.items()]
    await page.locator(GALLERY).set_input_files(files)
    # Every photo checked; the hints do not stop the upload.
    submit = page.get_by_role("button", name="Carica 5 foto")
    await expect(submit).to_be_enabled(timeout=30_000)

    def hints(name: str) -> Locator:
        return page.get_by_role("list", name=f"Consigli per {name}")

    for good in ("buona.jpg", "nitida.jpg"):
        await expect(hints(good)).to_have_count(0)
    await expect(hints("mossa.jpg")).to_contain_text("Foto mossa o sfocata")
    await expect(hints("mossa.jpg")).not_to_contain_text("troppo scura")
    await expect(hints("scura.jpg")).to_contain_text("Foto troppo scura")
    await expect(hints("piccola.jpg")).to_have_text(re.compile(r"^Foto piccola"))
    await expect(page.get_by_text("I consigli in giallo non bloccano nulla")).to_be_visible()
    await page.screenshot(path=str(screenshots / "desktop-foto-consigli.png"), full_page=True)

    async with page.expect_response(is_call("/api/v1/images/upload", "POST")) as answer:
        await submit.click()
    assert (await answer.value).status == 201
    ai_browsing.assert_no_errors()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_a_heic_photo_has_a_preview_and_its_processed_photo_shows(
    ai_browsing: Browsing, ai_server: Serve, viewport: Viewport, tmp_path: Path
) -> None:
    page = await new_listing(ai_browsing, ai_server, viewport, "heic")
    async with page.expect_response(is_call("/api/v1/images/preview", "POST")) as preview_answer:
        await page.locator(GALLERY).set_input_files(write(tmp_path, "IMG_0001.HEIC", heic_photo(1600, 1200)))
    # This Chromium cannot decode HEIC: the server's preview is shown instead of a broken image.
    assert (await preview_answer.value).status == 200
    width, height = await loaded(page, page.get_by_role("img", name="Anteprima di IMG_0001.HEIC"))
    assert (width, height) == (640, 480)

    async with page.expect_response(is_call("/api/v1/images/upload", "POST")) as answer:
        await page.get_by_role("button", name="Carica 1 foto").click()
    response = await answer.value
    assert response.status == 201, await response.text()
    processed = (await response.json())["images"][0]
    assert (processed["width"], processed["height"]) == (1024, 768)
    await expect(page).to_have_url(re.compile(r"/annunci\?id=[0-9a-f-]{36}"), timeout=20_000)
    # The review page shows the server's processed photo of the HEIC.
    shown = page.locator(f'img[src*="{processed["id"]}"] >> visible=true').first
    assert (await loaded(page, shown))[0] > 0
    ai_browsing.assert_no_errors()


async def test_a_file_the_browser_cannot_open_is_named_and_holds_the_upload(
    ai_browsing: Browsing, ai_server: Serve, tmp_path: Path
) -> None:
    page = await new_listing(ai_browsing, ai_server, DESKTOP, "rotta")
    files = [
        write(tmp_path, "buona.jpg", photo_samples.good_photo()),
        write(tmp_path, "rotta.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 2000),
    ]
    await page.locator(GALLERY).set_input_files(files)
    broken = page.locator('[data-photo="rotta.jpg"]')
    await expect(broken).to_contain_text("Questa foto non si riesce ad aprire: scegline un'altra.")
    await expect(page.get_by_text("Togli le foto segnate in rosso per continuare.")).to_be_visible()
    await expect(page.get_by_role("button", name="Carica 2 foto")).to_be_disabled()
    await page.get_by_role("button", name="Togli rotta.jpg").click()
    await expect(page.get_by_role("button", name="Carica 1 foto")).to_be_enabled()
    ai_browsing.assert_no_errors()
