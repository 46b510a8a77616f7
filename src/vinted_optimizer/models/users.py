from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vinted_optimizer.kit.db import Base, Timestamps, UUIDPrimaryKey
from vinted_optimizer.models.families import Family


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        Index("uq_users_username_lower", func.lower(text("username")), unique=True),
        CheckConstraint("role IN ('admin', 'member')", name="role"),
        # Every member belongs to a family; only the instance administrator may stand outside one.
        CheckConstraint("family_id IS NOT NULL OR is_instance_admin", name="family_required"),
    )

    family_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("families.id", ondelete="CASCADE"), index=True, nullable=True
    )
    email: Mapped[str] = mapped_column(String(320))
    username: Mapped[str] = mapped_column(String(40))
    password_argon2: Mapped[str] = mapped_column(String(255))
    # Vinted session cookies, MultiFernet-encrypted JSON; never returned by the API.
    vinted_session_fernet: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # When the stored access token expires (its JWT's exp): the keep-alive refreshes the chain before.
    vinted_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # When Vinted refused the chain (a dead refresh token): the member must link the account again.
    vinted_dead_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Vinted's id of the account (the access token's subject), when it says.
    vinted_user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    preferences: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'"))
    # Role inside the family.
    role: Mapped[str] = mapped_column(String(16), default="member", server_default="member")
    # The instance administrator (created with `vinted-optimizer create-admin`), not a family role.
    is_instance_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")

    family: Mapped[Family | None] = relationship(lazy="raise")

    @property
    def vinted_linked(self) -> bool:
        return self.vinted_session_fernet is not None

    @property
    def vinted_status(self) -> str:
        """``linked``, ``dead`` (Vinted ended the session: link again) or ``not_linked``."""
        if self.vinted_session_fernet is not None:
            return "linked"
        return "dead" if self.vinted_dead_at is not None else "not_linked"

    @property
    def is_family_admin(self) -> bool:
        return self.family_id is not None and self.role == "admin"
