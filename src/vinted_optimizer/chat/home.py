"""What the assistant needs of the home side: ``AIClient``'s chat, index and delete (the interface of
``ai.chat_schemas``). Declared here as a Protocol so the chat domain depends on the shape, not on which
client implements it (in-process, HTTP, or the tests' scripted home side)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest, Passage
from vinted_optimizer.kit.errors import UpstreamUnavailable


@runtime_checkable
class ChatHome(Protocol):
    def chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]: ...

    async def index_documents(self, family_id: uuid.UUID, docs: list[Passage]) -> None: ...

    async def delete_documents(self, family_id: uuid.UUID, ids: list[str]) -> None: ...


class AssistantUnavailable(UpstreamUnavailable):
    code = "assistant_unavailable"
    default_detail = "L'assistente non è disponibile su questo servizio AI: riprova più tardi."


def home_of(ai: object) -> ChatHome:
    """The AI client as the assistant's home side; ``AssistantUnavailable`` when it does not speak the
    chat interface (a reply then ends with that message; the index cron does nothing)."""
    if not isinstance(ai, ChatHome):
        raise AssistantUnavailable()
    return ai
