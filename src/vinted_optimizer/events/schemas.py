"""The events a member's dashboard receives, as the OpenAPI document (and so the typed client) shows them.

Over the WebSocket each is one JSON text frame ``{"id", "type", "data"}``; the socket also sends
``{"type": "ready", "id": <last id>}`` once it is listening, ``{"type": "resync"}`` when what was missed
is no longer kept (reload everything), and ``{"type": "ping"}`` every ``HEARTBEAT_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from vinted_optimizer.kit.events import STREAM_ID, EventType

EVENT_ID_PATTERN = STREAM_ID.pattern


class EventRead(BaseModel):
    id: str = Field(description="Increasing; give the last one seen as `since` to get what followed")
    type: EventType
    data: dict[str, Any] = Field(description="`listing_id` for analysis.* and listing.changed")


class EventPage(BaseModel):
    events: list[EventRead]
    last_id: str | None = Field(description="The id to ask `since` next time")
    resync: bool = Field(description="Some events since `since` are no longer kept: reload everything")
