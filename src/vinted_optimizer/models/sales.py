from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Computed, DateTime, ForeignKey, Index, Numeric, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, Timestamps, UUIDPrimaryKey
from vinted_optimizer.vocabulary import SALE_STATUSES

# A sale that still stands: cancelled and refunded sales gave the item back to the family.
STANDING = "status NOT IN ('cancelled', 'refunded')"


class Sale(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "sales"
    __table_args__ = (
        CheckConstraint(f"status IN {SALE_STATUSES}", name="status"),
        CheckConstraint(
            "sale_price >= 0 AND vinted_fees >= 0 AND purchase_cost >= 0 AND shipping_cost >= 0",
            name="amounts_not_negative",
        ),
        # A listing sells once: at most one standing sale per listing, whatever races the API.
        Index("ux_sales_listing_standing", "listing_id", unique=True, postgresql_where=text(STANDING)),
        Index("ix_sales_family_sold_at", "family_id", "sold_at"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("listings.id", ondelete="SET NULL"), index=True, nullable=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    buyer_username: Mapped[str | None] = mapped_column(String(120), nullable=True)
    sale_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    vinted_fees: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0.00"), server_default="0")
    # Copied from the listing when the sale is recorded, so profit stays stable if the listing changes.
    purchase_cost: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=Decimal("0.00"), server_default="0"
    )
    # Shipping the seller paid (zero when the buyer paid it, Vinted's usual case).
    shipping_cost: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), default=Decimal("0.00"), server_default="0"
    )
    net_profit: Mapped[Decimal] = mapped_column(
        Numeric(10, 2),
        Computed("sale_price - vinted_fees - purchase_cost - shipping_cost", persisted=True),
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    # What the listing was when it sold, kept with the sale (as the purchase cost is): the figures and the
    # exports stay true when the listing is edited or deleted.
    title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    brand: Mapped[str | None] = mapped_column(String(120), nullable=True)
    listed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The listing's status before it was sold: a cancelled or refunded sale puts it back there.
    listing_status_before: Mapped[str | None] = mapped_column(String(16), nullable=True)
    vinted_transaction_id: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    # What Vinted said of a synced sale ({"order", "transaction", "first_seen_at", …}): kept once and never
    # overwritten by a later, poorer answer (Vinted drops order details after some weeks).
    vinted_data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
