"""The home page (Panoramica) as the API reads it: the overview, the series for charts, the family's
activity and the suggestions, each with its reasoning and the one action that applies it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.sales.schemas import Dac7Member, Day
from vinted_optimizer.vocabulary import ShipmentStatus

# A listing on sale for longer than this is stale: the overview lists it, and one over the market's
# median is worth repricing (suggestions' reprice_stale).
STALE_AFTER_DAYS = 30

# --- overview -------------------------------------------------------------------------------------------


class ListingCounts(BaseModel):
    draft: int
    ready: int
    published: int
    reserved: int
    sold: int
    hidden: int
    total: int


class PeriodFigures(BaseModel):
    """Standing sales (not cancelled nor refunded) whose sale falls in the period, Italian time."""

    date_from: date
    date_to: date = Field(description="Inclusive")
    sales: int
    revenue: Decimal = Field(description="What the buyers paid for the items")
    profit: Decimal = Field(description="Revenue less Vinted's fees, the purchase cost and the shipping paid")


class MonthComparison(BaseModel):
    this_month: PeriodFigures = Field(description="From the 1st of this month to today")
    last_month: PeriodFigures = Field(description="The whole previous month")
    last_month_to_date: PeriodFigures = Field(
        description="The previous month from its 1st to the same day as today (or its last day): the changes "
        "compare this month with it, like with like"
    )
    revenue_change: Decimal | None = Field(description="This month ÷ last month − 1 (0.25 = +25 %)")
    profit_change: Decimal | None


class TroubleParcel(BaseModel):
    shipment_id: uuid.UUID
    sale_id: uuid.UUID
    title: str
    status: ShipmentStatus
    status_text: str = Field(description="The status in Italian, to show as it is")
    tracking_code: str | None
    status_at: datetime | None


class ParcelCounts(BaseModel):
    in_transit: int = Field(description="Open: ready, in transit, out for delivery, at a pick-up point")
    trouble: int = Field(description="Delivery failed, exception, expired or returned in the last 30 days")
    trouble_parcels: list[TroubleParcel] = Field(description="Newest first, at most 5")


class DraftCounts(BaseModel):
    waiting_analysis: int = Field(description="Drafts whose AI analysis is queued or running")
    failed_analysis: int = Field(description="Drafts whose analysis failed (retry from the listing)")
    not_analysed: int = Field(description="Drafts never analysed (no photo yet, or analysis not asked)")


class StaleListing(BaseModel):
    listing_id: uuid.UUID
    title: str
    price: Decimal | None
    days_listed: int = Field(description="Days since it went on sale")
    thumbnail_url: str | None


class Overview(BaseModel):
    generated_at: datetime
    listings: ListingCounts
    month: MonthComparison
    week: PeriodFigures = Field(description="From Monday of this week to today")
    parcels: ParcelCounts
    drafts: DraftCounts
    dac7_year: int
    dac7: list[Dac7Member] = Field(description="Each member of the family, this calendar year")
    stale_after_days: int = Field(description="A listing on sale for longer than this is stale")
    stale_count: int
    stale: list[StaleListing] = Field(description="Longest on sale first, at most 5")


# --- analytics ------------------------------------------------------------------------------------------

Grouping = Literal["week", "month"]


class AnalyticsQuery(Input):
    model_config = ConfigDict(extra="forbid")

    date_from: Day | None = Field(
        default=None, description="Default: the start of the 12th period back (12 months or 12 weeks)"
    )
    date_to: Day | None = Field(default=None, description="Inclusive; default today")
    group: Grouping = "month"
    member: uuid.UUID | None = Field(default=None, description="Only this member's sales")


class SeriesPoint(BaseModel):
    period: date = Field(description="The first day of the week (Monday) or month")
    sales: int
    revenue: Decimal
    profit: Decimal


class Breakdown(BaseModel):
    key: str = Field(description='The category or brand ("Senza marca" / "Senza categoria" when empty)')
    sales: int
    revenue: Decimal
    profit: Decimal
    average_days_to_sell: Decimal | None


class PriceAgainstMarket(BaseModel):
    """The family's asking prices on sale now against the market's median for the same category and brand."""

    category_id: int
    category: str
    brand: str | None
    listings: int
    our_median: Decimal
    market_median: Decimal
    ratio: Decimal = Field(description="Ours ÷ market (1.10 = 10 % above the market)")


class MemberAnalytics(BaseModel):
    member_id: uuid.UUID
    username: str
    sales: int
    revenue: Decimal
    profit: Decimal
    average_days_to_sell: Decimal | None


class Analytics(BaseModel):
    date_from: date
    date_to: date
    group: Grouping
    member: uuid.UUID | None
    series: list[SeriesPoint] = Field(description="Every period of the range in order, empty ones as zeros")
    totals: SeriesPoint = Field(description="The whole range (period = date_from)")
    categories: list[Breakdown] = Field(description="Best first (by revenue), at most 10")
    brands: list[Breakdown] = Field(description="Best first (by revenue), at most 10")
    average_days_to_sell: Decimal | None
    price_against_market: list[PriceAgainstMarket] = Field(description="Most listings first, at most 10")
    members: list[MemberAnalytics]


# --- activity -------------------------------------------------------------------------------------------

ActivityKind = Literal[
    "listing_created",
    "listing_published",
    "sale",
    "parcel",
    "member",
    "account",
    "vinted",
    "other",
]


class ActivityQuery(Input):
    model_config = ConfigDict(extra="forbid")

    before: str | None = Field(
        default=None, max_length=80, description="The `next` cursor of the previous page; omitted: the newest"
    )
    limit: int = Field(default=20, ge=1, le=100)


class ActivityItem(BaseModel):
    id: str = Field(description="Stable: the source and its id")
    at: datetime
    kind: ActivityKind
    text: str = Field(description="What happened, in Italian, to show as it is")
    member: str | None = Field(description="The member's username, when a member did it")
    link: str | None = Field(description="The dashboard's page about it, e.g. /annunci/<id>")


class ActivityPage(BaseModel):
    items: list[ActivityItem]
    next: str | None = Field(description="Pass as `before` for the older items; None at the end")


# --- suggestions ----------------------------------------------------------------------------------------

SuggestionKind = Literal["reprice_stale", "price_outlier", "best_time", "repost", "missing_fields"]
ActionKind = Literal["set_price", "repost", "open"]


class SuggestionAction(BaseModel):
    """What the one tap does, through the listing's own endpoints: set_price is PATCH /listings/{id} with
    the price, repost is POST /listings/{id}/repost, open goes to the link."""

    kind: ActionKind
    label: str = Field(description="The button, in Italian")
    listing_id: uuid.UUID | None = None
    price: Decimal | None = Field(default=None, description="set_price: the new price")
    link: str | None = Field(default=None, description="open: the dashboard page")


class Suggestion(BaseModel):
    key: str = Field(description="Stable for the same advice, e.g. reprice_stale:<listing id>")
    kind: SuggestionKind
    title: str = Field(description="In Italian")
    reasoning: str = Field(description="Why, with the figures it is based on, in Italian")
    listing_id: uuid.UUID | None
    action: SuggestionAction | None = Field(description="None for advice with no one-tap action")


class SuggestionList(BaseModel):
    items: list[Suggestion]


SUGGESTION_KEY_PATTERN = r"^[a-z_]{1,20}(:[0-9a-f-]{36})?$"
