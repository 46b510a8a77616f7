from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Computed, DateTime, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, Timestamps, UUIDPrimaryKey
from vinted_optimizer.vocabulary import SALE_STATUSES


class Sale(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "sales"
    __table_args__ = (CheckConstraint(f"status IN {SALE_STATUSES}", name="status"),)

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
    net_profit: Mapped[Decimal] = mapped_column(
        Numeric(10, 2), Computed("sale_price - vinted_fees - purchase_cost", persisted=True)
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    vinted_transaction_id: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    sold_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
