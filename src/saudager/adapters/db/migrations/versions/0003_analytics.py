"""Analytics: advertising spend and the seller's own commission rates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

Plain SQLAlchemy types (see 0001): money is BIGINT tiyn.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _shop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["shop_id"], ["shops.id"], name=op.f(f"fk_{table}_shop_id_shops"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "ad_spend",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sku", sa.String(), nullable=False),  # "" for a campaign not tied to one SKU
        sa.Column("campaign", sa.String(), nullable=False),  # "" when not named
        sa.Column("amount", sa.BigInteger(), nullable=False),
        _shop_fk("ad_spend"),
        sa.PrimaryKeyConstraint("shop_id", "day", "sku", "campaign", name=op.f("pk_ad_spend")),
    )
    op.create_table(
        "commission_rates",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("payment_mode", sa.String(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _shop_fk("commission_rates"),
        sa.PrimaryKeyConstraint(
            "shop_id",
            "category",
            "payment_mode",
            "effective_from",
            name=op.f("pk_commission_rates"),
        ),
    )


def downgrade() -> None:
    op.drop_table("commission_rates")
    op.drop_table("ad_spend")
