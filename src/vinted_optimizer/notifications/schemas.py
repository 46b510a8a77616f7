from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, computed_field

from vinted_optimizer.kit.pagination import Page
from vinted_optimizer.kit.schemas import Input

# What is notified; each kind can be turned off by a member in preferences["notifications"][kind].
NotificationKind = Literal["sale_recorded", "parcel_delivered", "parcel_trouble", "vinted_relink"]
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


# The dashboard page each kind links to (its e-mail says where to look).
PAGES: dict[str, str] = {
    "sale_recorded": "/vendite",
    "parcel_delivered": "/spedizioni",
    "parcel_trouble": "/spedizioni",
    "vinted_relink": "/impostazioni",
}
# The page of the one thing a kind is about, from the ids in its data (the sale, the parcel).
DETAIL_PAGES: dict[str, tuple[str, str]] = {
    "sale_recorded": ("/vendite?id={}", "sale_id"),
    "parcel_delivered": ("/spedizioni?id={}", "shipment_id"),
    "parcel_trouble": ("/spedizioni?id={}", "shipment_id"),
}


def link_of(kind: str, data: dict[str, Any]) -> str:
    """Where a notification leads: its sale's or parcel's own page when the id is known, else its page."""
    detail = DETAIL_PAGES.get(kind)
    if detail is not None:
        template, key = detail
        value = data.get(key)
        try:
            return template.format(uuid.UUID(str(value)))
        except ValueError:
            pass
    if kind == "vinted_relink":
        return "/impostazioni#vinted"
    return PAGES.get(kind, "/")


# Kinds about one member's own account: e-mailed to that member only (if they want it).
PERSONAL_KINDS: frozenset[str] = frozenset({"vinted_relink"})
PAGE_MAX = 100


class NotificationRead(BaseModel):
    """An entry of the family's activity feed."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: NotificationKind
    title: str
    body: str
    data: dict[str, Any]
    user_id: uuid.UUID | None = Field(description="The member it is about (the seller), if any")
    created_at: datetime

    @computed_field(description="The dashboard page it leads to: the sale's or parcel's own page")  # type: ignore[prop-decorator]
    @property
    def link(self) -> str:
        return link_of(self.kind, self.data)


class NotificationPage(Page[NotificationRead]):
    pass


class NotificationQuery(Input):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=PAGE_MAX)
    offset: int = Field(default=0, ge=0, le=100_000)
