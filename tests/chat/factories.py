"""Conversations for tests, through the API. Keyword-only after the client."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.auth.factories import Member
from vinted_optimizer.chat import replies
from vinted_optimizer.kit.principal import Member as Principal


async def new_session(client: httpx.AsyncClient, *, member: Member, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/chat/sessions", json=fields, headers=member.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def ask(client: httpx.AsyncClient, *, member: Member, session_id: str, content: str) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/chat/sessions/{session_id}/messages", json={"content": content}, headers=member.headers
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def ask_and_wait(
    client: httpx.AsyncClient, *, member: Member, session_id: str, content: str
) -> dict[str, Any]:
    """The question asked, its reply finished; the stored reply."""
    accepted = await ask(client, member=member, session_id=session_id, content=content)
    await replies.wait_all()
    return await reply(client, member=member, session_id=session_id, message_id=accepted["message_id"])


async def reply(
    client: httpx.AsyncClient, *, member: Member, session_id: str, message_id: str
) -> dict[str, Any]:
    page = await client.get(f"/api/v1/chat/sessions/{session_id}/messages", headers=member.headers)
    assert page.status_code == 200, page.text
    found: dict[str, Any] = next(m for m in page.json()["items"] if m["id"] == message_id)
    return found


def principal(member: Member) -> Principal:
    role = member.user.get("role", "member")
    return Principal(
        id=uuid.UUID(member.id), family_id=uuid.UUID(member.family_id), role=role, username=member.username
    )
