from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Index, Integer, Numeric, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, UUIDPrimaryKey, utcnow


class Trend(UUIDPrimaryKey, Base):
    """Market snapshot of one Vinted catalogue category (shared market data, not family data)."""

    __tablename__ = "trends"
    __table_args__ = (Index("ix_trends_category_scraped", "category_id", "scraped_at"),)

    category_id: Mapped[int] = mapped_column(Integer)
    category_name: Mapped[str] = mapped_column(String(200))
    avg_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    min_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    max_price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    total_items: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    top_brands: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default=text("'[]'"))
    demand_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 3), nullable=True)
    scraped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
