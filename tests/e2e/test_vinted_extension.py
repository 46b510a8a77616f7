"""Linking Vinted with the browser extension, in Debian's Chromium with the UNPACKED extension loaded
(``--load-extension``), against a real `serve`: the member asks for a code in Impostazioni → Vinted,
types it with the instance's address into the extension's popup, presses «Collega», and the open
settings page turns to «Collegato» without a reload (the live event).

The vinted.it cookies are put in the browser's cookie store (as a sign-in on vinted.it would leave them);
the extension reads them with the cookies API; nothing here goes to vinted.it. One thing is answered for
the member: at the click, the extension asks the browser for the instance's host permission
(``permissions.request``), and Chromium shows a dialog that a headless browser can never answer (the
promise stays pending: tried, the popup then waits forever). An init script answers it «Consenti»
(``request`` resolves true), exactly what the member's click does; the redeem call itself is a real
cross-origin fetch from the extension's page, which the server's CORS for extension origins lets through.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, Request, async_playwright, expect

from tests.e2e.browser import Person, register_by_api, sign_in
from tests.e2e.conftest import CHROMIUM, LAUNCH_ARGS
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
AXE_JS = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
LIVE_TIMEOUT_MS = 15_000
ANSWER_PERMISSION_PROMPT = (
    "if (globalThis.chrome && chrome.permissions && location.protocol === 'chrome-extension:') {"
    " chrome.permissions.request = async () => true; }"
)


def unpacked_extension_id(path: Path) -> str:
    """Chromium's id of an unpacked extension: the SHA-256 of its absolute path, in the letters a-p."""
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:32]
    return "".join(chr(ord("a") + int(ch, 16)) for ch in digest)


def vinted_access_token(subject: str) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"sub": subject, "exp": int(time.time()) + 7200}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJh"


async def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings in the page as it is now (rule id: first target)."""
    await page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']}: {v['nodes'][0]['target'] if v['nodes'] else ''}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
async def with_extension(browser_prerequisites: None, tmp_path: Path) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=False,  # LAUNCH_ARGS carry --headless=new, which runs extensions
            args=[*LAUNCH_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"],
            locale="it-IT",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            await context.close()


async def test_the_extension_links_vinted_and_impostazioni_shows_collegato(
    with_extension: BrowserContext, server: Serve
):
    stamp = str(time.time_ns())[-8:]
    person = Person(f"estensione{stamp}@example.it", f"estensione{stamp}", "Password-Lunga-2026")
    register_by_api(server, person, f"Casa Estensione {stamp}")
    access, refresh = vinted_access_token("48151623"), "rt-" + "x" * 40
    await with_extension.add_cookies(
        [
            {
                "name": "access_token_web",
                "value": access,
                "domain": "www.vinted.it",
                "path": "/",
                "secure": True,
            },
            {
                "name": "refresh_token_web",
                "value": refresh,
                "domain": "www.vinted.it",
                "path": "/",
                "secure": True,
            },
        ]
    )
    await with_extension.add_init_script(ANSWER_PERMISSION_PROMPT)

    # The app: Impostazioni → Vinted, «Collega con l'estensione», a code.
    app = await with_extension.new_page()
    frames: list[str] = []
    app.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(str(frame))))
    await app.goto(f"{server.url}/accedi")
    assert (await sign_in(app, person.email, person.password)).status == 200
    await app.goto(f"{server.url}/impostazioni")
    status = app.get_by_test_id("vinted-status")
    await expect(status).to_have_text("Non collegato")
    await app.get_by_role("button", name="Collega con l'estensione").click()
    code = (await app.get_by_test_id("vinted-code").inner_text()).replace(" ", "").replace("\n", "")
    assert len(code) == 8
    await expect(app.get_by_text("In attesa dell'estensione…")).to_be_visible()
    await expect(app.get_by_text(f"Indirizzo da scrivere nell'estensione: {server.url}")).to_be_visible()
    await expect(app.get_by_text(re.compile(r"^Scade tra (10:00|9:\d\d)$"))).to_be_visible()
    await app.get_by_text("Non puoi usare l'estensione? Incolla i cookie a mano").click()
    await expect(app.get_by_label("Cookie access_token_web", exact=True)).to_be_visible()
    assert await serious_axe_violations(app) == []

    # The extension's popup, as the toolbar opens it.
    popup = await with_extension.new_page()
    sent: list[Request] = []
    popup.on("request", lambda request: sent.append(request))
    await popup.goto(f"chrome-extension://{unpacked_extension_id(EXTENSION)}/popup.html")
    await expect(popup.get_by_role("heading", name="Collega Vinted")).to_be_visible()
    await expect(popup.get_by_role("status")).to_have_text("")  # signed in to vinted.it: no warning
    assert await serious_axe_violations(popup) == []
    await popup.get_by_label("Indirizzo di Vinted Optimizer").fill(server.url)
    await popup.get_by_label("Codice mostrato dalla app").fill(code[:4].lower() + "-" + code[4:].lower())
    await popup.get_by_role("button", name="Collega").click()
    await expect(popup.get_by_role("status")).to_contain_text("Fatto! Vinted è collegato.")

    # The open settings page follows, live.
    await expect(status).to_have_text("Collegato (account Vinted n. 48151623)", timeout=LIVE_TIMEOUT_MS)
    assert any('"type":"vinted.link_changed"' in frame and '"status":"linked"' in frame for frame in frames)

    # The session went to the instance only, and only there.
    network = [r.url for r in sent if not r.url.startswith("chrome-extension://")]
    assert network == [f"{server.url}/api/v1/vinted-link/redeem"], network
    (redeem,) = [r for r in sent if r.url.endswith("/vinted-link/redeem")]
    assert json.loads(redeem.post_data or "{}") == {
        "code": code,
        "domain": "it",
        "access_token_web": access,
        "refresh_token_web": refresh,
    }

    # The address is remembered for next time; the cookies are not kept by the extension.
    await popup.reload()
    await expect(popup.get_by_label("Indirizzo di Vinted Optimizer")).to_have_value(server.url)
    stored = await popup.evaluate("chrome.storage.local.get(null)")
    assert stored == {"instance": server.url}

    # The server has the session (encrypted; never shown), and the code cannot be used again.
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        login = await client.post(
            "/api/v1/auth/login", json={"login": person.email, "password": person.password}
        )
        me = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
        assert me.json()["vinted_status"] == "linked" and access not in me.text
        again = await client.post(
            "/api/v1/vinted-link/redeem",
            json={"code": code, "access_token_web": access, "refresh_token_web": refresh},
        )
        assert again.status_code == 422


async def test_the_popup_says_when_vinted_is_not_signed_in(with_extension: BrowserContext):
    popup = await with_extension.new_page()
    await popup.goto(f"chrome-extension://{unpacked_extension_id(EXTENSION)}/popup.html")
    await expect(popup.get_by_role("status")).to_contain_text("Non risulti entrato su vinted.it")
    await popup.get_by_label("Indirizzo di Vinted Optimizer").fill("casa.esempio.it")
    await popup.get_by_label("Codice mostrato dalla app").fill("ABC")
    await popup.get_by_role("button", name="Collega").click()
    await expect(popup.get_by_role("status")).to_contain_text("Il codice è di 8 lettere e numeri")
