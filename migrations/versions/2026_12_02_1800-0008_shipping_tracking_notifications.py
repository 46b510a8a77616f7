"""Shipping: a shipment's label, tracking and status life; each family's shipping account (sender address,
encrypted Sendcloud keys); webhook receipts; notifications (the activity feed)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "('ready', 'in_transit', 'out_for_delivery', 'pickup', 'delivered', 'delivery_failed', 'exception', "
    "'returned', 'expired', 'cancelled')"
)
OPEN = "status NOT IN ('delivered', 'returned', 'cancelled')"
NEW_COLUMNS = (
    sa.Column("user_id", sa.Uuid(), nullable=True),
    sa.Column("source", sa.String(length=16), server_default="sendcloud", nullable=False),
    sa.Column("order_number", sa.String(length=40), nullable=True),
    sa.Column("carrier_code", sa.String(length=40), nullable=True),
    sa.Column("shipping_option_code", sa.String(length=120), nullable=True),
    sa.Column("tracking_url", sa.String(length=500), nullable=True),
    sa.Column(
        "label_formats",
        postgresql.ARRAY(sa.String(length=8)),
        server_default=sa.text("'{pdf}'"),
        nullable=False,
    ),
    sa.Column("weight_kg", sa.Numeric(7, 3), nullable=True),
    sa.Column("status_message", sa.String(length=300), nullable=True),
    sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("sendcloud_shipment_id", sa.String(length=40), nullable=True),
    sa.Column("track17_carrier", sa.Integer(), nullable=True),
    sa.Column("track17_registered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("track17_error", sa.String(length=200), nullable=True),
    sa.Column("estimated_delivery", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
)


def upgrade() -> None:
    for column in NEW_COLUMNS:
        op.add_column("shipments", column)
    op.create_foreign_key(
        op.f("fk_shipments_user_id_users"), "shipments", "users", ["user_id"], ["id"], ondelete="SET NULL"
    )
    op.create_unique_constraint(op.f("uq_shipments_order_number"), "shipments", ["order_number"])
    # The old free-text "created" (and anything else outside the life) is a label waiting for the carrier.
    op.execute(f"UPDATE shipments SET status = 'ready' WHERE status NOT IN {STATUSES}")  # noqa: S608 - a constant
    op.alter_column("shipments", "status", server_default="ready")
    op.create_check_constraint(op.f("ck_shipments_status"), "shipments", f"status IN {STATUSES}")
    op.create_check_constraint(op.f("ck_shipments_source"), "shipments", "source IN ('sendcloud', 'other')")
    op.execute("UPDATE shipments SET source = 'other' WHERE sendcloud_parcel_id IS NULL")
    op.create_index("ix_shipments_open", "shipments", ["family_id"], postgresql_where=sa.text(OPEN))
    op.create_index("ix_shipments_sendcloud_parcel_id", "shipments", ["sendcloud_parcel_id"])

    op.create_table(
        "shipping_accounts",
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column(
            "sender_address",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("sendcloud_keys", sa.LargeBinary(), nullable=True),
        sa.Column("webhook_token", sa.String(length=64), nullable=False),
        sa.Column("default_option_code", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_shipping_accounts_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("family_id", name=op.f("pk_shipping_accounts")),
        sa.UniqueConstraint("webhook_token", name=op.f("uq_shipping_accounts_webhook_token")),
    )
    op.create_table(
        "notifications",
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=1000), server_default="", nullable=False),
        sa.Column(
            "data", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_notifications_family_id_families"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_family_created", "notifications", ["family_id", sa.text("created_at DESC")]
    )
    op.create_index("ux_notifications_once", "notifications", ["family_id", "dedupe_key"], unique=True)
    op.create_table(
        "webhook_receipts",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "body_hash", name=op.f("pk_webhook_receipts")),
    )
    op.create_index(op.f("ix_webhook_receipts_received_at"), "webhook_receipts", ["received_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_receipts_received_at"), table_name="webhook_receipts")
    op.drop_table("webhook_receipts")
    op.drop_index("ux_notifications_once", table_name="notifications")
    op.drop_index("ix_notifications_family_created", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("shipping_accounts")
    op.drop_index("ix_shipments_sendcloud_parcel_id", table_name="shipments")
    op.drop_index("ix_shipments_open", table_name="shipments")
    op.drop_constraint(op.f("ck_shipments_source"), "shipments", type_="check")
    op.drop_constraint(op.f("ck_shipments_status"), "shipments", type_="check")
    op.alter_column("shipments", "status", server_default="created")
    op.execute("UPDATE shipments SET status = 'created' WHERE status = 'ready'")
    op.drop_constraint(op.f("uq_shipments_order_number"), "shipments", type_="unique")
    op.drop_constraint(op.f("fk_shipments_user_id_users"), "shipments", type_="foreignkey")
    for column in reversed(NEW_COLUMNS):
        op.drop_column("shipments", column.name)
