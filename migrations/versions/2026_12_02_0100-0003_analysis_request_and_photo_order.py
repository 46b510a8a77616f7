"""analysis request time; one photo order with the cover first

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("listings", sa.Column("analysis_requested_at", sa.DateTime(timezone=True), nullable=True))
    # The cover and the order used to be independent, and the API showed the cover first: keep what
    # members saw, as the one order (0, 1, 2…) whose first photo is the cover.
    op.execute(
        """
        UPDATE images SET display_order = ranked.position, is_primary = ranked.position = 0
        FROM (
            SELECT id, ROW_NUMBER() OVER (
                PARTITION BY listing_id ORDER BY is_primary DESC, display_order, created_at, id
            ) - 1 AS position
            FROM images
        ) AS ranked
        WHERE images.id = ranked.id
        """
    )


def downgrade() -> None:
    op.drop_column("listings", "analysis_requested_at")
