"""What the scraper service takes and answers, shared by its HTTP app and its client."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field


class Follow(BaseModel):
    """One search to follow: a catalog node, optionally one brand in it (by name, and by Vinted id when
    known) and a text."""

    category_id: int = Field(ge=1)
    category_name: str = Field(min_length=1, max_length=200)
    brand: str | None = Field(default=None, max_length=120)
    brand_id: int | None = Field(default=None, ge=1)
    search_text: str = Field(default="", max_length=120)

    @property
    def key(self) -> str:
        """The same search always has the same key: its runs are compared with each other."""
        raw = f"{self.category_id}|{(self.brand or '').casefold()}|{self.brand_id or ''}|{self.search_text}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


class ScrapeRequest(BaseModel):
    follows: list[Follow] = Field(min_length=1, max_length=50)
    reason: str = Field(default="refresh", max_length=60)


class ScrapeAccepted(BaseModel):
    queued: bool  # False: the same scrape is already queued or running
    job_key: str
    searches: int


class BudgetReport(BaseModel):
    remaining: int  # requests that may go now
    burst: int
    hourly_count: int
    hourly_cap: int
    hourly_remaining: int


class ChangedReport(BaseModel):
    endpoint: str
    detail: str
    at: datetime


class PacingReport(BaseModel):
    """The pacing gate as /api/health/deep and the admin page show it."""

    status: str  # "ok", "cooling_down" (a cool-down or a Retry-After), "unavailable"
    read: BudgetReport | None = None
    write: BudgetReport | None = None
    cooldown_until: datetime | None = None
    cooldown_reason: str | None = None  # "cooldown" (a challenge) or "retry_after" (a 429)
    cooldown_cause: str | None = None  # "cloudflare", "datadome", "repeated_403", "429"
    last_changed: ChangedReport | None = None
    queued_scrapes: int | None = None
    detail: str | None = None


class AggregatesPage(BaseModel):
    aggregates: list[dict[str, Any]]
    last_id: int


# --- a member's calls -------------------------------------------------------------------------------
# The member's Vinted session lives encrypted in the cloud database; each call hands it to the scraper
# service and gets back, beside the result, the pair Vinted rotated meanwhile (its refresh token is
# single-use: the caller must store the new pair), whether the chain died, and what went wrong. The
# envelope always answers 200, so a rotation is never lost to an error.


class MemberSession(BaseModel):
    """A linked member's pair (never in a repr or a log)."""

    access_token: str = Field(min_length=1, max_length=8192, repr=False)
    refresh_token: str = Field(min_length=1, max_length=8192, repr=False)
    vinted_user_id: int | None = Field(default=None, ge=1)


class RotatedSession(BaseModel):
    access_token: str = Field(repr=False)
    refresh_token: str = Field(repr=False)


class MemberError(BaseModel):
    """A Vinted or pacing error, as the cloud side raises it again (``RemoteVintedError``)."""

    code: str  # the error class's code: vinted_paced, vinted_challenge, vinted_changed, vinted_refused…
    status_code: int
    detail: str
    retry_after: int | None = None  # seconds
    endpoint: str | None = None
    vinted_code: int | None = None  # Vinted's own "code" of a refusal (99, 106…)


class MemberOutcome(BaseModel):
    session: RotatedSession | None = None  # the new pair when Vinted rotated it: store it at once
    dead: bool = False  # the chain is dead: only a new link revives it
    error: MemberError | None = None


class RefreshRequest(BaseModel):
    session: MemberSession


# --- publishing (a member's writes: the photos, the item, its deletion) -----------------------------

PUBLISH_MAX_PHOTOS = 20


class PublishItem(BaseModel):
    """The item's fields as ``scraper.vinted.uploads.NewItem`` takes them (the photos apart)."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    catalog_id: int = Field(ge=1)
    price: Decimal = Field(gt=0, max_digits=10, decimal_places=2)  # a decimal string on the wire
    status_id: int = Field(ge=1)
    package_size_id: int = Field(ge=1, le=3)
    currency: str = Field(default="EUR", min_length=3, max_length=3)
    brand_id: int | None = Field(default=None, ge=1)
    brand: str | None = Field(default=None, max_length=120)
    size_id: int | None = Field(default=None, ge=1)
    color_ids: list[int] = Field(default_factory=list, max_length=2)


def _base64_jpeg(value: str) -> str:
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a photo is a base64 JPEG") from None
    if not content.startswith(b"\xff\xd8"):
        raise ValueError("a photo is a base64 JPEG")
    return value


class PublishRequest(BaseModel):
    session: MemberSession
    item: PublishItem
    # In display order, the cover first: base64 JPEGs (the processed photos the buyers see).
    photos: list[Annotated[str, AfterValidator(_base64_jpeg)]] = Field(
        min_length=1, max_length=PUBLISH_MAX_PHOTOS, repr=False
    )


class Published(BaseModel):
    item_id: int
    url: str
    photo_ids: list[int]


class PublishOutcome(MemberOutcome):
    result: Published | None = None


class PublishProgress(BaseModel):
    """Where a publish is, told before each write: ``photo`` n of total, then ``item``."""

    step: Literal["photo", "item"]
    done: int = Field(ge=0)  # photos uploaded so far
    total: int = Field(ge=1)  # photos to upload


# A publish over HTTP answers NDJSON: a {"progress": …} line before each write, then {"outcome": …}.
PUBLISH_STREAM_TYPE = "application/x-ndjson"


class UnpublishRequest(BaseModel):
    session: MemberSession
    item_id: int = Field(ge=1)


class Unpublished(BaseModel):
    deleted: bool
    already_gone: bool = False  # Vinted no longer had it (sold, or deleted on Vinted itself)


class UnpublishOutcome(MemberOutcome):
    result: Unpublished | None = None
