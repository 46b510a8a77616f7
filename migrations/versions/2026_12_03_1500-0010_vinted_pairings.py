"""vinted pairing codes (the browser extension's link) and the state of a member's Vinted session

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("vinted_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("vinted_dead_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("vinted_user_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "vinted_pairings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_vinted_pairings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vinted_pairings")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_vinted_pairings_code_hash")),
    )
    op.create_index(op.f("ix_vinted_pairings_user_id"), "vinted_pairings", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_vinted_pairings_user_id"), table_name="vinted_pairings")
    op.drop_table("vinted_pairings")
    op.drop_column("users", "vinted_user_id")
    op.drop_column("users", "vinted_dead_at")
    op.drop_column("users", "vinted_expires_at")
