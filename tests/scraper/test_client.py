"""The Vinted client against the local stand-in (tests/fakes/vinted.py): sessions, CSRF, the endpoints,
and each way Vinted fails mapped to the right error and behaviour at the pacing gate."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.fakes.vinted import CSRF_TOKEN, FakeVinted, Reply
from vinted_optimizer.config import Settings
from vinted_optimizer.scraper.errors import (
    AuthExpired,
    Challenge,
    CsrfMissing,
    PacingExceeded,
    RateLimited,
    SessionDead,
    VintedChanged,
    VintedRefused,
    VintedUnavailable,
)
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.vinted import items, orders, search, uploads, wardrobe
from vinted_optimizer.scraper.vinted.client import VintedClient
from vinted_optimizer.scraper.vinted.session import VintedSession
from vinted_optimizer.scraper.vinted.transport import Request, Transport

QUERY = search.SearchQuery(search_text="nike air max", per_page=5)


def member_client(
    fake: FakeVinted, settings: Settings, gate: PacingGate, *, access_ttl: float | None = None
) -> tuple[VintedClient, list[VintedSession]]:
    access, refresh = fake.member_session(access_ttl=access_ttl)
    stored: list[VintedSession] = []

    async def store(session: VintedSession) -> None:
        stored.append(session)

    session = VintedSession(access_token=access, refresh_token=refresh)
    return VintedClient(Transport(settings), gate, session=session, on_session=store), stored


# --- anonymous session and search ------------------------------------------------------------------


async def test_search_bootstraps_an_anonymous_session(
    fake_vinted: FakeVinted, vinted: VintedClient, gate: PacingGate
) -> None:
    page = await search.search(vinted, QUERY)
    assert (await gate.status()).read.hourly_count == 2  # the home page is paced too
    assert [item.id for item in page.items][:2] == [10051317969, 10035663984]
    assert page.items[0].url.endswith("/items/10051317969-brassiere-de-sport-nike")
    home, found = fake_vinted.calls_to("home"), fake_vinted.calls_to("search")
    assert len(home) == 1 and len(found) == 1
    assert vinted.session is not None and not vinted.session.is_member
    assert vinted.session.anon_id == "f3b0c2d1-8c4e-4b7a-9d2e-5a6b7c8d9e0f"
    assert vinted.session.expires_at is not None and vinted.session.expires_at > datetime.now(UTC)
    headers = found[0].headers
    assert headers["authorization"] == f"Bearer {vinted.session.access_token}"
    assert headers["x-anon-id"] == vinted.session.anon_id
    assert found[0].query == {
        "search_text": "nike air max",
        "page": "1",
        "per_page": "5",
        "order": "newest_first",
    }
    # One browser, consistently: the User-Agent and the client hints name the same Chrome.
    for call in (home[0], found[0]):
        assert "Chrome/146" in call.headers["user-agent"]
        assert '"Google Chrome";v="146"' in call.headers["sec-ch-ua"]
        assert call.headers["accept-language"].startswith("it-IT")
    assert found[0].cookies == {}  # cookies are ours to send; curl's jar stays empty
    # A navigation for the page, a fetch from the page for the API, as the browser does.
    assert (home[0].headers["sec-fetch-mode"], home[0].headers["upgrade-insecure-requests"]) == (
        "navigate",
        "1",
    )
    assert (headers["sec-fetch-mode"], headers["sec-fetch-dest"], headers["sec-fetch-site"]) == (
        "cors",
        "empty",
        "same-site",
    )
    assert "upgrade-insecure-requests" not in headers and "sec-fetch-user" not in headers
    assert headers["accept"].startswith("application/json")


async def test_search_pages_until_the_last(fake_vinted: FakeVinted, vinted: VintedClient) -> None:
    run = await search.search_pages(vinted, QUERY)
    assert (len(run.pages), run.stopped) == (3, "last_page")
    assert [call.query["page"] for call in fake_vinted.calls_to("search")] == ["1", "2", "3"]
    fake_vinted.search_pages = 50
    capped = await search.search_pages(vinted, QUERY, max_pages=2)
    assert (len(capped.pages), capped.stopped, len(capped.items)) == (2, "max_pages", 10)


async def test_search_that_ignores_the_page_stops(fake_vinted: FakeVinted, vinted: VintedClient) -> None:
    fixture = fake_vinted.search_fixture
    stuck = dict(fixture, pagination={**fixture["pagination"], "current_page": 1})  # page 1 again
    fake_vinted.script("search", Reply(body=json.dumps(stuck).encode()))
    run = await search.search_pages(vinted, search.SearchQuery(page=2, per_page=5))
    assert (len(run.pages), run.stopped) == (1, "page_ignored")
    assert run.pages[0].honoured["page"] is False


async def test_old_search_endpoint_moved(
    fake_vinted: FakeVinted, vinted: VintedClient, gate: PacingGate
) -> None:
    request = Request("GET", "site", "/api/v2/catalog/items", params={"search_text": "nike"})
    with pytest.raises(VintedChanged) as raised:
        await vinted.call("search.old", request, kind="read", auth="bearer")
    assert "104" in raised.value.problem
    status = await gate.status()
    assert status.last_changed is not None and status.last_changed.endpoint == "search.old"


async def test_a_401_bootstraps_again_once(fake_vinted: FakeVinted, vinted: VintedClient) -> None:
    fake_vinted.script("search", Reply.auth_expired())
    page = await search.search(vinted, QUERY)
    assert len(page.items) == 5
    assert (len(fake_vinted.calls_to("home")), len(fake_vinted.calls_to("search"))) == (2, 2)


async def test_a_second_401_is_auth_expired(fake_vinted: FakeVinted, vinted: VintedClient) -> None:
    fake_vinted.script("search", Reply.auth_expired(), Reply.auth_expired(), Reply.auth_expired())
    with pytest.raises(AuthExpired):
        await search.search(vinted, QUERY)
    assert (len(fake_vinted.calls_to("home")), len(fake_vinted.calls_to("search"))) == (2, 2)


# --- a member's session ----------------------------------------------------------------------------


async def test_member_401_refreshes_once_and_rotates(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, stored = member_client(fake_vinted, scraper_settings, gate)
    first = client.session
    assert first is not None and first.refresh_token is not None
    fake_vinted.expire_access_tokens()
    try:
        rows = await wardrobe.wardrobe(client, 1001, per_page=10)
    finally:
        await client.aclose()
    assert len(rows) == 7
    refreshes = fake_vinted.calls_to("refresh")
    assert len(refreshes) == 1
    # The refresh needs the access cookie too, and spends the single-use refresh token.
    assert refreshes[0].cookies["access_token_web"] == first.access_token
    assert refreshes[0].cookies["refresh_token_web"] == first.refresh_token
    assert first.refresh_token in fake_vinted.used_refresh_tokens
    assert len(stored) == 1 and stored[0].refresh_token in fake_vinted.refresh_tokens
    assert stored[0] is client.session and stored[0].refresh_token != first.refresh_token
    # The old refresh token is spent: a copy of the old session that tries it finds a dead chain.
    stale = VintedClient(Transport(scraper_settings), gate, session=first)
    try:
        with pytest.raises(SessionDead):
            await stale.refresh()
    finally:
        await stale.aclose()
    assert "access_token_web" not in repr(stored[0]) and stored[0].access_token not in repr(stored[0])


async def test_refresh_before_the_access_token_expires(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, stored = member_client(fake_vinted, scraper_settings, gate, access_ttl=120)  # < 10 min left
    assert client.session is not None and client.session.needs_refresh()
    try:
        await orders.sold_orders(client)
    finally:
        await client.aclose()
    assert len(fake_vinted.calls_to("refresh")) == 1
    assert [call.operation for call in fake_vinted.calls][:2] == ["refresh", "orders"]
    assert client.session is not None and not client.session.needs_refresh()
    assert len(stored) == 1


async def test_concurrent_401s_spend_the_refresh_token_once(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, stored = member_client(fake_vinted, scraper_settings, gate)
    fake_vinted.expire_access_tokens()
    try:
        results = await asyncio.gather(*(orders.transaction(client, 7_000_000_000 + n) for n in range(5)))
    finally:
        await client.aclose()
    assert [t.id for t in results] == [7_000_000_000 + n for n in range(5)]
    assert len(fake_vinted.calls_to("refresh")) == 1 and len(stored) == 1


async def test_dead_chain_is_session_dead(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, stored = member_client(fake_vinted, scraper_settings, gate)
    fake_vinted.expire_access_tokens()
    fake_vinted.kill_chain()
    try:
        with pytest.raises(SessionDead) as raised:
            await wardrobe.wardrobe(client, 1001)
    finally:
        await client.aclose()
    assert "collega di nuovo" in raised.value.detail
    reply = fake_vinted.calls_to("refresh")
    assert len(reply) == 1 and stored == []
    assert len(fake_vinted.calls_to("wardrobe")) == 1  # not retried


async def test_a_members_endpoint_needs_a_linked_account(
    fake_vinted: FakeVinted, vinted: VintedClient
) -> None:
    with pytest.raises(AuthExpired) as raised:
        await wardrobe.wardrobe(vinted, 1001)
    assert "Nessun account Vinted collegato" in raised.value.detail
    assert fake_vinted.calls == []  # nothing was asked of Vinted


# --- CSRF and writes --------------------------------------------------------------------------------


async def test_writes_fetch_the_csrf_token_once(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, _ = member_client(fake_vinted, scraper_settings, gate)
    try:
        photo_id = await uploads.upload_photo(client, b"\xff\xd8\xff\xe0 jpeg bytes", temp_uuid="t-1")
        item = uploads.NewItem(
            title="Reggiseno sportivo",
            description="Mai indossato",
            catalog_id=1439,
            price=Decimal("6.50"),
            status_id=1,
            package_size_id=1,
            photo_ids=(photo_id,),
            size_id=207,
        )
        item_id = await uploads.create_item(client, item)
    finally:
        await client.aclose()
    assert len(fake_vinted.calls_to("csrf")) == 1
    status = await gate.status()
    assert (status.write.hourly_count, status.read.hourly_count) == (2, 1)  # the CSRF page is a read
    for call in fake_vinted.calls_to("photo") + fake_vinted.calls_to("create"):
        assert call.headers["x-csrf-token"] == CSRF_TOKEN
    assert fake_vinted.photos[photo_id] == b"\xff\xd8\xff\xe0 jpeg bytes"
    photo_call = fake_vinted.calls_to("photo")[0]
    assert b'name="photo[type]"' in photo_call.body and b'name="photo[temp_uuid]"' in photo_call.body
    assert fake_vinted.items[item_id]["item"]["package_size_id"] == 1
    assert fake_vinted.items[item_id]["item"]["price"] == 6.5


async def test_a_write_with_a_wrong_csrf_token_is_refused_then_fixed(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, _ = member_client(fake_vinted, scraper_settings, gate)
    client._csrf = "old-token-from-yesterday"  # what a long-lived client may hold
    try:
        await uploads.delete_item(client, 99)
    finally:
        await client.aclose()
    deletes = fake_vinted.calls_to("delete")
    assert [call.headers["x-csrf-token"] for call in deletes] == ["old-token-from-yesterday", CSRF_TOKEN]
    assert len(fake_vinted.calls_to("csrf")) == 1 and fake_vinted.deleted == [99]


async def test_a_first_write_with_an_expired_session_refreshes_then_fetches_the_token(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, stored = member_client(fake_vinted, scraper_settings, gate)
    fake_vinted.expire_access_tokens()
    try:
        await uploads.delete_item(client, 77)
    finally:
        await client.aclose()
    assert [c.operation for c in fake_vinted.calls] == ["csrf", "refresh", "csrf", "delete"]
    assert len(stored) == 1 and fake_vinted.deleted == [77]


async def test_a_stale_csrf_token_is_fetched_again_once(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, _ = member_client(fake_vinted, scraper_settings, gate)
    denied = Reply.error(403, 106, "access_denied")
    fake_vinted.script("delete", denied)
    try:
        await uploads.delete_item(client, 123)
        assert len(fake_vinted.calls_to("csrf")) == 2 and fake_vinted.deleted == [123]
        fake_vinted.script("delete", denied, denied)
        with pytest.raises(CsrfMissing):
            await uploads.delete_item(client, 124)
    finally:
        await client.aclose()
    assert len(fake_vinted.calls_to("csrf")) == 3  # once more for the second delete, and no loop
    assert len(fake_vinted.calls_to("delete")) == 4


async def test_create_without_package_size_is_refused_before_sending(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, _ = member_client(fake_vinted, scraper_settings, gate)
    item = uploads.NewItem("t", "d", catalog_id=1439, price=Decimal("5"), status_id=1, package_size_id=0,
                           photo_ids=(1,))  # fmt: skip
    try:
        with pytest.raises(ValueError, match="package_size_id"):
            await uploads.create_item(client, item)
        # Had it been sent, Vinted's answer is 400 code 99.
        fake_vinted.script("create", Reply.error(400, 99, "validation_error"))
        with pytest.raises(VintedRefused) as raised:
            await uploads.create_item(client, uploads.NewItem("t", "d", 1439, item.price, 1, 1, (1,)))
    finally:
        await client.aclose()
    assert (raised.value.status, raised.value.vinted_code) == (400, 99)
    assert len(fake_vinted.calls_to("create")) == 1


async def test_delete_falls_back_to_post(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, _ = member_client(fake_vinted, scraper_settings, gate)
    fake_vinted.delete_method_allowed = False
    try:
        await uploads.delete_item(client, 555)
    finally:
        await client.aclose()
    assert [c.operation for c in fake_vinted.calls if c.operation.startswith("delete")] == [
        "delete",
        "delete_post",
    ]
    assert fake_vinted.deleted == [555]


# --- the member's reads -----------------------------------------------------------------------------


async def test_every_page_of_the_wardrobe_and_the_orders(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, _ = member_client(fake_vinted, scraper_settings, gate)
    fake_vinted.orders_total = 7
    try:
        rows = await wardrobe.wardrobe(client, 1001, per_page=3)
        sold = await orders.sold_orders(client, per_page=3)
        label = await orders.prepaid_label(client, 7_000_000_000)
        journey = await orders.journey(client, 7_000_000_000)
    finally:
        await client.aclose()
    assert [c.query["page"] for c in fake_vinted.calls_to("wardrobe")] == ["1", "2", "3"]
    assert len(rows) == 7 and sum(item.sold for item in rows) == 2
    assert [c.query for c in fake_vinted.calls_to("orders")][0] == {
        "type": "sold",
        "status": "all",
        "page": "1",
        "per_page": "3",
    }
    assert len(sold) == 7 and len(fake_vinted.calls_to("orders")) == 3
    assert label.startswith(b"%PDF")
    assert journey.tracking_code == "3SVOPT123456" and len(journey.steps) == 2


async def test_a_label_that_is_not_a_pdf(
    fake_vinted: FakeVinted, scraper_settings: Settings, gate: PacingGate
) -> None:
    client, _ = member_client(fake_vinted, scraper_settings, gate)
    fake_vinted.script("label", Reply(200, b"<html>Etichetta non disponibile</html>", "text/html"))
    try:
        with pytest.raises(VintedChanged) as raised:
            await orders.prepaid_label(client, 1)
    finally:
        await client.aclose()
    assert raised.value.endpoint == "shipment.label"


async def test_item_details_from_the_public_page(fake_vinted: FakeVinted, vinted: VintedClient) -> None:
    details = await items.item_details(vinted, 10051317969)
    assert (details.name, details.catalog_id, details.price) == ("Brassière de sport Nike", 1439, 6)
    assert fake_vinted.calls_to("home") == []  # a public page needs no session


# --- how Vinted refuses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "source"),
    [(Reply.challenge_page(), "cloudflare"), (Reply.datadome(), "datadome"),
     (Reply(200, b'<script src="https://ct.captcha-delivery.com/c.js"></script>', "text/html"), "datadome")],
)  # fmt: skip
async def test_a_challenge_cools_down_and_is_never_retried(
    fake_vinted: FakeVinted, vinted: VintedClient, gate: PacingGate, reply: Reply, source: str
) -> None:
    fake_vinted.script("search", reply)
    with pytest.raises(Challenge) as raised:
        await search.search(vinted, QUERY)
    assert raised.value.source == source
    assert len(fake_vinted.calls_to("search")) == 1
    status = await gate.status()
    assert status.reason == "cooldown" and status.cause == source
    assert status.closed_until is not None
    assert status.closed_until - datetime.now(UTC) > timedelta(minutes=29)
    # The next caller is stopped at the gate: nothing reaches Vinted during the cool-down.
    with pytest.raises(PacingExceeded) as paced:
        await search.search(vinted, QUERY)
    assert paced.value.reason == "cooldown" and "sospese" in paced.value.detail
    assert len(fake_vinted.calls_to("search")) == 1


async def test_429_closes_the_gate_for_retry_after(
    fake_vinted: FakeVinted, vinted: VintedClient, gate: PacingGate
) -> None:
    fake_vinted.script("search", Reply.rate_limited(60))
    with pytest.raises(RateLimited) as raised:
        await search.search(vinted, QUERY)
    assert raised.value.retry_after == 60 and raised.value.headers["Retry-After"] == "60"
    status = await gate.status()
    assert status.reason == "retry_after" and status.closed_until is not None
    assert timedelta(seconds=55) < status.closed_until - datetime.now(UTC) <= timedelta(seconds=60)
    with pytest.raises(PacingExceeded) as paced:
        await search.search(vinted, QUERY)
    assert paced.value.reason == "retry_after"
    assert len(fake_vinted.calls_to("search")) == 1


@pytest.mark.parametrize("reply", [Reply.changed_shape(), Reply.not_json()])
async def test_a_changed_answer_is_vinted_changed(
    fake_vinted: FakeVinted, vinted: VintedClient, gate: PacingGate, reply: Reply
) -> None:
    fake_vinted.script("search", reply)
    with pytest.raises(VintedChanged) as raised:
        await search.search(vinted, QUERY)
    assert raised.value.endpoint == "search"
    status = await gate.status()
    assert status.last_changed is not None
    assert (status.last_changed.endpoint, status.last_changed.detail) == ("search", raised.value.problem)
    assert status.closed_until is None  # a change is not a block: the gate stays open


async def test_repeated_403s_cool_down(
    fake_vinted: FakeVinted, vinted: VintedClient, gate: PacingGate
) -> None:
    refused = Reply.error(403, 106, "access_denied")  # /details-like: a 403 on a read
    fake_vinted.script("item", refused, refused, refused)
    for _ in range(2):
        with pytest.raises(VintedRefused):
            await items.item_details(vinted, 1)
        assert (await gate.status()).closed_until is None
    with pytest.raises(VintedRefused):
        await items.item_details(vinted, 1)
    status = await gate.status()
    assert (status.reason, status.cause) == ("cooldown", "repeated_403")


@pytest.mark.parametrize("scraper_overrides", [{"vinted_timeout_seconds": 0.5}])
async def test_a_slow_answer_is_unavailable(
    fake_vinted: FakeVinted, vinted: VintedClient, gate: PacingGate
) -> None:
    fake_vinted.script("home", Reply.slow(1.5))
    with pytest.raises(VintedUnavailable) as raised:
        await search.search(vinted, QUERY)
    assert "non ha risposto in tempo" in raised.value.detail
    assert (await gate.status()).closed_until is None


@pytest.mark.parametrize("scraper_overrides", [{"vinted_base_url": "http://127.0.0.1:9"}])
async def test_nobody_listening_is_unavailable(vinted: VintedClient) -> None:
    with pytest.raises(VintedUnavailable) as raised:
        await search.search(vinted, QUERY)
    assert "non è raggiungibile" in raised.value.detail


async def test_5xx_is_unavailable(fake_vinted: FakeVinted, vinted: VintedClient) -> None:
    fake_vinted.script("search", Reply(502, b"Bad gateway", "text/plain"))
    with pytest.raises(VintedUnavailable):
        await search.search(vinted, QUERY)
    assert len(fake_vinted.calls_to("search")) == 1
