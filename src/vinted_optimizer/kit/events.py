"""Live events: small typed messages to the members of one family, over WebSocket (``events`` domain).

Publishing is one Redis command (``EVENT_SCRIPT``): the event is appended to the family's stream
``vo:events:<family>`` (kept ``KEEP_SECONDS``, so a client that reconnects gets what it missed) and
published on one channel, ``vo:events``, so every API process hears it. An event may be for one member
only (``user_id``: an assistant's reply is for who asked): it is kept in the family's stream marked with
that member, and delivered and replayed to that member's sockets alone. Each process has one
``EventHub``: a single subscription that hands each event to the sockets of that family connected to
this process, through a bounded queue per socket (a slow client is dropped, never waited for). The same
subscription carries session revocations and member changes, which close the affected sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import redis.exceptions
import structlog
from redis.asyncio import Redis

log = structlog.get_logger(__name__)

EVENTS_CHANNEL = "vo:events"
STREAM_PREFIX = "vo:events:"
KEEP_SECONDS = 15 * 60
STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
STREAM_ID_PART_MAX = 2**64 - 1  # each part of a Redis stream id is an unsigned 64-bit number


def is_stream_id(value: str) -> bool:
    """An id Redis accepts in XRANGE: two decimal parts of 64 bits at most (twenty digits can be more)."""
    if not STREAM_ID.match(value):
        return False
    return all(int(part) <= STREAM_ID_PART_MAX for part in value.split("-"))


SEND_QUEUE_SIZE = 256

# KEYS[1] the family's stream; ARGV: channel, family id, event type, data (JSON), oldest id kept, how long
# the stream is kept (ms), the one member it is for ('' for the whole family). The family field of the
# published message is "<family>/<member>" for one member. Returns the new event's id.
EVENT_SCRIPT = """
local id
if ARGV[7] == '' then
  id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[5], '*', 't', ARGV[3], 'd', ARGV[4])
else
  id = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[5], '*', 't', ARGV[3], 'd', ARGV[4], 'u', ARGV[7])
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
local target = ARGV[2]
if ARGV[7] ~= '' then target = target .. '/' .. ARGV[7] end
redis.call('PUBLISH', ARGV[1], target .. ' ' .. id .. ' ' .. ARGV[3] .. ' ' .. ARGV[4])
return id
"""


class EventType(StrEnum):
    analysis_started = "analysis.started"
    analysis_finished = "analysis.finished"
    analysis_failed = "analysis.failed"
    listing_changed = "listing.changed"
    sale_recorded = "sale.recorded"
    shipment_status_changed = "shipment.status_changed"
    vinted_link_changed = "vinted.link_changed"
    vinted_synced = "vinted.synced"  # the sales sync of a member ran (or was queued): {user_id, state}
    trends_updated = "trends.updated"  # new market data collected (shared by every family): {rows}
    # A listing's publishing on Vinted moved (queued, publishing, published, failed…): its id and state.
    listing_publish_changed = "listing.publish_changed"
    chat_chunk = "chat.chunk"


@dataclass(frozen=True, slots=True)
class Event:
    """One event as it travels: its data stays the JSON text it was published as, so handing it to a
    hundred sockets costs no parsing or serialising."""

    id: str
    type: str
    data_json: str
    user_id: uuid.UUID | None = None  # for this member only

    def for_user(self, user_id: uuid.UUID) -> bool:
        return self.user_id is None or self.user_id == user_id

    @property
    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.data_json)
        return loaded

    def wire(self) -> str:
        return f'{{"id":"{self.id}","type":"{self.type}","data":{self.data_json}}}'


def stream_key(family_id: uuid.UUID) -> str:
    return f"{STREAM_PREFIX}{family_id}"


def _id_key(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq)


def is_after(event_id: str, last_id: str) -> bool:
    return _id_key(event_id) > _id_key(last_id)


class EventBus:
    """Publishes events and reads a family's recent ones back."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(EVENT_SCRIPT)

    async def publish(
        self,
        family_id: uuid.UUID,
        event_type: EventType,
        data: dict[str, Any],
        *,
        user_id: uuid.UUID | None = None,
    ) -> str:
        """To the family's sockets, or only to ``user_id``'s."""
        oldest = int(time.time() * 1000) - KEEP_SECONDS * 1000
        payload = json.dumps(data, separators=(",", ":"), default=str)
        event_id = await self._script(
            keys=[stream_key(family_id)],
            args=[
                EVENTS_CHANNEL,
                str(family_id),
                event_type.value,
                payload,
                oldest,
                KEEP_SECONDS * 1000,
                str(user_id) if user_id else "",
            ],
        )
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    async def publish_quietly(
        self,
        family_id: uuid.UUID,
        event_type: EventType,
        data: dict[str, Any],
        *,
        user_id: uuid.UUID | None = None,
    ) -> None:
        """For side effects: an event lost to a Redis outage must not fail the work that caused it (the
        dashboard reloads what it shows when its socket comes back)."""
        try:
            await self.publish(family_id, event_type, data, user_id=user_id)
        except (redis.exceptions.RedisError, OSError) as error:
            log.warning("event.not_published", type=event_type.value, error=type(error).__name__)

    async def since(
        self, family_id: uuid.UUID, last_id: str | None, *, user_id: uuid.UUID, limit: int = 500
    ) -> tuple[list[Event], bool]:
        """The family's events after ``last_id`` (all that are kept when None) that ``user_id`` may see,
        and whether some may have been dropped in between (the client should then reload everything)."""
        start = f"({last_id}" if last_id else "-"
        # Nothing can follow the greatest id (and Redis refuses an interval that starts after it).
        last_possible = last_id == f"{STREAM_ID_PART_MAX}-{STREAM_ID_PART_MAX}"
        entries = (
            []
            if last_possible
            else await self._redis.xrange(stream_key(family_id), min=start, max="+", count=limit)
        )
        events = [e for e in (_event(raw_id, fields) for raw_id, fields in entries) if e.for_user(user_id)]
        gap = False
        if last_id is not None:
            # What is older than the oldest event kept is gone: a client whose last event is older may
            # have missed some (or, with the stream expired, anything from the whole window).
            first = await self._redis.xrange(stream_key(family_id), min="-", max="+", count=1)
            if first:
                gap = _id_key(first[0][0].decode()) > _id_key(last_id)
            else:
                gap = _id_key(last_id)[0] < int(time.time() * 1000) - KEEP_SECONDS * 1000
        return events, gap


def _event(raw_id: bytes, fields: dict[bytes, bytes]) -> Event:
    user = fields.get(b"u")
    return Event(
        raw_id.decode(),
        fields[b"t"].decode(),
        fields[b"d"].decode(),
        uuid.UUID(user.decode()) if user else None,
    )


Closer = Callable[[int, str], Awaitable[None]]


@dataclass(eq=False)
class Subscription:
    """One socket's place in the hub: its family's events go to ``queue``; ``closing`` is set (with a
    WebSocket close code and reason) when the socket must go."""

    family_id: uuid.UUID
    user_id: uuid.UUID
    session_id: uuid.UUID
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(SEND_QUEUE_SIZE))
    closing: asyncio.Future[tuple[int, str]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def close(self, code: int, reason: str) -> None:
        if not self.closing.done():
            self.closing.set_result((code, reason))

    def offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.close(1013, "Connessione troppo lenta: riconnettiti.")


# WebSocket close codes of the application (4000-4999): what the client should do next.
EXPIRED_CODE = 4001  # the access token expired: refresh it, reconnect with ?since=
MEMBER_CHANGED_CODE = 4002  # the member's profile or family changed: reconnect with ?since=
REVOKED_CODE = 4003  # the session was revoked: do not reconnect (its next request signs it out)


class EventHub:
    """This process's one subscription to the event channel, and the sockets it delivers to.

    ``control_channels`` map a channel to what closes sockets: its messages are ``session:<id>`` or
    ``user:<id>``."""

    RECONNECT_FIRST_SECONDS = 0.2
    RECONNECT_MAX_SECONDS = 5.0

    def __init__(self, redis: Redis, control_channels: tuple[str, ...]) -> None:
        self._redis = redis
        self._control = control_channels
        self._by_family: dict[uuid.UUID, set[Subscription]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @property
    def connected(self) -> int:
        return sum(len(subs) for subs in self._by_family.values())

    async def subscribe(
        self, family_id: uuid.UUID, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> Subscription:
        """Listening starts before this returns, so nothing published afterwards is missed."""
        if self._task is None or self._task.done():
            self._ready.clear()
            self._task = asyncio.create_task(self._run(), name="event-hub")
        subscription = Subscription(family_id, user_id, session_id)
        self._by_family[family_id].add(subscription)
        await asyncio.wait_for(self._ready.wait(), timeout=5)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        family = self._by_family.get(subscription.family_id)
        if family is not None:
            family.discard(subscription)
            if not family:
                del self._by_family[subscription.family_id]

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        delay = self.RECONNECT_FIRST_SECONDS
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(EVENTS_CHANNEL, *self._control)
                self._ready.set()
                delay = self.RECONNECT_FIRST_SECONDS
                while True:
                    message = await pubsub.get_message(timeout=None)
                    if message is not None:
                        self._dispatch(message["channel"].decode(), message["data"].decode())
            except asyncio.CancelledError:
                raise
            except (redis.exceptions.RedisError, OSError) as error:
                log.warning("event_hub.disconnected", error=type(error).__name__, retry_in_seconds=delay)
                # Events published while we were away are in the streams: tell every socket to resume.
                for subscription in self._all():
                    subscription.close(1012, "Servizio riavviato: riconnettiti.")
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.RECONNECT_MAX_SECONDS)

    def _all(self) -> list[Subscription]:
        return [subscription for subs in self._by_family.values() for subscription in subs]

    def _dispatch(self, channel: str, data: str) -> None:
        if channel == EVENTS_CHANNEL:
            target, event_id, event_type, payload = data.split(" ", 3)
            family, _, user = target.partition("/")
            subscribers = self._by_family.get(uuid.UUID(family))
            if not subscribers:
                return
            event = Event(event_id, event_type, payload, uuid.UUID(user) if user else None)
            for subscription in list(subscribers):
                if event.for_user(subscription.user_id):
                    subscription.offer(event)
            return
        sessions: set[uuid.UUID] = set()
        users: set[uuid.UUID] = set()
        for item in data.split(","):
            kind, _, value = item.partition(":")
            (sessions if kind == "session" else users).add(uuid.UUID(value))
        for subscription in self._all():
            if subscription.session_id in sessions:
                subscription.close(REVOKED_CODE, "Sessione revocata: accedi di nuovo.")
            elif subscription.user_id in users:
                subscription.close(MEMBER_CHANGED_CODE, "Il tuo account è cambiato: riconnettiti.")
