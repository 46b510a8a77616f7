"""Sales: the shipping paid by the seller in the net profit, Vinted's transaction life, one sale per listing

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_STATUSES = "('pending', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded')"
OLD_STATUSES = "('pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded')"
STANDING = "status NOT IN ('cancelled', 'refunded')"


def _net_profit(expression: str) -> None:
    # A generated column's expression cannot be altered: it is dropped and added again.
    op.drop_column("sales", "net_profit")
    op.add_column(
        "sales",
        sa.Column("net_profit", sa.Numeric(10, 2), sa.Computed(expression, persisted=True), nullable=True),
    )


def upgrade() -> None:
    op.add_column("sales", sa.Column("shipping_cost", sa.Numeric(10, 2), server_default="0", nullable=False))
    op.add_column("sales", sa.Column("listing_status_before", sa.String(length=16), nullable=True))
    op.add_column("sales", sa.Column("title", sa.String(length=200), server_default="", nullable=False))
    op.add_column("sales", sa.Column("category", sa.String(length=200), nullable=True))
    op.add_column("sales", sa.Column("brand", sa.String(length=120), nullable=True))
    op.add_column("sales", sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True))
    # Sales recorded before keep what their listing says now (the closest there is to when it sold).
    op.execute(
        """
        UPDATE sales SET title = listings.title, category = listings.category, brand = listings.brand,
                         listed_at = listings.created_at
        FROM listings WHERE listings.id = sales.listing_id
        """
    )
    _net_profit("sale_price - vinted_fees - purchase_cost - shipping_cost")
    # "paid" was Vinted's "paid, waiting to be shipped": in the transaction life that is "pending".
    op.drop_constraint(op.f("ck_sales_status"), "sales", type_="check")
    op.execute("UPDATE sales SET status = 'pending' WHERE status = 'paid'")
    op.create_check_constraint(op.f("ck_sales_status"), "sales", f"status IN {NEW_STATUSES}")
    op.create_check_constraint(
        op.f("ck_sales_amounts_not_negative"),
        "sales",
        "sale_price >= 0 AND vinted_fees >= 0 AND purchase_cost >= 0 AND shipping_cost >= 0",
    )
    op.create_index(
        "ux_sales_listing_standing", "sales", ["listing_id"], unique=True, postgresql_where=sa.text(STANDING)
    )
    op.create_index("ix_sales_family_sold_at", "sales", ["family_id", "sold_at"])


def downgrade() -> None:
    op.drop_index("ix_sales_family_sold_at", table_name="sales")
    op.drop_index("ux_sales_listing_standing", table_name="sales")
    op.drop_constraint(op.f("ck_sales_amounts_not_negative"), "sales", type_="check")
    op.drop_constraint(op.f("ck_sales_status"), "sales", type_="check")
    # The old life had no "delivered": such a sale was still "shipped".
    op.execute("UPDATE sales SET status = 'shipped' WHERE status = 'delivered'")
    op.create_check_constraint(op.f("ck_sales_status"), "sales", f"status IN {OLD_STATUSES}")
    _net_profit("sale_price - vinted_fees - purchase_cost")
    for column in ("listed_at", "brand", "category", "title", "listing_status_before"):
        op.drop_column("sales", column)
    op.drop_column("sales", "shipping_cost")
