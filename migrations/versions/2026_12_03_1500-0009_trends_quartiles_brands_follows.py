"""Trends: quartiles, a brand within the category, favourites and disappearance, what the search
honoured, the scraper's aggregate number; the searches each family follows

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("trends", sa.Column("brand", sa.String(length=120), nullable=True))
    for name in ("q1_price", "median_price", "q3_price"):
        op.add_column("trends", sa.Column(name, sa.Numeric(10, 2), nullable=True))
    op.add_column("trends", sa.Column("favourites_per_day", sa.Numeric(10, 3), nullable=True))
    op.add_column("trends", sa.Column("disappearance_per_day", sa.Numeric(8, 4), nullable=True))
    op.add_column(
        "trends",
        sa.Column(
            "sample", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
    )
    op.add_column("trends", sa.Column("source_id", sa.BigInteger(), nullable=True))
    op.create_unique_constraint("uq_trends_source_id", "trends", ["source_id"])
    op.create_index("ix_trends_category_brand_scraped", "trends", ["category_id", "brand", "scraped_at"])
    op.create_table(
        "trend_follows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("category_name", sa.String(length=200), nullable=False),
        sa.Column("brand", sa.String(length=120), nullable=True),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("search_text", sa.String(length=120), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["families.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("family_id", "category_id", "brand", name="uq_trend_follows_search"),
    )
    op.create_index("ix_trend_follows_family_id", "trend_follows", ["family_id"])


def downgrade() -> None:
    op.drop_index("ix_trend_follows_family_id", table_name="trend_follows")
    op.drop_table("trend_follows")
    op.drop_index("ix_trends_category_brand_scraped", table_name="trends")
    op.drop_constraint("uq_trends_source_id", "trends", type_="unique")
    for name in (
        "source_id", "sample", "disappearance_per_day", "favourites_per_day", "q3_price", "median_price",
        "q1_price", "brand",
    ):  # fmt: skip
        op.drop_column("trends", name)
