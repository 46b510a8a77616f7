"""The instance administrator's views: every account, and the installation's figures."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vinted_optimizer.kit.pagination import Page
from vinted_optimizer.kit.queue import QueueStats
from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.scraper.schemas import PacingReport
from vinted_optimizer.users.schemas import FamilyRead

USERS_PAGE_MAX = 100
SEARCH_MAX = 100

UserSort = Literal[
    "username",
    "-username",
    "email",
    "-email",
    "created_at",
    "-created_at",
    "last_activity",
    "-last_activity",
    "family",
    "-family",
]


class UserQuery(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    q: str | None = Field(
        default=None, max_length=SEARCH_MAX, description="Part of the username or of the e-mail"
    )
    sort: UserSort = Field(default="username", description="A key, `-` first for descending; empty last")
    limit: int = Field(default=25, ge=1, le=USERS_PAGE_MAX)
    offset: int = Field(default=0, ge=0, le=100_000)


class InstanceUser(BaseModel):
    """An account as the instance administrator sees it: never its password hash, its Vinted session or any
    other secret."""

    id: uuid.UUID
    username: str
    email: str
    family: FamilyRead | None = Field(description="None for an instance administrator outside any family")
    role: Literal["admin", "member"] | None = Field(description="The role in the family; None without one")
    is_instance_admin: bool
    is_active: bool
    created_at: datetime
    last_activity_at: datetime | None = Field(
        description=(
            "The newest sign-in or access-token refresh of the account's sessions; its newest request fell "
            "between this and this plus `activity_window_minutes` (None: never signed in, or its sessions "
            "were cleaned up)"
        )
    )
    vinted_status: Literal["linked", "dead", "not_linked"]


class InstanceUserPage(Page[InstanceUser]):
    activity_window_minutes: float = Field(
        description=(
            "The access token's lifetime: the requests of a session are made with a token at most this old, "
            "and a token is issued at a sign-in or refresh, which is what `last_activity_at` records"
        )
    )


# --- the figures ---------------------------------------------------------------------------------------


class Part(BaseModel):
    """Every part of the figures says whether it could be read, and why not."""

    available: bool = True
    reason: str | None = Field(default=None, description="Why the part is unavailable (Italian)")


class RequestWindow(BaseModel):
    minutes: int
    requests: int
    requests_per_minute: float
    client_errors: int = Field(description="Answers 4xx")
    server_errors: int = Field(description="Answers 5xx")
    mean_ms: float | None
    p50_ms: float | None = Field(description="From the latency histogram, interpolated inside its bucket")
    p95_ms: float | None
    p99_ms: float | None


class RequestsPart(Part):
    """Every API process's requests under /api, flushed to Redis every few seconds."""

    windows: list[RequestWindow] = Field(default_factory=list, description="The last 5 and 60 minutes")


class QueuePart(Part):
    name: str
    stats: QueueStats | None = None


class CachePart(Part):
    """The AI service's analysis cache, since its process started."""

    enabled: bool | None = None
    hits: int | None = None
    misses: int | None = None
    hit_rate: float | None = Field(default=None, description="Hits over lookups, 0-1; None before any")


class AIPart(Part):
    status: str | None = Field(default=None, description="ok, degraded (Ollama away) or unavailable")
    ollama_reachable: bool | None = None
    vision_model_present: bool | None = None
    chat_mode: str | None = None


class ScraperPart(Part):
    """The scraper service's pacing gate: Vinted's budgets and the cool-down."""

    report: PacingReport | None = None


class DatabasePart(Part):
    bytes: int | None = None


class StoragePart(Part):
    kind: str | None = Field(default=None, description="local or s3")
    objects: int | None = None
    bytes: int | None = None
    complete: bool | None = Field(
        default=None, description="False when the listing stopped at its cap: both numbers are lower bounds"
    )
    measured_at: datetime | None = None


class InstanceMetrics(BaseModel):
    generated_at: datetime
    requests: RequestsPart
    queues: list[QueuePart]
    analysis_cache: CachePart
    ai: AIPart
    scraper: ScraperPart
    database: DatabasePart
    storage: StoragePart
