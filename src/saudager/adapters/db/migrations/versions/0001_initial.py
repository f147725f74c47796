"""The initial schema: shops, sync bookkeeping, catalog, orders, reviews and returns.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Written with plain SQLAlchemy types, not the application's column types, so that this file keeps
describing what it created however ``types.py`` evolves: money and weights are ``BIGINT`` (tiyn,
grams), instants ``timestamptz`` on PostgreSQL and UTC text on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant() -> sa.DateTime:
    # SQLite: UTC text, "YYYY-MM-DD HH:MM:SS.ffffff" (see UtcDateTime).
    return sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def _tiyn() -> sa.BigInteger:
    return sa.BigInteger()


def _shop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["shop_id"], ["shops.id"], name=op.f(f"fk_{table}_shop_id_shops"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("api_url", sa.String(), nullable=True),
        sa.Column("token_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("requests_per_second", sa.Float(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shops")),
        sa.UniqueConstraint("name", name=op.f("uq_shops_name")),
    )

    op.create_table(
        "sync_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("started_at", _instant(), nullable=False),
        sa.Column("finished_at", _instant(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("orders_seen", sa.Integer(), nullable=False),
        sa.Column("orders_written", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _shop_fk("sync_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_index(op.f("ix_sync_runs_shop_id_started_at"), "sync_runs", ["shop_id", "started_at"])

    op.create_table(
        "sync_watermarks",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("fetched_until", _instant(), nullable=False),
        _shop_fk("sync_watermarks"),
        sa.PrimaryKeyConstraint("shop_id", "state", name=op.f("pk_sync_watermarks")),
    )

    op.create_table(
        "products",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("brand", sa.String(), nullable=True),
        sa.Column("weight_kg", sa.BigInteger(), nullable=True),  # grams
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("kaspi_product_code", sa.String(), nullable=True),
        sa.Column("updated_at", _instant(), nullable=False),
        _shop_fk("products"),
        sa.PrimaryKeyConstraint("shop_id", "sku", name=op.f("pk_products")),
    )

    op.create_table(
        "product_costs",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("purchase_cost", _tiyn(), nullable=False),
        _shop_fk("product_costs"),
        sa.PrimaryKeyConstraint("shop_id", "sku", "effective_from", name=op.f("pk_product_costs")),
    )

    op.create_table(
        "orders",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("kaspi_id", sa.String(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("delivery_mode", sa.String(), nullable=True),
        sa.Column("is_kaspi_delivery", sa.Boolean(), nullable=False),
        sa.Column("handover_deadline", _instant(), nullable=True),
        sa.Column("handed_over_at", _instant(), nullable=True),
        sa.Column("planned_delivery_at", _instant(), nullable=True),
        sa.Column("completed_at", _instant(), nullable=True),
        sa.Column("cancelled_at", _instant(), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by", sa.String(), nullable=True),
        sa.Column("total_price", _tiyn(), nullable=False),
        sa.Column("delivery_cost_for_seller", _tiyn(), nullable=True),
        sa.Column("payment_mode", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("customer_id", sa.String(), nullable=True),
        sa.Column("customer_name", sa.Text(), nullable=True),
        sa.Column("customer_phone", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("fingerprint", sa.String(), nullable=False),
        sa.Column("first_seen_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        _shop_fk("orders"),
        sa.PrimaryKeyConstraint("shop_id", "code", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_shop_id_created_at"), "orders", ["shop_id", "created_at"])
    op.create_index(op.f("ix_orders_shop_id_status"), "orders", ["shop_id", "status"])
    op.create_index(op.f("ix_orders_shop_id_kaspi_id"), "orders", ["shop_id", "kaspi_id"])

    op.create_table(
        "order_lines",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("order_code", sa.String(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", _tiyn(), nullable=False),
        sa.Column("total_price", _tiyn(), nullable=False),
        sa.Column("product_name", sa.Text(), nullable=True),
        sa.Column("category", sa.String(), nullable=True),
        sa.Column("kaspi_product_code", sa.String(), nullable=True),
        sa.Column("kaspi_entry_id", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id", "order_code"],
            ["orders.shop_id", "orders.code"],
            name=op.f("fk_order_lines_shop_id_order_code_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "order_code", "line_no", name=op.f("pk_order_lines")),
    )

    op.create_table(
        "reviews",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("approved_at", _instant(), nullable=True),
        sa.Column("deleted_at", _instant(), nullable=True),
        sa.Column("order_code", sa.String(), nullable=True),
        sa.Column("sku", sa.String(), nullable=True),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating")),
        _shop_fk("reviews"),
        sa.PrimaryKeyConstraint("shop_id", "key", name=op.f("pk_reviews")),
    )
    op.create_index(op.f("ix_reviews_shop_id_approved_at"), "reviews", ["shop_id", "approved_at"])

    op.create_table(
        "returns",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("order_code", sa.String(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_returns_quantity")),
        sa.CheckConstraint(
            "reason IN ('quality', 'other', 'unknown')", name=op.f("ck_returns_reason")
        ),
        _shop_fk("returns"),
        sa.PrimaryKeyConstraint("shop_id", "key", name=op.f("pk_returns")),
    )


def downgrade() -> None:
    # Children before parents; indexes go with their tables.
    for table in (
        "returns",
        "reviews",
        "order_lines",
        "orders",
        "product_costs",
        "products",
        "sync_watermarks",
        "sync_runs",
        "shops",
    ):
        op.drop_table(table)
