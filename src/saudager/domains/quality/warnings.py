"""Early warnings: orders about to become a late handover or an automatic cancellation.

Two deadlines the seller can still meet, found among the shop's current orders:

- **Handover** (late-handover share): a Kaspi Delivery order accepted by the seller
  (ACCEPTED_BY_MERCHANT), not cancelled, not yet handed over (no ``handed_over_at``), whose
  ``handover_deadline`` (Kaspi's ``courierTransmissionPlanningDate``) is within
  ``handover_horizon`` of ``now`` — or already past: it is late, and handing it over now still
  matters to the buyer.
- **Acceptance** (cancellation share): a new order (APPROVED_BY_BANK) must be accepted within 3
  *working* hours of its creation, or Kaspi cancels it as "Нет в наличии"
  (MERCHANT_OUT_OF_STOCK), which counts against the seller. Kaspi's working hours follow the
  shop's schedule in the cabinet, which the API does not give us: they are a setting
  (``work_day_start`` … ``work_day_end`` on ``working_weekdays``, default 09:00–21:00 every day,
  in the shop's zone). Warned within ``acceptance_horizon`` of the deadline, or past it.

``minutes_left`` is whole minutes rounded down: negative exactly when the deadline has passed
(at the deadline itself it is 0: a handover at the planned instant is not late).
Pure: ``now`` is an argument; nothing reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from saudager.core.timewindows import zone
from saudager.domains.orders.types import Order, OrderStatus
from saudager.domains.quality.outlook import day_en, day_ru

__all__ = [
    "DeadlineWarning",
    "WarningKind",
    "WarningRules",
    "acceptance_deadline",
    "acceptance_warnings",
    "early_warnings",
    "handover_warnings",
]

_MINUTE = timedelta(minutes=1)


class WarningKind(StrEnum):
    HANDOVER = "handover"  # hand a Kaspi Delivery order over before it is late
    ACCEPTANCE = "acceptance"  # accept a new order before Kaspi cancels it


@dataclass(frozen=True, slots=True)
class WarningRules:
    handover_horizon: timedelta = timedelta(hours=24)
    acceptance_horizon: timedelta = timedelta(hours=1)
    acceptance_working_time: timedelta = timedelta(hours=3)  # Kaspi: 3 working hours
    work_day_start: time = time(9, 0)
    work_day_end: time = time(21, 0)  # time(0, 0) means midnight at the end of the day
    working_weekdays: frozenset[int] = frozenset(range(7))  # Monday = 0 … Sunday = 6

    def __post_init__(self) -> None:
        if self.work_day_end != time(0, 0) and self.work_day_end <= self.work_day_start:
            raise ValueError(
                f"the working day must end after it starts (got {self.work_day_start} to "
                f"{self.work_day_end}; 00:00 as the end means midnight)"
            )
        if not self.working_weekdays or not self.working_weekdays <= frozenset(range(7)):
            raise ValueError("working_weekdays: at least one of 0 (Monday) … 6 (Sunday)")
        if self.acceptance_working_time <= timedelta(0):
            raise ValueError("acceptance_working_time must be positive")


@dataclass(frozen=True, slots=True)
class DeadlineWarning:
    kind: WarningKind
    order_code: str
    deadline: datetime  # aware UTC
    deadline_local: datetime  # the same instant in the shop's zone, for the texts
    minutes_left: int  # rounded down; negative once the deadline has passed

    @property
    def late(self) -> bool:
        return self.minutes_left < 0

    @property
    def sentence_ru(self) -> str:
        return _sentence(self, ru=True)

    @property
    def sentence_en(self) -> str:
        return _sentence(self, ru=False)


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)


def _working_hours(day: date, tz: str, rules: WarningRules) -> tuple[datetime, datetime] | None:
    """The day's working hours as UTC instants, or None on a day off."""
    if day.weekday() not in rules.working_weekdays:
        return None
    local = zone(tz)
    start = datetime.combine(day, rules.work_day_start, tzinfo=local)
    end_day = day + timedelta(days=1) if rules.work_day_end == time(0, 0) else day
    end = datetime.combine(end_day, rules.work_day_end, tzinfo=local)
    return start.astimezone(UTC), end.astimezone(UTC)


def _day_length(rules: WarningRules) -> timedelta:
    start = datetime.combine(date(2000, 1, 3), rules.work_day_start)
    end_day = date(2000, 1, 4) if rules.work_day_end == time(0, 0) else date(2000, 1, 3)
    return datetime.combine(end_day, rules.work_day_end) - start


def acceptance_deadline(
    created_at: datetime, tz: str, rules: WarningRules | None = None
) -> datetime:
    """When Kaspi cancels a new order not accepted: ``acceptance_working_time`` of working
    hours counted from ``created_at`` (aware UTC).

    An order created outside working hours starts counting when they next begin; time runs out
    across days (created 20:00 with 09:00–21:00: 1 h that evening, 2 h the next morning →
    11:00). A deadline landing exactly at the end of a working day stays on that day.
    """
    rules = rules or WarningRules()
    left = rules.acceptance_working_time
    moment = _aware(created_at)
    day = moment.astimezone(zone(tz)).date()
    # Bounded: every week has working hours (validated), so this many days always suffice.
    per_week = len(rules.working_weekdays) * _day_length(rules)
    for _ in range(7 * (left // per_week + 2)):
        hours = _working_hours(day, tz, rules)
        if hours is not None:
            start, end = hours
            begin = max(moment, start)
            if begin < end:
                if begin + left <= end:
                    return begin + left
                left -= end - begin
        day += timedelta(days=1)
    raise AssertionError("unreachable: working hours recur every week")  # pragma: no cover


def _warning(
    kind: WarningKind, order: Order, deadline: datetime, now: datetime, tz: str
) -> DeadlineWarning:
    deadline = _aware(deadline)
    return DeadlineWarning(
        kind=kind,
        order_code=order.code,
        deadline=deadline,
        deadline_local=deadline.astimezone(zone(tz)),
        minutes_left=(deadline - now) // _MINUTE,
    )


def handover_warnings(
    orders: Sequence[Order], now: datetime, tz: str, rules: WarningRules | None = None
) -> list[DeadlineWarning]:
    """Kaspi Delivery orders to hand over within ``handover_horizon`` (or already late),
    most urgent first."""
    rules = rules or WarningRules()
    now = _aware(now)
    found = [
        _warning(WarningKind.HANDOVER, order, order.handover_deadline, now, tz)
        for order in orders
        if order.is_kaspi_delivery
        and order.status == OrderStatus.ACCEPTED_BY_MERCHANT
        and order.handed_over_at is None
        and order.cancelled_at is None
        and order.handover_deadline is not None
        and order.handover_deadline - now <= rules.handover_horizon
    ]
    return sorted(found, key=lambda w: (w.deadline, w.order_code))


def acceptance_warnings(
    orders: Sequence[Order], now: datetime, tz: str, rules: WarningRules | None = None
) -> list[DeadlineWarning]:
    """New orders within ``acceptance_horizon`` of their automatic cancellation (or past it),
    most urgent first."""
    rules = rules or WarningRules()
    now = _aware(now)
    found: list[DeadlineWarning] = []
    for order in orders:
        if order.status != OrderStatus.APPROVED_BY_BANK or order.cancelled_at is not None:
            continue
        deadline = acceptance_deadline(order.created_at, tz, rules)
        if deadline - now <= rules.acceptance_horizon:
            found.append(_warning(WarningKind.ACCEPTANCE, order, deadline, now, tz))
    return sorted(found, key=lambda w: (w.deadline, w.order_code))


def early_warnings(
    orders: Sequence[Order], now: datetime, tz: str, rules: WarningRules | None = None
) -> list[DeadlineWarning]:
    """Both kinds together, most urgent (earliest deadline) first."""
    both = handover_warnings(orders, now, tz, rules) + acceptance_warnings(orders, now, tz, rules)
    return sorted(both, key=lambda w: (w.deadline, w.kind != WarningKind.ACCEPTANCE, w.order_code))


# ---- texts -----------------------------------------------------------------------------------


def duration_text(minutes: int, *, ru: bool) -> str:
    """``2 ч 15 мин`` / ``2 h 15 min``; days from 24 h on (``1 д 3 ч``)."""
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    units = ("д", "ч", "мин") if ru else ("d", "h", "min")
    parts = [f"{n} {u}" for n, u in zip((days, hours, mins), units, strict=True) if n]
    if days:
        parts = parts[:2]  # "1 д 3 ч": minutes no longer matter
    return " ".join(parts) or ("0 мин" if ru else "0 min")


def _when(moment: datetime, *, ru: bool) -> str:
    return f"{moment:%H:%M}, {day_ru(moment.date()) if ru else day_en(moment.date())}"


def _sentence(w: DeadlineWarning, *, ru: bool) -> str:
    when = _when(w.deadline_local, ru=ru)
    span = duration_text(w.minutes_left, ru=ru)
    if w.kind is WarningKind.HANDOVER:
        if ru:
            if w.late:
                return (
                    f"Заказ {w.order_code}: срок передачи в Kaspi Доставку ({when}) прошёл "
                    f"{span} назад — передайте как можно скорее."
                )
            left = "осталось меньше минуты" if w.minutes_left == 0 else f"осталось {span}"
            return f"Заказ {w.order_code}: передайте в Kaspi Доставку до {when} — {left}."
        if w.late:
            return (
                f"Order {w.order_code}: the Kaspi Delivery handover deadline ({when}) passed "
                f"{span} ago — hand it over as soon as possible."
            )
        left = "less than a minute left" if w.minutes_left == 0 else f"{span} left"
        return f"Order {w.order_code}: hand it over to Kaspi Delivery by {when} — {left}."
    if ru:
        if w.late:
            return (
                f"Заказ {w.order_code}: срок принятия ({when}) прошёл {span} назад — Kaspi "
                "может отменить его как «Нет в наличии» в любой момент."
            )
        left = "осталось меньше минуты" if w.minutes_left == 0 else f"осталось {span}"
        return (
            f"Заказ {w.order_code}: примите до {when} — {left}, иначе Kaspi отменит его как "
            "«Нет в наличии», и это ухудшит долю отмен."
        )
    if w.late:
        return (
            f"Order {w.order_code}: the acceptance deadline ({when}) passed {span} ago — Kaspi "
            "may cancel it as out of stock at any moment."
        )
    left = "less than a minute left" if w.minutes_left == 0 else f"{span} left"
    return (
        f"Order {w.order_code}: accept it by {when} — {left}, or Kaspi cancels it as out of "
        "stock, which counts against your cancellation share."
    )
