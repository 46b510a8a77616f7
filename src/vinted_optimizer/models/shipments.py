from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, Timestamps, UUIDPrimaryKey
from vinted_optimizer.vocabulary import SHIPMENT_STATUSES

# A parcel that still moves or waits: polled for tracking until it reaches one of the final statuses.
OPEN = "status NOT IN ('delivered', 'returned', 'cancelled')"


class Shipment(UUIDPrimaryKey, Timestamps, Base):
    """A parcel of a sale: bought through Sendcloud (label in object storage), sent with another label whose
    tracking code the member entered (other), or with Vinted's prepaid label fetched by the sales sync
    (vinted: the label in object storage too). Followed through 17TRACK and webhooks."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(f"status IN {SHIPMENT_STATUSES}", name="status"),
        CheckConstraint("source IN ('sendcloud', 'other', 'vinted')", name="source"),
        Index("ix_shipments_open", "family_id", postgresql_where=text(OPEN)),
        Index("ix_shipments_sendcloud_parcel_id", "sendcloud_parcel_id"),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales.id", ondelete="CASCADE"), index=True)
    # The member who bought the label or entered the code.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    source: Mapped[str] = mapped_column(String(16), default="sendcloud", server_default="sendcloud")
    # Derived from the sale (kit: "VO-" + sale id): Sendcloud's order_number and external_reference, the key
    # a retried announce looks the shipment up by before buying again. Unique: one label per sale.
    order_number: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    carrier: Mapped[str | None] = mapped_column(String(60), nullable=True)  # the carrier's name, shown
    carrier_code: Mapped[str | None] = mapped_column(String(40), nullable=True)  # Sendcloud's, e.g. "brt"
    shipping_option_code: Mapped[str | None] = mapped_column(String(120), nullable=True)
    tracking_code: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    tracking_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # The label's key in object storage (never a public URL: it is served only to the family).
    label_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # What the carrier offers besides PDF ("zpl", "png"), fetched from Sendcloud when asked.
    label_formats: Mapped[list[str]] = mapped_column(
        ARRAY(String(8)), default=lambda: ["pdf"], server_default=text("'{pdf}'")
    )
    shipping_cost: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(7, 3), nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="ready", server_default="ready")
    status_message: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # When the status now shown happened (the source's timestamp): an older report never overwrites it.
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sendcloud_shipment_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sendcloud_parcel_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # 17TRACK: registered once (the free plan counts registrations), then polled with gettrackinfo.
    track17_carrier: Mapped[int | None] = mapped_column(Integer, nullable=True)
    track17_registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Why 17TRACK refused the number (its code and message), shown beside the parcel; None when accepted.
    track17_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Newest first: {"at", "status", "description", "location", "source"}; merged, never duplicated.
    tracking_events: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'")
    )
    estimated_delivery: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ShippingAccount(Timestamps, Base):
    """A family's shipping settings: the sender address and its Sendcloud keys (encrypted with the
    instance's SecretBox, like the Vinted session; never returned by the API)."""

    __tablename__ = "shipping_accounts"

    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), primary_key=True
    )
    sender_address: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    # {"public_key", "secret_key", "webhook_key"?} encrypted; None until the admin enters them.
    sendcloud_keys: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The unguessable last part of this family's Sendcloud webhook URL (which family's secret verifies it).
    webhook_token: Mapped[str] = mapped_column(String(64), unique=True)
    default_option_code: Mapped[str | None] = mapped_column(String(120), nullable=True)
