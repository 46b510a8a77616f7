from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, Timestamps, UUIDPrimaryKey, utcnow


class Trend(UUIDPrimaryKey, Base):
    """Market snapshot of one Vinted catalogue category, or of one brand in it (``brand`` set): shared
    market data, not family data. Written from the scraper's aggregates (``source_id`` is the scraper's
    number for it, so collecting twice writes it once)."""

    __tablename__ = "trends"
    __table_args__ = (
        Index("ix_trends_category_scraped", "category_id", "scraped_at"),
        Index("ix_trends_category_brand_scraped", "category_id", "brand", "scraped_at"),
    )

    category_id: Mapped[int] = mapped_column(Integer)
    category_name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(120), nullable=True)
    avg_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    min_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    q1_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    median_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    q3_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    max_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    total_items: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    top_brands: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default=text("'[]'"))
    favourites_per_day: Mapped[Decimal | None] = mapped_column(Numeric(10, 3), nullable=True)
    disappearance_per_day: Mapped[Decimal | None] = mapped_column(Numeric(8, 4), nullable=True)
    demand_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 3), nullable=True)
    # What the search honoured: pages walked, listings seen, Vinted's total, why it stopped, the filters.
    sample: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    source_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, unique=True)
    scraped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TrendFollow(UUIDPrimaryKey, Timestamps, Base):
    """A search a family follows on the market (a catalog node, optionally one brand in it). A family
    without any follows the categories and brands of its own listings."""

    __tablename__ = "trend_follows"
    __table_args__ = (UniqueConstraint("family_id", "category_id", "brand", name="uq_trend_follows_search"),)

    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(Integer)
    category_name: Mapped[str] = mapped_column(String(200))
    brand: Mapped[str | None] = mapped_column(String(120), nullable=True)
    brand_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    search_text: Mapped[str] = mapped_column(String(120), default="", server_default="")
