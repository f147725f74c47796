"""The tables, as SQLAlchemy Core ``Table``s on one ``MetaData``.

These describe storage only: they are not API schemas and not domain types (the store maps rows
to the dataclasses of ``saudager.domains``). The schema in a database is created by the Alembic
migrations in ``migrations/``; a test checks that they and these tables agree.

Every table but ``shops`` carries ``shop_id`` and is keyed by natural keys within the shop (the
order code, the SKU, the review key), so one database serves many shops and a re-sync or
re-import lands on the same rows.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from saudager.adapters.db.types import Kilograms, Money, ScaledDecimal, UtcDateTime

# Deterministic constraint names, so migrations can refer to them on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments an ``INTEGER PRIMARY KEY``; PostgreSQL gets a 64-bit identity.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


def _shop_id() -> Column[int]:
    return Column(
        "shop_id",
        Integer,
        ForeignKey("shops.id", ondelete="CASCADE"),
        primary_key=True,
        nullable=False,
    )


shops = Table(
    "shops",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String, nullable=False, unique=True),
    Column("timezone", String, nullable=False),
    Column("api_url", String, nullable=True),
    # Encrypted by the caller; the store never sees the plain token.
    Column("token_ciphertext", LargeBinary, nullable=True),
    # NULL: the install's kaspi_requests_per_second setting.
    Column("requests_per_second", Float, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    # Raised by every write of the shop's orders, returns, reviews, costs, ad spend or
    # commission rates: a reader keeps frames and reports computed at one revision until the
    # revision moves, whichever process wrote.
    Column("data_revision", BigInteger, nullable=False, server_default="0"),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("status", String, nullable=False),
    Column("orders_seen", Integer, nullable=False),
    Column("orders_written", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Index(None, "shop_id", "started_at"),
)

sync_watermarks = Table(
    "sync_watermarks",
    metadata,
    _shop_id(),
    Column("state", String, primary_key=True),
    Column("fetched_until", UtcDateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    _shop_id(),
    Column("sku", String, primary_key=True),
    Column("name", Text, nullable=False),
    Column("category", String, nullable=True),
    Column("brand", String, nullable=True),
    Column("weight_kg", Kilograms, nullable=True),
    Column("stock", Integer, nullable=True),
    Column("kaspi_product_code", String, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

product_costs = Table(
    "product_costs",
    metadata,
    _shop_id(),
    Column("sku", String, primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("purchase_cost", Money, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    _shop_id(),
    Column("code", String, primary_key=True),
    Column("kaspi_id", String, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("state", String, nullable=False),
    Column("status", String, nullable=False),
    Column("delivery_mode", String, nullable=True),
    Column("is_kaspi_delivery", Boolean, nullable=False),
    Column("handover_deadline", UtcDateTime, nullable=True),
    Column("handed_over_at", UtcDateTime, nullable=True),
    Column("planned_delivery_at", UtcDateTime, nullable=True),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("cancelled_at", UtcDateTime, nullable=True),
    Column("cancellation_reason", Text, nullable=True),
    Column("cancelled_by", String, nullable=True),
    Column("total_price", Money, nullable=False),
    Column("delivery_cost_for_seller", Money, nullable=True),
    Column("payment_mode", String, nullable=True),
    Column("city", String, nullable=True),
    Column("customer_id", String, nullable=True),
    Column("customer_name", Text, nullable=True),
    Column("customer_phone", String, nullable=True),
    Column("source", String, nullable=False),
    # Digest of the order's fields and of its lines (see store.py): a re-sync compares digests
    # instead of rows, and writes only what changed.
    Column("fingerprint", String, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "shop_id", "created_at"),
    Index(None, "shop_id", "status"),
    Index(None, "shop_id", "kaspi_id"),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("shop_id", Integer, primary_key=True),
    Column("order_code", String, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("total_price", Money, nullable=False),
    Column("product_name", Text, nullable=True),
    Column("category", String, nullable=True),
    Column("kaspi_product_code", String, nullable=True),
    Column("kaspi_entry_id", String, nullable=True),
    # Lines belong to their order (and through it to the shop): no separate FK to shops.
    ForeignKeyConstraint(
        ["shop_id", "order_code"], ["orders.shop_id", "orders.code"], ondelete="CASCADE"
    ),
)

reviews = Table(
    "reviews",
    metadata,
    _shop_id(),
    Column("key", String, primary_key=True),
    Column("rating", Integer, nullable=False),
    Column("text", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("approved_at", UtcDateTime, nullable=True),
    Column("deleted_at", UtcDateTime, nullable=True),
    # Not a foreign key: a review may arrive (or be imported) before its order.
    Column("order_code", String, nullable=True),
    Column("sku", String, nullable=True),
    Column("author", Text, nullable=True),
    Column("source", String, nullable=False),
    CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    Index(None, "shop_id", "approved_at"),
)

returns = Table(
    "returns",
    metadata,
    _shop_id(),
    Column("key", String, primary_key=True),
    # Not a foreign key, for the same reason as reviews.order_code.
    Column("order_code", String, nullable=False),
    Column("sku", String, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("reason", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("source", String, nullable=False),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint("reason IN ('quality', 'other', 'unknown')", name="reason"),
)

quality_snapshots = Table(
    "quality_snapshots",
    metadata,
    _shop_id(),
    # The shop's local day the indicator was computed as of.
    Column("day", Date, primary_key=True),
    Column("indicator", String, primary_key=True),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    # Percent or stars, exact to two places (hundredths); NULL when nothing to divide.
    Column("value", ScaledDecimal(2), nullable=True),
    Column("status", String, nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
)

alerts_sent = Table(
    "alerts_sent",
    metadata,
    _shop_id(),
    # Identifies the condition and its episode: the same key is never sent twice.
    Column("key", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("sent_at", UtcDateTime, nullable=False),
)

ad_spend = Table(
    "ad_spend",
    metadata,
    _shop_id(),
    Column("day", Date, primary_key=True),
    # "" (not NULL, so it can be part of the key) for a campaign not tied to one SKU.
    Column("sku", String, primary_key=True),
    Column("campaign", String, primary_key=True),
    Column("amount", Money, nullable=False),
)

commission_rates = Table(
    "commission_rates",
    metadata,
    _shop_id(),
    # The seller's own rates; they win over the shipped defaults for the same key and day.
    Column("category", String, primary_key=True),
    Column("payment_mode", String, primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("rate_bp", Integer, nullable=False),
    Column("source", Text, nullable=False),
)


# --- accounts: who may see which shop -------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String, nullable=False, unique=True),  # stored lower-case
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("display_name", String, nullable=False),
    Column("language", String, nullable=False),  # "ru" or "en"
    Column("created_at", UtcDateTime, nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String, nullable=False),  # owner, manager, viewer
    Index(None, "shop_id"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    # SHA-256 of the cookie's secret: a copy of the database cannot be replayed as a login.
    Column("secret_digest", String, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index(None, "user_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String, nullable=False),
    Column("secret_digest", String, nullable=False, unique=True),  # SHA-256 of the token
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime, nullable=True),
    Index(None, "user_id"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("username", String, nullable=False),
    Column("client", String, nullable=False),  # the client's address
    Column("at", UtcDateTime, nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index(None, "username", "at"),
    Index(None, "client", "at"),
)


# --- messaging: the outbox of buyer messages and what the provider reported -----------------

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), nullable=False),
    # The idempotency key: one message per shop, order and kind.
    Column("order_code", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("callback_data", String, nullable=False, unique=True),
    Column("from_number", String, nullable=False),
    Column("to_phone", String, nullable=False),  # "+7XXXXXXXXXX", as the orders store it
    Column("template", String, nullable=False),
    Column("language", String, nullable=False),
    Column("body_parameters", Text, nullable=False),  # a JSON array of strings
    Column("button_url_parameter", Text, nullable=True),
    Column("purpose", String, nullable=True),  # the message kind: review_request, …
    Column("due_at", UtcDateTime, nullable=False),
    Column("state", String, nullable=False),  # queued, claimed, sent, failed, unknown, cancelled
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("claim_token", String, nullable=True),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("provider_message_id", String, nullable=True, unique=True),
    Column("last_error", Text, nullable=True),
    Column("delivery_status", String, nullable=True),  # the highest-ranked status received
    Column("delivery_status_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("shop_id", "order_code", "kind"),
    Index(None, "state", "next_attempt_at"),
    # The dispatcher's gate: a number's sends of the last 24 h, a buyer's latest message.
    Index(None, "from_number", "claimed_at", "state"),  # counted from the index alone
    Index(None, "to_phone", "claimed_at"),
)

message_status_events = Table(
    "message_status_events",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("provider_message_id", String, nullable=False),
    Column("status", String, nullable=False),  # sent, delivered, read, failed
    Column("at", UtcDateTime, nullable=False),
    Column("recipient", String, nullable=False),
    Column("callback_data", String, nullable=True),
    Column("error_code", Integer, nullable=True),
    Column("error_title", Text, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    # Webhooks are delivered at least once: a repeated (message, status) is stored once.
    UniqueConstraint("provider_message_id", "status"),
    Index(None, "callback_data"),
)

messaging_number_stops = Table(
    "messaging_number_stops",
    metadata,
    Column("number", String, primary_key=True),  # our business number, E.164
    Column("kind", String, nullable=False),  # the refusal kind that stopped it
    Column("reason", Text, nullable=False),
    Column("stopped_at", UtcDateTime, nullable=False),
)


# --- messaging: what buyers wrote back, and who asked us to stop ----------------------------

messaging_inbound = Table(
    "messaging_inbound",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    # Webhooks are delivered at least once: a repeated message is stored (and triaged) once.
    Column("provider_message_id", String, nullable=False, unique=True),
    Column("business_number", String, nullable=False),  # our number the buyer wrote to
    Column("sender", String, nullable=False),  # the buyer, E.164 "+7…"
    Column("at", UtcDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("in_reply_to", String, nullable=True),  # the message of ours it quotes
    Column("button_payload", String, nullable=True),
    Column("category", String, nullable=False),  # opt_out, complaint, question, thanks, other
    Column("matched", Text, nullable=False),  # a JSON array: the terms that decided it
    Column("stars", Integer, nullable=True),
    # The order it was matched to, when it was: the shop whose message it answers.
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), nullable=True),
    Column("order_code", String, nullable=True),
    Column("outbox_message_id", _BigId, nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),  # the seller dealt with it
    Index(None, "shop_id", "category", "at"),
    Index(None, "sender", "at"),
)

messaging_opt_outs = Table(
    "messaging_opt_outs",
    metadata,
    # One row per buyer and business number: it stops every shop on that number.
    Column("business_number", String, primary_key=True),
    Column("phone", String, primary_key=True),
    Column("at", UtcDateTime, nullable=False),  # when the buyer asked
    Column("source", String, nullable=False),  # keyword, button, seller
    # The shop whose message the buyer answered, when known (informational).
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="SET NULL"), nullable=True),
    Column("provider_message_id", String, nullable=True),  # the inbound message
    Column("recorded_at", UtcDateTime, nullable=False),
)

messaging_shop_pauses = Table(
    "messaging_shop_pauses",
    metadata,
    # A shop's kill switch: while its row is here, none of its messages leaves.
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True),
    Column("paused_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
)

messaging_shop_settings = Table(
    "messaging_shop_settings",
    metadata,
    # A shop's own send window ("HH:MM" in its time zone) and language; NULL: the install's.
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True),
    Column("window_start", String, nullable=True),
    Column("window_end", String, nullable=True),
    Column("language", String, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
)

messaging_templates = Table(
    "messaging_templates",
    metadata,
    # A shop's own wording of one kind in one language, checked before it was stored.
    Column("shop_id", Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String, primary_key=True),
    Column("language", String, primary_key=True),
    Column("body", Text, nullable=False),
    # The name it is approved under at WhatsApp (the shop's own template, not the ready one's).
    Column("approved_name", String, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
