from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, UUIDPrimaryKey, utcnow


class VintedPairing(UUIDPrimaryKey, Base):
    """A short-lived, single-use code a member creates in the app and types into the browser extension,
    which sends it back with the member's Vinted cookies. A new code replaces the member's older ones."""

    __tablename__ = "vinted_pairings"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only the SHA-256 of the code is stored.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    redeemed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
