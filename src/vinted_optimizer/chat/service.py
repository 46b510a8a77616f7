"""The assistant's rules: a member's own sessions, the limits on what they ask, and the messages kept.

A session is its member's alone: another member of the same family gets the same 404 as another
family. Sending stores the question and an empty reply (status ``streaming``) in the request's unit of
work; the reply itself is written by ``chat.replies`` once the request has committed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.chat import repository
from vinted_optimizer.chat.schemas import (
    ChatHistory,
    ChatMessageCreate,
    ChatMessagePage,
    ChatMessageRead,
    ChatSessionCreate,
    ChatSessionDetail,
    ChatSessionRead,
    MessageQuery,
    SendAccepted,
)
from vinted_optimizer.config import Settings
from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.kit.errors import Conflict, InvalidField, NotFound
from vinted_optimizer.kit.principal import Member
from vinted_optimizer.kit.ratelimit import RateLimits
from vinted_optimizer.models import ChatMessage, ChatSession

LATEST_MESSAGES = 50
TITLE_CHARS = 80
STALE_MARGIN_SECONDS = 60
RATE_LIMIT_MESSAGE = "Troppe domande all'assistente: riprova tra {seconds} secondi."


class ChatSessionNotFound(NotFound):
    code = "chat_session_not_found"
    default_detail = "Conversazione non trovata."


class ChatMessageNotFound(NotFound):
    code = "chat_message_not_found"
    default_detail = "Messaggio non trovato in questa conversazione."


class TooManySessions(Conflict):
    code = "chat_sessions_limit"
    default_detail = (
        "Hai raggiunto il numero massimo di conversazioni: eliminane qualcuna per iniziarne una nuova."
    )


class ReplyInProgress(Conflict):
    code = "chat_reply_in_progress"
    default_detail = "L'assistente sta ancora rispondendo in questa conversazione: attendi o fermalo."


def title_of(question: str) -> str:
    """The session's title made from its first question: one line, at most ``TITLE_CHARS``."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def message_read(row: ChatMessage) -> ChatMessageRead:
    meta: dict[str, Any] = dict(row.meta or {})
    status = meta.pop("status", None)
    sources = [Passage.model_validate(item) for item in meta.pop("sources", [])]
    return ChatMessageRead(
        id=row.id,
        session_id=row.session_id,
        role=row.role,  # type: ignore[arg-type]
        content=row.content,
        status=status,
        sources=sources,
        metadata=meta,
        created_at=row.created_at,
    )


def session_read(row: ChatSession) -> ChatSessionRead:
    return ChatSessionRead(id=row.id, title=row.title, created_at=row.created_at, updated_at=row.updated_at)


async def require(session: AsyncSession, member: Member, chat_id: uuid.UUID) -> ChatSession:
    found = await repository.get_session(session, member.family_id, member.id, chat_id)
    if found is None:
        raise ChatSessionNotFound()
    return found


async def create(
    session: AsyncSession, member: Member, settings: Settings, data: ChatSessionCreate
) -> ChatSessionRead:
    if await repository.count_sessions(session, member.family_id, member.id) >= settings.chat_sessions_max:
        raise TooManySessions(
            f"Hai raggiunto il massimo di {settings.chat_sessions_max} conversazioni: "
            "eliminane qualcuna per iniziarne una nuova."
        )
    row = await repository.add_session(session, member.family_id, member.id, title_of(data.title or ""))
    return session_read(row)


async def detail(session: AsyncSession, member: Member, chat_id: uuid.UUID) -> ChatSessionDetail:
    chat = await require(session, member, chat_id)
    latest = await repository.latest_messages(session, chat.id, LATEST_MESSAGES)
    return ChatSessionDetail(**session_read(chat).model_dump(), messages=[message_read(m) for m in latest])


async def delete(session: AsyncSession, member: Member, chat_id: uuid.UUID) -> None:
    await repository.delete_session(session, await require(session, member, chat_id))


async def messages(
    session: AsyncSession, member: Member, chat_id: uuid.UUID, query: MessageQuery
) -> ChatMessagePage:
    chat = await require(session, member, chat_id)
    rows, total = await repository.messages(session, chat.id, query.limit, query.offset)
    return ChatMessagePage(
        items=[message_read(m) for m in rows], total=total, limit=query.limit, offset=query.offset
    )


async def history(session: AsyncSession, member: Member, query: MessageQuery) -> ChatHistory:
    rows, total = await repository.history(session, member.family_id, member.id, query.limit, query.offset)
    return ChatHistory(
        items=[session_read(r) for r in rows], total=total, limit=query.limit, offset=query.offset
    )


async def send(
    session: AsyncSession,
    member: Member,
    settings: Settings,
    limits: RateLimits,
    chat_id: uuid.UUID,
    data: ChatMessageCreate,
) -> SendAccepted:
    """The question stored and its reply opened (empty, ``streaming``); ``chat.replies`` fills it."""
    chat = await require(session, member, chat_id)
    content = data.content.strip()
    if not content:
        raise InvalidField("content", "La domanda è vuota.")
    if len(content) > settings.chat_message_max_chars:
        raise InvalidField(
            "content", f"La domanda è troppo lunga: al massimo {settings.chat_message_max_chars} caratteri."
        )
    latest = await repository.latest_messages(session, chat.id, 1)
    if latest and latest[-1].role == "assistant" and (latest[-1].meta or {}).get("status") == "streaming":
        raise ReplyInProgress()
    await limits.hit(limits.chat, "chat", str(member.id), message=RATE_LIMIT_MESSAGE)
    question = await repository.add_message(session, chat.id, "user", content, {})
    reply = await repository.add_message(session, chat.id, "assistant", "", {"status": "streaming"})
    await repository.touch(session, chat.id, title=None if chat.title else title_of(content))
    return SendAccepted(session_id=chat.id, user_message_id=question.id, message_id=reply.id)


async def require_message(
    session: AsyncSession, member: Member, chat_id: uuid.UUID, message_id: uuid.UUID
) -> ChatMessage:
    chat = await require(session, member, chat_id)
    found = await repository.get_message(session, chat.id, message_id)
    if found is None or found.role != "assistant":
        raise ChatMessageNotFound()
    return found


async def conversation(
    session: AsyncSession, chat_id: uuid.UUID, before: uuid.UUID, turns: int
) -> list[ChatMessage]:
    """The messages before the reply ``before`` (its question last), oldest first: the history."""
    rows = await repository.latest_messages(session, chat_id, turns * 2 + 2)
    return [row for row in rows if row.id != before]


async def finish(session: AsyncSession, message_id: uuid.UUID, content: str, meta: dict[str, Any]) -> None:
    """The reply written once, by its task (a reply already ended, by a stop elsewhere, stays)."""
    row = await repository.message_by_id(session, message_id)
    if row is None or (row.meta or {}).get("status") != "streaming":
        return
    row.content = content
    row.meta = meta
    await repository.touch(session, row.session_id)
    await session.flush()


EXPIRED_DETAIL = "La risposta si è interrotta (il servizio è stato riavviato): fai di nuovo la domanda."


async def expire_stale_replies(session: AsyncSession, settings: Settings) -> int:
    """Replies whose task died with its process, ended as errors once they are surely not running."""
    before = utcnow() - timedelta(seconds=settings.chat_reply_timeout_seconds + STALE_MARGIN_SECONDS)
    meta = {"status": "error", "error": {"code": "interrupted", "detail": EXPIRED_DETAIL}}
    return await repository.expire_streaming(session, before, meta, EXPIRED_DETAIL)
