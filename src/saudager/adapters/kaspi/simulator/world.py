"""The simulated shop as Kaspi shows it at one instant, the simulated "now".

Each order's state and status are derived from its generated timeline at ``now``. A change made
through ``POST /orders`` stops that order's timeline: from then on the order shows what the API
call made of it (an ``Override``) until the next call changes it again.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from saudager.adapters.kaspi.simulator.generator import Shop
from saudager.adapters.kaspi.simulator.reviews import ReviewPlan
from saudager.adapters.kaspi.simulator.timeline import (
    ACTIVE_STATE,
    DELIVERY_MODE,
    DOOR_DELIVERIES,
    PICKUP_DELIVERIES,
    Delivery,
    OrderPlan,
)
from saudager.domains.orders.types import OrderState, OrderStatus

ARCHIVE = OrderState.ARCHIVE.value
NEW = OrderState.NEW.value
APPROVED_BY_BANK = OrderStatus.APPROVED_BY_BANK.value
ACCEPTED_BY_MERCHANT = OrderStatus.ACCEPTED_BY_MERCHANT.value
COMPLETED = OrderStatus.COMPLETED.value
CANCELLED = OrderStatus.CANCELLED.value
CANCELLING = OrderStatus.CANCELLING.value
RETURN_REQUESTED = OrderStatus.KASPI_DELIVERY_RETURN_REQUESTED.value
RETURNED = OrderStatus.RETURNED.value
CANCEL_STATUSES = frozenset({CANCELLED, CANCELLING})

# filter[orders][deliveryType]: the two documented values, plus the deliveryMode names the
# Guide's text also mentions.
DELIVERY_TYPES: dict[str, frozenset[Delivery]] = {
    "PICKUP": PICKUP_DELIVERIES,
    "DELIVERY": DOOR_DELIVERIES,
} | {
    mode: frozenset(d for d, m in DELIVERY_MODE.items() if m == mode)
    for mode in set(DELIVERY_MODE.values())
}

# A handful of windows are in use at a time (one sync walks states × windows page by page).
_CACHE_SIZE = 256
_Value = TypeVar("_Value")


@dataclass(frozen=True, slots=True)
class Override:
    """What a ``POST /orders`` call made of an order."""

    state: str
    status: str
    changed_ms: int
    frozen_at_ms: int  # the order's timeline stopped here (its first API change)
    cancellation_reason: str | None
    completed_ms: int | None
    assembled: bool
    waybill_number: str | None
    number_of_spaces: int | None = None


@dataclass(frozen=True, slots=True)
class OrderView:
    """One order as the API shows it now."""

    plan: OrderPlan
    state: str
    status: str
    status_changed_ms: int
    cancellation_reason: str | None
    assembled: bool
    waybill_number: str | None
    handover_ms: int | None
    completed_ms: int | None
    returned_to_warehouse: bool
    number_of_spaces: int | None


def timeline_status(plan: OrderPlan, now: int) -> tuple[str, str, int]:
    """(state, status, when the status was set) of an order nobody changed through the API."""
    if plan.cancelled_ms is not None and now >= plan.cancelled_ms:
        return ARCHIVE, CANCELLED, plan.cancelled_ms
    if plan.cancelling_ms is not None and now >= plan.cancelling_ms:
        return ACTIVE_STATE[plan.delivery], CANCELLING, plan.cancelling_ms
    if plan.returned_ms is not None and now >= plan.returned_ms:
        return ARCHIVE, RETURNED, plan.returned_ms
    # A completed order stays in the archive while its return is under way [G].
    if plan.return_requested_ms is not None and now >= plan.return_requested_ms:
        return ARCHIVE, RETURN_REQUESTED, plan.return_requested_ms
    if plan.completed_ms is not None and now >= plan.completed_ms:
        return ARCHIVE, COMPLETED, plan.completed_ms
    if plan.accepted_ms is not None and now >= plan.accepted_ms:
        return ACTIVE_STATE[plan.delivery], ACCEPTED_BY_MERCHANT, plan.accepted_ms
    return NEW, APPROVED_BY_BANK, plan.approved_ms if now >= plan.approved_ms else plan.created_ms


def waybill_number(code: int) -> str:
    """A stable 9-digit waybill number per order."""
    return str(100_000_000 + (code * 7_919) % 900_000_000)


class SimWorld:
    """Mutable simulation state: the clock, API changes, sent security codes, query caches.

    Not thread-safe by design: the server runs it on one event loop.
    """

    def __init__(self, shop: Shop, now_ms: int) -> None:
        self.shop = shop
        self.now_ms = now_ms
        self.overrides: dict[int, Override] = {}
        self.security_codes: dict[int, str] = {}  # order code -> code "sent" to the buyer
        self.version = 0  # bumped on every change; part of every cache key
        self._cache: dict[Hashable, object] = {}
        # Orders with a return, in order of the return request (the cabinet's returns list).
        self._returns = sorted(
            (i for i, order in enumerate(shop.orders) if order.return_requested_ms is not None),
            key=lambda i: shop.orders[i].return_requested_ms or 0,
        )

    # ---- the clock and changes --------------------------------------------------------------

    def set_now(self, now_ms: int) -> None:
        self.now_ms = now_ms
        self._changed()

    def record(self, index: int, override: Override) -> None:
        self.overrides[index] = override
        self._changed()

    def _changed(self) -> None:
        self.version += 1
        self._cache.clear()

    # ---- single orders --------------------------------------------------------------------

    def visible_index(self, code: int) -> int | None:
        """The order with this code, if it exists at now."""
        index = self.shop.order_index(code)
        if index is None or self.shop.orders[index].created_ms > self.now_ms:
            return None
        return index

    def state_status(self, index: int) -> tuple[str, str]:
        override = self.overrides.get(index)
        if override is not None:
            return override.state, override.status
        state, status, _ = timeline_status(self.shop.orders[index], self.now_ms)
        return state, status

    def view(self, index: int) -> OrderView:
        plan = self.shop.orders[index]
        override = self.overrides.get(index)
        moment = self.now_ms if override is None else min(self.now_ms, override.frozen_at_ms)
        handover = (
            plan.handover_ms
            if plan.handover_ms is not None and plan.handover_ms <= moment
            else None
        )
        if override is not None:
            return OrderView(
                plan=plan,
                state=override.state,
                status=override.status,
                status_changed_ms=override.changed_ms,
                cancellation_reason=override.cancellation_reason,
                assembled=override.assembled,
                waybill_number=override.waybill_number,
                handover_ms=handover,
                completed_ms=override.completed_ms,
                returned_to_warehouse=handover is not None
                and override.status in (CANCELLED, RETURNED),
                number_of_spaces=override.number_of_spaces,
            )
        state, status, changed = timeline_status(plan, moment)
        assembled = plan.assembled_ms is not None and plan.assembled_ms <= moment
        completed = plan.completed_ms if status in (COMPLETED, RETURN_REQUESTED, RETURNED) else None
        back_home = status == RETURNED or (status == CANCELLED and plan.cancelling_ms is not None)
        return OrderView(
            plan=plan,
            state=state,
            status=status,
            status_changed_ms=changed,
            cancellation_reason=plan.cancellation_reason if status in CANCEL_STATUSES else None,
            assembled=assembled,
            waybill_number=waybill_number(plan.code) if assembled else None,
            handover_ms=handover,
            completed_ms=completed,
            returned_to_warehouse=back_home,
            number_of_spaces=1 if assembled else None,
        )

    # ---- lists ------------------------------------------------------------------------------

    def find_orders(
        self,
        state: str,
        created_from_ms: int,
        created_to_ms: int,
        status: str | None = None,
        delivery_type: str | None = None,
    ) -> list[int]:
        """Indices of visible orders created in [from, to] in ``state``, oldest first.

        Bisects the creation times, then classifies the window once per (window, clock): the
        pages of one listing, and the other states of the same window, reuse that work.
        """
        created = self.shop.created_ms
        low = bisect.bisect_left(created, created_from_ms)
        high = bisect.bisect_right(created, min(created_to_ms, self.now_ms))
        by_state = self._cached(("window", low, high), lambda: self._classify(low, high))
        found = by_state.get(state, [])
        if status is None and delivery_type is None:
            return found
        return self._cached(
            ("filtered", low, high, state, status, delivery_type),
            lambda: self._filter(found, status, delivery_type),
        )

    def _classify(self, low: int, high: int) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        orders, now, overrides = self.shop.orders, self.now_ms, self.overrides
        for index in range(low, high):
            override = overrides.get(index)
            state = override.state if override else timeline_status(orders[index], now)[0]
            groups.setdefault(state, []).append(index)
        return groups

    def _filter(
        self, indices: list[int], status: str | None, delivery_type: str | None
    ) -> list[int]:
        deliveries = DELIVERY_TYPES.get(delivery_type or "") if delivery_type else None
        orders = self.shop.orders
        return [
            index
            for index in indices
            if (status is None or self.state_status(index)[1] == status)
            and (deliveries is None or orders[index].delivery in deliveries)
        ]

    def visible_reviews(
        self, approved_from_ms: int, approved_to_ms: int, quality: str | None = None
    ) -> list[ReviewPlan]:
        """Reviews approved in [from, to] by now and not deleted, oldest approval first."""
        approved = self.shop.review_approved_ms
        low = bisect.bisect_left(approved, approved_from_ms)
        high = bisect.bisect_right(approved, min(approved_to_ms, self.now_ms))
        return self._cached(
            ("reviews", low, high, quality), lambda: self._reviews(low, high, quality)
        )

    def _reviews(self, low: int, high: int, quality: str | None) -> list[ReviewPlan]:
        return [
            review
            for review in self.shop.reviews[low:high]
            if self.review_visible(review)
            and (quality != "NEGATIVE" or review.rating <= 3)
            and (quality != "POSITIVE" or review.rating > 3)
        ]

    def review_visible(self, review: ReviewPlan) -> bool:
        """Approved by now and not deleted; an order an API call kept from completing has none."""
        now = self.now_ms
        if review.approved_ms > now or (review.deleted_ms is not None and review.deleted_ms <= now):
            return False
        if review.order_index in self.overrides:
            return self.view(review.order_index).completed_ms is not None
        return True

    def returns(self) -> list[int]:
        """Indices of orders whose return has been requested by now, in request order."""

        def requested(index: int) -> bool:
            return self.state_status(index)[1] in (RETURN_REQUESTED, RETURNED)

        return self._cached(("returns",), lambda: [i for i in self._returns if requested(i)])

    def counts(self) -> dict[str, dict[str, int]]:
        """Visible orders by state and by status (a full scan; for the admin endpoint)."""

        def count() -> dict[str, dict[str, int]]:
            high = bisect.bisect_right(self.shop.created_ms, self.now_ms)
            by_state: dict[str, int] = {}
            by_status: dict[str, int] = {}
            for index in range(high):
                state, status = self.state_status(index)
                by_state[state] = by_state.get(state, 0) + 1
                by_status[status] = by_status.get(status, 0) + 1
            return {"by_state": by_state, "by_status": by_status}

        return self._cached(("counts",), count)

    def _cached(self, key: Hashable, compute: Callable[[], _Value]) -> _Value:
        if key in self._cache:
            return self._cache[key]  # type: ignore[return-value]
        value = compute()
        if len(self._cache) >= _CACHE_SIZE:
            del self._cache[next(iter(self._cache))]
        self._cache[key] = value
        return value
