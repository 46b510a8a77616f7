"""progress: the status tables, the history's merge, and apply's rules on a real row (a sale the member
closed or completed never moves; the same report twice changes nothing)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from tests.auth.factories import register
from tests.notifications.factories import parcel_notes
from tests.tracking.factories import create_shipment
from vinted_optimizer.models import AuditLog, Sale, Shipment
from vinted_optimizer.shipments import progress
from vinted_optimizer.shipments.progress import Observation, TrackingEvent
from vinted_optimizer.vocabulary import SHIPMENT_STATUS_IT, SHIPMENT_STATUSES

AT = datetime(2026, 11, 30, 9, tzinfo=UTC)

SENDCLOUD = {
    "ready": (1, 13, 999, 1000, 1001),
    "in_transit": (3, 5, 6, 7, 22, 91, 4),
    "out_for_delivery": (92,),
    "pickup": (12,),
    "delivered": (11, 93),
    "delivery_failed": (8, 80),
    "exception": (15, 1002, 1337),
    "cancelled": (1998, 1999, 2000, 2001),
}


@pytest.mark.parametrize(("status", "ids"), SENDCLOUD.items())
def test_sendcloud_status_ids(status, ids):
    assert {progress.sendcloud_status(status_id) for status_id in ids} == {status}


def test_an_unknown_sendcloud_id_is_no_status():
    assert progress.sendcloud_status(62) is None


@pytest.mark.parametrize(
    ("status", "sub_status", "expected"),
    [
        ("NotFound", "NotFound_Other", "ready"),
        ("InfoReceived", "InfoReceived", "ready"),
        ("InTransit", "InTransit_PickedUp", "in_transit"),
        ("OutForDelivery", "OutForDelivery_Other", "out_for_delivery"),
        ("AvailableForPickup", "AvailableForPickup_Other", "pickup"),
        ("DeliveryFailure", "DeliveryFailure_Other", "delivery_failed"),
        ("Delivered", "Delivered_Other", "delivered"),
        ("Exception", "Exception_Other", "exception"),
        ("Exception", "Exception_Returned", "returned"),
        ("Exception", "Exception_Returning", "returned"),
        ("Expired", "Expired_Other", "expired"),
        ("SomethingNew", None, None),
    ],
)
def test_17track_statuses(status, sub_status, expected):
    assert progress.track17_status(status, sub_status) == expected


def test_every_status_has_its_italian_words():
    assert set(SHIPMENT_STATUS_IT) == set(SHIPMENT_STATUSES)


def test_the_history_is_merged_newest_first_without_duplicates():
    older = TrackingEvent(at=AT, description="Presa in carico", source="17track", status="in_transit")
    newer = TrackingEvent(at=AT + timedelta(hours=5), description="In consegna", source="17track")
    same_time_other_source = TrackingEvent(at=AT, description="Presa in carico", source="sendcloud")
    history = progress.merge_events([], (older,))
    merged = progress.merge_events(history, (newer, older, same_time_other_source))
    assert [(e["description"], e["source"]) for e in merged] == [
        ("In consegna", "17track"),
        ("Presa in carico", "17track"),
        ("Presa in carico", "sendcloud"),
    ]
    assert progress.merge_events(merged, (older, newer)) == merged


def observation(status, at, description="Aggiornamento"):  # noqa: ANN001, ANN201
    event = TrackingEvent(at=at, description=description, source="17track", status=status)
    return Observation(status=status, at=at, source="17track", description=description, events=(event,))


@pytest.mark.parametrize("closed", ["cancelled", "refunded", "completed"])
async def test_a_closed_or_completed_sale_never_follows_its_parcel(client, session, closed):
    member = await register(client)
    sale, shipment = await create_shipment(client, session, member=member)
    sale_id = uuid.UUID(sale["id"])
    await session.execute(update(Sale).where(Sale.id == sale_id).values(status=closed))
    locked = await session.get(Shipment, shipment.id, populate_existing=True)
    effects = await progress.apply(session, locked, observation("delivered", AT))
    assert effects.changed is not None  # the parcel itself is delivered
    assert (await session.get(Sale, sale_id, populate_existing=True)).status == closed
    assert await session.scalar(select(func.count()).where(AuditLog.action == "sale.parcel_progress")) == 0


async def test_the_same_report_twice_changes_nothing_the_second_time(client, session):
    member = await register(client)
    sale, shipment = await create_shipment(client, session, member=member)
    row = await session.get(Shipment, shipment.id, populate_existing=True)
    first = await progress.apply(session, row, observation("delivery_failed", AT, "Destinatario assente"))
    await session.commit()
    updated_at = row.updated_at
    second = await progress.apply(session, row, observation("delivery_failed", AT, "Destinatario assente"))
    await session.commit()
    assert first.changed is not None and len(first.notifications) == 1
    assert not second
    assert row.updated_at == updated_at and len(row.tracking_events) == 1
    [note] = await parcel_notes(session)
    assert (note.kind, note.dedupe_key) == ("parcel_trouble", f"parcel_trouble:{shipment.id}:delivery_failed")
    assert sale["title"] in note.title and "consegna non riuscita" in note.body
    # It leads to that parcel's own page.
    from vinted_optimizer.notifications.schemas import NotificationRead

    assert NotificationRead.model_validate(note).link == f"/spedizioni?id={shipment.id}"
    # A pending sale does not move for a failed delivery.
    assert (await session.get(Sale, uuid.UUID(sale["id"]), populate_existing=True)).status == "pending"


async def test_a_newer_report_of_the_same_status_moves_its_time_not_the_status(client, session):
    member = await register(client)
    _, shipment = await create_shipment(client, session, member=member)
    row = await session.get(Shipment, shipment.id, populate_existing=True)
    assert (await progress.apply(session, row, observation("in_transit", AT, "Partito"))).changed
    later = await progress.apply(
        session, row, observation("in_transit", AT + timedelta(hours=3), "Arrivato a Bologna")
    )
    assert later.changed is None
    assert (row.status, row.status_at, row.status_message) == (
        "in_transit",
        AT + timedelta(hours=3),
        "Arrivato a Bologna",
    )
