"""Trends as the dashboard reads them, the searches a family follows, and a refresh's answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vinted_optimizer.kit.schemas import INT4_MAX, Input
from vinted_optimizer.scraper.schemas import PacingReport

__all__ = [
    "BrandTrends",
    "CategoryTrends",
    "FollowIn",
    "FollowRead",
    "Follows",
    "FollowsUpdate",
    "PacingReport",
    "RefreshAccepted",
    "TrendList",
    "TrendRead",
]


class TrendRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    category_id: int
    category_name: str
    brand: str | None
    total_items: int
    avg_price: Decimal | None
    min_price: Decimal | None
    q1_price: Decimal | None
    median_price: Decimal | None
    q3_price: Decimal | None
    max_price: Decimal | None
    top_brands: list[dict[str, Any]]
    favourites_per_day: Decimal | None
    disappearance_per_day: Decimal | None
    demand_score: Decimal | None = Field(
        description="0-100: favourites per day of age and listings gone a day"
    )
    sample: dict[str, Any] = Field(description="What the search honoured: pages, listings, filters, stop")
    scraped_at: datetime


class TrendList(BaseModel):
    items: list[TrendRead]


class CategoryTrends(BaseModel):
    category_id: int
    current: TrendRead | None
    history: list[TrendRead]  # newest first
    brands: list[TrendRead]  # the latest run's brands, most listings first


class BrandTrends(BaseModel):
    items: list[TrendRead]


class _Follow(BaseModel):
    category_id: int = Field(ge=1, le=INT4_MAX, description="Vinted catalog id")
    category_name: str = Field(min_length=1, max_length=200)
    brand: str | None = Field(default=None, min_length=1, max_length=120)
    brand_id: int | None = Field(default=None, ge=1, le=INT4_MAX)
    search_text: str = Field(default="", max_length=120)


class FollowIn(_Follow, Input):
    model_config = ConfigDict(extra="forbid")


class FollowRead(_Follow):
    model_config = ConfigDict(from_attributes=True)


class Follows(BaseModel):
    source: Literal["configured", "inventory"]  # inventory: none configured, the family's own listings
    follows: list[FollowRead]


class FollowsUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    follows: list[FollowIn] = Field(max_length=30)


class RefreshAccepted(BaseModel):
    queued: bool
    searches: int
    message: str
