"""What the scraper service takes and answers, shared by its HTTP app and its client."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from vinted_optimizer.kit.queue import QueueStats
from vinted_optimizer.kit.schemas import INT4_MAX
from vinted_optimizer.vocabulary import Condition


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
    queue: QueueStats | None = Field(default=None, description="The scraper's own SAQ queue (vo-scraper)")
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


# --- the market: comparable listings ------------------------------------------------------------------

# How far the match was widened before enough comparables were found (``scraper.market``), narrowest first.
MarketStep = Literal[
    "category_brand_condition", "category_brand", "category_condition", "category", "parent_category"
]
MARKET_DAYS = 30
MARKET_MIN_COUNT = 8
MARKET_EXAMPLES = 5


class ComparablesQuery(BaseModel):
    """A listing to compare: its catalog node, and its brand and condition when it has them."""

    category_id: int = Field(ge=1, le=INT4_MAX)
    brand: str | None = Field(default=None, max_length=120)
    condition: Condition | None = None
    days: int = Field(default=MARKET_DAYS, ge=1, le=365, description="Items seen in the last N days")
    min_count: int = Field(default=MARKET_MIN_COUNT, ge=1, le=1000)


class MarketComparison(BaseModel):
    """The asking prices of the comparables found at ``step`` (None: none at all in the window)."""

    category_id: int
    brand: str | None = None
    condition: Condition | None = None
    step: MarketStep | None = None
    step_category_id: int | None = Field(
        default=None, description="The catalog node whose items were compared (the parent at the last step)"
    )
    enough: bool = Field(default=False, description="At least min_count comparables")
    count: int = 0
    min: Decimal | None = None
    q1: Decimal | None = None
    median: Decimal | None = None
    q3: Decimal | None = None
    max: Decimal | None = None
    examples: list[int] = Field(default_factory=list, description="A few comparable Vinted item ids")
    days: int = MARKET_DAYS
    min_count: int = MARKET_MIN_COUNT


MarketPosition = Literal["below", "in_range", "above"]


class MarketPlacement(BaseModel):
    """Where a price (or the middle of a range) sits among the comparables."""

    price: Decimal | None = None
    position: MarketPosition | None = None
    percentile: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="About how many comparables in 100 cost less (interpolated between the quartiles)",
    )
    explanation: str


# --- the sales sync (issue 12 item 7): a member's sold orders, wardrobe and Vinted's prepaid labels -----


class SyncRequest(BaseModel):
    session: MemberSession
    # Transactions already recorded on the cloud side: their details are not fetched again (newest kept).
    known_transaction_ids: list[int] = Field(default_factory=list, max_length=5000)
    # The run stops fetching details after this long (complete=False), well inside the HTTP client's
    # MEMBER_CALL_TIMEOUT_SECONDS even with one last wait at the gate: a timed-out call would lose the pair
    # Vinted rotated on the way.
    budget_seconds: float = Field(default=300.0, gt=0, le=400)


class SyncedShipment(BaseModel):
    id: int | None = None
    status: str | None = None
    tracking_code: str | None = None
    carrier: str | None = None


class SyncedOrder(BaseModel):
    """A sold order; ``detailed`` when its transaction was read in this run (a new one), which brings the
    item ids, the buyer and the shipment. ``raw`` is what Vinted said ({"order", "transaction"?})."""

    transaction_id: int
    title: str
    price: Decimal | None = None
    currency: str | None = None
    status: str | None = None
    date: datetime | None = None
    detailed: bool = False
    transaction_status: str | None = None
    item_ids: list[int] = Field(default_factory=list)
    buyer_login: str | None = None
    shipment: SyncedShipment | None = None
    raw: dict[str, Any] = Field(default_factory=dict)


class SyncedItem(BaseModel):
    """One item of the member's wardrobe."""

    id: int
    title: str
    price: Decimal | None = None
    currency: str | None = None
    url: str | None = None
    is_closed: bool = False
    sold: bool = False
    is_hidden: bool = False
    is_reserved: bool = False


class SyncResult(BaseModel):
    orders: list[SyncedOrder] = Field(default_factory=list)
    wardrobe: list[SyncedItem] = Field(default_factory=list)
    wardrobe_read: bool = False
    # False when the gate (or Vinted) stopped the run part way: what was read is still here; ``stopped``
    # says why, and the next run continues (the details not fetched are of transactions still unknown).
    complete: bool = True
    stopped: MemberError | None = None
    notes: list[str] = Field(default_factory=list)  # Italian, for the member


class SyncOutcome(MemberOutcome):
    result: SyncResult | None = None


class LabelRequest(BaseModel):
    session: MemberSession
    transaction_id: int = Field(ge=1)


class LabelResult(BaseModel):
    pdf_base64: str


class LabelOutcome(MemberOutcome):
    result: LabelResult | None = None


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
