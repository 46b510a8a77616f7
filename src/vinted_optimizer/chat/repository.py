"""Every query on chat_sessions and chat_messages: a session is its member's own (family and user)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from vinted_optimizer.kit.db import utcnow
from vinted_optimizer.models import ChatMessage, ChatSession


async def get_session(
    session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID, chat_id: uuid.UUID
) -> ChatSession | None:
    found: ChatSession | None = await session.scalar(
        select(ChatSession).where(
            ChatSession.id == chat_id, ChatSession.family_id == family_id, ChatSession.user_id == user_id
        )
    )
    return found


async def count_sessions(session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.count()).where(ChatSession.family_id == family_id, ChatSession.user_id == user_id)
    )
    return int(total or 0)


async def add_session(
    session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID, title: str
) -> ChatSession:
    row = ChatSession(family_id=family_id, user_id=user_id, title=title)
    session.add(row)
    await session.flush()
    return row


async def delete_session(session: AsyncSession, chat: ChatSession) -> None:
    await session.execute(delete(ChatSession).where(ChatSession.id == chat.id))


async def touch(session: AsyncSession, chat_id: uuid.UUID, title: str | None = None) -> None:
    values: dict[str, Any] = {"updated_at": utcnow()}
    if title is not None:
        values["title"] = title
    await session.execute(update(ChatSession).where(ChatSession.id == chat_id).values(**values))


async def history(
    session: AsyncSession, family_id: uuid.UUID, user_id: uuid.UUID, limit: int, offset: int
) -> tuple[Sequence[ChatSession], int]:
    where = (ChatSession.family_id == family_id, ChatSession.user_id == user_id)
    rows = (
        await session.scalars(
            select(ChatSession)
            .where(*where)
            .order_by(ChatSession.updated_at.desc(), ChatSession.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    total = await session.scalar(select(func.count()).where(*where))
    return rows, int(total or 0)


async def add_message(
    session: AsyncSession, chat_id: uuid.UUID, role: str, content: str, meta: dict[str, Any]
) -> ChatMessage:
    row = ChatMessage(session_id=chat_id, role=role, content=content, meta=meta)
    session.add(row)
    await session.flush()
    return row


async def get_message(session: AsyncSession, chat_id: uuid.UUID, message_id: uuid.UUID) -> ChatMessage | None:
    found: ChatMessage | None = await session.scalar(
        select(ChatMessage).where(ChatMessage.session_id == chat_id, ChatMessage.id == message_id)
    )
    return found


async def message_by_id(session: AsyncSession, message_id: uuid.UUID) -> ChatMessage | None:
    """For the reply's own task, which was handed the id by the request that checked the session."""
    found: ChatMessage | None = await session.scalar(
        select(ChatMessage).where(ChatMessage.id == message_id).with_for_update()
    )
    return found


async def messages(
    session: AsyncSession, chat_id: uuid.UUID, limit: int, offset: int
) -> tuple[Sequence[ChatMessage], int]:
    """Oldest first."""
    rows = (
        await session.scalars(
            select(ChatMessage)
            .where(ChatMessage.session_id == chat_id)
            .order_by(ChatMessage.created_at, ChatMessage.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    total = await session.scalar(select(func.count()).where(ChatMessage.session_id == chat_id))
    return rows, int(total or 0)


async def latest_messages(session: AsyncSession, chat_id: uuid.UUID, limit: int) -> list[ChatMessage]:
    """The last ``limit`` messages, oldest first."""
    rows = (
        await session.scalars(
            select(ChatMessage)
            .where(ChatMessage.session_id == chat_id)
            .order_by(ChatMessage.created_at.desc(), ChatMessage.id.desc())
            .limit(limit)
        )
    ).all()
    return list(reversed(rows))


async def expire_streaming(session: AsyncSession, before: Any, meta: dict[str, Any], content: str) -> int:
    """Replies still ``streaming`` since before ``before`` (their process died): ended with ``meta``."""
    rows = (
        await session.scalars(
            select(ChatMessage)
            .where(
                ChatMessage.role == "assistant",
                ChatMessage.meta["status"].astext == "streaming",
                ChatMessage.created_at < before,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.meta = {**(row.meta or {}), **meta}
        row.content = row.content or content
    await session.flush()
    return len(rows)
