"""The standalone scraper service (``scraper-service``) reached through ``HttpScraperClient``: the same
answers as in-process, the service token required, and the cool-down rebuilt as the same error on the
cloud side (503, ``Retry-After``)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from tests.fakes.vinted import FakeVinted, Reply
from tests.support.market import priced, seed_snapshot
from vinted_optimizer.config import Environment, Settings
from vinted_optimizer.kit.queue import saq_queue
from vinted_optimizer.scraper.app import create_scraper_app
from vinted_optimizer.scraper.client import HttpScraperClient
from vinted_optimizer.scraper.errors import ScraperCoolingDown, ScraperUnavailable
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.schemas import ComparablesQuery, Follow, ScrapeRequest
from vinted_optimizer.scraper.service import QUEUE_NAME, ScraperService
from vinted_optimizer.scraper.snapshots import SnapshotStore

TOKEN = "t" * 40
REQUEST = ScrapeRequest(follows=[Follow(category_id=1242, category_name="Uomo > Scarpe > Sneakers")])


@pytest.fixture
async def service(
    scraper_settings: Settings, redis: Redis, gate: PacingGate, redis_url: str
) -> AsyncIterator[ScraperService]:
    settings = scraper_settings.model_copy(update={"service_token": SecretStr(TOKEN)})
    queue = saq_queue(redis_url, name=QUEUE_NAME)
    service = ScraperService(settings, redis, store=SnapshotStore(None), queue=queue, gate=gate)
    yield service
    await service.aclose()


def http_client(service: ScraperService, token: str | None) -> HttpScraperClient:
    app = create_scraper_app(service.settings, service=service, run_worker=False)
    return HttpScraperClient("http://scraper", token, transport=httpx.ASGITransport(app=app))


async def test_the_http_client_speaks_to_the_service(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    client = http_client(service, TOKEN)
    accepted = await client.request_scrape(REQUEST)
    assert accepted.queued and accepted.searches == 1
    assert not (await client.request_scrape(REQUEST)).queued
    status = await client.status()
    assert status.status == "ok" and status.queued_scrapes == 1 and status.read is not None
    await service.scrape(REQUEST)  # what the scraper's worker does with the job
    page = await client.aggregates(0)
    assert page.aggregates[0]["category_id"] == 1242 and page.aggregates[0]["brand"] is None
    assert (await client.aggregates(page.last_id)).aggregates == []
    await client.aclose()


async def test_the_service_token_is_required(service: ScraperService) -> None:
    client = http_client(service, "sbagliato")
    with pytest.raises(ScraperUnavailable) as refused:
        await client.request_scrape(REQUEST)
    assert "VO_SERVICE_TOKEN" in refused.value.detail
    assert (await client.status()).status == "unavailable"
    await client.aclose()


async def test_a_cool_down_crosses_the_tunnel_as_the_same_error(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    fake_vinted.script("search", Reply.datadome())
    await service.scrape(REQUEST)
    client = http_client(service, TOKEN)
    with pytest.raises(ScraperCoolingDown) as cooling:
        await client.request_scrape(REQUEST)
    assert int(cooling.value.headers["Retry-After"]) >= 29 * 60
    assert cooling.value.reason == "cooldown"
    status = await client.status()
    assert status.status == "cooling_down" and status.cooldown_cause == "datadome"
    await client.aclose()


async def test_comparables_cross_the_tunnel_behind_the_token(service: ScraperService) -> None:
    seed_snapshot(service.store, 1242, priced(1, [10, 12, 14, 16, 18, 20, 22, 24], "Nike", "good"))
    query = ComparablesQuery(category_id=1242, brand="nike", condition="good")
    client = http_client(service, TOKEN)
    found = await client.comparables(query)
    assert found == await service.comparables(query)  # the same answer as in-process
    assert found.step == "category_brand_condition" and found.count == 8 and str(found.q1) == "13.50"
    await client.aclose()
    refused = http_client(service, "sbagliato")
    with pytest.raises(ScraperUnavailable):
        await refused.comparables(query)
    await refused.aclose()
    down = HttpScraperClient("http://127.0.0.1:9", TOKEN, timeout=2)  # nothing listens there
    with pytest.raises(ScraperUnavailable):
        await down.comparables(query)
    await down.aclose()


def test_outside_development_the_service_needs_its_token(scraper_settings: Settings) -> None:
    strict = scraper_settings.model_copy(
        update={"environment": Environment.production, "service_token": None}
    )
    with pytest.raises(RuntimeError, match="VO_SERVICE_TOKEN"):
        create_scraper_app(strict)


async def test_a_member_refresh_over_http_answers_the_rotated_pair_or_dead(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    from vinted_optimizer.scraper.schemas import MemberSession

    client = http_client(service, TOKEN)
    access, refresh = fake_vinted.member_session(access_ttl=60)
    outcome = await client.refresh_member(MemberSession(access_token=access, refresh_token=refresh))
    assert outcome.error is None and not outcome.dead and outcome.session is not None
    assert outcome.session.refresh_token in fake_vinted.refresh_tokens
    assert refresh in fake_vinted.used_refresh_tokens
    # The spent token again: the chain is dead, said in the envelope (200), not as an error status.
    again = await client.refresh_member(MemberSession(access_token=access, refresh_token=refresh))
    assert again.dead and again.session is None and again.error is not None
    assert again.error.code == "vinted_session_dead" and again.error.status_code == 401
    # A member's call needs the service token like everything else.
    with pytest.raises(ScraperUnavailable):
        await http_client(service, "wrong" * 8).refresh_member(
            MemberSession(access_token=access, refresh_token=refresh)
        )
    await client.aclose()


async def test_a_member_call_that_fails_after_a_refresh_still_returns_the_new_pair(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    """The single-use token was spent on the way: losing the new pair to the error would kill the chain."""
    from vinted_optimizer.scraper.members import member_call
    from vinted_optimizer.scraper.schemas import MemberSession
    from vinted_optimizer.scraper.vinted.orders import sold_orders

    access, refresh = fake_vinted.member_session(access_ttl=60)  # due for a refresh before the call
    fake_vinted.script("orders", Reply.challenge_page())
    result, outcome = await member_call(
        service.settings, service.gate, MemberSession(access_token=access, refresh_token=refresh), sold_orders
    )
    assert result is None and outcome.session is not None and not outcome.dead
    assert outcome.error is not None and outcome.error.code == "vinted_challenge"
    assert outcome.session.refresh_token in fake_vinted.refresh_tokens


# --- the sales sync's member calls (issue 12 item 7) -------------------------------------------------


async def test_a_member_sync_over_http_reads_orders_wardrobe_and_only_the_unknown_details(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    from vinted_optimizer.scraper.schemas import MemberSession

    client = http_client(service, TOKEN)
    access, refresh = fake_vinted.member_session()
    member = MemberSession(access_token=access, refresh_token=refresh, vinted_user_id=4242)
    outcome = await client.sync_member(member, [7_000_000_001, 7_000_000_003])
    assert outcome.error is None and not outcome.dead and outcome.result is not None
    result = outcome.result
    assert result.complete and result.stopped is None and result.wardrobe_read
    # Every order, newest first; details only for the three unknown transactions.
    assert [o.transaction_id for o in result.orders] == [7_000_000_000 + n for n in (4, 3, 2, 1, 0)]
    fetched = sorted(int(c.path.rsplit("/", 1)[1]) for c in fake_vinted.calls_to("transaction"))
    assert fetched == [7_000_000_000, 7_000_000_002, 7_000_000_004]
    newest = result.orders[0]
    assert newest.detailed and newest.item_ids == [9_000_000_004] and newest.buyer_login == "compratrice"
    assert newest.shipment is not None and newest.shipment.tracking_code == "3SVOPT000004"
    assert set(newest.raw) == {"order", "transaction"} and newest.raw["order"]["conversation_id"]
    assert not result.orders[1].detailed and set(result.orders[1].raw) == {"order"}
    assert [c.path for c in fake_vinted.calls_to("wardrobe")] == ["/api/v2/users/4242/items"]
    assert len(result.wardrobe) == 7 and sum(item.sold for item in result.wardrobe) == 2

    label = await client.member_label(member, 7_000_000_004)
    assert label.error is None and label.result is not None
    assert base64.b64decode(label.result.pdf_base64).startswith(b"%PDF")
    with pytest.raises(ScraperUnavailable):
        await http_client(service, None).sync_member(member, [])
    await client.aclose()


async def test_a_sync_stopped_by_a_challenge_returns_what_it_read(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    from vinted_optimizer.scraper.schemas import MemberSession, SyncRequest

    access, refresh = fake_vinted.member_session()
    fake_vinted.script("transaction", Reply(), Reply.challenge_page())
    session = MemberSession(access_token=access, refresh_token=refresh)
    outcome = await service.sync_member(SyncRequest(session=session))
    assert outcome.error is None and outcome.result is not None
    result = outcome.result
    assert not result.complete and result.stopped is not None and result.stopped.code == "vinted_challenge"
    assert [o.detailed for o in result.orders] == [True, False, False, False, False]
    # Without Vinted's id of the account the wardrobe is skipped, with a note.
    assert not result.wardrobe_read and "id Vinted" in result.notes[0]
    assert fake_vinted.calls_to("wardrobe") == []


async def test_a_sync_out_of_time_stops_before_the_details_and_says_so(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    """The call must end inside the HTTP client's timeout (a timed-out call would lose a rotated pair)."""
    from vinted_optimizer.scraper.schemas import MemberSession, SyncRequest

    access, refresh = fake_vinted.member_session()
    session = MemberSession(access_token=access, refresh_token=refresh, vinted_user_id=4242)
    outcome = await service.sync_member(SyncRequest(session=session, budget_seconds=1e-9))
    assert outcome.error is None and outcome.result is not None
    assert not outcome.result.complete and outcome.result.stopped is not None
    assert (
        outcome.result.stopped.code == "sync_time_budget" and "prossimo giro" in outcome.result.stopped.detail
    )
    assert len(outcome.result.orders) == 5 and outcome.result.wardrobe_read
    assert fake_vinted.calls_to("transaction") == []


GARBAGE = b'{"risposta": [1, "\xff"}!!'  # says JSON, is not (nor UTF-8)


def answering(body: bytes) -> HttpScraperClient:
    """A client of a home side that is there and answers 200 with ``body`` to everything."""
    transport = httpx.MockTransport(
        lambda _request: httpx.Response(200, content=body, headers={"content-type": "application/json"})
    )
    return HttpScraperClient("http://home.test", TOKEN, transport=transport, retry_seconds=7)


@pytest.mark.parametrize("body", [GARBAGE, b'"testo"', b"[1, 2]"])
async def test_a_home_side_answering_garbage_is_unavailable_in_its_own_words(body: bytes) -> None:
    """Not a 500 (the decoding error escaping), nor "does not answer": it answered, wrongly; tried again
    after the same Retry-After as an unreachable home side."""
    from vinted_optimizer.scraper.client import INVALID_ANSWER, INVALID_STATUS
    from vinted_optimizer.scraper.schemas import MemberSession, UnpublishRequest

    session = MemberSession(access_token="a" * 20, refresh_token="r" * 20)
    client = answering(body)
    try:
        calls = {
            "scrapes": client.request_scrape(REQUEST),
            "aggregates": client.aggregates(0),
            "comparables": client.comparables(ComparablesQuery(category_id=1242)),
            "refresh": client.refresh_member(session),
            "sync": client.sync_member(session, []),
            "label": client.member_label(session, 7),
            "unpublish": client.unpublish_member(UnpublishRequest(session=session, item_id=1)),
        }
        for name, call in calls.items():
            with pytest.raises(ScraperUnavailable) as raised:
                await call
            assert raised.value.detail == INVALID_ANSWER, name
            assert raised.value.headers == {"Retry-After": "7"}, name
        status = await client.status()
        assert status.status == "unavailable" and status.detail == INVALID_STATUS
    finally:
        await client.aclose()


async def test_a_trends_refresh_against_garbage_says_so() -> None:
    from vinted_optimizer.scraper.client import INVALID_ANSWER
    from vinted_optimizer.trends.service import scraper_ready

    client = answering(GARBAGE)
    try:
        with pytest.raises(ScraperUnavailable) as raised:
            await scraper_ready(client)
    finally:
        await client.aclose()
    assert raised.value.detail == INVALID_ANSWER
