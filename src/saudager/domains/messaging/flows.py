"""Flows: which message, if any, an order calls for.

Message 1 (:func:`message_one`) goes when a new order arrives, unless the order is already
cancelled, returned or completed by the time we see it (then it would tell the buyer nothing
new) or Kaspi gives no usable phone.

Message 2 (:func:`message_two`) is decided once the order is over — completed, cancelled or
returned. Service comes first; the first rule that holds gives the answer:

1. the buyer complained about the order → ``complaint_follow_up``;
2. the order was returned, or a return of it is on record (its status is ``RETURNED``,
   ``KASPI_DELIVERY_RETURN_REQUESTED`` or ``RETURN_ACCEPTED_BY_MERCHANT``) → ``returned``;
3. the order was cancelled (``CANCELLED`` or ``CANCELLING``): by the seller or Kaspi →
   ``cancelled``; by the buyer → nothing (the buyer knows; every message must be useful);
4. the order is not ``COMPLETED`` (still on its way) → nothing yet;
5. the handover was late → ``late_apology``. Late has the quality module's meaning
   (``LATE_HANDOVERS`` in ``saudager.domains.quality.facts``): a Kaspi Delivery order handed
   over (``handed_over_at``) after its ``handover_deadline``;
6. the buyer is in the holdout group (see ``stats``) → nothing;
7. otherwise → ``review_request`` with the product's review link.

A review request is never sent after a complaint, a return, a cancellation or a late handover,
and never decided by what the buyer said: no sentiment gate. Whoever gets a review request gets
the link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from saudager.core.phones import normalize_kz_phone
from saudager.domains.messaging.templates import MessageKind
from saudager.domains.orders.types import CancelledBy, Order, OrderStatus, Return

RETURN_STATUSES: frozenset[str] = frozenset(
    {
        OrderStatus.RETURNED,
        OrderStatus.KASPI_DELIVERY_RETURN_REQUESTED,
        OrderStatus.RETURN_ACCEPTED_BY_MERCHANT,
    }
)
CANCEL_STATUSES: frozenset[str] = frozenset({OrderStatus.CANCELLED, OrderStatus.CANCELLING})


class Skip(StrEnum):
    """Why an order gets no message now."""

    NO_PHONE = "no_phone"  # Kaspi masked the number or none was given
    ALREADY_OVER = "already_over"  # message 1 for an order already finished
    BUYER_CANCELLED = "buyer_cancelled"
    HOLDOUT = "holdout"  # the buyer is in the group that gets no message 2
    NOT_OVER = "not_over"  # message 2: the order is still on its way


@dataclass(frozen=True, slots=True)
class Step:
    """The outcome of a flow: a message of ``kind`` to ``phone``, or ``skip`` saying why not."""

    kind: MessageKind | None
    phone: str | None = None
    skip: Skip | None = None


def handover_was_late(order: Order) -> bool:
    """The quality module's late handover: a Kaspi Delivery order handed over after its deadline.

    An order with no deadline or not yet handed over is not late (as in ``LATE_HANDOVERS``).
    """
    return (
        order.is_kaspi_delivery
        and order.handed_over_at is not None
        and order.handover_deadline is not None
        and order.handed_over_at > order.handover_deadline
    )


def was_returned(order: Order, returns: Sequence[Return]) -> bool:
    return order.status in RETURN_STATUSES or any(r.order_code == order.code for r in returns)


def message_one(order: Order) -> Step:
    """Message 1 for a new order (see the module's text)."""
    phone = normalize_kz_phone(order.customer_phone)
    if phone is None:
        return Step(None, skip=Skip.NO_PHONE)
    if order.status in CANCEL_STATUSES | RETURN_STATUSES | {OrderStatus.COMPLETED}:
        return Step(None, skip=Skip.ALREADY_OVER)
    return Step(MessageKind.ORDER_RECEIVED, phone)


def message_two(
    order: Order,
    *,
    returns: Sequence[Return] = (),
    complained: bool = False,
    in_holdout: bool = False,
) -> Step:
    """Message 2 for an order that is over (see the module's text for the precedence)."""
    phone = normalize_kz_phone(order.customer_phone)
    if phone is None:
        return Step(None, skip=Skip.NO_PHONE)
    if complained:
        return Step(MessageKind.COMPLAINT_FOLLOW_UP, phone)
    if was_returned(order, returns):
        return Step(MessageKind.RETURNED, phone)
    if order.status in CANCEL_STATUSES:
        if order.cancelled_by == CancelledBy.BUYER:
            return Step(None, skip=Skip.BUYER_CANCELLED)
        return Step(MessageKind.CANCELLED, phone)
    if order.status != OrderStatus.COMPLETED:
        return Step(None, skip=Skip.NOT_OVER)
    if handover_was_late(order):
        return Step(MessageKind.LATE_APOLOGY, phone)
    if in_holdout:
        return Step(None, skip=Skip.HOLDOUT)
    return Step(MessageKind.REVIEW_REQUEST, phone)
