"""What the events domain does beyond delivering: a family's recent events for the HTTP fallback."""

from __future__ import annotations

import uuid

from vinted_optimizer.events.schemas import EventPage, EventRead
from vinted_optimizer.kit.events import EventBus, EventType


async def recent(bus: EventBus, family_id: uuid.UUID, user_id: uuid.UUID, since: str | None) -> EventPage:
    """The family's events that ``user_id`` may see (not another member's own, such as a chat reply)."""
    events, gap = await bus.since(family_id, since, user_id=user_id)
    return EventPage(
        events=[EventRead(id=e.id, type=EventType(e.type), data=e.data) for e in events],
        last_id=events[-1].id if events else since,
        resync=gap,
    )
