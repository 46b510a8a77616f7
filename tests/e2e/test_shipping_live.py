"""A sale shipped from the dashboard, in a real browser, against a real `serve` whose Sendcloud and 17TRACK
are the local stand-ins (tests/fakes): the member chooses a carrier, buys the label, downloads it; then a
correctly signed Sendcloud webhook moves the parcel to "in transit" and "delivered", and the open page shows
each status without a reload (the live event over the WebSocket). The Spedizioni list shows the parcel and
prints its label in one merged PDF.

The flow runs on the sale's page (/vendite?id=<sale id>), whose status also follows the parcel live;
/spedizioni?vendita=<sale id> renders the same <SaleShipping> component (checked by the accessibility
visits).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, WebSocket, expect

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
from tests.e2e.seed import Member
from tests.fakes import sendcloud
from tests.fakes.sendcloud import FakeSendcloud, Reply
from tests.fakes.sendcloud_wire import error as sendcloud_error
from tests.fakes.server import serve_in_thread
from tests.fakes.tracking17 import FakeTrack17
from tests.support.serve import Serve, running_serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TRACK17_KEY = "track17-test-key-0123456789"
SENDER = {
    "name": "Casa Rossi",
    "address_line_1": "Via Roma",
    "house_number": "12",
    "postal_code": "20121",
    "city": "Milano",
    "country_code": "IT",
}
# Sendcloud's parcel status ids (shared/contracts/sendcloud.md).
EN_ROUTE, DELIVERED = 91, 11
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def shipping_fakes() -> Iterator[tuple[FakeSendcloud, FakeTrack17, str, str]]:
    fake_sendcloud, fake_track17 = FakeSendcloud(), FakeTrack17(api_key=TRACK17_KEY)
    with (
        serve_in_thread(fake_sendcloud.app) as sendcloud_url,
        serve_in_thread(fake_track17.app) as track17_url,
    ):
        yield fake_sendcloud, fake_track17, sendcloud_url, track17_url


@pytest.fixture(scope="module")
def shipping_server(
    browser_prerequisites: None,
    shipping_fakes: tuple[FakeSendcloud, FakeTrack17, str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Serve]:
    _, _, sendcloud_url, track17_url = shipping_fakes
    log = tmp_path_factory.mktemp("logs") / "serve-shipping.log"
    with running_serve(
        log,
        VO_REGISTRATION="open",
        VO_SENDCLOUD_BASE_URL=sendcloud_url,
        VO_TRACK17_BASE_URL=track17_url,
        VO_TRACK17_API_KEY=TRACK17_KEY,
    ) as server:
        yield server


@pytest.fixture
async def shipping_browsing(browser: Browser, shipping_server: Serve) -> AsyncIterator[Browsing]:
    session = Browsing(browser, shipping_server.url)
    yield session
    await session.close()


def seed_sale(server: Serve, person: Person, family: str, title: str) -> tuple[dict[str, Any], str]:
    """A family with its Sendcloud keys and sender address, a listing and its sale (all through the API);
    returns the sale and the family's webhook path."""
    register_by_api(server, person, family)
    member = Member(server, person)
    try:
        account = member.client.put(
            "/api/v1/shipments/account",
            json={
                "sender_address": SENDER,
                "sendcloud_public_key": sendcloud.PUBLIC_KEY,
                "sendcloud_secret_key": sendcloud.SECRET_KEY,
            },
        )
        assert account.status_code == 200, account.text
        assert account.json()["has_sendcloud_keys"] is True
        listing = member.client.post("/api/v1/listings", json={"title": title, "price": "25.00"})
        assert listing.status_code == 201, listing.text
        sale = member.client.post(
            "/api/v1/sales",
            json={
                "listing_id": listing.json()["id"],
                "sale_price": "25.00",
                "buyer_username": "compratrice_lu",
            },
        )
        assert sale.status_code == 201, sale.text
    finally:
        member.close()
    webhook_path = httpx.URL(account.json()["sendcloud_webhook_url"]).path
    return sale.json(), webhook_path


async def fill_buyer(page: Page) -> None:
    await page.get_by_label("Nome e cognome", exact=True).fill("Lucia Bianchi")
    await page.get_by_label("Via o piazza", exact=True).fill("Corso Garibaldi")
    await page.get_by_label("Numero civico", exact=True).fill("8")
    await page.get_by_label("CAP", exact=True).fill("10122")
    await page.get_by_label("Città", exact=True).fill("Torino")


async def pdf_of(download_path: Path | None) -> bytes:
    assert download_path is not None
    return await asyncio.to_thread(download_path.read_bytes)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=lambda v: v.name)
async def test_buy_a_label_then_the_parcel_moves_live(
    shipping_browsing: Browsing,
    shipping_server: Serve,
    shipping_fakes: tuple[FakeSendcloud, FakeTrack17, str, str],
    screenshots: Path,
    viewport: Viewport,
) -> None:
    fake_sendcloud = shipping_fakes[0]
    person = Person(f"spedisce.{viewport.name}@example.it", f"spedisce_{viewport.name}", "Pacco-Veloce-2026")
    title = f"Maglione di lana {viewport.name}"
    sale, webhook_path = seed_sale(shipping_server, person, f"Casa Spedizioni {viewport.name}", title)

    page = await shipping_browsing.page(viewport, accept_downloads=True)
    frames: list[str] = []

    def on_socket(socket: WebSocket) -> None:
        if "/api/v1/ws" in socket.url:
            socket.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", on_socket)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))

    await page.goto(f"/vendite?id={sale['id']}")
    await heading(page, title)
    header = page.locator("header").filter(has=page.get_by_role("heading", name=title))
    await expect(header.get_by_text("In attesa di spedizione", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Acquista un'etichetta Sendcloud")).to_have_attribute(
        "aria-pressed", "true"
    )
    await fill_buyer(page)
    await page.get_by_label("Peso (kg)", exact=True).fill("0,8")

    # The carriers for 0.8 kg to Italy, cheapest first, with their prices.
    options = page.get_by_role("radio")
    await expect(options).to_have_count(3)
    labels = await page.locator("label:has(input[type=radio])").all_inner_texts()
    assert [label.split()[0] for label in labels] == ["BRT", "Poste", "DHL"], labels
    assert "€ 5,49" in labels[0] and "€ 6,90" in labels[1] and "€ 12,90" in labels[2], labels
    await page.get_by_role("radio", name=re.compile("BRT Standard")).check()
    await expect(page.get_by_text("Costerà € 5,49")).to_be_visible()
    await page.screenshot(path=str(screenshots / f"{viewport.name}-spedizione-acquisto.png"), full_page=True)

    async with page.expect_response(is_call("/api/v1/shipments", "POST")) as answer:
        await page.get_by_role("button", name="Acquista etichetta", exact=True).click()
    bought = await answer.value
    assert bought.status == 201, await bought.text()
    shipment = await bought.json()
    assert shipment["tracking_code"] and shipment["status"] == "ready"
    assert sum(fake_sendcloud.labels_bought.values()) >= 1
    assert fake_sendcloud.labels_bought[f"VO-{sale['id']}"] == 1

    section = page.get_by_test_id("sale-shipping")
    await expect(section.get_by_text("Etichetta acquistata")).to_be_visible()
    await expect(section.get_by_role("link", name=re.compile(shipment["tracking_code"]))).to_be_visible()
    await expect(section.get_by_text("Etichetta pronta", exact=True)).to_be_visible()
    await expect(section.get_by_role("button", name="Scarica ZPL (stampante termica)")).to_be_visible()
    async with page.expect_download() as download_info:
        await section.get_by_role("button", name="Scarica PDF", exact=True).click()
    download = await download_info.value
    assert download.suggested_filename == f"etichetta-{shipment['tracking_code']}.pdf"
    assert (await pdf_of(await download.path())).startswith(b"%PDF")
    await page.screenshot(path=str(screenshots / f"{viewport.name}-spedizione-etichetta.png"), full_page=True)

    # A marker the page loses if it reloads: the statuses below must arrive through the open page.
    await page.evaluate("() => { window.__sameDocument = true; }")
    parcel_id = int(next(iter(fake_sendcloud.shipments.values()))["parcels"][0]["id"])
    for parcel in (p for s in fake_sendcloud.shipments.values() for p in s["parcels"]):
        if parcel["tracking_number"] == shipment["tracking_code"]:
            parcel_id = int(parcel["id"])
    webhook_url = shipping_server.url + webhook_path
    now = int(time.time())
    for status_id, shown, at in ((EN_ROUTE, "In transito", now + 60), (DELIVERED, "Consegnato", now + 120)):
        payload = fake_sendcloud.webhook_payload(parcel_id, status_id, timestamp=at)
        delivered = await sendcloud.post_webhook(webhook_url, payload, secret=sendcloud.SECRET_KEY)
        assert delivered.status_code == 200, delivered.text
        assert delivered.json() == {"result": "applied"}
        await expect(section.get_by_text(shown, exact=True)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    # The sale moved with its parcel (shipped, then delivered), on the same open page.
    await expect(header.get_by_text("Consegnata", exact=True)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    assert await page.evaluate("() => window.__sameDocument === true"), "the page reloaded"
    # The "label bought: print it" note was for a parcel waiting: once it moves, the status says it all.
    await expect(section.get_by_text("Etichetta acquistata")).to_have_count(0)
    changed = [json.loads(frame) for frame in frames if '"shipment.status_changed"' in frame]
    assert [event["data"]["status"] for event in changed] == ["in_transit", "delivered"], frames
    # The timeline, newest first, has the carrier's words for both moves.
    events = section.get_by_role("list").filter(has_text="Delivered").locator("li")
    await expect(events.first).to_contain_text("Delivered")
    await page.screenshot(
        path=str(screenshots / f"{viewport.name}-spedizione-consegnata.png"), full_page=True
    )

    # The Spedizioni list: the parcel under "Consegnati", not under "In viaggio"; its label printed merged.
    await page.goto("/spedizioni")
    await heading(page, "Spedizioni")
    filters = page.get_by_role("navigation", name="Quali spedizioni")
    await filters.get_by_role("link", name="In viaggio", exact=True).click()
    await expect(page).to_have_url(re.compile(r"filtro=in-viaggio"))
    await expect(page.get_by_text("Nessuna spedizione con questo filtro.")).to_be_visible()
    await filters.get_by_role("link", name="Consegnati", exact=True).click()
    await expect(page).to_have_url(re.compile(r"filtro=consegnati"))
    item = page.get_by_role("link", name=title, exact=True)
    await expect(item).to_be_visible()
    await expect(page.get_by_text("Consegnato", exact=True).filter(visible=True)).to_have_count(1)
    await expect(page.get_by_role("link", name="Vai alla vendita")).to_have_attribute(
        "href", f"/vendite?id={sale['id']}"
    )
    await page.get_by_role("checkbox", name=f"Seleziona l'etichetta di «{title}»").check()
    printing = page.get_by_role("region", name="Stampa etichette")
    await expect(printing.get_by_text("1 etichetta selezionata")).to_be_visible()
    await printing.get_by_label("Stampante termica (1 etichetta per pagina)").check()
    async with page.expect_response(is_call("/api/v1/shipments/labels", "POST")) as merged_answer:
        async with page.expect_download() as merged_info:
            await printing.get_by_role("button", name="Scarica PDF", exact=True).click()
    merged = await merged_answer.value
    assert merged.status == 200
    # The server names the merged file after the layout it was asked for.
    assert 'filename="etichette-thermal.pdf"' in (await merged.header_value("content-disposition") or "")
    merged_download = await merged_info.value
    assert merged_download.suggested_filename == "etichette-thermal.pdf"
    assert (await pdf_of(await merged_download.path())).startswith(b"%PDF")
    # "Stampa etichette" opens a new tab (at the click, so no pop-up blocker stops it) for the merged PDF.
    async with page.expect_response(is_call("/api/v1/shipments/labels", "POST")) as print_answer:
        async with page.expect_popup():
            await printing.get_by_role("button", name="Stampa etichette", exact=True).click()
    printed = await print_answer.value
    assert printed.status == 200
    assert await printed.header_value("content-type") == "application/pdf"
    await page.screenshot(path=str(screenshots / f"{viewport.name}-spedizioni-elenco.png"), full_page=True)

    # The parcel's own view: its timeline and its sale.
    await item.click()
    await heading(page, title)
    await expect(page.get_by_role("heading", name="Cronologia")).to_be_visible()
    shipping_browsing.assert_no_errors()


async def open_sale(browsing: Browsing, person: Person, sale: dict[str, Any], title: str) -> Page:
    page = await browsing.page(DESKTOP)
    await page.goto("/accedi")
    assert (await sign_in(page, person.email, person.password)).status == 200
    await heading(page, re.compile("Ciao"))
    await page.goto(f"/vendite?id={sale['id']}")
    await heading(page, title)
    return page


async def test_a_lost_answer_is_retried_without_buying_a_second_label(
    shipping_browsing: Browsing,
    shipping_server: Serve,
    shipping_fakes: tuple[FakeSendcloud, FakeTrack17, str, str],
) -> None:
    """Sendcloud buys the label, then its answer is lost (a 502): the page says so and offers "Riprova",
    which sends the same request again; the server finds the label bought and stores it, once."""
    fake_sendcloud = shipping_fakes[0]
    person = Person("riprova@example.it", "riprova_member", "Pacco-Veloce-2026")
    title = "Giacca a vento"
    sale, _ = seed_sale(shipping_server, person, "Casa Riprova", title)
    shipping_browsing.expected_failures |= {("/api/v1/shipments", 503)}
    page = await open_sale(shipping_browsing, person, sale, title)
    await fill_buyer(page)
    await page.get_by_label("Peso (kg)", exact=True).fill("1,5")
    await page.get_by_role("radio", name=re.compile("BRT Standard")).check()

    fake_sendcloud.script("announce", Reply(status=502, work_first=True))
    async with page.expect_response(is_call("/api/v1/shipments", "POST")) as first:
        await page.get_by_role("button", name="Acquista etichetta", exact=True).click()
    assert (await first.value).status == 503
    order = f"VO-{sale['id']}"
    assert fake_sendcloud.labels_bought[order] == 1  # bought at Sendcloud, unknown to us yet
    await expect(page.get_by_text(re.compile("Riprovare è sicuro"))).to_be_visible()

    async with page.expect_response(is_call("/api/v1/shipments", "POST")) as second:
        await page.get_by_role("button", name="Riprova", exact=True).click()
    answer = await second.value
    assert answer.status in (200, 201), await answer.text()
    shipment = await answer.json()
    assert fake_sendcloud.labels_bought[order] == 1, "Riprova bought a second label"
    section = page.get_by_test_id("sale-shipping")
    await expect(section.get_by_role("link", name=re.compile(shipment["tracking_code"]))).to_be_visible()
    await expect(section.get_by_role("button", name="Scarica PDF", exact=True)).to_be_visible()
    await expect(page.get_by_text(re.compile("Riprovare è sicuro"))).to_have_count(0)
    shipping_browsing.assert_no_errors()


async def test_rejected_keys_send_the_member_to_the_settings(
    shipping_browsing: Browsing,
    shipping_server: Serve,
    shipping_fakes: tuple[FakeSendcloud, FakeTrack17, str, str],
) -> None:
    """Keys Sendcloud refuses (accepted when saved, replaced at Sendcloud since): the carriers cannot be
    listed, and the page says where they are fixed."""
    fake_sendcloud = shipping_fakes[0]
    person = Person("chiavi@example.it", "chiavi_member", "Pacco-Veloce-2026")
    title = "Borsa di paglia"
    sale, _ = seed_sale(shipping_server, person, "Casa Chiavi", title)
    shipping_browsing.expected_failures |= {("/api/v1/carriers", 409)}
    fake_sendcloud.secret_key = "rotated-at-sendcloud"
    try:
        page = await open_sale(shipping_browsing, person, sale, title)
        await page.get_by_label("Peso (kg)", exact=True).fill("1")
        await expect(page.get_by_text(re.compile("Serve l'amministratore della famiglia"))).to_be_visible()
    finally:
        fake_sendcloud.secret_key = sendcloud.SECRET_KEY
    link = page.get_by_role("link", name="Vai a Impostazioni → Spedizioni")
    await expect(link).to_have_attribute("href", "/impostazioni#spedizioni")
    await link.click()
    await heading(page, "Impostazioni")
    await expect(page.get_by_text("Chiavi salvate", exact=True)).to_be_visible()
    shipping_browsing.assert_no_errors()


def family_with_a_member(server: Serve, admin: Person, member: Person) -> None:
    """`admin`'s new family, and `member` joined to it through an invitation (over the API)."""
    register_by_api(server, admin, "Casa Impostata")
    seeded = Member(server, admin)
    try:
        token = httpx.URL(seeded.invite(member.email)).params["token"]
    finally:
        seeded.close()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        joined = client.post(
            "/api/v1/auth/register",
            json={
                "email": member.email,
                "username": member.username,
                "password": member.password,
                "invite_token": token,
            },
        )
        assert joined.status_code == 201, joined.text


async def test_the_admin_sets_up_shipping_and_a_member_reads_it(
    shipping_browsing: Browsing, shipping_server: Serve
) -> None:
    """Impostazioni → Spedizioni: the admin saves the sender address and the keys (never shown again),
    sees the webhook address, removes the keys after a confirmation; a member sees the settings read-only."""
    admin = Person("admin.sped@example.it", "admin_sped", "Pacco-Veloce-2026")
    member = Person("membro.sped@example.it", "membro_sped", "Pacco-Lento-2026")
    family_with_a_member(shipping_server, admin, member)

    page = await shipping_browsing.page(PHONE)
    await page.goto("/accedi")
    assert (await sign_in(page, admin.email, admin.password)).status == 200
    await heading(page, re.compile("Ciao"))
    await page.goto("/impostazioni#spedizioni")
    await heading(page, "Impostazioni")
    settings = page.locator("#spedizioni")
    await expect(settings.get_by_text("Nessuna chiave salvata", exact=True)).to_be_visible()
    await expect(settings.get_by_text(re.compile("L'indirizzo compare dopo"))).to_be_visible()
    await settings.get_by_label("Nome e cognome", exact=True).fill("Casa Impostata")
    await settings.get_by_label("Via o piazza", exact=True).fill("Via Po")
    await settings.get_by_label("Numero civico", exact=True).fill("3")
    await settings.get_by_label("CAP", exact=True).fill("10123")
    await settings.get_by_label("Città", exact=True).fill("Torino")
    await settings.get_by_role("button", name="Salva l'indirizzo").click()
    await expect(settings.get_by_text("Indirizzo salvato.")).to_be_visible()

    public, secret = (
        settings.get_by_label("Chiave pubblica", exact=True),
        settings.get_by_label("Chiave segreta"),
    )
    await public.fill(sendcloud.PUBLIC_KEY)
    await secret.fill(sendcloud.SECRET_KEY)
    async with page.expect_response(is_call("/api/v1/shipments/account", "PUT")) as saved:
        await settings.get_by_role("button", name="Salva le chiavi").click()
    assert (await saved.value).status == 200
    assert sendcloud.SECRET_KEY not in await (await saved.value).text()
    await expect(settings.get_by_text("Chiavi salvate", exact=True)).to_be_visible()
    await expect(public).to_have_value("")  # written, never shown back
    await expect(secret).to_have_value("")
    webhook = settings.get_by_role("textbox", name="Indirizzo del webhook", exact=True)
    await expect(webhook).to_have_value(re.compile(r"/api/v1/webhooks/sendcloud/\S+$"))
    await expect(settings.get_by_role("button", name="Copia l'indirizzo del webhook")).to_be_visible()
    # 17TRACK's registrations, asked only on demand (this server's stand-in has 100 a month).
    await settings.get_by_role("button", name="Controlla le registrazioni rimaste").click()
    await expect(settings.get_by_text(re.compile(r"di 100 registrazioni usate"))).to_be_visible()

    await settings.get_by_role("button", name="Rimuovi chiavi", exact=True).click()
    confirm = settings.get_by_role("group", name=re.compile("^Rimuovere le chiavi"))
    await expect(confirm.get_by_role("button", name="Annulla")).to_be_focused()
    async with page.expect_response(is_call("/api/v1/shipments/account/keys", "DELETE")) as removed:
        await confirm.get_by_role("button", name="Rimuovi chiavi", exact=True).click()
    assert (await removed.value).status == 204
    await expect(settings.get_by_text("Nessuna chiave salvata", exact=True)).to_be_visible()
    await expect(settings.get_by_text("Chiavi rimosse.")).to_be_visible()

    # A member reads the address and the keys' state; nothing to change, no quota asked.
    other = await shipping_browsing.page(DESKTOP)
    await other.goto("/accedi")
    assert (await sign_in(other, member.email, member.password)).status == 200
    await heading(other, re.compile("Ciao"))
    await other.goto("/impostazioni")
    await heading(other, "Impostazioni")
    read_only = other.locator("#spedizioni")
    await expect(read_only.get_by_text(re.compile("Solo l'amministratore della famiglia"))).to_be_visible()
    await expect(read_only.get_by_text("Via Po 3")).to_be_visible()
    await expect(read_only.get_by_text("Nessuna chiave salvata", exact=True)).to_be_visible()
    await expect(read_only.get_by_role("textbox")).to_have_count(0)
    await expect(read_only.get_by_role("button")).to_have_count(0)
    shipping_browsing.assert_no_errors()


async def test_a_field_sendcloud_refuses_is_marked_under_it(
    shipping_browsing: Browsing,
    shipping_server: Serve,
    shipping_fakes: tuple[FakeSendcloud, FakeTrack17, str, str],
) -> None:
    """Sendcloud refuses the buyer's postcode: the API's 422 names to_address.postal_code, and the message
    is under the CAP field (marked invalid, focused), not only in the alert on top."""
    fake_sendcloud = shipping_fakes[0]
    person = Person("cap@example.it", "cap_member", "Pacco-Veloce-2026")
    title = "Cappello di feltro"
    sale, _ = seed_sale(shipping_server, person, "Casa CAP", title)
    shipping_browsing.expected_failures |= {("/api/v1/shipments", 422)}
    page = await open_sale(shipping_browsing, person, sale, title)
    await fill_buyer(page)
    await page.get_by_label("Peso (kg)", exact=True).fill("1")
    await page.get_by_role("radio", name=re.compile("BRT Standard")).check()
    refused = sendcloud_error(400, "invalid", "Postal code is not valid", "/to_address/postal_code")
    fake_sendcloud.script("announce", Reply(status=400, errors=[refused]))
    async with page.expect_response(is_call("/api/v1/shipments", "POST")) as answer:
        await page.get_by_role("button", name="Acquista etichetta", exact=True).click()
    assert (await answer.value).status == 422
    postcode = page.get_by_label("CAP", exact=True)
    await expect(postcode).to_have_attribute("aria-invalid", "true")
    await expect(postcode).to_be_focused()
    await expect(page.get_by_text("Sendcloud non accetta questo valore.")).to_be_visible()
    await expect(page.get_by_text("Controlla i campi segnati in rosso.")).to_be_visible()
    assert fake_sendcloud.labels_bought[f"VO-{sale['id']}"] == 0
    shipping_browsing.assert_no_errors()
