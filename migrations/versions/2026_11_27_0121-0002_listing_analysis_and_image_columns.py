"""listing analysis and image columns

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 01:21:47.257117
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing photos take their listing's family, then the column becomes required.
    op.add_column("images", sa.Column("family_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE images SET family_id = listings.family_id FROM listings WHERE images.listing_id = listings.id"
    )
    op.alter_column("images", "family_id", nullable=False)
    op.add_column("images", sa.Column("thumbnail_path", sa.String(length=500), nullable=True))
    op.add_column("images", sa.Column("width", sa.Integer(), nullable=True))
    op.add_column("images", sa.Column("height", sa.Integer(), nullable=True))
    op.add_column("images", sa.Column("size_bytes", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_images_family_id"), "images", ["family_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_images_family_id_families"), "images", "families", ["family_id"], ["id"], ondelete="CASCADE"
    )
    op.add_column("listings", sa.Column("category_id", sa.Integer(), nullable=True))
    op.add_column(
        "listings",
        sa.Column(
            "ai_suggestion",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.add_column("listings", sa.Column("analysis_error", sa.String(length=300), nullable=True))
    op.add_column(
        "listings", sa.Column("analysis_attempts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("listings", sa.Column("next_analysis_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_listings_analysis_due", "listings", ["analysis_status", "next_analysis_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_listings_analysis_due", table_name="listings")
    op.drop_column("listings", "next_analysis_at")
    op.drop_column("listings", "analysis_attempts")
    op.drop_column("listings", "analysis_error")
    op.drop_column("listings", "ai_suggestion")
    op.drop_column("listings", "category_id")
    op.drop_constraint(op.f("fk_images_family_id_families"), "images", type_="foreignkey")
    op.drop_index(op.f("ix_images_family_id"), table_name="images")
    op.drop_column("images", "size_bytes")
    op.drop_column("images", "height")
    op.drop_column("images", "width")
    op.drop_column("images", "thumbnail_path")
    op.drop_column("images", "family_id")
