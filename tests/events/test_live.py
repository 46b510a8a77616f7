"""Live events over a real WebSocket: who may connect, who receives what, revocation, resume, a slow
client, and the HTTP fallback."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.auth.factories import Member, register
from tests.fakes.ollama import Reply
from tests.images.factories import photo, upload
from tests.listings.factories import create_listing
from tests.support.live import served
from tests.support.worker import run_jobs
from vinted_optimizer.kit.events import SEND_QUEUE_SIZE, Event, EventHub, EventType

WAIT = 5


@pytest.fixture
def settings_overrides(fake_ollama_server):  # noqa: ANN001, ANN201
    return {"ollama_url": fake_ollama_server[1], "ollama_timeout_seconds": 2}


@pytest.fixture
async def base_url(app) -> Any:  # noqa: ANN001
    async with served(app) as url:
        yield url


def _protocols(member: Member | None, token: str | None = None) -> list[str]:
    token = token or (member.access_token if member else None)
    return ["vo.v1", *([f"vo.auth.{token}"] if token else [])]


async def _open(
    base_url: str, member: Member, since: str | None = None
) -> tuple[ClientConnection, str | None, list[dict[str, Any]]]:
    """Connect and read up to ``ready``: the socket, the id ``ready`` reported and the events before it
    (what was missed, on a resume)."""
    url = f"{base_url}/api/v1/ws" + (f"?since={since}" if since else "")
    socket = await connect(url, subprotocols=_protocols(member))  # type: ignore[arg-type]
    assert socket.subprotocol == "vo.v1"  # the token is never echoed back
    before = []
    while (message := await _next(socket))["type"] != "ready":
        before.append(message)
    return socket, message["id"], before


async def _next(socket: ClientConnection, *, skip: tuple[str, ...] = ("ping",)) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
        if message["type"] not in skip:
            return message


@pytest.mark.parametrize(
    "protocols",
    [["vo.v1"], ["vo.v1", "vo.auth.not-a-token"], ["vo.auth.TOKEN"], []],
    ids=["no token", "bad token", "no protocol version", "nothing"],
)
async def test_a_socket_without_a_valid_token_is_refused(base_url, client, protocols):
    member = await register(client)
    offered = [p.replace("TOKEN", member.access_token) for p in protocols]
    with pytest.raises(InvalidStatus) as refused:
        await connect(f"{base_url}/api/v1/ws", subprotocols=offered or None)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403


async def test_the_token_is_not_taken_from_the_url(base_url, client):
    member = await register(client)
    with pytest.raises(InvalidStatus):
        await connect(f"{base_url}/api/v1/ws?token={member.access_token}", subprotocols=["vo.v1"])  # type: ignore[list-item]


async def test_a_member_receives_only_their_familys_events(base_url, client):
    alice = await register(client)
    bruno = await register(client)  # another family
    alice_socket, _, _ = await _open(base_url, alice)
    bruno_socket, _, _ = await _open(base_url, bruno)
    try:
        mine = await create_listing(client, member=alice, title="Giacca")
        event = await _next(alice_socket)
        assert event["type"] == "listing.changed"
        assert event["data"] == {"listing_ids": [mine["id"]], "change": "created"}
        theirs = await create_listing(client, member=bruno, title="Borsa")
        # Bruno's first event is his own: Alice's never reached him.
        assert (await _next(bruno_socket))["data"]["listing_ids"] == [theirs["id"]]
    finally:
        await alice_socket.close()
        await bruno_socket.close()


async def test_a_revoked_session_closes_its_socket(base_url, client):
    member = await register(client)
    socket, _, _ = await _open(base_url, member)
    response = await client.delete(f"/api/v1/auth/sessions/{member.session_id}", headers=member.headers)
    assert response.status_code == 204
    with pytest.raises(ConnectionClosed) as closed:
        await _next(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003
    # And it cannot come back.
    with pytest.raises(InvalidStatus):
        await connect(f"{base_url}/api/v1/ws", subprotocols=_protocols(member))  # type: ignore[arg-type]


async def test_a_password_change_closes_the_other_devices_sockets(base_url, client):
    member = await register(client)
    other = await client.post("/api/v1/auth/login", json={"login": member.email, "password": member.password})
    client.cookies.clear()
    other_device = Member(**{**member.__dict__, "access_token": other.json()["access_token"]})
    socket, _, _ = await _open(base_url, other_device)
    changed = await client.patch(
        "/api/v1/users/me",
        json={"current_password": member.password, "new_password": "Nuova-Password-Lunga-7"},
        headers=member.headers,
    )
    assert changed.status_code == 200
    with pytest.raises(ConnectionClosed) as closed:
        await _next(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003


@pytest.mark.parametrize("settings_overrides", [{"access_token_minutes": 0.05}])  # 3 s
async def test_a_socket_closes_when_its_token_expires_so_the_client_refreshes(base_url, client):
    member = await register(client)
    socket, _, _ = await _open(base_url, member)
    with pytest.raises(ConnectionClosed) as closed:
        await _next(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001


async def test_a_change_of_the_member_makes_its_sockets_reconnect(base_url, client):
    member = await register(client)
    socket, _, _ = await _open(base_url, member)
    renamed = await client.patch("/api/v1/users/me", json={"username": "rinominato"}, headers=member.headers)
    assert renamed.status_code == 200
    with pytest.raises(ConnectionClosed) as closed:
        await _next(socket)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4002
    again, _, _ = await _open(base_url, member)  # the same token still works
    await again.close()


async def test_reconnecting_with_the_last_id_delivers_what_was_missed(base_url, client):
    member = await register(client)
    socket, _, _ = await _open(base_url, member)
    first = await create_listing(client, member=member, title="Prima")
    seen = await _next(socket)
    assert seen["data"]["listing_ids"] == [first["id"]]
    await socket.close()
    missed = [await create_listing(client, member=member, title=f"Mentre ero via {n}") for n in range(2)]
    socket, ready_id, before = await _open(base_url, member, since=seen["id"])
    # What was missed comes first, in order, and "ready" names the last of it; then it is live again.
    assert [e["data"]["listing_ids"] for e in before] == [[m["id"]] for m in missed]
    assert ready_id == before[-1]["id"]
    live = await create_listing(client, member=member, title="Di nuovo in linea")
    assert (await _next(socket))["data"]["listing_ids"] == [live["id"]]
    await socket.close()
    # The HTTP fallback gives the same.
    page = (await client.get(f"/api/v1/events?since={seen['id']}", headers=member.headers)).json()
    assert [e["id"] for e in page["events"]] == [e["id"] for e in before] + [page["last_id"]]
    assert page["resync"] is False


async def test_a_resume_from_before_what_is_kept_asks_for_a_reload(base_url, client, resources):
    member = await register(client)
    await create_listing(client, member=member, title="Vecchia")
    await resources.redis.xtrim(f"vo:events:{member.family_id}", maxlen=0)  # as if it had expired
    await create_listing(client, member=member, title="Nuova")
    socket, _, before = await _open(base_url, member, since="1-0")
    assert before[0] == {"type": "resync"}
    await socket.close()


async def test_the_analysis_announces_its_start_and_its_end(client, resources, fake_ollama):
    member = await register(client)
    body = (await upload(client, member=member, files=[("a.jpg", photo(seed=41))])).json()
    listing_id = body["listing"]["id"]
    await run_jobs(resources)
    events = (await client.get("/api/v1/events", headers=member.headers)).json()["events"]
    types = [(e["type"], e["data"].get("listing_id") or e["data"]["listing_ids"][0]) for e in events]
    assert types == [
        ("listing.changed", listing_id),
        ("analysis.started", listing_id),
        ("analysis.finished", listing_id),
    ]


async def test_an_analysis_that_fails_says_whether_it_will_be_tried_again(client, resources, fake_ollama):
    member = await register(client)
    fake_ollama.script("/api/generate", *[Reply(status=503, error="server busy")] * 2)
    await upload(client, member=member, files=[("b.jpg", photo(seed=42))])
    await run_jobs(resources)
    last = (await client.get("/api/v1/events", headers=member.headers)).json()["events"][-1]
    assert last["type"] == "analysis.failed" and last["data"]["will_retry"] is True


async def test_events_over_http_check_since_and_the_family(client):
    member = await register(client)
    stranger = await register(client)
    await create_listing(client, member=member, title="Mia")
    bad = await client.get("/api/v1/events?since=ieri", headers=member.headers)
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "since"
    # Twenty digits fit the pattern but not Redis' 64 bits (schemathesis found a 500 here).
    for too_big in ("6121532185064100-68909010557345343069", "18446744073709551616-0"):
        bad = await client.get(f"/api/v1/events?since={too_big}", headers=member.headers)
        assert bad.status_code == 422, bad.text
        assert bad.json()["fields"][0]["field"] == "since" and "evento" in bad.json()["fields"][0]["message"]
    edge = await client.get(
        "/api/v1/events?since=18446744073709551615-18446744073709551615", headers=member.headers
    )
    assert edge.status_code == 200 and edge.json()["events"] == []
    assert (await client.get("/api/v1/events", headers=stranger.headers)).json()["events"] == []
    assert len((await client.get("/api/v1/events", headers=member.headers)).json()["events"]) == 1


async def test_a_socket_with_an_id_beyond_64_bits_is_refused(base_url, client):
    member = await register(client)
    url = f"{base_url}/api/v1/ws?since=1-18446744073709551616"
    with pytest.raises(InvalidStatus) as refused:  # closed before the handshake is accepted
        await connect(url, subprotocols=_protocols(member))  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403


async def test_a_slow_socket_is_dropped_without_holding_up_the_others(resources):
    hub = EventHub(resources.redis, ())
    family = uuid.uuid4()
    slow = await hub.subscribe(family, uuid.uuid4(), uuid.uuid4())
    quick = await hub.subscribe(family, uuid.uuid4(), uuid.uuid4())
    try:
        for n in range(SEND_QUEUE_SIZE + 1):
            await resources.events.publish(family, EventType.listing_changed, {"n": n})
            # The quick one reads as they come; the slow one never does.
            event: Event = await asyncio.wait_for(quick.queue.get(), WAIT)
            assert event.data == {"n": n}
        assert await asyncio.wait_for(slow.closing, WAIT) == (1013, "Connessione troppo lenta: riconnettiti.")
        assert not quick.closing.done()
    finally:
        await hub.aclose()
