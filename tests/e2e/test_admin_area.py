"""The instance administrator's area in a real browser against a real `serve`: `create-admin`'s account
(no family) lands on /amministrazione and sees the installation's figures as cards and every account of
every family in a table (cards on a phone), searched and paged."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.async_api import expect

from tests.e2e.browser import DESKTOP, Browsing, Person, Viewport, heading, is_call, register_by_api, sign_in
from tests.e2e.market import create_instance_admin
from tests.support.serve import Serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_runs = itertools.count(1)
SMALL_PHONE = Viewport("phone-375", 375, 667, phone=True)


@pytest.mark.parametrize("viewport", [DESKTOP, SMALL_PHONE], ids=lambda v: v.name)
async def test_the_instance_admin_sees_the_figures_and_every_account(
    browsing: Browsing, server: Serve, viewport: Viewport, screenshots
) -> None:
    run = next(_runs)
    tag = f"{viewport.name.replace('-', '')}{run}"
    family = Person(f"amm.famiglia.{tag}@example.it", f"ammfam_{tag}", "Lampada-Blu-31")
    register_by_api(server, family, f"Casa Amministrata {tag}")
    root = Person(f"amm.root.{tag}@example.it", f"ammroot_{tag}", "Torre-Di-Guardia-9")
    await create_instance_admin(server, root)

    page = await browsing.page(viewport)
    await page.goto("/accedi")
    async with page.expect_response(is_call("/api/v1/admin/metrics")) as figures:
        answer = await sign_in(page, root.email, root.password)
        assert answer.status == 200, await answer.text()
        await heading(page, "Amministrazione")
    assert (await figures.value).status == 200

    # The figures: every card, with the requests this very sign-in made counted.
    metrics = page.get_by_role("region", name="Andamento")
    rate = metrics.get_by_test_id("metric-rate").get_by_test_id("metric-value")
    await expect(rate).to_have_text(re.compile(r"^\d+(,\d)?$"))
    assert await rate.inner_text() not in ("0", "—")
    cards = (
        "latency",
        "errors",
        "queue-vo",
        "queue-vo-scraper",
        "cache",
        "ai",
        "vinted",
        "database",
        "storage",
    )
    for card in cards:
        await expect(metrics.get_by_test_id(f"metric-{card}")).to_be_visible()
    await expect(
        metrics.get_by_test_id("metric-latency").get_by_text(re.compile(r"^[\d.,]+ ms$")).first
    ).to_be_visible()
    database = metrics.get_by_test_id("metric-database").get_by_test_id("metric-value")
    await expect(database).to_have_text(re.compile(r"^[\d.,]+ (KB|MB|GB)$"))
    await expect(metrics.get_by_test_id("metric-vinted").get_by_text("Tutto regolare")).to_be_visible()

    # Every account: the family's member is there, with the family's name.
    users = page.get_by_role("region", name="Utenti")
    search = users.get_by_role("searchbox", name="Cerca per nome utente o e-mail")
    async with page.expect_response(
        lambda r: is_call("/api/v1/admin/users")(r) and f"q={family.username}" in r.url
    ) as searched:
        await search.fill(family.username)
    assert (await searched.value).status == 200
    entry_id = "admin-user-card" if viewport.phone else "admin-user-row"
    entries = users.get_by_test_id(entry_id)
    await expect(entries).to_have_count(1)
    await expect(entries.first).to_contain_text(family.username)
    await expect(entries.first).to_contain_text(f"Casa Amministrata {tag}")
    await expect(entries.first).to_contain_text("Amministratore della famiglia")
    await expect(users.get_by_text("1–1 di 1")).to_be_visible()
    # The other layout is hidden, not doubled.
    other = "admin-user-row" if viewport.phone else "admin-user-card"
    await expect(users.get_by_test_id(other).first).to_be_hidden()

    await search.fill(root.username)
    await expect(entries.first).to_contain_text("Nessuna famiglia")
    await expect(entries.first).to_contain_text("Amministratore dell'installazione")

    if viewport.phone:
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport.width, f"the page is {width} px wide on a {viewport.width} px phone"
    await page.screenshot(
        path=str(screenshots / f"{viewport.name}-amministrazione-utenti.png"), full_page=True
    )
    # The scraper's part is still there, with "Avvia raccolta".
    await expect(page.get_by_role("button", name="Avvia raccolta", exact=True)).to_be_visible()
    browsing.assert_no_errors()
