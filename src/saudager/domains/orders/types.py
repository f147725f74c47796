"""Orders, lines, reviews and returns as the rest of Saudager sees them.

Kaspi's enumerations are kept as plain strings: an unknown value from the API is stored as it
came rather than rejected, and the constants below name the values we know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class OrderState(StrEnum):
    NEW = "NEW"
    SIGN_REQUIRED = "SIGN_REQUIRED"
    PICKUP = "PICKUP"
    DELIVERY = "DELIVERY"
    KASPI_DELIVERY = "KASPI_DELIVERY"
    ARCHIVE = "ARCHIVE"


#: States an order can still leave; orders in them are re-fetched on every sync.
ACTIVE_STATES: frozenset[str] = frozenset(
    {
        OrderState.NEW,
        OrderState.SIGN_REQUIRED,
        OrderState.PICKUP,
        OrderState.DELIVERY,
        OrderState.KASPI_DELIVERY,
    }
)


class OrderStatus(StrEnum):
    APPROVED_BY_BANK = "APPROVED_BY_BANK"
    ACCEPTED_BY_MERCHANT = "ACCEPTED_BY_MERCHANT"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    CANCELLING = "CANCELLING"
    KASPI_DELIVERY_RETURN_REQUESTED = "KASPI_DELIVERY_RETURN_REQUESTED"
    RETURN_ACCEPTED_BY_MERCHANT = "RETURN_ACCEPTED_BY_MERCHANT"
    RETURNED = "RETURNED"


#: Statuses after which nothing more happens to an order.
FINAL_STATUSES: frozenset[str] = frozenset(
    {OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.RETURNED}
)


class CancelledBy(StrEnum):
    SELLER = "seller"
    BUYER = "buyer"
    KASPI = "kaspi"


class ReturnReason(StrEnum):
    QUALITY = "quality"  # differs from its description, defect
    OTHER = "other"
    UNKNOWN = "unknown"  # the API says RETURNED but not why


class Source(StrEnum):
    API = "api"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One entry of an order. ``line_no`` is Kaspi's ``entryNumber`` (1-based)."""

    line_no: int
    sku: str
    quantity: int
    unit_price: Decimal
    total_price: Decimal
    product_name: str | None = None
    category: str | None = None
    kaspi_product_code: str | None = None
    kaspi_entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class Order:
    """An order of one shop, keyed by its Kaspi ``code``. Every instant is aware UTC."""

    code: str
    created_at: datetime
    state: str
    status: str
    total_price: Decimal
    kaspi_id: str | None = None
    delivery_mode: str | None = None
    is_kaspi_delivery: bool = False
    handover_deadline: datetime | None = None  # kaspiDelivery.courierTransmissionPlanningDate
    handed_over_at: datetime | None = None  # kaspiDelivery.courierTransmissionDate
    planned_delivery_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancellation_reason: str | None = None
    cancelled_by: str | None = None  # a CancelledBy value
    delivery_cost_for_seller: Decimal | None = None
    payment_mode: str | None = None
    city: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    customer_phone: str | None = None  # +7XXXXXXXXXX, or None when Kaspi masked it
    source: str = Source.API
    lines: tuple[OrderLine, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Review:
    """A buyer's review of the shop. ``key`` is Kaspi's id, or a stable digest for imports."""

    key: str
    rating: int
    created_at: datetime
    text: str | None = None
    approved_at: datetime | None = None
    deleted_at: datetime | None = None
    order_code: str | None = None
    sku: str | None = None
    author: str | None = None
    source: str = Source.API


@dataclass(frozen=True, slots=True)
class Return:
    """Units of one order line sent back. ``key`` is ``{order_code}/{sku}`` (see ``return_key``)."""

    key: str
    order_code: str
    sku: str
    quantity: int
    reason: str  # a ReturnReason value
    created_at: datetime
    source: str = Source.API


@dataclass(frozen=True, slots=True)
class OrderBatch:
    """Orders read from Kaspi together with the returns their statuses reveal."""

    orders: list[Order]
    returns: list[Return]
    total_count: int = 0


def return_key(order_code: str, sku: str) -> str:
    """One return per order and SKU, whichever source reports it (API sync or file import)."""
    return f"{order_code}/{sku}"
