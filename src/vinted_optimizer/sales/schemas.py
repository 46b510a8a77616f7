"""Sales as the API reads and writes them: a sale, its filters and page, the figures, the export."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from vinted_optimizer.kit.pagination import Page
from vinted_optimizer.kit.schemas import Input
from vinted_optimizer.vocabulary import Money, SaleStatus

BUYER_MAX = 120
CATEGORY_MAX = 200
BRAND_MAX = 120
PAGE_MAX = 100

SortKey = Literal[
    "sold_at",
    "-sold_at",
    "sale_price",
    "-sale_price",
    "net_profit",
    "-net_profit",
    "created_at",
    "-created_at",
]


class SaleCreate(Input):
    model_config = ConfigDict(extra="forbid")

    listing_id: uuid.UUID
    sale_price: Money
    buyer_username: str | None = Field(default=None, min_length=1, max_length=BUYER_MAX)
    # When the buyer paid; now when left out. A time without a zone is Italian time.
    sold_at: datetime | None = None
    vinted_fees: Money = Decimal("0.00")
    shipping_cost: Money = Field(default=Decimal("0.00"), description="Shipping paid by the seller, if any")


class SaleUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    sale_price: Money | None = None
    buyer_username: str | None = Field(default=None, min_length=1, max_length=BUYER_MAX)
    sold_at: datetime | None = None
    vinted_fees: Money | None = None
    shipping_cost: Money | None = None
    status: SaleStatus | None = None


class SaleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    listing_id: uuid.UUID | None
    user_id: uuid.UUID = Field(description="The member who sold (the listing's owner)")
    seller_username: str
    title: str
    category: str | None
    brand: str | None
    buyer_username: str | None
    sale_price: Decimal
    vinted_fees: Decimal
    purchase_cost: Decimal
    shipping_cost: Decimal
    net_profit: Decimal
    status: SaleStatus
    next_statuses: list[SaleStatus] = Field(
        description="The statuses the sale may move to now (Vinted's transaction life), in the order to offer"
    )
    sold_at: datetime
    listed_at: datetime | None
    vinted_transaction_id: str | None = Field(
        default=None, description="Vinted's transaction, for a sale the sales sync read from Vinted"
    )
    created_at: datetime
    updated_at: datetime


class SalePage(Page[SaleRead]):
    pass


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """A day as the API documents it, YYYY-MM-DD: a bare number ("0") is not read as a Unix time."""
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_format", "Scrivi la data come AAAA-MM-GG, per esempio 2026-03-31.")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


class SaleRange(Input):
    """The days a figure or an export covers, in Italian time, both ends included."""

    model_config = ConfigDict(extra="forbid")

    date_from: Day | None = None
    date_to: Day | None = None
    member: uuid.UUID | None = None


class SaleScope(SaleRange):
    """Which sales a list, its figures or an export covers: the range plus status, category and brand."""

    status: list[SaleStatus] = Field(default_factory=list)
    category: str | None = Field(default=None, max_length=CATEGORY_MAX)
    brand: str | None = Field(default=None, max_length=BRAND_MAX)


class SaleFilters(SaleScope):
    listing_id: uuid.UUID | None = Field(default=None, description="The sale of one listing")
    sort: SortKey = "-sold_at"
    limit: int = Field(default=50, ge=1, le=PAGE_MAX)
    offset: int = Field(default=0, ge=0, le=100_000)


class ExportQuery(SaleFilters):
    format: Literal["csv", "xlsx"] = "csv"


class Totals(BaseModel):
    sales: int
    revenue: Decimal = Field(description="What the buyers paid for the items")
    vinted_fees: Decimal
    purchase_cost: Decimal
    shipping_cost: Decimal
    net_profit: Decimal = Field(
        description="Revenue less Vinted's fees, the purchase cost and the shipping paid"
    )
    average_price: Decimal | None
    average_days_to_sell: Decimal | None = Field(description="From the listing's creation to the sale")


class GroupTotals(Totals):
    key: str | None = Field(description="The category, brand, member id or month (YYYY-MM) of the group")
    label: str | None = Field(description="What to show: the member's name for members, else the key")


class SaleStats(BaseModel):
    date_from: date | None
    date_to: date | None
    note: str = Field(description="What the figures count, in Italian, to show as it is")
    totals: Totals
    sell_through_rate: Decimal | None = Field(
        description="Listings sold ÷ listings ever put on sale (published, reserved or sold), now; 0–1"
    )
    categories: list[GroupTotals] = Field(description="Best first (by revenue), at most 10")
    brands: list[GroupTotals] = Field(description="Best first (by revenue), at most 10")
    members: list[GroupTotals]
    months: list[GroupTotals] = Field(description="In order, Italian time")


# --- DAC7 ---------------------------------------------------------------------------------------------

YEAR_MIN = 2023  # DAC7's first reported year


class Dac7Query(Input):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=YEAR_MIN, le=2100)


class Dac7ExportQuery(Dac7Query):
    member: uuid.UUID


class Dac7Quarter(BaseModel):
    quarter: int
    sales: int
    gross: Decimal
    fees: Decimal


class Dac7Member(BaseModel):
    member_id: uuid.UUID
    username: str
    sales: int
    gross: Decimal = Field(description="What the buyers paid for the items in the year")
    fees: Decimal = Field(description="Vinted's fees on those sales")
    quarters: list[Dac7Quarter] = Field(description="Always four, 1 to 4")
    sales_ratio: Decimal = Field(description="Sales ÷ the 30-sale threshold")
    amount_ratio: Decimal = Field(description="Gross ÷ the €2,000 threshold")
    reported: bool = Field(description="Either threshold reached: Vinted reports this member for the year")
    warning: bool = Field(description="Not reported yet, but 80 % or more of either threshold")
    message: str = Field(description="What this means for the member, in Italian, to show as it is")


class Dac7Summary(BaseModel):
    year: int
    sales_threshold: int
    amount_threshold: Decimal
    warning_ratio: Decimal
    what_counts: str = Field(description="Which sales count, in Italian")
    explanation: str = Field(description="DAC7 is a reporting rule, not a tax; in Italian")
    partita_iva: str = Field(description="Habitual selling may need a partita IVA; in Italian")
    members: list[Dac7Member]


class VintedSale(BaseModel):
    """A sale as the sales sync read it from Vinted (vinted_link.sync): its transaction, the family's
    listing it sold (matched by Vinted's item id, or created), and what Vinted said, kept."""

    transaction_id: str = Field(min_length=1, max_length=40)
    listing_id: uuid.UUID
    sale_price: Decimal
    sold_at: datetime
    status: SaleStatus
    buyer_username: str | None = Field(default=None, max_length=BUYER_MAX)
    vinted_data: dict[str, Any] = Field(default_factory=dict)
