"""Buyer messaging: the outbox, the status events received, the stopped business numbers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

Plain SQLAlchemy types (see 0001): instants timestamptz on PostgreSQL and UTC text on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def _big_id() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        autoincrement=True,
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        _big_id(),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("order_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("callback_data", sa.String(), nullable=False),
        sa.Column("from_number", sa.String(), nullable=False),
        sa.Column("to_phone", sa.String(), nullable=False),
        sa.Column("template", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("body_parameters", sa.Text(), nullable=False),
        sa.Column("button_url_parameter", sa.Text(), nullable=True),
        sa.Column("due_at", _instant(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _instant(), nullable=False),
        sa.Column("claim_token", sa.String(), nullable=True),
        sa.Column("claimed_at", _instant(), nullable=True),
        sa.Column("provider_message_id", sa.String(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivery_status", sa.String(), nullable=True),
        sa.Column("delivery_status_at", _instant(), nullable=True),
        sa.Column("created_at", _instant(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_outbox_messages_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("callback_data", name=op.f("uq_outbox_messages_callback_data")),
        sa.UniqueConstraint(
            "provider_message_id", name=op.f("uq_outbox_messages_provider_message_id")
        ),
        sa.UniqueConstraint(
            "shop_id",
            "order_code",
            "kind",
            name=op.f("uq_outbox_messages_shop_id_order_code_kind"),
        ),
    )
    op.create_index(
        op.f("ix_outbox_messages_state_next_attempt_at"),
        "outbox_messages",
        ["state", "next_attempt_at"],
    )
    op.create_table(
        "message_status_events",
        _big_id(),
        sa.Column("provider_message_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("at", _instant(), nullable=False),
        sa.Column("recipient", sa.String(), nullable=False),
        sa.Column("callback_data", sa.String(), nullable=True),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_title", sa.Text(), nullable=True),
        sa.Column("received_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_status_events")),
        sa.UniqueConstraint(
            "provider_message_id",
            "status",
            name=op.f("uq_message_status_events_provider_message_id_status"),
        ),
    )
    op.create_index(
        op.f("ix_message_status_events_callback_data"),
        "message_status_events",
        ["callback_data"],
    )
    op.create_table(
        "messaging_number_stops",
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("stopped_at", _instant(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_messaging_number_stops")),
    )


def downgrade() -> None:
    op.drop_table("messaging_number_stops")
    op.drop_table("message_status_events")
    op.drop_table("outbox_messages")
