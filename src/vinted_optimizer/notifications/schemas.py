from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

# What is notified; each kind can be turned off by a member in preferences["notifications"][kind].
NotificationKind = Literal["sale_recorded", "parcel_delivered", "parcel_trouble"]
NOTIFICATION_KINDS: tuple[NotificationKind, ...] = get_args(NotificationKind)

SEND_JOB = "notifications.send"


@dataclass(frozen=True)
class Note:
    """A notification to record. ``dedupe_key`` names the happening (``"parcel_delivered:<shipment>"``):
    the same key is recorded once per family, however often it is reported (webhook redeliveries, polls)."""

    family_id: uuid.UUID
    kind: NotificationKind
    title: str
    dedupe_key: str
    body: str = ""
    user_id: uuid.UUID | None = None
    data: dict[str, Any] = field(default_factory=dict)
