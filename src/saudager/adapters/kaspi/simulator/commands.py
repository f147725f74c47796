"""``POST /orders``: the status changes a seller may make, with the rules of reference §1.7.

Error titles Kaspi documents are used word for word; the others are ours [G] and say what was
wrong.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from saudager.adapters.kaspi.simulator.timeline import ACTIVE_STATE, SELLER_REASONS
from saudager.adapters.kaspi.simulator.world import (
    ACCEPTED_BY_MERCHANT,
    APPROVED_BY_BANK,
    ARCHIVE,
    CANCELLED,
    CANCELLING,
    COMPLETED,
    RETURN_REQUESTED,
    RETURNED,
    OrderView,
    Override,
    SimWorld,
    waybill_number,
)
from saudager.domains.orders.types import OrderState

# Kaspi's own titles (reference §1.1).
BAD_SECURITY_CODE = "Security code is not valid. And the order cannot be completed without it"
COMPLETING_CANCELLED = "Order is cancelled, so it can't be completed."
COMPLETING_COMPLETED = "Order already has been completed, so it can't be completed again."
COMPLETION_NOT_ALLOWED = "Order is not may complete allowed"
MAX_COMMENT = 1000


class CommandRejected(Exception):
    """The change is refused; ``title`` goes into ``{"errors":[{"title":...}]}``."""

    def __init__(self, title: str, http_status: int = 400) -> None:
        super().__init__(title)
        self.title = title
        self.http_status = http_status


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One ``POST /orders`` call, already read from the JSON:API document and headers."""

    order_id: str
    code: str | None
    status: str
    cancellation_reason: str | None = None
    cancellation_comment: str | None = None
    number_of_space: object = None  # the docs send "2" (a string); numbers are accepted too
    send_code: bool = False  # header X-Send-Code: true
    security_code: str | None = None  # header X-Security-Code, None when absent or empty


class StatusChanger:
    """Applies status changes to a world; remembers the codes "sent" to buyers."""

    def __init__(self, world: SimWorld) -> None:
        self._world = world
        self._rng = random.Random(f"{world.shop.config.seed}:security-codes")

    def apply(self, index: int, change: StatusChange) -> None:
        world = self._world
        view = world.view(index)
        if change.code is not None and change.code != str(view.plan.code):
            raise CommandRejected(
                f"Order code {change.code} does not match order {change.order_id}"
            )
        handlers = {
            ACCEPTED_BY_MERCHANT: self._accept,
            CANCELLED: self._cancel,
            COMPLETED: self._complete,
            "ASSEMBLE": self._assemble,
            "ARRIVED": self._arrived,
            "ARRIVED_BACKWARD": self._arrived_backward,
        }
        handler = handlers.get(change.status)
        if handler is None:
            raise CommandRejected(
                f"Unknown status {change.status!r}: expected one of {', '.join(handlers)}"
            )
        handler(index, view, change)

    def _accept(self, index: int, view: OrderView, change: StatusChange) -> None:
        _require_status(view, {APPROVED_BY_BANK}, change.status)
        self._record(index, view, ACTIVE_STATE[view.plan.delivery], ACCEPTED_BY_MERCHANT)

    def _cancel(self, index: int, view: OrderView, change: StatusChange) -> None:
        reason = change.cancellation_reason
        if not reason:
            raise CommandRejected("cancellationReason is required to cancel an order")
        if reason not in SELLER_REASONS:
            raise CommandRejected(
                f"Unknown cancellationReason {reason!r}: "
                f"expected one of {', '.join(SELLER_REASONS)}"
            )
        if (
            change.cancellation_comment is not None
            and len(change.cancellation_comment) > MAX_COMMENT
        ):
            raise CommandRejected(f"cancellationComment is longer than {MAX_COMMENT} characters")
        _require_status(view, {APPROVED_BY_BANK, ACCEPTED_BY_MERCHANT}, change.status)
        self._record(index, view, ARCHIVE, CANCELLED, reason=reason)

    def _complete(self, index: int, view: OrderView, change: StatusChange) -> None:
        if view.status in (CANCELLED, CANCELLING):
            raise CommandRejected(COMPLETING_CANCELLED)
        if view.status in (COMPLETED, RETURN_REQUESTED, RETURNED):
            raise CommandRejected(COMPLETING_COMPLETED)
        if view.status != ACCEPTED_BY_MERCHANT:
            raise CommandRejected(COMPLETION_NOT_ALLOWED)
        code = view.plan.code
        if change.send_code and not change.security_code:
            # Step 1: Kaspi texts the buyer a code; the order does not change yet.
            self._world.security_codes[code] = f"{self._rng.randrange(10_000):04d}"
            return
        expected = self._world.security_codes.get(code)
        if expected is None or change.security_code != expected:
            raise CommandRejected(BAD_SECURITY_CODE)
        del self._world.security_codes[code]
        self._record(index, view, ARCHIVE, COMPLETED, completed_ms=self._world.now_ms)

    def _assemble(self, index: int, view: OrderView, change: StatusChange) -> None:
        if view.status != ACCEPTED_BY_MERCHANT or view.state != OrderState.KASPI_DELIVERY:
            raise CommandRejected(
                f"Only an accepted Kaspi Delivery order can be assembled; this one is "
                f"{view.state}/{view.status}"
            )
        spaces = _number_of_spaces(change.number_of_space)
        self._record(index, view, view.state, view.status, assembled=True, spaces=spaces)

    def _arrived(self, index: int, view: OrderView, change: StatusChange) -> None:
        # The simulated shop sells from stock only: no order is a pre-order.
        raise CommandRejected("ARRIVED is only for pre-orders, and this order is not one")

    def _arrived_backward(self, index: int, view: OrderView, change: StatusChange) -> None:
        _require_status(view, {CANCELLING, RETURN_REQUESTED}, change.status)
        final = CANCELLED if view.status == CANCELLING else RETURNED
        self._record(index, view, ARCHIVE, final, reason=view.cancellation_reason)

    def _record(
        self,
        index: int,
        view: OrderView,
        state: str,
        status: str,
        *,
        reason: str | None = None,
        completed_ms: int | None = None,
        assembled: bool | None = None,
        spaces: int | None = None,
    ) -> None:
        world = self._world
        earlier = world.overrides.get(index)
        now = world.now_ms
        is_assembled = view.assembled if assembled is None else assembled
        world.record(
            index,
            Override(
                state=state,
                status=status,
                changed_ms=now if status != view.status else view.status_changed_ms,
                frozen_at_ms=earlier.frozen_at_ms if earlier else now,
                cancellation_reason=reason if reason is not None else view.cancellation_reason,
                completed_ms=completed_ms if completed_ms is not None else view.completed_ms,
                assembled=is_assembled,
                waybill_number=waybill_number(view.plan.code) if is_assembled else None,
                number_of_spaces=spaces if spaces is not None else view.number_of_spaces,
            ),
        )


def _require_status(view: OrderView, allowed: set[str], target: str) -> None:
    if view.status not in allowed:
        raise CommandRejected(
            f"Order status can't be changed from {view.status} to {target}: "
            f"allowed only from {', '.join(sorted(allowed))}"
        )


def _number_of_spaces(raw: object) -> int:
    if raw is None:
        return 1
    try:
        spaces = int(str(raw))
    except ValueError as exc:
        raise CommandRejected(f"numberOfSpace must be a whole number, got {raw!r}") from exc
    if not 1 <= spaces <= 100:
        raise CommandRejected(f"numberOfSpace must be between 1 and 100, got {spaces}")
    return spaces
