"""``GET /api/v1/ws`` (WebSocket) and ``GET /api/v1/events``: a family's live events.

The socket is authenticated like a request, with the access token in the ``Sec-WebSocket-Protocol``
header (``vo.v1, vo.auth.<token>``: never in the URL, which proxies log); the server answers ``vo.v1``.
Close codes: 1008 refused (no or bad token, not a member, too many attempts); 4003 the session was
revoked (do not reconnect); 4001 the token expired (refresh it, then reconnect); 4002 the member changed,
1013 the client read too slowly, 1012 the server lost its event feed (reconnect). A reconnection with
``?since=<last id>`` receives what was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from pydantic import AfterValidator
from starlette.websockets import WebSocketState

from vinted_optimizer.auth.dependencies import CurrentMember, socket_member
from vinted_optimizer.events import service
from vinted_optimizer.events.schemas import EVENT_ID_PATTERN, EventPage
from vinted_optimizer.kit.context import client_ip
from vinted_optimizer.kit.errors import DomainError
from vinted_optimizer.kit.events import EXPIRED_CODE, EventHub, Subscription, is_after, is_stream_id
from vinted_optimizer.kit.outages import DATABASE_CONNECT_ERRORS, REDIS_ERRORS
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res, Resources

router = DomainRouter(prefix="/events", tags=["events"])
UNAVAILABLE: tuple[type[BaseException], ...] = (*REDIS_ERRORS, *DATABASE_CONNECT_ERRORS, TimeoutError)
socket_router = APIRouter(tags=["events"])

PROTOCOL = "vo.v1"
TOKEN_PROTOCOL_PREFIX = "vo.auth."  # noqa: S105 - a prefix, not a secret
HEARTBEAT_SECONDS = 25.0


def _event_id(value: str | None) -> str | None:
    if value is not None and not is_stream_id(value):
        raise ValueError("Id di evento non valido: ogni parte è un numero fino a 18446744073709551615.")
    return value


Since = Annotated[
    str | None,
    Query(pattern=EVENT_ID_PATTERN, description="The last event id seen; nothing: every event still kept"),
    AfterValidator(_event_id),
]


@router.get("", operation_id="events:list", response_model=EventPage)
async def list_events(member: CurrentMember, resources: Res, since: Since = None) -> EventPage:
    """What the socket would have pushed since ``since``: the dashboard's fallback while it is down."""
    return await service.recent(resources.events, member.family_id, member.id, since)


def _offered_protocols(websocket: WebSocket) -> list[str]:
    header = websocket.headers.get("sec-websocket-protocol", "")
    return [item.strip() for item in header.split(",") if item.strip()]


@socket_router.websocket("/ws", name="events:ws")
async def live(websocket: WebSocket, since: str | None = None) -> None:
    resources: Resources = websocket.app.state.resources
    offered = _offered_protocols(websocket)
    token = next(
        (p[len(TOKEN_PROTOCOL_PREFIX) :] for p in offered if p.startswith(TOKEN_PROTOCOL_PREFIX)), None
    )
    if PROTOCOL not in offered or (since is not None and not is_stream_id(since)):
        await websocket.close(code=1008, reason="Protocollo o parametro since non valido.")
        return
    hub: EventHub = websocket.app.state.event_hub
    try:
        sessions = websocket.app.state.read_sessionmaker
        member, claims = await socket_member(resources, sessions, token, client_ip(websocket))  # type: ignore[arg-type]
        subscription = await hub.subscribe(member.family_id, claims.user_id, claims.session_id)
    except DomainError as error:
        await websocket.close(code=1008, reason=error.detail[:120])
        return
    except UNAVAILABLE:
        await websocket.close(code=1013, reason="Servizio momentaneamente non disponibile: riprova.")
        return
    try:
        await websocket.accept(subprotocol=PROTOCOL)
        await _serve(websocket, resources, subscription, since, claims.expires_at)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away
    finally:
        hub.unsubscribe(subscription)


async def _serve(
    websocket: WebSocket,
    resources: Resources,
    subscription: Subscription,
    since: str | None,
    expires: datetime,
) -> None:
    last = since
    # Subscribed first, then what was missed: an event published in between is in both, sent once.
    if since is not None:
        missed, gap = await resources.events.since(
            subscription.family_id, since, user_id=subscription.user_id
        )
        if gap:
            await websocket.send_text('{"type":"resync"}')
        for event in missed:
            await websocket.send_text(event.wire())
            last = event.id
    await websocket.send_text(json.dumps({"type": "ready", "id": last}))

    async def pump() -> None:
        nonlocal last
        while True:
            event = await subscription.queue.get()
            if last is not None and not is_after(event.id, last):
                continue
            await websocket.send_text(event.wire())
            last = event.id

    async def read() -> None:
        while True:
            message = await websocket.receive_text()
            if message == "ping" or message == '{"type":"ping"}':
                await websocket.send_text('{"type":"pong"}')

    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await websocket.send_text('{"type":"ping"}')

    async def expiry() -> None:
        await asyncio.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()))
        subscription.close(EXPIRED_CODE, "Token scaduto: rinnovalo e riconnettiti.")

    tasks = [asyncio.create_task(job()) for job in (pump, read, beat, expiry)]
    try:
        waits: list[asyncio.Future[object]] = [*tasks, subscription.closing]  # type: ignore[list-item]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if subscription.closing.done() and websocket.client_state is WebSocketState.CONNECTED:
        code, reason = subscription.closing.result()
        with contextlib.suppress(Exception):
            await websocket.close(code=code, reason=reason)
