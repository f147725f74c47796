"""One order's whole life, drawn at generation time: when each status change will happen.

An order is stored as instants only (epoch ms, ``None`` = never happens); what the API shows at
a given simulated "now" is derived from them in ``world.py``. Storing the future up front keeps
the simulation deterministic for a seed and lets the clock move both ways.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import IntEnum

from saudager.adapters.kaspi.simulator.catalog import Catalog
from saudager.adapters.kaspi.simulator.customers import Customer, CustomerBook
from saudager.adapters.kaspi.simulator.reference_data import HOME_CITY
from saudager.adapters.kaspi.simulator.shoptime import (
    DAY,
    HOUR,
    MINUTE,
    SECOND,
    add_working_time,
    handover_deadline,
)
from saudager.domains.orders.types import OrderState


class Delivery(IntEnum):
    """How an order reaches the buyer; decides ``deliveryMode``, ``isKaspiDelivery`` and state."""

    KASPI_CITY = 0  # Kaspi courier inside Almaty
    KASPI_REGIONAL_DOOR = 1  # Kaspi Delivery to the door in another city
    KASPI_REGIONAL_PICKUP = 2  # Kaspi Delivery to a pick-up point in another city
    KASPI_POSTOMAT = 3  # Kaspi Postomat
    SELLER_PICKUP = 4  # the buyer collects from the seller's own point
    SELLER_COURIER = 5  # the seller's own courier, Almaty only


DELIVERY_MODE: dict[Delivery, str] = {
    Delivery.KASPI_CITY: "DELIVERY_LOCAL",
    Delivery.KASPI_REGIONAL_DOOR: "DELIVERY_REGIONAL_TODOOR",
    Delivery.KASPI_REGIONAL_PICKUP: "DELIVERY_REGIONAL_PICKUP",
    Delivery.KASPI_POSTOMAT: "DELIVERY_PICKUP",
    Delivery.SELLER_PICKUP: "DELIVERY_PICKUP",
    Delivery.SELLER_COURIER: "DELIVERY_LOCAL",
}
KASPI_DELIVERIES = frozenset(
    {Delivery.KASPI_CITY, Delivery.KASPI_REGIONAL_DOOR, Delivery.KASPI_REGIONAL_PICKUP,
     Delivery.KASPI_POSTOMAT}
)  # fmt: skip
PICKUP_DELIVERIES = frozenset(
    {Delivery.KASPI_REGIONAL_PICKUP, Delivery.KASPI_POSTOMAT, Delivery.SELLER_PICKUP}
)
DOOR_DELIVERIES = frozenset(
    {Delivery.KASPI_CITY, Delivery.KASPI_REGIONAL_DOOR, Delivery.SELLER_COURIER}
)
# The state an accepted, unfinished order is listed under.
ACTIVE_STATE: dict[Delivery, str] = {
    delivery: OrderState.KASPI_DELIVERY.value for delivery in KASPI_DELIVERIES
} | {
    Delivery.SELLER_PICKUP: OrderState.PICKUP.value,
    Delivery.SELLER_COURIER: OrderState.DELIVERY.value,
}

# Reason codes (reference §1.5). The seller's own three, then those Kaspi or the buyer set.
OUT_OF_STOCK = "MERCHANT_OUT_OF_STOCK"
SELLER_REASONS = (OUT_OF_STOCK, "BUYER_NOT_REACHABLE", "BUYER_CANCELLATION_BY_MERCHANT")
SELLER_REASON_WEIGHTS = (0.5, 0.25, 0.25)
BUYER_HIMSELF = "BUYER_CANCELLATION_HIMSELF"
TIMEOUT_PICKUP = "TIMEOUT_BUYER_PICKUP"
TIMEOUT_KASPI_DELIVERY = "TIMEOUT_KASPI_DELIVERY"
BY_COURIER = "BUYER_CANCELLATION_BY_COURIER"
BY_CSC = "BUYER_CANCELLATION_BY_CSC"
TECHNICAL = "TECHNICAL_PROBLEM_CANCELLATION"
BUYER_REASONS = (
    BUYER_HIMSELF,
    TIMEOUT_PICKUP,
    TIMEOUT_KASPI_DELIVERY,
    BY_COURIER,
    BY_CSC,
    TECHNICAL,
)
BUYER_REASON_WEIGHTS = (0.5, 0.16, 0.08, 0.08, 0.12, 0.06)
# Of the seller's out-of-stock cancellations, this share are Kaspi's automatic ones: the order
# was not accepted within 3 working hours.
AUTO_CANCEL_SHARE = 0.35

RETURN_QUALITY = "quality"
RETURN_OTHER = "other"

#: (product index, quantity, unit price in whole tenge)
Line = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class OrderPlan:
    """Everything that will ever happen to one order. Instants are UTC epoch ms."""

    code: int
    created_ms: int
    approved_ms: int
    customer: Customer
    delivery: Delivery
    credit_term: int  # months; 0 = PREPAID
    lines: tuple[Line, ...]
    total_price: int
    seller_delivery_cost: int
    planned_delivery_ms: int
    accepted_ms: int | None
    handover_deadline_ms: int | None  # Kaspi Delivery only
    assembled_ms: int | None
    handover_ms: int | None
    completed_ms: int | None
    cancelling_ms: int | None  # goods on their way back before the cancellation is final
    cancelled_ms: int | None
    cancellation_reason: str | None
    return_requested_ms: int | None
    returned_ms: int | None
    return_reason: str | None  # RETURN_QUALITY or RETURN_OTHER: the cabinet knows, the API not


@dataclass(frozen=True, slots=True)
class LifecycleShares:
    late_handover: float
    seller_cancel: float
    buyer_cancel: float
    returned: float
    quality_return: float


class OrderPlanner:
    """Draws orders one after another; owns nothing but its random stream and the buyers."""

    def __init__(
        self, rng: random.Random, catalog: Catalog, buyers: CustomerBook, shares: LifecycleShares
    ) -> None:
        self._rng = rng
        self._catalog = catalog
        self._buyers = buyers
        self._shares = shares

    def plan(self, code: int, created_ms: int, offset_ms: int, in_zhuma: bool) -> OrderPlan:
        rng = self._rng
        customer = self._buyers.next_buyer()
        delivery = self._delivery(customer.city)
        lines = self._lines()
        total = sum(quantity * price for _, quantity, price in lines)
        credit_term = self._credit_term(total, in_zhuma)
        approved = created_ms + rng.randint(2, 40) * SECOND
        if credit_term:
            approved += rng.randint(30, 600) * SECOND  # the bank checks the loan first
        events = _Events(created_ms, approved, offset_ms)
        self._accept(events)
        self._happy_path(events, delivery)
        # Then, maybe, something goes wrong: cancellations cut the happy path short.
        roll = rng.random()
        if roll < self._shares.seller_cancel:
            self._seller_cancels(events)
        elif roll < self._shares.seller_cancel + self._shares.buyer_cancel:
            self._buyer_cancels(events, delivery)
        elif rng.random() < self._shares.returned:
            self._buyer_returns(events)
        return OrderPlan(
            code=code,
            created_ms=created_ms,
            approved_ms=approved,
            customer=customer,
            delivery=delivery,
            credit_term=credit_term,
            lines=lines,
            total_price=total,
            seller_delivery_cost=self._seller_delivery_cost(delivery, customer, lines),
            planned_delivery_ms=events.planned_delivery,
            accepted_ms=events.accepted,
            handover_deadline_ms=events.deadline,
            assembled_ms=events.assembled,
            handover_ms=events.handover,
            completed_ms=events.completed,
            cancelling_ms=events.cancelling,
            cancelled_ms=events.cancelled,
            cancellation_reason=events.reason,
            return_requested_ms=events.return_requested,
            returned_ms=events.returned,
            return_reason=events.return_reason,
        )

    # ---- what was bought, and how it travels --------------------------------------------

    def _delivery(self, city: int) -> Delivery:
        roll = self._rng.random()
        if city == HOME_CITY:
            if roll < 0.62:
                return Delivery.KASPI_CITY
            if roll < 0.75:
                return Delivery.KASPI_POSTOMAT
            return Delivery.SELLER_PICKUP if roll < 0.87 else Delivery.SELLER_COURIER
        if roll < 0.72:
            return Delivery.KASPI_REGIONAL_DOOR
        return Delivery.KASPI_REGIONAL_PICKUP if roll < 0.9 else Delivery.KASPI_POSTOMAT

    def _lines(self) -> tuple[Line, ...]:
        rng = self._rng
        wanted = 1 if rng.random() < 0.85 else (2 if rng.random() < 0.8 else 3)
        lines: list[Line] = []
        seen: set[int] = set()
        for _ in range(wanted * 3):  # a few tries to find distinct SKUs
            product = self._catalog.pick(rng)
            if product.index in seen:
                continue
            seen.add(product.index)
            cheap = product.price < 5_000
            roll = rng.random()
            quantity = 1 if roll < (0.75 if cheap else 0.93) else (2 if roll < 0.97 else 3)
            lines.append((product.index, quantity, product.price))
            if len(lines) == wanted:
                break
        return tuple(lines)

    def _credit_term(self, total: int, in_zhuma: bool) -> int:
        rng = self._rng
        # Жұма is the 0-0-24 instalment sale: most buyers take the credit then.
        share = 0.65 if in_zhuma else (0.12 if total < 10_000 else 0.32)
        if rng.random() >= share:
            return 0
        if in_zhuma:
            return 24 if rng.random() < 0.8 else 12
        return rng.choices((3, 6, 12, 24), weights=(0.4, 0.25, 0.25, 0.1))[0]

    def _seller_delivery_cost(
        self, delivery: Delivery, customer: Customer, lines: tuple[Line, ...]
    ) -> int:
        """Kaspi Delivery's charge to the seller by parcel weight; own delivery costs Kaspi 0."""
        if delivery not in KASPI_DELIVERIES:
            return 0
        products = self._catalog.products
        grams = sum(products[index].weight_g * quantity for index, quantity, _ in lines)
        tier = (
            895
            if grams <= 1_000
            else 1_295
            if grams <= 5_000
            else 1_995
            if grams <= 15_000
            else 2_995
        )
        return tier if customer.city == HOME_CITY else tier + 600

    # ---- the life of the order ---------------------------------------------------------------

    def _accept(self, events: _Events) -> None:
        """When the seller accepts, inside working hours; later than 3 working hours never."""
        rng = self._rng
        delay = min(int(rng.lognormvariate(2.7, 0.9) * MINUTE), 170 * MINUTE)
        events.accept_deadline = events.utc(
            add_working_time(events.local(events.approved), 3 * HOUR)
        )
        events.accepted = events.utc(add_working_time(events.local(events.approved), delay))

    def _happy_path(self, events: _Events, delivery: Delivery) -> None:
        """Handover, delivery, completion — as if nobody cancels."""
        rng = self._rng
        accepted = _required(events.accepted)
        if delivery in KASPI_DELIVERIES:
            deadline = events.utc(
                handover_deadline(events.local(events.created), events.local(accepted))
            )
            if rng.random() < self._shares.late_handover:
                handover = deadline + max(5 * MINUTE, int(rng.expovariate(1 / (9 * HOUR))))
            else:
                earliest = accepted + 15 * MINUTE
                handover = max(earliest, deadline - rng.randint(15 * MINUTE, 6 * HOUR))
                handover = min(handover, deadline)
            events.deadline, events.handover = deadline, handover
            events.assembled = max(
                accepted + 5 * MINUTE, handover - rng.randint(20 * MINUTE, 3 * HOUR)
            )
            events.assembled = min(events.assembled, handover)
            transit = _transit(rng, delivery)
            events.planned_delivery = deadline + _nominal_transit(delivery)
            events.arrived = handover + transit
        elif delivery == Delivery.SELLER_PICKUP:
            events.planned_delivery = accepted + 3 * HOUR
            events.arrived = accepted + rng.randint(30 * MINUTE, 3 * HOUR)
        else:
            events.planned_delivery = accepted + DAY
            events.arrived = accepted + rng.randint(2 * HOUR, 30 * HOUR)
        if delivery in PICKUP_DELIVERIES:
            # The buyer comes to collect within the 3 days the parcel is kept.
            wait = min(int(rng.expovariate(1 / (14 * HOUR))), 3 * DAY - HOUR)
            events.completed = events.arrived + wait
        else:
            events.completed = events.arrived

    def _seller_cancels(self, events: _Events) -> None:
        rng = self._rng
        reason = rng.choices(SELLER_REASONS, weights=SELLER_REASON_WEIGHTS)[0]
        roll = rng.random()
        if reason == OUT_OF_STOCK and roll < AUTO_CANCEL_SHARE:
            events.cancel_before_acceptance(events.accept_deadline, reason)
        elif roll < 0.7:
            events.cancel_before_acceptance(_required(events.accepted), reason)
        else:
            events.cancel_after_acceptance(rng.random(), reason)

    def _buyer_cancels(self, events: _Events, delivery: Delivery) -> None:
        rng = self._rng
        reason = rng.choices(BUYER_REASONS, weights=BUYER_REASON_WEIGHTS)[0]
        if reason == TIMEOUT_PICKUP and delivery not in PICKUP_DELIVERIES:
            reason = BUYER_HIMSELF
        if reason in (TIMEOUT_KASPI_DELIVERY, BY_COURIER) and delivery not in (
            Delivery.KASPI_CITY,
            Delivery.KASPI_REGIONAL_DOOR,
        ):
            reason = BUYER_HIMSELF
        if reason == TIMEOUT_PICKUP:
            # Not collected in 3 days: Kaspi takes the parcel back; the seller's own point
            # simply cancels.
            expired = _required(events.arrived) + 3 * DAY
            if delivery == Delivery.SELLER_PICKUP:
                events.cancel_late(expired, None, reason)
            else:
                events.cancel_late(expired + rng.randint(2, 6) * DAY, expired, reason)
        elif reason in (TIMEOUT_KASPI_DELIVERY, BY_COURIER):
            handover, arrived = _required(events.handover), _required(events.arrived)
            failed = handover + int((arrived - handover) * rng.uniform(0.5, 1.3))
            events.cancel_late(failed + rng.randint(2, 6) * DAY, failed, reason)
        else:
            mean_wait = 30 * MINUTE if reason == TECHNICAL else 4 * HOUR
            moment = events.approved + int(rng.expovariate(1 / mean_wait))
            if moment < _required(events.accepted):
                events.cancel_before_acceptance(moment, reason)
            else:
                events.cancel_after_acceptance(rng.random(), reason)

    def _buyer_returns(self, events: _Events) -> None:
        rng = self._rng
        completed = _required(events.completed)
        events.return_requested = completed + rng.randint(6 * HOUR, 14 * DAY)
        events.returned = events.return_requested + rng.randint(1 * DAY, 6 * DAY)
        quality = rng.random() < self._shares.quality_return
        events.return_reason = RETURN_QUALITY if quality else RETURN_OTHER


class _Events:
    """The instants of one order while it is being drawn; local = UTC + offset."""

    __slots__ = (
        "accept_deadline", "accepted", "approved", "arrived", "assembled", "cancelled",
        "cancelling", "completed", "created", "deadline", "handover", "offset",
        "planned_delivery", "reason", "return_reason", "return_requested", "returned",
    )  # fmt: skip

    def __init__(self, created: int, approved: int, offset: int) -> None:
        self.created = created
        self.approved = approved
        self.offset = offset
        self.accept_deadline = approved
        self.accepted: int | None = None
        self.deadline: int | None = None
        self.assembled: int | None = None
        self.handover: int | None = None
        self.arrived: int | None = None
        self.planned_delivery = approved
        self.completed: int | None = None
        self.cancelling: int | None = None
        self.cancelled: int | None = None
        self.reason: str | None = None
        self.return_requested: int | None = None
        self.returned: int | None = None
        self.return_reason: str | None = None

    def local(self, utc_ms: int) -> int:
        return utc_ms + self.offset

    def utc(self, local_ms: int) -> int:
        return local_ms - self.offset

    def cancel_before_acceptance(self, moment: int, reason: str) -> None:
        self.accepted = self.deadline = self.assembled = self.handover = self.completed = None
        self.cancelled, self.reason = moment, reason

    def cancel_after_acceptance(self, fraction: float, reason: str) -> None:
        """Cancelled while accepted, at ``fraction`` of the way to handover (or to the buyer)."""
        accepted = _required(self.accepted)
        until = self.handover if self.handover is not None else _required(self.completed)
        moment = accepted + max(MINUTE, int((until - accepted) * fraction * 0.95))
        if self.assembled is not None and self.assembled > moment:
            self.assembled = None
        self.handover = self.completed = None
        self.cancelled, self.reason = moment, reason

    def cancel_late(self, cancelled: int, cancelling: int | None, reason: str) -> None:
        """Cancelled after the goods left the seller; ``cancelling`` while they travel back."""
        self.completed = None
        self.cancelling, self.cancelled, self.reason = cancelling, cancelled, reason


def _transit(rng: random.Random, delivery: Delivery) -> int:
    if delivery == Delivery.KASPI_CITY:
        return rng.randint(4 * HOUR, 30 * HOUR)
    if delivery == Delivery.KASPI_POSTOMAT:
        return rng.randint(12 * HOUR, 3 * DAY)
    return rng.randint(DAY, 7 * DAY)


def _nominal_transit(delivery: Delivery) -> int:
    return (
        DAY
        if delivery == Delivery.KASPI_CITY
        else 2 * DAY
        if delivery == Delivery.KASPI_POSTOMAT
        else 4 * DAY
    )


def _required(moment: int | None) -> int:
    if moment is None:
        raise AssertionError("an instant the lifecycle needs was not drawn")
    return moment
