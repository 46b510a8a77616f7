"""Vinted's ids beside a listing's names (size, condition, colours, parcel size) and its material

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from vinted_optimizer.vocabulary import CONDITION_STATUS_IDS, VINTED_COLORS

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS_ID = sa.text("UPDATE listings SET status_id = :status_id WHERE condition = :condition")
_COLOR_IDS = sa.text(
    """
    UPDATE listings SET color_ids = ARRAY(
        SELECT known.id FROM unnest(listings.colors) WITH ORDINALITY AS named(name, position)
        JOIN unnest(CAST(:names AS text[]), CAST(:ids AS integer[])) AS known(name, id)
          ON known.name = named.name
        ORDER BY named.position
    )
    WHERE cardinality(colors) > 0
    """
)


def upgrade() -> None:
    op.add_column("listings", sa.Column("size_id", sa.Integer(), nullable=True))
    op.add_column("listings", sa.Column("status_id", sa.Integer(), nullable=True))
    op.add_column(
        "listings",
        sa.Column("color_ids", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False),
    )
    op.add_column("listings", sa.Column("package_size_id", sa.Integer(), nullable=True))
    op.add_column("listings", sa.Column("material", sa.String(length=60), nullable=True))
    op.add_column("listings", sa.Column("material_id", sa.Integer(), nullable=True))
    # Vinted takes two colours at most: a listing keeps its first two (the others could not be published).
    op.execute("UPDATE listings SET colors = colors[1:2] WHERE cardinality(colors) > 2")
    bind = op.get_bind()
    bind.execute(
        _STATUS_ID,
        [{"status_id": status, "condition": condition} for condition, status in CONDITION_STATUS_IDS.items()],
    )
    bind.execute(_COLOR_IDS, {"names": [c.name for c in VINTED_COLORS], "ids": [c.id for c in VINTED_COLORS]})


def downgrade() -> None:
    for column in ("material_id", "material", "package_size_id", "color_ids", "status_id", "size_id"):
        op.drop_column("listings", column)
