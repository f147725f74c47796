"""Messaging: each shop's send window and language, its own template wordings (each with the
name it is approved under), and what each outbox message is for.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

Plain SQLAlchemy types (see 0001): instants timestamptz on PostgreSQL and UTC text on SQLite;
a window's hours are "HH:MM" text, read in the shop's own time zone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant() -> sa.DateTime:
    return sa.DateTime(timezone=True).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "messaging_shop_settings",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.String(), nullable=True),
        sa.Column("window_end", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_messaging_shop_settings_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_messaging_shop_settings")),
    )
    op.create_table(
        "messaging_templates",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("language", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("approved_name", sa.String(), nullable=False),
        sa.Column("updated_at", _instant(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.id"],
            name=op.f("fk_messaging_templates_shop_id_shops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "kind", "language", name=op.f("pk_messaging_templates")),
    )
    op.add_column("outbox_messages", sa.Column("purpose", sa.String(), nullable=True))
    # The dispatcher's gate reads a number's sends of the last 24 h and a buyer's latest
    # message for every message it judges: without these it scanned the whole outbox.
    op.create_index(
        op.f("ix_outbox_messages_from_number_claimed_at_state"),
        "outbox_messages",
        ["from_number", "claimed_at", "state"],
    )
    op.create_index(
        op.f("ix_outbox_messages_to_phone_claimed_at"),
        "outbox_messages",
        ["to_phone", "claimed_at"],
    )
    # Until now each purpose had one approved template, except the service ones, which shared
    # order_service_v1: those stay unknown.
    for template, purpose in (
        ("order_received_v1", "order_received"),
        ("order_delivered_review_v1", "review_request"),
    ):
        op.execute(
            sa.text(
                "UPDATE outbox_messages SET purpose = :purpose WHERE template = :template"
            ).bindparams(purpose=purpose, template=template)
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_messages_to_phone_claimed_at"), table_name="outbox_messages")
    op.drop_index(
        op.f("ix_outbox_messages_from_number_claimed_at_state"), table_name="outbox_messages"
    )
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("purpose")
    op.drop_table("messaging_templates")
    op.drop_table("messaging_shop_settings")
