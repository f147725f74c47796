"""Pure rules about orders: who cancelled, which orders are still moving."""

from __future__ import annotations

from saudager.domains.orders.types import FINAL_STATUSES, CancelledBy, OrderState

#: Reasons Kaspi records when the seller cancels (or Kaspi cancels for the seller's inaction:
#: an order not accepted in time is auto-cancelled as ``MERCHANT_OUT_OF_STOCK``).
SELLER_REASONS = frozenset(
    {
        "MERCHANT_OUT_OF_STOCK",
        "BUYER_CANCELLATION_BY_MERCHANT",
        "BUYER_NOT_REACHABLE",
        "PRODUCT_UNDERWEIGHT",
        "OUT_OF_STOCK",
    }
)
#: Reasons recorded when the buyer cancels, directly or through a courier or the call centre.
BUYER_REASONS = frozenset(
    {
        "BUYER_CANCELLATION_HIMSELF",
        "BUYER_CANCELLATION_BY_COURIER",
        "BUYER_CANCELLATION_BY_CSC",
        "BUYER_NO_REPLY",
    }
)
#: Everything else Kaspi itself decides: timeouts on the buyer's side, credit refusals, faults.
KASPI_REASONS = frozenset(
    {
        "TIMEOUT_BUYER_PICKUP",
        "TIMEOUT_BUYER_SIGNATURE",
        "TIMEOUT_KASPI_DELIVERY",
        "RFO_REJECTED",
        "TECHNICAL_PROBLEM_CANCELLATION",
        "DELIVERY_PROBLEMS",
    }
)


def cancelled_by(reason: str | None) -> str | None:
    """Who cancelled an order with this Kaspi ``cancellationReason``, or ``None`` if unknown.

    This says who *acted*; whether a cancellation counts against the seller's quality indicator
    is the quality module's decision.
    """
    if reason is None:
        return None
    if reason in SELLER_REASONS:
        return CancelledBy.SELLER
    if reason in BUYER_REASONS:
        return CancelledBy.BUYER
    if reason in KASPI_REASONS:
        return CancelledBy.KASPI
    return None


def is_final(state: str, status: str) -> bool:
    """Nothing more will happen to the order: it need not be re-fetched."""
    return state == OrderState.ARCHIVE and status in FINAL_STATUSES
