"""The assistant's API against a scripted home side: sessions are their member's own, a question is
stored and answered, the reply streams to the asking member's sockets only (ending with [DONE]), survives
a dropped socket, can be stopped from any process, ends cleanly on an error, a stall or the time limit,
and comes as Server-Sent Events too; the limits answer in Italian."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect

from tests.auth.factories import Member, register
from tests.chat.factories import ask, ask_and_wait, new_session, reply
from tests.support.live import served
from tests.users.factories import invite_and_join
from vinted_optimizer.chat import replies, service
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.events import EventType
from vinted_optimizer.models import ChatMessage

WAIT = 5


async def test_a_session_is_its_members_own(client, home):
    owner = await register(client, family_name="Rossi")
    relative = await invite_and_join(client, admin=owner)
    stranger = await register(client, family_name="Verdi")
    chat = await new_session(client, member=owner)
    path = f"/api/v1/chat/sessions/{chat['id']}"
    assert (await client.get(path, headers=owner.headers)).status_code == 200
    for other in (relative, stranger):
        for method, suffix in (("GET", ""), ("GET", "/messages"), ("DELETE", "")):
            response = await client.request(method, path + suffix, headers=other.headers)
            assert response.status_code == 404, (method, suffix)
            assert response.json()["detail"] == "Conversazione non trovata."
        sent = await client.post(path + "/messages", json={"content": "ciao"}, headers=other.headers)
        assert sent.status_code == 404
    assert (await client.get("/api/v1/chat/history", headers=relative.headers)).json()["total"] == 0
    assert (await client.delete(path, headers=owner.headers)).status_code == 204
    assert (await client.get(path, headers=owner.headers)).status_code == 404


async def test_a_question_is_stored_and_answered_with_its_metadata(client, home):
    member = await register(client)
    chat = await new_session(client, member=member)
    answer = await ask_and_wait(
        client, member=member, session_id=chat["id"], content="Come spedisco un pacco?"
    )
    assert answer["role"] == "assistant"
    assert answer["status"] == "done"
    assert answer["content"] == "Ciao, ecco la risposta."
    meta = answer["metadata"]
    assert meta["model"] == "phi3:mini" and meta["mode"] == "ollama"
    assert meta["prompt_tokens"] == 120 and meta["completion_tokens"] == 5
    assert set(meta["home_timings"]) == {"retrieval_ms", "first_token_ms", "total_ms"}
    assert "first_token_ms" in meta and "total_ms" in meta
    assert answer["sources"], "the facts sent were cited back"
    page = (await client.get(f"/api/v1/chat/sessions/{chat['id']}/messages", headers=member.headers)).json()
    assert [m["role"] for m in page["items"]] == ["user", "assistant"]
    assert page["items"][0]["content"] == "Come spedisco un pacco?"
    detail = (await client.get(f"/api/v1/chat/sessions/{chat['id']}", headers=member.headers)).json()
    assert detail["title"] == "Come spedisco un pacco?"
    assert [m["id"] for m in detail["messages"]] == [m["id"] for m in page["items"]]


async def test_the_history_sends_earlier_turns_and_lists_sessions_newest_first(client, home):
    member = await register(client)
    first = await new_session(client, member=member)
    second = await new_session(client, member=member)
    await ask_and_wait(client, member=member, session_id=second["id"], content="Prima domanda")
    await ask_and_wait(client, member=member, session_id=first["id"], content="Quanto costa spedire?")
    await ask_and_wait(client, member=member, session_id=first["id"], content="E per la Francia?")
    history = [turn.model_dump() for turn in home.requests[-1].history]
    assert history == [
        {"role": "user", "content": "Quanto costa spedire?"},
        {"role": "assistant", "content": "Ciao, ecco la risposta."},
    ]
    listed = (await client.get("/api/v1/chat/history", headers=member.headers)).json()
    assert [s["id"] for s in listed["items"]] == [first["id"], second["id"]]
    assert [s["title"] for s in listed["items"]] == ["Quanto costa spedire?", "Prima domanda"]


async def _open(base_url: str, member: Member) -> ClientConnection:
    socket = await connect(f"{base_url}/api/v1/ws", subprotocols=["vo.v1", f"vo.auth.{member.access_token}"])  # type: ignore[list-item]
    while json.loads(await asyncio.wait_for(socket.recv(), WAIT))["type"] != "ready":
        pass
    return socket


async def _events(socket: ClientConnection, until: Any) -> list[dict[str, Any]]:
    seen = []
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
        if message["type"] == "ping":
            continue
        seen.append(message)
        if until(message):
            return seen


def _is_done(message: dict[str, Any]) -> bool:
    return message["type"] == "chat.chunk" and message["data"]["text"] == replies.DONE


async def test_the_reply_streams_to_the_asking_members_sockets_only(client, app, home, resources):
    member = await register(client, family_name="Rossi")
    relative = await invite_and_join(client, admin=member)
    chat = await new_session(client, member=member)
    async with served(app) as base_url:
        mine = await _open(base_url, member)
        theirs = await _open(base_url, relative)
        accepted = await ask(client, member=member, session_id=chat["id"], content="Ciao!")
        chunks = await _events(mine, _is_done)
        # A family event after the reply: the relative's socket receives it first, none of the chunks.
        await resources.events.publish(uuid.UUID(member.family_id), EventType.listing_changed, {"ids": []})
        first = await _events(theirs, lambda m: True)
        await mine.close()
        await theirs.close()
    assert first[0]["type"] == "listing.changed"
    assert {c["type"] for c in chunks} == {"chat.chunk"}
    data = [c["data"] for c in chunks]
    assert [d["seq"] for d in data] == list(range(len(data)))
    assert {d["message_id"] for d in data} == {accepted["message_id"]}
    assert {d["session_id"] for d in data} == {chat["id"]}
    assert "sources" in data[0] and data[0]["sources"]
    assert "".join(d["text"] for d in data[1:-1]) == "Ciao, ecco la risposta."
    assert data[-1] == {**data[-1], "text": "[DONE]", "status": "done"}
    # The HTTP fallback of the events, too: the relative does not get the member's chunks.
    relative_events = (await client.get("/api/v1/events", headers=relative.headers)).json()["events"]
    assert all(e["type"] != "chat.chunk" for e in relative_events)
    member_events = (await client.get("/api/v1/events", headers=member.headers)).json()["events"]
    assert sum(e["type"] == "chat.chunk" for e in member_events) == len(chunks)


async def test_a_dropped_socket_does_not_lose_the_reply(client, app, home):
    home.tokens = tuple(f"parola{n} " for n in range(30))
    home.interval = 0.005
    member = await register(client)
    chat = await new_session(client, member=member)
    async with served(app) as base_url:
        socket = await _open(base_url, member)
        accepted = await ask(client, member=member, session_id=chat["id"], content="Raccontami tutto")
        await _events(socket, lambda m: m["type"] == "chat.chunk" and m["data"]["seq"] >= 2)
        await socket.close()  # gone, mid-reply
        await replies.wait_all()
    stored = await reply(client, member=member, session_id=chat["id"], message_id=accepted["message_id"])
    assert stored["status"] == "done"
    assert stored["content"] == "".join(home.tokens)
    assert home.endings == ["done"]


async def test_stop_ends_a_stalled_reply_and_keeps_what_was_written(client, home):
    home.stall_after = 2
    member = await register(client)
    chat = await new_session(client, member=member)
    accepted = await ask(client, member=member, session_id=chat["id"], content="Dimmi")
    await asyncio.wait_for(home.stalled.wait(), WAIT)
    path = f"/api/v1/chat/sessions/{chat['id']}/messages/{accepted['message_id']}/stop"
    stopped = await client.post(path, headers=member.headers)
    assert stopped.status_code == 200 and stopped.json()["stopping"] is True
    await replies.wait_all()
    stored = await reply(client, member=member, session_id=chat["id"], message_id=accepted["message_id"])
    assert stored["status"] == "stopped"
    assert stored["content"] == "Ciao, "
    assert home.endings == ["closed"], "the home side's stream was closed"
    again = await client.post(path, headers=member.headers)
    assert again.json()["stopping"] is False


async def test_a_stop_from_another_process_reaches_the_reply_through_redis(client, home, resources):
    home.stall_after = 1
    member = await register(client)
    chat = await new_session(client, member=member)
    accepted = await ask(client, member=member, session_id=chat["id"], content="Dimmi")
    await asyncio.wait_for(home.stalled.wait(), WAIT)
    # What another API process does: only the flag in Redis (this process's event is never set).
    await resources.redis.set(f"{replies.STOP_KEY}{accepted['message_id']}", "1")
    await replies.wait_all()
    stored = await reply(client, member=member, session_id=chat["id"], message_id=accepted["message_id"])
    assert stored["status"] == "stopped" and stored["content"] == "Ciao"
    assert not await resources.redis.exists(f"{replies.STOP_KEY}{accepted['message_id']}")


async def test_an_error_mid_stream_is_stored_with_what_came_before(client, home):
    home.error_after = 3
    member = await register(client)
    chat = await new_session(client, member=member)
    stored = await ask_and_wait(client, member=member, session_id=chat["id"], content="Dimmi")
    assert stored["status"] == "error"
    assert stored["content"] == "Ciao, ecco"
    assert stored["metadata"]["error"] == {"code": "model_error", "detail": "Il modello si è interrotto."}


async def test_a_home_side_that_fails_gives_an_italian_error_reply(client, home):
    async def broken(request):  # noqa: ANN001, ANN202
        raise ConnectionError("down")
        yield  # pragma: no cover

    home.chat = broken  # type: ignore[method-assign]
    member = await register(client)
    chat = await new_session(client, member=member)
    stored = await ask_and_wait(client, member=member, session_id=chat["id"], content="Dimmi")
    assert stored["status"] == "error"
    assert stored["content"] == replies.UNREACHABLE


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {
        "chat_reply_timeout_seconds": 1.0,
        "chat_message_max_chars": 40,
        "chat_sessions_max": 3,
        "rate_limit_chat": "4/minute",
    }


async def test_a_stalled_home_side_times_out(client, home):
    home.stall_after = 0
    member = await register(client)
    chat = await new_session(client, member=member)
    stored = await ask_and_wait(client, member=member, session_id=chat["id"], content="Dimmi")
    assert stored["status"] == "timeout"
    assert stored["content"] == replies.TIMED_OUT
    assert home.endings == ["closed"]


async def test_limits_answer_in_italian(client, home):
    member = await register(client)
    chat = await new_session(client, member=member)
    path = f"/api/v1/chat/sessions/{chat['id']}/messages"
    too_long = await client.post(path, json={"content": "x" * 41}, headers=member.headers)
    assert too_long.status_code == 422
    assert too_long.json()["fields"][0]["field"] == "content"
    assert "troppo lunga" in too_long.json()["fields"][0]["message"]
    schema_max = await client.post(path, json={"content": "x" * 2001}, headers=member.headers)
    assert schema_max.status_code == 422 and schema_max.json()["fields"][0]["field"] == "content"
    for n in range(4):
        await ask_and_wait(client, member=member, session_id=chat["id"], content=f"domanda {n}")
    limited = await client.post(path, json={"content": "ancora"}, headers=member.headers)
    assert limited.status_code == 429
    assert "Troppe domande" in limited.json()["detail"]
    await new_session(client, member=member)
    await new_session(client, member=member)
    refused = await client.post("/api/v1/chat/sessions", json={}, headers=member.headers)
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("Hai raggiunto il massimo di 3 conversazioni")


async def test_a_second_question_waits_for_the_reply_in_progress(client, home):
    home.stall_after = 0
    member = await register(client)
    chat = await new_session(client, member=member)
    await ask(client, member=member, session_id=chat["id"], content="Dimmi")
    await asyncio.wait_for(home.stalled.wait(), WAIT)
    busy = await client.post(
        f"/api/v1/chat/sessions/{chat['id']}/messages", json={"content": "E poi?"}, headers=member.headers
    )
    assert busy.status_code == 409 and busy.json()["error"] == "chat_reply_in_progress"


def _sse(text: str) -> list[tuple[str, str]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = block.split("\n")
        name = lines[0].removeprefix("event: ")
        data = "\n".join(line.removeprefix("data: ") for line in lines[1:])
        events.append((name, data))
    return events


async def test_server_sent_events_for_api_clients(client, home):
    member = await register(client)
    chat = await new_session(client, member=member)
    response = await client.post(
        f"/api/v1/chat/sessions/{chat['id']}/messages/stream",
        json={"content": "Come fotografo una giacca?"},
        headers=member.headers,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _sse(response.text)
    names = [name for name, _ in events]
    assert names[0] == "accepted" and names[1] == "sources"
    assert names[-2:] == ["status", "done"] and events[-1][1] == "[DONE]"
    assert (
        "".join(json.loads(data)["text"] for name, data in events if name == "token")
        == "Ciao, ecco la risposta."
    )
    accepted = json.loads(events[0][1])
    assert response.headers["x-chat-message-id"] == accepted["message_id"]
    await replies.wait_all()
    stored = await reply(client, member=member, session_id=chat["id"], message_id=accepted["message_id"])
    assert stored["status"] == "done" and stored["content"] == "Ciao, ecco la risposta."


async def test_a_reply_whose_process_died_is_ended_by_the_cron(client, home, session, resources):
    member = await register(client)
    chat = await new_session(client, member=member)
    home.stall_after = 0
    accepted = await ask(client, member=member, session_id=chat["id"], content="Dimmi")
    await asyncio.wait_for(home.stalled.wait(), WAIT)
    for running in list(replies.RUNNING.values()):
        running.task.cancel()  # the process "dies": nobody writes the reply
    await asyncio.gather(*(r.task for r in list(replies.RUNNING.values())), return_exceptions=True)
    await session.execute(
        update(ChatMessage)
        .where(ChatMessage.id == uuid.UUID(accepted["message_id"]))
        .values(created_at=utcnow() - timedelta(hours=1), meta={"status": "streaming"})
    )
    await session.commit()
    async with resources.sessionmaker() as other, other.begin():
        assert await service.expire_stale_replies(other, resources.settings) == 1
    stored = await reply(client, member=member, session_id=chat["id"], message_id=accepted["message_id"])
    assert stored["status"] == "error" and stored["metadata"]["error"]["code"] == "interrupted"


async def test_an_sse_client_that_goes_away_does_not_lose_the_reply(client, app, home):
    home.tokens = tuple(f"parola{n} " for n in range(30))
    home.interval = 0.005
    member = await register(client)
    chat = await new_session(client, member=member)
    async with served(app) as base_url:
        http_url = base_url.replace("ws://", "http://")
        async with httpx.AsyncClient(base_url=http_url, headers=member.headers, timeout=WAIT) as http:
            async with http.stream(
                "POST", f"/api/v1/chat/sessions/{chat['id']}/messages/stream", json={"content": "Dimmi"}
            ) as response:
                message_id = response.headers["x-chat-message-id"]
                async for line in response.aiter_lines():
                    if line.startswith("event: token"):
                        break  # the client leaves after the first token
        await replies.wait_all()
    stored = await reply(client, member=member, session_id=chat["id"], message_id=message_id)
    assert stored["status"] == "done" and stored["content"] == "".join(home.tokens)
    assert not replies._LISTENERS, "the gone client's queue was let go"
