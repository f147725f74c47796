"""Messaging: each shop's kill switch.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24

Plain SQLAlchemy types (see 0001): instants timestamptz on PostgreSQL and UTC text on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "messaging_shop_pauses",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column(
            "paused_at",
            sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_messaging_shop_pauses_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_messaging_shop_pauses")),
    )


def downgrade() -> None:
    op.drop_table("messaging_shop_pauses")
