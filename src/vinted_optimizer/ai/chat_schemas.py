"""The interface between the two halves of the assistant: the cloud side (domain ``chat/``) computes the
member's exact facts from SQL and asks the home side (this package) to retrieve and generate.

Imported by both sides; keep it identical to the agreed interface (issue 13).
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field


class ChatTurn(BaseModel):  # history, oldest first
    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


class Passage(BaseModel):  # something the answer may use, and cite
    id: str  # stable: "guide:spedizioni#2", "listing:<uuid>", "sale:<uuid>", "fact:revenue_month"
    kind: Literal["guide", "listing", "sale", "shipment", "trend", "fact"]
    title: str  # shown under the answer ("Guida: spedire con Vinted", "Annuncio «Giacca»")
    text: str  # what the model reads
    link: str | None = (
        None  # a dashboard path: "/annunci?id=<uuid>", "/vendite?id=<uuid>", "/tendenze?categoria=<id>"
    )
    score: float | None = None


class ChatRequest(BaseModel):
    family_id: uuid.UUID  # retrieval is scoped by this, never by the prompt
    question: str = Field(min_length=1, max_length=2000)
    history: list[ChatTurn] = []
    facts: list[Passage] = []  # exact numbers from SQL (kind "fact"), to be used verbatim
    answer: str | None = None  # when the cloud side answered the numbers itself: the model only phrases it
    model: str | None = None  # Ollama chat model; default settings.ollama_chat_model ("phi3:mini")
    max_tokens: int = 512


# The stream (NDJSON over HTTP, one object a line; an async iterator in-process):
class ChatChunk(BaseModel):
    type: Literal["sources", "token", "done", "error"]
    text: str | None = None  # token
    sources: list[Passage] | None = None  # first chunk: the passages retrieved and used (facts included)
    mode: Literal["ollama", "embedded", "retrieval_only"] | None = None  # done
    model: str | None = None  # done
    prompt_tokens: int | None = None  # done
    completion_tokens: int | None = None  # done
    timings: dict[str, float] | None = None  # done: retrieval_ms, first_token_ms, total_ms
    code: str | None = None  # error: "ollama_unavailable", "stalled", "model_error"…
    detail: str | None = None  # error: Italian
