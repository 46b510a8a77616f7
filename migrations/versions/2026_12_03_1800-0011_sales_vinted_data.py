"""the sales sync: what Vinted said of a synced sale (kept when Vinted drops it), Vinted's own labels

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sales",
        sa.Column(
            "vinted_data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
    )
    op.drop_constraint(op.f("ck_shipments_source"), "shipments", type_="check")
    op.create_check_constraint(
        op.f("ck_shipments_source"), "shipments", "source IN ('sendcloud', 'other', 'vinted')"
    )


def downgrade() -> None:
    op.execute("UPDATE shipments SET source = 'other' WHERE source = 'vinted'")
    op.drop_constraint(op.f("ck_shipments_source"), "shipments", type_="check")
    op.create_check_constraint(op.f("ck_shipments_source"), "shipments", "source IN ('sendcloud', 'other')")
    op.drop_column("sales", "vinted_data")
