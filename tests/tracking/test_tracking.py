"""Following parcels with 17TRACK (its stand-in on a real port): each number registered once, open parcels
polled in batches of 40 within 3 requests a second, refusals recorded, the sale and the feed following the
parcel; the cron job through the real worker; the quota endpoint."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.auth.factories import register
from tests.fakes.tracking17 import API_KEY, FakeTrack17, Reply
from tests.notifications.factories import parcel_notes
from tests.support.worker import run_jobs
from tests.tracking.factories import create_shipment, insert_shipments
from tests.users.factories import invite_and_join
from vinted_optimizer.models import Sale, Shipment
from vinted_optimizer.shipments.tasks import FOLLOW_JOB, follow_parcels
from vinted_optimizer.worker import CRON_JOBS


@pytest.fixture
def settings_overrides(fake_track17_server: tuple[FakeTrack17, str]) -> dict[str, object]:
    return {"track17_api_key": API_KEY, "track17_base_url": fake_track17_server[1]}


def numbers_sent(fake: FakeTrack17, operation: str) -> list[list[str]]:
    return [[item["number"] for item in call.json] for call in fake.calls_to(operation)]


async def follow(resources: Any) -> dict[str, Any]:
    report: dict[str, Any] = await follow_parcels({"resources": resources})
    return report


async def shipment_row(session: Any, shipment_id: uuid.UUID) -> Shipment:
    row = await session.get(Shipment, shipment_id, populate_existing=True)
    assert row is not None
    return row


async def test_each_number_is_registered_once(client, session, resources, fake_track17):
    member = await register(client)
    _, first = await create_shipment(client, session, member=member)
    _, second = await create_shipment(client, session, member=member)
    # Sendcloud's parcels report through its webhooks: not one of the plan's registrations.
    _, bought = await create_shipment(client, session, member=member, source="sendcloud")

    report = await follow(resources)
    assert report["registered"] == 2 and report["stopped"] is None
    [sent] = numbers_sent(fake_track17, "register")  # one request for both
    assert sorted(sent) == sorted([first.tracking_code, second.tracking_code])
    for shipment in (first, second):
        row = await shipment_row(session, shipment.id)
        assert row.track17_registered_at is not None and row.track17_carrier == 8251

    await follow(resources)  # the next run polls, never registers again
    assert len(fake_track17.calls_to("register")) == 1
    assert fake_track17.registrations == {first.tracking_code: 1, second.tracking_code: 1}
    assert (await shipment_row(session, bought.id)).track17_registered_at is None


async def test_already_registered_counts_as_registered(
    client, session, resources, fake_track17, fake_track17_server
):
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    async with httpx.AsyncClient(base_url=fake_track17_server[1]) as api:  # registered by hand, elsewhere
        await api.post(
            "/track/v2.2/register", json=[{"number": shipment.tracking_code}], headers={"17token": API_KEY}
        )

    report = await follow(resources)
    assert report["already_registered"] == 1 and report["registered"] == 0
    row = await shipment_row(session, shipment.id)
    assert row.track17_registered_at is not None and row.track17_error is None


async def test_refused_numbers_are_recorded_in_italian_and_not_sent_again(
    client, session, resources, fake_track17
):
    member = await register(client)
    _, undetected = await create_shipment(client, session, member=member, tracking_code="ABCDE12345")
    _, wrong = await create_shipment(client, session, member=member)
    fake_track17.rejections[str(wrong.tracking_code)] = -18019910

    report = await follow(resources)
    assert report["refused"] == 2
    assert (await shipment_row(session, undetected.id)).track17_error == (
        "17TRACK non riconosce il corriere di questo codice di tracciamento."
    )
    row = await shipment_row(session, wrong.id)
    assert row.track17_error == "Il corriere indicato non corrisponde a questo codice di tracciamento."
    assert row.track17_registered_at is None

    await follow(resources)
    assert len(fake_track17.calls_to("register")) == 1


async def test_a_spent_quota_stops_registering_and_leaves_the_rest_for_later(
    client, session, resources, fake_track17
):
    fake_track17.quota_total = 1
    member = await register(client)
    sale, _ = await create_shipment(client, session, member=member)
    await insert_shipments(session, member=member, sale=sale, count=45)

    report = await follow(resources)
    assert report["registered"] == 1
    assert report["stopped"] == "register: 17TRACK -18019908"
    assert len(fake_track17.calls_to("register")) == 1  # the second batch is not sent
    rows = (await session.scalars(select(Shipment).where(Shipment.sale_id == uuid.UUID(sale["id"])))).all()
    assert sum(row.track17_registered_at is not None for row in rows) == 1
    assert all(row.track17_error is None for row in rows)  # not the number's fault: tried again later


async def test_85_open_parcels_take_3_requests_of_at_most_40_within_the_rate_limit(
    client, session, resources, fake_track17
):
    member = await register(client)
    sale, _ = await create_shipment(client, session, member=member, status="delivered")  # final: not followed
    numbers = await insert_shipments(session, member=member, sale=sale, count=85)

    report = await follow(resources)
    assert report["registered"] == 85
    registered = numbers_sent(fake_track17, "register")
    polled = numbers_sent(fake_track17, "gettrackinfo")
    assert [len(batch) for batch in registered] == [40, 40, 5]
    assert [len(batch) for batch in polled] == [40, 40, 5]
    assert sorted(n for batch in polled for n in batch) == sorted(numbers)
    # A 429 would have been tried again: exactly one call per batch means 17TRACK never refused one.
    assert len(fake_track17.calls) == 6


async def test_a_429_waits_and_goes_on(client, session, resources, fake_track17):
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    fake_track17.script("register", Reply(status=429, headers={"Retry-After": "1"}))

    report = await follow(resources)
    assert report["registered"] == 1 and report["stopped"] is None
    assert len(fake_track17.calls_to("register")) == 2


async def test_17track_down_ends_the_run_and_the_next_one_catches_up(
    client, session, resources, fake_track17
):
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    fake_track17.script("register", Reply(status=503))

    report = await follow(resources)
    assert report["stopped"].startswith("unavailable")
    assert (await shipment_row(session, shipment.id)).track17_registered_at is None
    assert (await follow(resources))["registered"] == 1


async def test_polls_move_the_parcel_the_sale_and_the_feed(client, session, resources, fake_track17):
    member = await register(client)
    sale, shipment = await create_shipment(client, session, member=member)
    number = str(shipment.tracking_code)
    await follow(resources)
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    fake_track17.add_event(
        number, "Presa in carico", status="InTransit", stage="PickedUp", location="Milano", at=start
    )

    await follow(resources)
    row = await shipment_row(session, shipment.id)
    assert (row.status, row.status_at, row.last_checked_at is not None) == ("in_transit", start, True)
    assert [event["description"] for event in row.tracking_events] == ["Presa in carico"]
    assert (await session.get(Sale, uuid.UUID(sale["id"]), populate_existing=True)).status == "shipped"

    delivered_at = start + timedelta(days=2)
    fake_track17.add_event(
        number, "Consegnato", status="Delivered", stage="Delivered", location="Roma", at=delivered_at
    )
    report = await follow(resources)
    assert report["changed"] == 1
    row = await shipment_row(session, shipment.id)
    assert (row.status, row.delivered_at) == ("delivered", delivered_at)
    assert [event["description"] for event in row.tracking_events] == ["Consegnato", "Presa in carico"]
    assert (await session.get(Sale, uuid.UUID(sale["id"]), populate_existing=True)).status == "delivered"
    notes = await parcel_notes(session, row.family_id)
    assert [(note.kind, note.dedupe_key, note.user_id) for note in notes] == [
        ("parcel_delivered", f"parcel_delivered:{shipment.id}", uuid.UUID(member.id))
    ]
    assert sale["title"] in notes[0].title

    await follow(resources)  # delivered is final: not polled again
    assert len(fake_track17.calls_to("gettrackinfo")) == 3


async def test_a_return_is_trouble_notified_once(client, session, resources, fake_track17):
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    number = str(shipment.tracking_code)
    await follow(resources)
    fake_track17.add_event(number, "Reso al mittente", status="Exception", sub_status="Exception_Returning")
    await follow(resources)
    await follow(resources)
    row = await shipment_row(session, shipment.id)
    assert row.status == "returned"
    notes = await parcel_notes(session, row.family_id)
    assert [note.dedupe_key for note in notes] == [f"parcel_trouble:{shipment.id}:returned"]


async def test_the_cron_job_runs_in_the_worker(client, session, resources, fake_track17):
    [entry] = [job for job in CRON_JOBS if job.function.__qualname__ == f"cron:{FOLLOW_JOB}"]
    assert entry.cron == "23 0,4,8,12,16,20 * * *"  # every VO_TRACKING_POLL_HOURS=4 hours
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)

    assert await resources.queue.enqueue(FOLLOW_JOB, job_id=f"{FOLLOW_JOB}:test")
    assert await run_jobs(resources) == 2  # the follow job, and the e-mail of the sale's notification
    assert (await shipment_row(session, shipment.id)).track17_registered_at is not None
    assert numbers_sent(fake_track17, "register") == [[shipment.tracking_code]]


async def test_the_quota_is_for_the_family_admin(client, resources, fake_track17):
    admin = await register(client)
    member = await invite_and_join(client, admin=admin)
    answer = await client.get("/api/v1/shipments/tracking/quota", headers=admin.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"quota_total": 100, "quota_used": 0, "quota_remain": 100, "today_used": 0}
    assert (await client.get("/api/v1/shipments/tracking/quota", headers=member.headers)).status_code == 403
    assert (await client.get("/api/v1/shipments/tracking/quota")).status_code == 401

    fake_track17.script("getquota", Reply(status=503))
    down = await client.get("/api/v1/shipments/tracking/quota", headers=admin.headers)
    assert down.status_code == 503 and down.headers["Retry-After"] == "60"
    assert down.json()["error"] == "upstream_unavailable"


async def test_without_a_key_tracking_is_off_and_says_so(
    client, session, resources, fake_track17, monkeypatch
):
    monkeypatch.setattr(resources.settings, "track17_api_key", None)
    admin = await register(client)
    _, shipment = await create_shipment(client, session, member=admin)
    answer = await client.get("/api/v1/shipments/tracking/quota", headers=admin.headers)
    assert answer.status_code == 409
    assert answer.json()["error"] == "tracking_not_configured"
    assert "VO_TRACK17_API_KEY" in answer.json()["detail"]
    assert (await follow(resources))["stopped"] == "off: VO_TRACK17_API_KEY is not set"
    assert fake_track17.calls == []


async def test_the_daily_limit_stops_the_run_without_blaming_the_number(
    client, session, resources, fake_track17
):
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    fake_track17.rejections[str(shipment.tracking_code)] = -18019907

    report = await follow(resources)
    assert report["stopped"] == "register: 17TRACK -18019907"
    row = await shipment_row(session, shipment.id)
    assert (row.track17_registered_at, row.track17_error) == (None, None)

    del fake_track17.rejections[str(shipment.tracking_code)]  # tomorrow
    assert (await follow(resources))["registered"] == 1
