"""An event for one member (an assistant's reply): delivered to that member's sockets only, kept in the
family's stream but replayed to that member only; family events still reach everyone."""

from __future__ import annotations

import asyncio
import uuid

from vinted_optimizer.kit.events import EventHub, EventType

WAIT = 5


async def test_a_members_event_reaches_only_that_members_sockets(resources):
    family, me, relative = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    hub = EventHub(resources.redis, ())
    try:
        mine = await hub.subscribe(family, me, uuid.uuid4())
        theirs = await hub.subscribe(family, relative, uuid.uuid4())
        await resources.events.publish(family, EventType.chat_chunk, {"text": "ciao"}, user_id=me)
        await resources.events.publish(family, EventType.listing_changed, {"ids": []})
        first_mine = await asyncio.wait_for(mine.queue.get(), WAIT)
        second_mine = await asyncio.wait_for(mine.queue.get(), WAIT)
        first_theirs = await asyncio.wait_for(theirs.queue.get(), WAIT)
    finally:
        await hub.aclose()
    assert (first_mine.type, first_mine.data, first_mine.user_id) == ("chat.chunk", {"text": "ciao"}, me)
    assert second_mine.type == "listing.changed" and second_mine.user_id is None
    assert first_theirs.type == "listing.changed", "the relative never receives the member's chunk"
    assert theirs.queue.empty()


async def test_the_replay_keeps_a_members_events_to_that_member(resources):
    family, me, relative = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await resources.events.publish(family, EventType.chat_chunk, {"seq": 0}, user_id=me)
    await resources.events.publish(family, EventType.sale_recorded, {"id": "x"})
    mine, _ = await resources.events.since(family, None, user_id=me)
    theirs, _ = await resources.events.since(family, None, user_id=relative)
    assert [e.type for e in mine] == ["chat.chunk", "sale.recorded"]
    assert [e.type for e in theirs] == ["sale.recorded"]
