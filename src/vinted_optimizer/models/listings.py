from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, Timestamps, UUIDPrimaryKey
from vinted_optimizer.vocabulary import ANALYSIS_STATUSES, LISTING_STATUSES

EMBEDDING_DIMENSIONS = 512


class Listing(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint(f"status IN {LISTING_STATUSES}", name="status"),
        CheckConstraint(f"analysis_status IN {ANALYSIS_STATUSES}", name="analysis_status"),
        CheckConstraint("price IS NULL OR price >= 0", name="price_not_negative"),
        CheckConstraint("purchase_cost IS NULL OR purchase_cost >= 0", name="purchase_cost_not_negative"),
        Index(
            "ix_listings_image_embedding_hnsw",
            "image_embedding",
            postgresql_using="hnsw",
            postgresql_ops={"image_embedding": "vector_cosine_ops"},
        ),
        Index("ix_listings_family_status", "family_id", "status"),
        Index("ix_listings_analysis_due", "analysis_status", "next_analysis_at"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    purchase_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Vinted catalog id of the category (what publishing needs).
    category_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    brand: Mapped[str | None] = mapped_column(String(120), nullable=True)
    condition: Mapped[str | None] = mapped_column(String(40), nullable=True)
    size: Mapped[str | None] = mapped_column(String(40), nullable=True)
    colors: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    # Vinted's ids beside the names, kept in step by the listings service (what publishing sends).
    size_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    color_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=list, server_default="{}")
    package_size_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    material: Mapped[str | None] = mapped_column(String(60), nullable=True)
    material_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    vinted_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    vinted_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    vinted_data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    image_embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS), nullable=True)
    # A vector is only ever compared with vectors of the same model.
    embedding_model: Mapped[str | None] = mapped_column(String(120), nullable=True)
    analysis_status: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    ai_analyzed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # What the AI proposed (price range, confidence, model), kept for review beside the editable fields.
    ai_suggestion: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    analysis_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    analysis_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the current analysis was asked for: with the attempt count, it names the one job that may run.
    analysis_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    next_analysis_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
