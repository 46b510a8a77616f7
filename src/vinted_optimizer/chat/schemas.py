"""The assistant's API shapes: sessions, messages, the send's answer, the history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vinted_optimizer.ai.chat_schemas import Passage
from vinted_optimizer.kit.pagination import Page
from vinted_optimizer.kit.schemas import Input

# The longest question the schema takes; the setting chat_message_max_chars may lower it (same 422).
CONTENT_MAX = 2000
TITLE_MAX = 200
PAGE_MAX = 100
ReplyStatus = Literal["streaming", "done", "stopped", "error", "timeout"]


class ChatSessionCreate(Input):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=TITLE_MAX, description="Nothing: the first question")


class ChatMessageCreate(Input):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=CONTENT_MAX)


class ChatMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    role: Literal["user", "assistant", "system"]
    content: str
    status: ReplyStatus | None = Field(default=None, description="An assistant's reply: where it stands")
    sources: list[Passage] = Field(default_factory=list, description="What the answer used, to cite")
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="model, mode, prompt_tokens, completion_tokens, timings, error"
    )
    created_at: datetime


class ChatMessagePage(Page[ChatMessageRead]):
    pass


class ChatSessionRead(BaseModel):
    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class ChatSessionDetail(ChatSessionRead):
    messages: list[ChatMessageRead] = Field(description="The latest messages, oldest first")


class ChatHistory(Page[ChatSessionRead]):
    pass


class MessageQuery(Input):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=50, ge=1, le=PAGE_MAX)
    offset: int = Field(default=0, ge=0, le=100_000)


class SendAccepted(BaseModel):
    session_id: uuid.UUID
    user_message_id: uuid.UUID
    message_id: uuid.UUID = Field(description="The assistant's reply: its chat.chunk events carry this id")


class StopAccepted(BaseModel):
    message_id: uuid.UUID
    stopping: bool = Field(description="False: the reply had already ended")
