from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Numeric, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, Timestamps, UUIDPrimaryKey


class Shipment(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "shipments"

    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str | None] = mapped_column(String(60), nullable=True)
    tracking_code: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    label_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    shipping_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="created", server_default="created")
    sendcloud_parcel_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    tracking_events: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'")
    )
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
