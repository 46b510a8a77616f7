from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vinted_optimizer.kit.db import Base, UUIDPrimaryKey, utcnow


class PasswordReset(UUIDPrimaryKey, Base):
    """A single-use link that sets a new password: e-mailed to the account's address, or created by the
    family admin for a member. A new one replaces the account's older ones."""

    __tablename__ = "password_resets"
    __table_args__ = (CheckConstraint("via IN ('email', 'family_admin')", name="via"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only the SHA-256 of the single-use token is stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    via: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
