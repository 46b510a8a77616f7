"""The assistant (Assistente): a member's conversations, the question sent and its reply streamed
(WebSocket ``chat.chunk`` events, or Server-Sent Events for API clients), stopped on request."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Query, status
from fastapi.responses import Response, StreamingResponse

from vinted_optimizer.auth.dependencies import CurrentMember
from vinted_optimizer.chat import replies, service
from vinted_optimizer.chat.schemas import (
    ChatHistory,
    ChatMessageCreate,
    ChatMessagePage,
    ChatSessionCreate,
    ChatSessionDetail,
    ChatSessionRead,
    MessageQuery,
    SendAccepted,
    StopAccepted,
)
from vinted_optimizer.chat.service import (
    ChatMessageNotFound,
    ChatSessionNotFound,
    ReplyInProgress,
    TooManySessions,
)
from vinted_optimizer.kit.db import DbSession
from vinted_optimizer.kit.errors import InvalidField, TooManyRequests, responses
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.queue import JobsAfterCommit
from vinted_optimizer.kit.routing import DomainRouter
from vinted_optimizer.resources import Res, Resources

router = DomainRouter(prefix="/chat", tags=["chat"])
SEND_ERRORS = responses(ChatSessionNotFound, ReplyInProgress, InvalidField, TooManyRequests)


def _tools(resources: Resources) -> replies.ReplyTools:
    return replies.ReplyTools(
        sessionmaker=resources.sessionmaker,
        redis=resources.redis,
        events=resources.events,
        home=resources.ai,
        settings=resources.settings,
    )


@router.get(
    "/history",
    operation_id="chat:history",
    response_model=ChatHistory,
    summary="My conversations, the latest first, titled by their first question",
)
async def history(
    session: DbSession, member: CurrentMember, query: Annotated[MessageQuery, Query()]
) -> ChatHistory:
    return await service.history(session, member, query)


@router.get(
    "/sessions/{session_id}",
    operation_id="chat:get_session",
    response_model=ChatSessionDetail,
    responses=responses(ChatSessionNotFound),
    summary="A conversation with its latest messages",
)
async def get_session(session_id: uuid.UUID, session: DbSession, member: CurrentMember) -> ChatSessionDetail:
    return await service.detail(session, member, session_id)


@router.get(
    "/sessions/{session_id}/messages",
    operation_id="chat:messages",
    response_model=ChatMessagePage,
    responses=responses(ChatSessionNotFound),
    summary="A conversation's messages, oldest first (a reply is here once finished, socket or not)",
)
async def messages(
    session_id: uuid.UUID, session: DbSession, member: CurrentMember, query: Annotated[MessageQuery, Query()]
) -> ChatMessagePage:
    return await service.messages(session, member, session_id, query)


@router.post(
    "/sessions",
    operation_id="chat:create_session",
    status_code=status.HTTP_201_CREATED,
    response_model=ChatSessionRead,
    responses=responses(TooManySessions),
    summary="Start a conversation",
)
async def create_session(
    data: ChatSessionCreate, session: DbSession, resources: Res, member: CurrentMember
) -> ChatSessionRead:
    return await service.create(session, member, resources.settings, data)


@router.delete(
    "/sessions/{session_id}",
    operation_id="chat:delete_session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(ChatSessionNotFound),
    summary="Delete a conversation and its messages",
)
async def delete_session(session_id: uuid.UUID, session: DbSession, member: CurrentMember) -> Response:
    await service.delete(session, member, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _send(
    session_id: uuid.UUID,
    data: ChatMessageCreate,
    session: DbSession,
    resources: Resources,
    member: Member,
    jobs: JobsAfterCommit,
    listener: asyncio.Queue[replies.Piece] | None = None,
) -> SendAccepted:
    tools = _tools(resources)
    accepted = await service.send(
        session, member, resources.settings, resources.rate_limits, session_id, data
    )

    async def begin() -> None:  # only once the question is committed; never if it is not
        if listener is not None:
            replies.listen(accepted.message_id, listener)
        replies.start(tools, member, accepted.session_id, accepted.message_id)

    jobs.call_after_commit(begin)
    return accepted


@router.post(
    "/sessions/{session_id}/messages",
    operation_id="chat:send",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SendAccepted,
    responses=SEND_ERRORS,
    summary="Ask: the question is stored and the reply streams over the WebSocket (chat.chunk, then [DONE])",
)
async def send(
    session_id: uuid.UUID,
    data: ChatMessageCreate,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    jobs: JobsAfterCommit,
) -> SendAccepted:
    return await _send(session_id, data, session, resources, member, jobs)


def _event(name: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {name}\n{lines}\n"


async def _stream(accepted: SendAccepted, queue: asyncio.Queue[replies.Piece]) -> AsyncIterator[str]:
    """The reply as Server-Sent Events; the client going away stops the stream, not the reply."""
    try:
        yield _event("accepted", accepted.model_dump_json())
        while True:
            kind, payload = await queue.get()
            if kind == "sources":
                yield _event("sources", json.dumps({"sources": payload}, ensure_ascii=False))
            elif kind == "token":
                yield _event("token", json.dumps({"text": payload}, ensure_ascii=False))
            else:
                meta = dict(payload)
                if "error" in meta:
                    yield _event("error", json.dumps(meta["error"], ensure_ascii=False))
                yield _event("status", json.dumps({"status": meta.get("status")}))
                yield _event("done", replies.DONE)
                return
    finally:
        replies.forget(accepted.message_id, queue)


@router.post(
    "/sessions/{session_id}/messages/stream",
    operation_id="chat:send_stream",
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "SSE: accepted (ids), sources, token…, error?, status, done ([DONE])",
        },
        **SEND_ERRORS,
    },
    summary="Ask, and read the reply as Server-Sent Events (for API clients)",
)
async def send_stream(
    session_id: uuid.UUID,
    data: ChatMessageCreate,
    session: DbSession,
    resources: Res,
    member: CurrentMember,
    jobs: JobsAfterCommit,
) -> StreamingResponse:
    queue: asyncio.Queue[replies.Piece] = asyncio.Queue()
    accepted = await _send(session_id, data, session, resources, member, jobs, queue)
    return StreamingResponse(
        _stream(accepted, queue),
        media_type="text/event-stream",
        headers={
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
            "X-Chat-Message-Id": str(accepted.message_id),
        },
    )


@router.post(
    "/sessions/{session_id}/messages/{message_id}/stop",
    operation_id="chat:stop",
    response_model=StopAccepted,
    responses=responses(ChatSessionNotFound, ChatMessageNotFound),
    summary="Stop a reply (from any device: the reply keeps what was written so far)",
)
async def stop(
    session_id: uuid.UUID, message_id: uuid.UUID, session: DbSession, resources: Res, member: CurrentMember
) -> StopAccepted:
    reply = await service.require_message(session, member, session_id, message_id)
    streaming = (reply.meta or {}).get("status") == "streaming"
    if streaming:
        await replies.request_stop(resources.redis, resources.settings, reply.id)
    return StopAccepted(message_id=reply.id, stopping=streaming)
