"""A parcel's progress: how Sendcloud and 17TRACK name its statuses, and the one function that applies
what either reports (a webhook, a poll) to a shipment.

``apply`` is idempotent and keeps timestamp order, since both sources redeliver and deliver out of order:
the events are merged into the history (newest first, each once: keyed by time, description and source),
and the status changes only for a report newer than the one shown (an older one only adds its events; an
equal one changes nothing). When the status changed, the sale follows (``sales.service.follow_parcel``),
a delivered or troubled parcel is notified once, and the family's screens hear of it: ``announce`` does
those side effects once the transaction has committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.events import EventBus, EventType
from vinted_optimizer.kit.queue import JobQueue
from vinted_optimizer.models import Shipment
from vinted_optimizer.notifications import service as notifications
from vinted_optimizer.sales import service as sales
from vinted_optimizer.vocabulary import SHIPMENT_STATUS_IT, SHIPMENT_TROUBLE, ShipmentStatus

log = structlog.get_logger(__name__)

Source = Literal["sendcloud", "17track"]
KEEP_EVENTS = 100  # a parcel's history shown; older events are dropped

# Sendcloud's parcel status ids (shared/contracts/sendcloud.md). An id not listed keeps the status shown
# and is only recorded in the history.
SENDCLOUD_STATUSES: dict[int, ShipmentStatus] = {
    **dict.fromkeys((1, 13, 999, 1000, 1001), "ready"),
    **dict.fromkeys((3, 4, 5, 6, 7, 22, 91), "in_transit"),
    92: "out_for_delivery",
    12: "pickup",
    **dict.fromkeys((11, 93), "delivered"),
    **dict.fromkeys((8, 80), "delivery_failed"),
    **dict.fromkeys((15, 1002, 1337), "exception"),
    **dict.fromkeys((1998, 1999, 2000, 2001), "cancelled"),
}

# 17TRACK's latest_status.status (shared/contracts/tracking17.md); an exception that is a return is one.
TRACK17_STATUSES: dict[str, ShipmentStatus] = {
    "NotFound": "ready",
    "InfoReceived": "ready",
    "InTransit": "in_transit",
    "OutForDelivery": "out_for_delivery",
    "AvailableForPickup": "pickup",
    "DeliveryFailure": "delivery_failed",
    "Delivered": "delivered",
    "Exception": "exception",
    "Expired": "expired",
}
TRACK17_RETURNS = frozenset({"Exception_Returned", "Exception_Returning"})


def sendcloud_status(status_id: int) -> ShipmentStatus | None:
    return SENDCLOUD_STATUSES.get(status_id)


def track17_status(status: str | None, sub_status: str | None = None) -> ShipmentStatus | None:
    if sub_status in TRACK17_RETURNS:
        return "returned"
    return TRACK17_STATUSES.get(status or "")


@dataclass(frozen=True)
class TrackingEvent:
    at: datetime
    description: str
    source: Source
    status: ShipmentStatus | None = None
    location: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.astimezone(UTC).isoformat(),
            "status": self.status,
            "description": self.description,
            "location": self.location,
            "source": self.source,
        }


@dataclass(frozen=True)
class Observation:
    """What a source reports about a parcel at ``at``: its status (None: a status we do not know, which
    keeps the one shown) and the events it lists (the latest one included)."""

    status: ShipmentStatus | None
    at: datetime
    source: Source
    description: str | None = None
    location: str | None = None
    events: tuple[TrackingEvent, ...] = ()
    estimated_delivery: dict[str, Any] | None = None


@dataclass
class Effects:
    """What must happen once the transaction that applied an observation has committed."""

    family_id: uuid.UUID
    changed: dict[str, Any] | None = None  # the shipment.status_changed event's data
    notifications: list[uuid.UUID] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.changed is not None or bool(self.notifications)


def _instant(value: Any) -> datetime | None:
    """A Unix time (seconds, or milliseconds) or an ISO 8601 text, as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 100_000_000_000 else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return None


def from_sendcloud(payload: dict[str, Any]) -> tuple[str, str | None, Observation] | None:
    """A ``parcel_status_changed`` webhook: (parcel id, tracking number, observation); None when it is not
    one (another action, no parcel, no time)."""
    if payload.get("action") != "parcel_status_changed":
        return None
    parcel = payload.get("parcel")
    if not isinstance(parcel, dict) or parcel.get("id") is None:
        return None
    # Sendcloud orders its deliveries by ``timestamp``; the carrier's own time is the fallback.
    at = _instant(payload.get("timestamp")) or _instant(payload.get("carrier_status_change_timestamp"))
    if at is None:
        return None
    status: dict[str, Any] = parcel["status"] if isinstance(parcel.get("status"), dict) else {}
    status_id = status.get("id")
    mapped = sendcloud_status(status_id) if isinstance(status_id, int) else None
    description = str(status.get("message") or (SHIPMENT_STATUS_IT[mapped] if mapped else "Aggiornamento"))
    event = TrackingEvent(at=at, description=description[:300], source="sendcloud", status=mapped)
    tracking = parcel.get("tracking_number")
    observation = Observation(
        status=mapped, at=at, source="sendcloud", description=event.description, events=(event,)
    )
    return str(parcel["id"]), str(tracking) if tracking else None, observation


def from_track17(track_info: dict[str, Any]) -> Observation | None:
    """17TRACK's ``track_info`` (gettrackinfo and its webhook); None without any event (nothing dated)."""
    latest_status = track_info.get("latest_status") or {}
    latest = track_info.get("latest_event") or {}
    status = track17_status(latest_status.get("status"), latest_status.get("sub_status"))
    events = []
    for provider in (track_info.get("tracking") or {}).get("providers") or []:
        for item in provider.get("events") or []:
            at = _instant(item.get("time_utc")) or _instant(item.get("time_iso"))
            if at is None or not item.get("description"):
                continue
            sub = item.get("sub_status")
            events.append(
                TrackingEvent(
                    at=at,
                    description=str(item["description"])[:300],
                    source="17track",
                    status=track17_status(sub.split("_")[0], sub) if isinstance(sub, str) else None,
                    location=item.get("location") or None,
                )
            )
    at = _instant(latest.get("time_utc")) or _instant(latest.get("time_iso"))
    if at is None:
        return None
    estimate = (track_info.get("time_metrics") or {}).get("estimated_delivery_date") or {}
    estimated = (
        {"from": estimate.get("from"), "to": estimate.get("to")}
        if estimate.get("from") or estimate.get("to")
        else None
    )
    description = latest.get("description") or latest_status.get("sub_status_descr")
    return Observation(
        status=status,
        at=at,
        source="17track",
        description=str(description)[:300] if description else None,
        location=latest.get("location") or None,
        events=tuple(events),
        estimated_delivery=estimated,
    )


def _key(event: dict[str, Any]) -> tuple[str, str, str]:
    return (str(event.get("at")), str(event.get("description")), str(event.get("source")))


def merge_events(history: list[dict[str, Any]], events: tuple[TrackingEvent, ...]) -> list[dict[str, Any]]:
    """``history`` with ``events`` added once each, newest first."""
    merged = {_key(item): item for item in history}
    for event in events:
        merged.setdefault(_key(event.as_json()), event.as_json())
    ordered = sorted(merged.values(), key=lambda item: str(item.get("at")), reverse=True)
    return ordered[:KEEP_EVENTS]


async def apply(session: AsyncSession, shipment: Shipment, observation: Observation) -> Effects:
    """Apply ``observation`` to ``shipment`` (locked by the caller), in timestamp order, idempotently."""
    effects = Effects(family_id=shipment.family_id)
    events = observation.events
    if not events and observation.description:
        events = (
            TrackingEvent(
                at=observation.at,
                description=observation.description,
                source=observation.source,
                status=observation.status,
                location=observation.location,
            ),
        )
    history = list(shipment.tracking_events or [])
    merged = merge_events(history, events)
    if merged != history:
        shipment.tracking_events = merged
    if (
        observation.estimated_delivery is not None
        and observation.estimated_delivery != shipment.estimated_delivery
    ):
        shipment.estimated_delivery = observation.estimated_delivery
    newer = shipment.status_at is None or observation.at > shipment.status_at
    if observation.status is None or not newer:
        await session.flush()
        return effects
    previous = shipment.status
    shipment.status_at = observation.at
    shipment.status_message = (observation.description or SHIPMENT_STATUS_IT[observation.status])[:300]
    if observation.status == previous:
        await session.flush()
        return effects
    shipment.status = observation.status
    if observation.status == "delivered":
        shipment.delivered_at = observation.at
    await session.flush()
    log.info(
        "shipment.status_changed",
        shipment_id=str(shipment.id),
        before=previous,
        after=shipment.status,
        source=observation.source,
    )
    effects.changed = {
        "shipment_id": str(shipment.id),
        "sale_id": str(shipment.sale_id),
        "status": shipment.status,
        "status_at": observation.at.isoformat(),
    }
    sale = await sales.follow_parcel(session, shipment.family_id, shipment.sale_id, shipment.status)
    note = _note(shipment, sale.title if sale else "", sale.user_id if sale else shipment.user_id)
    if note is not None:
        notification_id = await notifications.notify(session, note)
        if notification_id is not None:
            effects.notifications.append(notification_id)
    return effects


def _note(shipment: Shipment, title: str, seller: uuid.UUID | None) -> notifications.Note | None:
    item = f"«{title}»" if title else "il tuo articolo"
    data = {"shipment_id": str(shipment.id), "sale_id": str(shipment.sale_id), "status": shipment.status}
    if shipment.status == "delivered":
        return notifications.Note(
            family_id=shipment.family_id,
            kind="parcel_delivered",
            dedupe_key=f"parcel_delivered:{shipment.id}",
            title=f"Pacco consegnato: {title}"[:200] if title else "Pacco consegnato",
            body=f"Il pacco con {item} è stato consegnato all'acquirente.",
            user_id=seller,
            data=data,
        )
    if shipment.status in SHIPMENT_TROUBLE:
        words = SHIPMENT_STATUS_IT[shipment.status]
        return notifications.Note(
            family_id=shipment.family_id,
            kind="parcel_trouble",
            dedupe_key=f"parcel_trouble:{shipment.id}:{shipment.status}",
            title=f"Problema con il pacco: {title}"[:200] if title else "Problema con un pacco",
            body=f"Il pacco con {item}: {words.lower()}. Controlla la spedizione.",
            user_id=seller,
            data=data,
        )
    return None


async def announce(effects: Effects, events: EventBus, queue: JobQueue) -> None:
    """After the commit: the live event to the family's screens, the notifications' e-mails."""
    if effects.changed is not None:
        await events.publish_quietly(effects.family_id, EventType.shipment_status_changed, effects.changed)
    for notification_id in effects.notifications:
        await queue.enqueue(
            notifications.SEND_JOB, str(notification_id), job_id=notifications.send_job_id(notification_id)
        )
