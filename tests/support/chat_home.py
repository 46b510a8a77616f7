"""``ScriptedHome``: a small local home side for the assistant's tests, until the real one (the AI
service's chat, retrieval and generation) lands. It implements the chat half of ``AIClient`` from
``ai.chat_schemas``: ``chat()`` yields scripted ``ChatChunk``s (sources, then tokens at a fixed rate,
then done), optionally an error mid-stream or a stall; ``index_documents`` / ``delete_documents`` keep
an in-memory index per family. Everything else (analyze, embed, health, aclose) goes to the wrapped
real client. It records every request it receives (``requests``) and how each stream ended.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

from vinted_optimizer.ai.chat_schemas import ChatChunk, ChatRequest, Passage


class ScriptedHome:
    def __init__(
        self,
        wrapped: Any = None,
        *,
        tokens: tuple[str, ...] = ("Ciao", ", ", "ecco", " la", " risposta."),
        interval: float = 0.0,
        error_after: int | None = None,
        stall_after: int | None = None,
        extra_sources: tuple[Passage, ...] = (),
    ) -> None:
        self.wrapped = wrapped
        self.tokens = tokens
        self.interval = interval
        self.error_after = error_after
        self.stall_after = stall_after
        self.extra_sources = extra_sources
        self.requests: list[ChatRequest] = []
        self.endings: list[str] = []  # per stream: "done", "error", "closed" (the consumer stopped)
        self.stalled = asyncio.Event()
        self.index: dict[uuid.UUID, dict[str, Passage]] = {}
        self.deleted: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)

    async def chat(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        self.requests.append(request)
        ending = "closed"
        try:
            yield ChatChunk(type="sources", sources=[*request.facts[:6], *self.extra_sources])
            for index, token in enumerate(self.tokens):
                if self.error_after is not None and index == self.error_after:
                    ending = "error"
                    yield ChatChunk(type="error", code="model_error", detail="Il modello si è interrotto.")
                    return
                if self.stall_after is not None and index == self.stall_after:
                    self.stalled.set()
                    await asyncio.Event().wait()  # never set: only a stop or the timeout ends this
                if self.interval:
                    await asyncio.sleep(self.interval)
                yield ChatChunk(type="token", text=token)
            ending = "done"
            yield ChatChunk(
                type="done",
                mode="ollama",
                model="phi3:mini",
                prompt_tokens=120,
                completion_tokens=len(self.tokens),
                timings={"retrieval_ms": 1.0, "first_token_ms": 2.0, "total_ms": 3.0},
            )
        finally:
            self.endings.append(ending)

    async def index_documents(self, family_id: uuid.UUID, docs: list[Passage]) -> None:
        family = self.index.setdefault(family_id, {})
        for doc in docs:
            family[doc.id] = doc

    async def delete_documents(self, family_id: uuid.UUID, ids: list[str]) -> None:
        self.deleted.extend(ids)
        family = self.index.setdefault(family_id, {})
        for doc_id in ids:
            family.pop(doc_id, None)

    async def aclose(self) -> None:
        if self.wrapped is not None:
            await self.wrapped.aclose()
