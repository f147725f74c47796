"""Buyer messaging: the inbound messages with their triage, and the opt-outs.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

Plain SQLAlchemy types (see 0001): instants timestamptz on PostgreSQL and UTC text on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def _big_int() -> sa.BigInteger:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "messaging_inbound",
        sa.Column("id", _big_int(), autoincrement=True, nullable=False),
        sa.Column("provider_message_id", sa.String(), nullable=False),
        sa.Column("business_number", sa.String(), nullable=False),
        sa.Column("sender", sa.String(), nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("in_reply_to", sa.String(), nullable=True),
        sa.Column("button_payload", sa.String(), nullable=True),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("order_code", sa.String(), nullable=True),
        sa.Column("outbox_message_id", _big_int(), nullable=True),
        sa.Column("received_at", _instant(), nullable=False),
        sa.Column("resolved_at", _instant(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_messaging_inbound_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_inbound")),
        sa.UniqueConstraint(
            "provider_message_id", name=op.f("uq_messaging_inbound_provider_message_id")
        ),
    )
    op.create_index(
        op.f("ix_messaging_inbound_shop_id_category_at"),
        "messaging_inbound",
        ["shop_id", "category", "at"],
    )
    op.create_index(op.f("ix_messaging_inbound_sender_at"), "messaging_inbound", ["sender", "at"])
    op.create_table(
        "messaging_opt_outs",
        sa.Column("business_number", sa.String(), nullable=False),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("provider_message_id", sa.String(), nullable=True),
        sa.Column("recorded_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_messaging_opt_outs_shop_id_shops"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("business_number", "phone", name=op.f("pk_messaging_opt_outs")),
    )


def downgrade() -> None:
    op.drop_table("messaging_opt_outs")
    op.drop_index(op.f("ix_messaging_inbound_sender_at"), table_name="messaging_inbound")
    op.drop_index(op.f("ix_messaging_inbound_shop_id_category_at"), table_name="messaging_inbound")
    op.drop_table("messaging_inbound")
