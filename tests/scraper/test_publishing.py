"""A member's publishing on the home side, over HTTP with the service token: the photos uploaded in order,
then the item created in Vinted's shape; the item deleted; errors in the envelope, not as a status."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from redis.asyncio import Redis

from tests.ai.factories import jpeg
from tests.fakes.vinted import FakeVinted, Reply
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.queue import saq_queue
from vinted_optimizer.scraper.app import create_scraper_app
from vinted_optimizer.scraper.client import HttpScraperClient
from vinted_optimizer.scraper.errors import ScraperUnavailable
from vinted_optimizer.scraper.pacing import PacingGate
from vinted_optimizer.scraper.schemas import (
    MemberSession,
    PublishItem,
    PublishProgress,
    PublishRequest,
    UnpublishRequest,
)
from vinted_optimizer.scraper.service import QUEUE_NAME, ScraperService
from vinted_optimizer.scraper.snapshots import SnapshotStore

TOKEN = "p" * 40
ITEM = PublishItem(
    title="Giacca di jeans",
    description="Giacca di jeans blu, taglia M.",
    catalog_id=1907,
    price="25.50",  # type: ignore[arg-type]
    status_id=2,
    package_size_id=2,
    size_id=207,
    color_ids=[9],
    brand="Levi's",
)


@pytest.fixture
async def service(
    scraper_settings: Settings, redis: Redis, gate: PacingGate, redis_url: str
) -> AsyncIterator[ScraperService]:
    settings = scraper_settings.model_copy(update={"service_token": SecretStr(TOKEN)})
    service = ScraperService(
        settings, redis, store=SnapshotStore(None), queue=saq_queue(redis_url, name=QUEUE_NAME), gate=gate
    )
    yield service
    await service.aclose()


def http_client(service: ScraperService, token: str) -> HttpScraperClient:
    app = create_scraper_app(service.settings, service=service, run_worker=False)
    return HttpScraperClient("http://scraper", token, transport=httpx.ASGITransport(app=app))


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


async def test_a_publish_over_http_uploads_the_photos_in_order_then_creates_the_item(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    client = http_client(service, TOKEN)
    access, refresh = fake_vinted.member_session()
    photos = [jpeg((200, 0, 0)), jpeg((0, 200, 0)), jpeg((0, 0, 200))]
    request = PublishRequest(
        session=MemberSession(access_token=access, refresh_token=refresh),
        item=ITEM,
        photos=[b64(photo) for photo in photos],
    )
    told: list[tuple[str, int, int]] = []

    async def progress(step: PublishProgress) -> None:
        told.append((step.step, step.done, step.total))

    # Over HTTP the progress lines come before the outcome (the test transport hands them over at the end).
    outcome = await client.publish_member(request, progress)
    assert told == [("photo", 0, 3), ("photo", 1, 3), ("photo", 2, 3), ("item", 3, 3)]
    assert outcome.error is None and outcome.result is not None
    result = outcome.result
    # Uploaded in display order, each one a photo Vinted keeps.
    assert [fake_vinted.photos[photo_id] for photo_id in result.photo_ids] == photos
    assert result.url == f"{service.settings.vinted_base_url.rstrip('/')}/items/{result.item_id}"
    (create,) = fake_vinted.calls_to("create")
    item = json.loads(create.body)["item"]
    assert fake_vinted.items[result.item_id]["item"] == item
    assert item["price"] == 25.5 and item["catalog_id"] == 1907 and item["package_size_id"] == 2
    assert item["size_id"] == 207 and item["status_id"] == 2
    assert {"code": "size", "ids": [207]} in item["item_attributes"]
    assert {"code": "condition", "ids": [2]} in item["item_attributes"]
    assert [photo["id"] for photo in item["assigned_photos"]] == result.photo_ids
    # Each request a write: the photos and the item went through the write budget.
    status = await client.status()
    assert status.write is not None and status.write.hourly_count == 4

    deleted = await client.unpublish_member(
        UnpublishRequest(
            session=MemberSession(access_token=access, refresh_token=refresh), item_id=result.item_id
        )
    )
    assert deleted.error is None and deleted.result is not None and deleted.result.deleted
    assert fake_vinted.deleted == [result.item_id]

    # The member's calls need the service token like everything else.
    with pytest.raises(ScraperUnavailable):
        await http_client(service, "wrong" * 8).publish_member(request)
    await client.aclose()


async def test_a_refusal_comes_back_in_the_envelope(fake_vinted: FakeVinted, service: ScraperService) -> None:
    client = http_client(service, TOKEN)
    access, refresh = fake_vinted.member_session()
    fake_vinted.script("create", Reply.error(400, 99, "validation_error"))
    outcome = await client.publish_member(
        PublishRequest(
            session=MemberSession(access_token=access, refresh_token=refresh), item=ITEM, photos=[b64(jpeg())]
        )
    )
    assert outcome.result is None and outcome.error is not None
    assert outcome.error.code == "vinted_refused" and outcome.error.vinted_code == 99
    assert fake_vinted.items == {}
    await client.aclose()


async def test_a_publish_body_may_carry_its_photos_but_other_routes_keep_the_small_limit(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    app = create_scraper_app(service.settings, service=service, run_worker=False)
    access, refresh = fake_vinted.member_session()
    big = b64(jpeg(size=(1600, 1200)) + b"\0" * 400_000)  # over the 256 KiB of the other routes
    body = {
        "session": {"access_token": access, "refresh_token": refresh},
        "item": ITEM.model_dump(mode="json"),
        "photos": [big],
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as http:
        headers = {"X-Service-Token": TOKEN}
        published = await http.post("/members/publish", json=body, headers=headers)
        assert published.status_code == 200, published.text
        assert published.headers["content-type"].startswith("application/x-ndjson")
        last = json.loads(published.text.splitlines()[-1])
        assert last["outcome"]["result"]["item_id"] > 0
        refused = await http.post("/members/refresh", json={**body, "photos": [big]}, headers=headers)
        assert refused.status_code == 413


def test_photos_must_be_base64_jpegs() -> None:
    session = MemberSession(access_token="a", refresh_token="b")
    with pytest.raises(ValidationError):
        PublishRequest(session=session, item=ITEM, photos=["not base64!"])
    with pytest.raises(ValidationError):
        PublishRequest(session=session, item=ITEM, photos=[b64(b"GIF89a")])
    with pytest.raises(ValidationError):
        PublishRequest(session=session, item=ITEM, photos=[])


async def test_the_progress_is_told_before_each_write(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    access, refresh = fake_vinted.member_session()
    told: list[tuple[str, int, int]] = []

    async def progress(step: PublishProgress) -> None:
        # The photos Vinted had when it was said, and whether the item was created yet.
        told.append((step.step, len(fake_vinted.calls_to("photo")), len(fake_vinted.calls_to("create"))))

    request = PublishRequest(
        session=MemberSession(access_token=access, refresh_token=refresh),
        item=ITEM,
        photos=[b64(jpeg()), b64(jpeg((9, 9, 9)))],
    )
    outcome = await service.publish_member(request, progress)
    assert outcome.result is not None
    assert told == [("photo", 0, 0), ("photo", 1, 0), ("item", 2, 0)]


async def test_an_item_vinted_no_longer_has_counts_as_taken_off(
    fake_vinted: FakeVinted, service: ScraperService
) -> None:
    access, refresh = fake_vinted.member_session()
    session = MemberSession(access_token=access, refresh_token=refresh)
    gone = Reply.error(404, 0, "not_found")
    fake_vinted.script("delete", gone)
    fake_vinted.script("delete_post", gone)
    outcome = await service.unpublish_member(UnpublishRequest(session=session, item_id=123))
    assert outcome.error is None and outcome.result is not None and outcome.result.already_gone
    # Any other refusal is an error, in the envelope.
    fake_vinted.script(
        "delete", Reply.error(403, 106, "access_denied"), Reply.error(403, 106, "access_denied")
    )
    refused = await service.unpublish_member(UnpublishRequest(session=session, item_id=124))
    assert refused.result is None and refused.error is not None


@pytest.mark.parametrize("line", [b'{"risposta": [1, "\xff"}!!', b'{"outcome": [1]}', b'"progress"'])
async def test_a_publish_answered_with_garbage_is_unavailable_in_its_own_words(line: bytes) -> None:
    """Tried again later (the job queues it) rather than the job crashing on the decoding error."""
    from vinted_optimizer.scraper.client import INVALID_ANSWER

    transport = httpx.MockTransport(
        lambda _request: httpx.Response(
            200, content=line + b"\n", headers={"content-type": "application/x-ndjson"}
        )
    )
    client = HttpScraperClient("http://home.test", TOKEN, transport=transport, retry_seconds=7)
    request = PublishRequest(
        session=MemberSession(access_token="a" * 20, refresh_token="r" * 20), item=ITEM, photos=[b64(jpeg())]
    )
    try:
        with pytest.raises(ScraperUnavailable) as raised:
            await client.publish_member(request)
    finally:
        await client.aclose()
    assert raised.value.detail == INVALID_ANSWER and raised.value.headers == {"Retry-After": "7"}
