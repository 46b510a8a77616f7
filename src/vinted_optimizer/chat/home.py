"""What the assistant needs of the home side: ``AIClient``'s chat, index and delete (the interface of
``ai.chat_schemas``). Declared here as a Protocol so the chat domain depends on the shape, not on which
client implements it (in-process, HTTP, or the tests' scripted home side)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Protocol

from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest, Passage


class ChatHome(Protocol):
    def chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]: ...

    async def index_documents(self, family_id: uuid.UUID, docs: list[Passage]) -> None: ...

    async def delete_documents(self, family_id: uuid.UUID, ids: list[str]) -> None: ...
