"""Webhooks over a real socket, posted and signed as Sendcloud and 17TRACK do (tests/fakes): a good one
moves the parcel, the sale and the feed and reaches the family's screens; a forged one changes nothing;
a redelivery changes nothing; an older report after a newer one keeps the status; another family's
parcel is out of reach."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from tests.auth.factories import register
from tests.fakes import sendcloud, tracking17
from tests.fakes.tracking17 import API_KEY, FakeTrack17
from tests.notifications.factories import parcel_notes
from tests.tracking.factories import announce_parcel, create_shipment, shipping_account
from vinted_optimizer.models import AuditLog, Sale, Shipment, WebhookReceipt

WAIT = 5
T0 = 1_767_000_000  # 2025-12-29, a Unix time as Sendcloud sends it


@pytest.fixture
def settings_overrides(fake_track17_server: tuple[FakeTrack17, str]) -> dict[str, object]:
    return {"track17_api_key": API_KEY, "track17_base_url": fake_track17_server[1]}


@pytest.fixture
async def base_url(app: Any) -> AsyncIterator[str]:
    from tests.support.live import served

    async with served(app) as url:
        yield url.replace("ws://", "http://")


async def row(session: Any, model: Any, id_: Any) -> Any:
    found = await session.get(model, uuid.UUID(str(id_)), populate_existing=True)
    assert found is not None
    return found


async def sendcloud_parcel(client, session, resources, fake_sendcloud, fake_sendcloud_server, *, member=None):  # noqa: ANN001, ANN201
    """A family with its Sendcloud keys and a parcel bought at the stand-in, recorded as its shipment."""
    member = member or await register(client)
    token = await shipping_account(session, resources.secret_box, member=member)
    parcel = await announce_parcel(fake_sendcloud_server[1], f"VO-{uuid.uuid4().hex[:12]}")
    sale, shipment = await create_shipment(
        client,
        session,
        member=member,
        source="sendcloud",
        tracking_code=parcel["tracking_number"],
        sendcloud_parcel_id=str(parcel["id"]),
    )
    return member, token, sale, shipment, parcel


async def test_a_signed_sendcloud_delivery_moves_parcel_sale_and_feed(
    client, session, resources, base_url, fake_sendcloud, fake_sendcloud_server
):
    member, token, sale, shipment, parcel = await sendcloud_parcel(
        client, session, resources, fake_sendcloud, fake_sendcloud_server
    )
    url = f"{base_url}/api/v1/webhooks/sendcloud/{token}"

    answer = await sendcloud.post_webhook(url, fake_sendcloud.webhook_payload(parcel["id"], 11, timestamp=T0))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"result": "applied"}
    found = await row(session, Shipment, shipment.id)
    assert (found.status, found.status_message, int(found.delivered_at.timestamp())) == (
        "delivered",
        "Delivered",
        T0,
    )
    assert found.tracking_events == [
        {
            "at": "2025-12-29T09:20:00+00:00",
            "status": "delivered",
            "description": "Delivered",
            "location": None,
            "source": "sendcloud",
        }
    ]
    assert (await row(session, Sale, sale["id"])).status == "delivered"  # from pending: it was delivered
    [note] = await parcel_notes(session, member.family_id)
    assert (note.kind, note.dedupe_key, note.user_id) == (
        "parcel_delivered",
        f"parcel_delivered:{shipment.id}",
        uuid.UUID(member.id),
    )
    assert note.title == f"Pacco consegnato: {sale['title']}"
    audit = await session.scalar(select(AuditLog).where(AuditLog.action == "sale.parcel_progress"))
    assert audit is not None and audit.meta == {
        "before": "pending",
        "after": "delivered",
        "parcel_status": "delivered",
    }


async def test_a_forged_signature_or_an_unknown_token_is_401_and_changes_nothing(
    client, session, resources, base_url, fake_sendcloud, fake_sendcloud_server
):
    _, token, sale, shipment, parcel = await sendcloud_parcel(
        client, session, resources, fake_sendcloud, fake_sendcloud_server
    )
    before = (await row(session, Shipment, shipment.id)).updated_at
    payload = fake_sendcloud.webhook_payload(parcel["id"], 11, timestamp=T0)
    forged = await sendcloud.post_webhook(
        f"{base_url}/api/v1/webhooks/sendcloud/{token}", payload, signature="0" * 64
    )
    other_key = await sendcloud.post_webhook(
        f"{base_url}/api/v1/webhooks/sendcloud/{token}", payload, secret=sendcloud.SECRET_KEY
    )  # a webhook key is set: the secret key no longer signs
    unknown = await sendcloud.post_webhook(f"{base_url}/api/v1/webhooks/sendcloud/not-a-token", payload)
    for answer in (forged, other_key, unknown):
        assert answer.status_code == 401
        assert answer.json() == {"error": "webhook_refused", "detail": "Webhook non autorizzato."}
    found = await row(session, Shipment, shipment.id)
    assert (found.status, found.updated_at, found.tracking_events) == ("ready", before, [])
    assert (await row(session, Sale, sale["id"])).status == "pending"
    assert await session.scalar(select(func.count()).select_from(WebhookReceipt)) == 0


async def test_the_secret_key_signs_when_there_is_no_webhook_key(
    client, session, resources, base_url, fake_sendcloud, fake_sendcloud_server
):
    member = await register(client)
    token = await shipping_account(session, resources.secret_box, member=member, webhook_key=None)
    parcel = await announce_parcel(fake_sendcloud_server[1], "VO-SECRET-KEY")
    await create_shipment(client, session, member=member, sendcloud_parcel_id=str(parcel["id"]))
    payload = fake_sendcloud.webhook_payload(parcel["id"], 3, timestamp=T0)
    answer = await sendcloud.post_webhook(
        f"{base_url}/api/v1/webhooks/sendcloud/{token}", payload, secret=sendcloud.SECRET_KEY
    )
    assert answer.json() == {"result": "applied"}


async def test_a_redelivery_changes_nothing(
    client, session, resources, base_url, fake_sendcloud, fake_sendcloud_server
):
    member, token, _, shipment, parcel = await sendcloud_parcel(
        client, session, resources, fake_sendcloud, fake_sendcloud_server
    )
    url = f"{base_url}/api/v1/webhooks/sendcloud/{token}"
    payload = fake_sendcloud.webhook_payload(parcel["id"], 11, timestamp=T0)
    assert (await sendcloud.post_webhook(url, payload)).json() == {"result": "applied"}
    updated_at = (await row(session, Shipment, shipment.id)).updated_at

    again = await sendcloud.post_webhook(url, payload)
    assert again.status_code == 200 and again.json() == {"result": "duplicate"}
    found = await row(session, Shipment, shipment.id)
    assert found.updated_at == updated_at and len(found.tracking_events) == 1
    assert len(await parcel_notes(session, member.family_id)) == 1


async def test_an_older_report_after_a_newer_one_keeps_the_status_and_joins_the_history(
    client, session, resources, base_url, fake_sendcloud, fake_sendcloud_server
):
    _, token, sale, shipment, parcel = await sendcloud_parcel(
        client, session, resources, fake_sendcloud, fake_sendcloud_server
    )
    url = f"{base_url}/api/v1/webhooks/sendcloud/{token}"
    await sendcloud.post_webhook(url, fake_sendcloud.webhook_payload(parcel["id"], 11, timestamp=T0 + 86_400))
    late = await sendcloud.post_webhook(url, fake_sendcloud.webhook_payload(parcel["id"], 91, timestamp=T0))
    assert late.json() == {"result": "applied"}
    found = await row(session, Shipment, shipment.id)
    assert found.status == "delivered" and int(found.status_at.timestamp()) == T0 + 86_400
    assert [(e["status"], e["description"]) for e in found.tracking_events] == [
        ("delivered", "Delivered"),
        ("in_transit", "Parcel en route"),
    ]
    assert (await row(session, Sale, sale["id"])).status == "delivered"

    # The same time as the status shown: nothing changes either.
    equal = fake_sendcloud.webhook_payload(parcel["id"], 8, timestamp=T0 + 86_400)
    await sendcloud.post_webhook(url, equal)
    assert (await row(session, Shipment, shipment.id)).status == "delivered"


async def test_an_unknown_status_id_keeps_the_status_and_records_the_event(
    client, session, resources, base_url, fake_sendcloud, fake_sendcloud_server
):
    _, token, _, shipment, parcel = await sendcloud_parcel(
        client, session, resources, fake_sendcloud, fake_sendcloud_server
    )
    payload = fake_sendcloud.webhook_payload(parcel["id"], 91, timestamp=T0)
    payload["parcel"]["status"] = {"id": 4242, "message": "Something new"}
    await sendcloud.post_webhook(f"{base_url}/api/v1/webhooks/sendcloud/{token}", payload)
    found = await row(session, Shipment, shipment.id)
    assert found.status == "ready" and found.status_at is None
    assert [(e["status"], e["description"]) for e in found.tracking_events] == [(None, "Something new")]


async def test_another_familys_parcel_is_out_of_reach(
    client, session, resources, base_url, fake_sendcloud, fake_sendcloud_server
):
    _, token, _, mine, _ = await sendcloud_parcel(
        client, session, resources, fake_sendcloud, fake_sendcloud_server
    )
    _, _, their_sale, theirs, their_parcel = await sendcloud_parcel(
        client, session, resources, fake_sendcloud, fake_sendcloud_server
    )
    # Signed with my family's key, about their parcel: acknowledged, ignored.
    payload = fake_sendcloud.webhook_payload(their_parcel["id"], 11, timestamp=T0)
    answer = await sendcloud.post_webhook(f"{base_url}/api/v1/webhooks/sendcloud/{token}", payload)
    assert answer.status_code == 200 and answer.json() == {"result": "ignored"}
    found = await row(session, Shipment, theirs.id)
    assert (found.status, found.tracking_events) == ("ready", [])
    assert (await row(session, Sale, their_sale["id"])).status == "pending"
    assert (await row(session, Shipment, mine.id)).status == "ready"


async def test_a_body_over_the_limit_is_413(client, base_url):
    body = json.dumps({"action": "parcel_status_changed", "padding": "x" * 300_000}).encode()
    answer = await sendcloud.post_webhook(f"{base_url}/api/v1/webhooks/sendcloud/any-token", body)
    assert answer.status_code == 413


async def register_at_17track(fake_track17_server: tuple[FakeTrack17, str], number: str) -> None:
    async with httpx.AsyncClient(base_url=fake_track17_server[1]) as api:
        answer = await api.post(
            "/track/v2.2/register", json=[{"number": number}], headers={"17token": API_KEY}
        )
    assert answer.json()["data"]["accepted"], answer.text


async def test_a_17track_webhook_reaches_the_familys_sockets(
    client, session, base_url, fake_track17, fake_track17_server
):
    member = await register(client)
    other = await register(client)
    sale, shipment = await create_shipment(client, session, member=member)
    _, bystander = await create_shipment(client, session, member=other)
    number = str(shipment.tracking_code)
    await register_at_17track(fake_track17_server, number)
    fake_track17.add_event(
        number, "In consegna", status="OutForDelivery", stage="OutForDelivery", location="Roma"
    )

    ws = base_url.replace("http://", "ws://") + "/api/v1/ws"
    async with (
        connect(ws, subprotocols=["vo.v1", f"vo.auth.{member.access_token}"]) as socket,  # type: ignore[list-item]
        connect(ws, subprotocols=["vo.v1", f"vo.auth.{other.access_token}"]) as theirs,  # type: ignore[list-item]
    ):
        for each in (socket, theirs):
            while json.loads(await asyncio.wait_for(each.recv(), WAIT))["type"] != "ready":
                pass
        answer = await tracking17.post_webhook(
            f"{base_url}/api/v1/webhooks/track17", fake_track17.webhook_payload(number)
        )
        assert answer.json() == {"result": "applied"}
        while (event := json.loads(await asyncio.wait_for(socket.recv(), WAIT)))["type"] == "ping":
            pass
        found = await row(session, Shipment, shipment.id)
        assert event["type"] == "shipment.status_changed"
        assert event["data"] == {
            "shipment_id": str(shipment.id),
            "sale_id": sale["id"],
            "status": "out_for_delivery",
            "status_at": found.status_at.isoformat(),
        }
        with pytest.raises(TimeoutError):  # the other family hears nothing
            while json.loads(await asyncio.wait_for(theirs.recv(), 0.5))["type"] == "ping":
                pass
    assert found.status_message == "In consegna" and found.tracking_events[0]["location"] == "Roma"
    assert (await row(session, Sale, sale["id"])).status == "shipped"
    assert (await row(session, Shipment, bystander.id)).status == "ready"


async def test_a_17track_webhook_must_be_signed_with_the_key(
    client, session, base_url, fake_track17, fake_track17_server
):
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    number = str(shipment.tracking_code)
    await register_at_17track(fake_track17_server, number)
    fake_track17.add_event(number, "Consegnato", status="Delivered")
    url = f"{base_url}/api/v1/webhooks/track17"
    payload = fake_track17.webhook_payload(number)

    for forged in (
        await tracking17.post_webhook(url, payload, signature="0" * 64),
        await tracking17.post_webhook(url, payload, api_key="another-key"),
    ):
        assert forged.status_code == 401
    assert (await row(session, Shipment, shipment.id)).status == "ready"

    assert (await tracking17.post_webhook(url, payload)).json() == {"result": "applied"}
    assert (await tracking17.post_webhook(url, payload)).json() == {"result": "duplicate"}
    assert (await row(session, Shipment, shipment.id)).status == "delivered"
    assert len(await parcel_notes(session, member.family_id)) == 1


async def test_a_17track_webhook_about_an_unknown_number_is_acknowledged(
    base_url, fake_track17, fake_track17_server
):
    await register_at_17track(fake_track17_server, "RR999999999IT")
    fake_track17.add_event("RR999999999IT", "In transito", status="InTransit")
    answer = await tracking17.post_webhook(
        f"{base_url}/api/v1/webhooks/track17", fake_track17.webhook_payload("RR999999999IT")
    )
    assert answer.status_code == 200 and answer.json() == {"result": "ignored"}
