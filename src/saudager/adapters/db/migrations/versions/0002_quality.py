"""Quality: daily indicator snapshots and the log of alerts sent.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Plain SQLAlchemy types (see 0001): the value is BIGINT hundredths, instants timestamptz on
PostgreSQL and UTC text on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def _shop_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["shop_id"], ["shops.id"], name=op.f(f"fk_{table}_shop_id_shops"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "quality_snapshots",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("indicator", sa.String(), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("computed_at", _instant(), nullable=False),
        _shop_fk("quality_snapshots"),
        sa.PrimaryKeyConstraint("shop_id", "day", "indicator", name=op.f("pk_quality_snapshots")),
    )
    op.create_table(
        "alerts_sent",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", _instant(), nullable=False),
        _shop_fk("alerts_sent"),
        sa.PrimaryKeyConstraint("shop_id", "key", name=op.f("pk_alerts_sent")),
    )


def downgrade() -> None:
    op.drop_table("alerts_sent")
    op.drop_table("quality_snapshots")
