"""The assistant's reply: generated on the server, independent of the connection that asked for it.

Why a task in the API process rather than a queued job: the first token must reach the member within
milliseconds of the home side's first token, and a queued job adds the queue's hop and a worker that may
be busy for minutes with photo analyses; generating is waiting on the home side (I/O), so a task costs the
API process one coroutine. Each reply is an ``asyncio`` task tracked per message (``RUNNING``), bounded
by ``chat_reply_timeout_seconds``, holding no database connection while the home side generates. It
finishes and stores the reply whatever happens to the WebSocket or the SSE response: the member fetches
it afterwards with ``GET /sessions/{id}/messages``.

Stopping: ``POST …/stop`` may land on any API process, so it sets a Redis flag (``vo:chat:stop:<id>``)
that the task reads between chunks and, while a chunk is awaited (a stalled home side), every
``STOP_POLL_SECONDS``; on the process that runs it, the stop is also an ``asyncio.Event`` (no round trip).
Stopping closes the home side's stream (``aclose``), which stops its generation. A process that dies
mid-reply leaves it ``streaming``: the cron ``chat.expire_replies`` ends it as an error.

The chunks go to the asking member's sockets only (``chat.chunk`` events with ``user_id``) and to the
SSE listeners of this process (``listen``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest, ChatTurn, Passage
from vinted_optimizer.chat import context, numbers, service
from vinted_optimizer.chat.home import ChatHome
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.events import EventBus, EventType
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.listings import service as listings

log = structlog.get_logger(__name__)

ROME = ZoneInfo("Europe/Rome")
DONE = "[DONE]"
STOP_KEY = "vo:chat:stop:"
STOP_POLL_SECONDS = 0.2
REDIS_CHECK_SECONDS = 0.1  # between chunks, the flag is read at most this often
TURN_MAX = 8000
UNREACHABLE = "Il servizio AI di casa non è raggiungibile: riprova più tardi."
NOT_PREPARED = "Non sono riuscito a preparare la risposta: riprova tra poco."
TIMED_OUT = "L'assistente ci ha messo troppo a rispondere: la risposta è stata interrotta."
# What an SSE listener receives: ("sources", [passage…]), ("token", text), ("done", metadata).
Piece = tuple[str, Any]


@dataclass(frozen=True)
class ReplyTools:
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    events: EventBus
    home: ChatHome
    settings: Settings


@dataclass
class Running:
    task: asyncio.Task[None]
    stop: asyncio.Event = field(default_factory=asyncio.Event)


RUNNING: dict[uuid.UUID, Running] = {}
_LISTENERS: dict[uuid.UUID, list[asyncio.Queue[Piece]]] = {}


class _Stopped(Exception):
    pass


def listen(message_id: uuid.UUID, queue: asyncio.Queue[Piece]) -> None:
    """``queue`` receives the reply's pieces (register before ``start``)."""
    _LISTENERS.setdefault(message_id, []).append(queue)


def forget(message_id: uuid.UUID, queue: asyncio.Queue[Piece]) -> None:
    queues = _LISTENERS.get(message_id, [])
    with contextlib.suppress(ValueError):
        queues.remove(queue)
    if not queues:
        _LISTENERS.pop(message_id, None)


def start(tools: ReplyTools, member: Member, chat_id: uuid.UUID, message_id: uuid.UUID) -> asyncio.Task[None]:
    task = asyncio.create_task(run(tools, member, chat_id, message_id), name=f"chat-reply-{message_id}")
    RUNNING[message_id] = Running(task)
    task.add_done_callback(lambda _: RUNNING.pop(message_id, None))
    return task


async def request_stop(redis: Redis, settings: Settings, message_id: uuid.UUID) -> None:
    """Reaches the task on whichever API process runs it."""
    await redis.set(f"{STOP_KEY}{message_id}", "1", ex=int(settings.chat_reply_timeout_seconds) + 60)
    running = RUNNING.get(message_id)
    if running is not None:
        running.stop.set()


async def wait_all() -> None:
    """For tests and shutdown: every reply of this process ended."""
    while RUNNING:
        await asyncio.gather(*(r.task for r in list(RUNNING.values())), return_exceptions=True)


async def _prepare(
    tools: ReplyTools, member: Member, chat_id: uuid.UUID, message_id: uuid.UUID
) -> tuple[ChatRequest, set[str]]:
    """The request to the home side, and the listing ids the home side may cite (the family's)."""
    today = datetime.now(ROME).date()
    async with tools.sessionmaker() as session:
        rows = await service.conversation(session, chat_id, message_id, tools.settings.chat_history_turns)
        question = rows[-1]
        earlier = [r for r in rows[:-1] if r.role in ("user", "assistant") and r.content]
        figures = await numbers.answer(
            session, member, question.content, [r.content for r in earlier if r.role == "user"], today
        )
        passages = await context.passages(session, member, today)
        own_listings = {f"listing:{i}" for i in await listings.ids_in_family(session, member.family_id)}
    history = [ChatTurn(role=r.role, content=r.content[:TURN_MAX]) for r in earlier]  # type: ignore[arg-type]
    facts = [*(figures.facts if figures else []), *passages]
    request = ChatRequest(
        family_id=member.family_id,
        question=question.content,
        history=history[-2 * tools.settings.chat_history_turns :]
        if tools.settings.chat_history_turns
        else [],
        facts=facts,
        answer=figures.answer if figures else None,
    )
    return request, own_listings | {p.id for p in facts}


def _scoped(sources: list[Passage], allowed: set[str]) -> list[Passage]:
    """What the home side cites, kept only when it is the family's: what we sent, the family's listings,
    the project's guides. Anything else (another family's id, an invented fact) is dropped."""
    return [s for s in sources if s.id in allowed or (s.kind == "guide" and s.id.startswith("guide:"))]


async def _chunks(
    stream: AsyncIterator[ChatChunk], stopped: Callable[[], Awaitable[bool]]
) -> AsyncGenerator[ChatChunk, None]:
    """The home side's chunks until it ends or the member stops the reply (checked while waiting too)."""
    iterator = stream.__aiter__()
    while True:
        step: asyncio.Future[ChatChunk] = asyncio.ensure_future(iterator.__anext__())
        try:
            while True:
                done, _ = await asyncio.wait({step}, timeout=STOP_POLL_SECONDS)
                if done:
                    break
                if await stopped():
                    raise _Stopped
        finally:
            if not step.done():  # stopped, timed out or cancelled while the home side was silent
                step.cancel()
                with contextlib.suppress(BaseException):
                    await step
        try:
            chunk = step.result()
        except StopAsyncIteration:
            return
        yield chunk
        if await stopped():
            raise _Stopped


async def run(tools: ReplyTools, member: Member, chat_id: uuid.UUID, message_id: uuid.UUID) -> None:
    started = time.perf_counter()
    running = RUNNING.get(message_id)
    seq = 0
    parts: list[str] = []
    sources: list[Passage] = []
    meta: dict[str, Any] = {}
    status = "done"
    checked = 0.0

    async def stopped() -> bool:
        nonlocal checked
        if running is not None and running.stop.is_set():
            return True
        now = time.perf_counter()
        if now - checked < REDIS_CHECK_SECONDS:
            return False
        checked = now
        with contextlib.suppress(Exception):
            if await tools.redis.exists(f"{STOP_KEY}{message_id}"):
                return True
        return False

    async def emit(kind: str, text: str, extra: dict[str, Any] | None = None) -> None:
        nonlocal seq
        for queue in _LISTENERS.get(message_id, []):
            queue.put_nowait((kind, extra.get("sources") if kind == "sources" and extra else text))
        data = {
            "session_id": str(chat_id),
            "message_id": str(message_id),
            "seq": seq,
            "text": text,
            **(extra or {}),
        }
        seq += 1
        await tools.events.publish_quietly(member.family_id, EventType.chat_chunk, data, user_id=member.id)

    stream: AsyncIterator[ChatChunk] | None = None
    try:
        async with asyncio.timeout(tools.settings.chat_reply_timeout_seconds):
            request, allowed = await _prepare(tools, member, chat_id, message_id)
            stream = tools.home.chat(request)
            async with contextlib.aclosing(_chunks(stream, stopped)) as chunks:
                async for chunk in chunks:
                    if chunk.type == "sources":
                        sources = _scoped(chunk.sources or [], allowed)
                        await emit("sources", "", {"sources": [s.model_dump(mode="json") for s in sources]})
                    elif chunk.type == "token" and chunk.text:
                        if not parts:
                            meta["first_token_ms"] = round((time.perf_counter() - started) * 1000, 2)
                        parts.append(chunk.text)
                        await emit("token", chunk.text)
                    elif chunk.type == "done":
                        meta.update(
                            mode=chunk.mode,
                            model=chunk.model,
                            prompt_tokens=chunk.prompt_tokens,
                            completion_tokens=chunk.completion_tokens,
                            home_timings=chunk.timings or {},
                        )
                        break
                    elif chunk.type == "error":
                        status = "error"
                        meta["error"] = {
                            "code": chunk.code or "model_error",
                            "detail": chunk.detail or UNREACHABLE,
                        }
                        break
    except _Stopped:
        status = "stopped"
    except TimeoutError:
        status = "timeout"
        meta["error"] = {"code": "timeout", "detail": TIMED_OUT}
    except Exception as error:  # the home side unreachable or broken: the reply says so, and is stored
        log.warning("chat.reply_failed", error=type(error).__name__, asked=stream is not None)
        status = "error"
        meta["error"] = (
            {"code": "home_unavailable", "detail": UNREACHABLE}
            if stream is not None
            else {"code": "prepare_failed", "detail": NOT_PREPARED}
        )
    finally:
        if stream is not None:
            with contextlib.suppress(Exception):
                await stream.aclose()  # type: ignore[attr-defined]
    content = "".join(parts)
    if not content and "error" in meta:
        content = meta["error"]["detail"]
    meta.update(
        status=status,
        sources=[s.model_dump(mode="json") for s in sources],
        total_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    try:
        async with tools.sessionmaker() as session, session.begin():
            await service.finish(session, message_id, content, meta)
    except Exception as error:
        log.error("chat.reply_not_stored", error=type(error).__name__)
    with contextlib.suppress(Exception):
        await tools.redis.delete(f"{STOP_KEY}{message_id}")
    for queue in _LISTENERS.pop(message_id, []):
        queue.put_nowait(("done", {k: v for k, v in meta.items() if k != "sources"}))
    await emit_done(tools, member, chat_id, message_id, seq, status)


async def emit_done(
    tools: ReplyTools, member: Member, chat_id: uuid.UUID, message_id: uuid.UUID, seq: int, status: str
) -> None:
    data = {
        "session_id": str(chat_id),
        "message_id": str(message_id),
        "seq": seq,
        "text": DONE,
        "status": status,
    }
    await tools.events.publish_quietly(member.family_id, EventType.chat_chunk, data, user_id=member.id)
