from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, UUIDPrimaryKey, utcnow


class Notification(UUIDPrimaryKey, Base):
    """Something the family should know (a sale recorded, a parcel delivered or in trouble): an entry of
    the family's activity feed, and an e-mail to each member who has not opted out when SMTP is set."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_family_created", "family_id", text("created_at DESC")),
        # The same happening (a kind and what it is about) is notified once, however often it is reported.
        Index("ux_notifications_once", "family_id", "dedupe_key", unique=True),
    )

    family_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    # The member it is about (the seller), if any.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebhookReceipt(Base):
    """A webhook delivery already processed (SHA-256 of its raw body per source): a redelivery is
    answered 200 and changes nothing."""

    __tablename__ = "webhook_receipts"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
