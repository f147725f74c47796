"""Early warnings: handovers about to be late, new orders about to be auto-cancelled."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saudager.core.timewindows import local_midnight
from saudager.domains.orders.types import Order, OrderStatus
from saudager.domains.quality.warnings import (
    WarningKind,
    WarningRules,
    acceptance_deadline,
    acceptance_warnings,
    duration_text,
    early_warnings,
    handover_warnings,
)

TZ = "Asia/Almaty"


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return local_midnight(day, TZ) + timedelta(hours=hour, minutes=minute, seconds=second)


WED = date(2026, 11, 25)  # a Wednesday
NOW = local(WED, 10)


def kaspi_order(code: str, deadline: datetime | None, **changes: object) -> Order:
    fields: dict[str, object] = {
        "code": code,
        "created_at": NOW - timedelta(days=1),
        "state": "KASPI_DELIVERY",
        "status": OrderStatus.ACCEPTED_BY_MERCHANT,
        "total_price": Decimal(5990),
        "is_kaspi_delivery": True,
        "handover_deadline": deadline,
    }
    fields.update(changes)
    return Order(**fields)  # type: ignore[arg-type]


def new_order(code: str, created_at: datetime) -> Order:
    return Order(code, created_at, "NEW", OrderStatus.APPROVED_BY_BANK, Decimal(1000))


# --- handover -------------------------------------------------------------------------------


def test_handover_warnings_pick_sort_and_count_minutes() -> None:
    orders = [
        kaspi_order("A", NOW + timedelta(hours=2, minutes=15)),
        kaspi_order("B", NOW + timedelta(hours=24)),  # at the horizon: in
        kaspi_order("C", NOW + timedelta(hours=24, minutes=1)),  # beyond: out
        kaspi_order("D", NOW - timedelta(minutes=65)),  # already late
        kaspi_order("E", NOW, handed_over_at=NOW - timedelta(hours=1)),  # handed over
        kaspi_order("F", NOW, status=OrderStatus.APPROVED_BY_BANK),  # not accepted yet
        kaspi_order("G", NOW, is_kaspi_delivery=False),  # own delivery
        kaspi_order("H", NOW, cancelled_at=NOW - timedelta(hours=1)),
        kaspi_order("I", None),  # no deadline known
        kaspi_order("J", NOW, status=OrderStatus.CANCELLING),
    ]
    found = handover_warnings(orders, NOW, TZ)
    assert [(w.order_code, w.minutes_left, w.late) for w in found] == [
        ("D", -65, True),
        ("A", 135, False),
        ("B", 1440, False),
    ]
    assert {w.kind for w in found} == {WarningKind.HANDOVER}
    assert found[1].deadline_local.hour == 12 and found[1].deadline.tzinfo is not None
    narrow = handover_warnings(orders, NOW, TZ, WarningRules(handover_horizon=timedelta(hours=3)))
    assert [w.order_code for w in narrow] == ["D", "A"]


@pytest.mark.parametrize(
    ("offset", "minutes", "late"),
    [
        (timedelta(0), 0, False),  # at the deadline: a handover now is on time
        (timedelta(seconds=-30), -1, True),  # half a minute past: late
        (timedelta(seconds=59), 0, False),
        (timedelta(seconds=60), 1, False),
    ],
)
def test_minutes_left_round_down(offset: timedelta, minutes: int, late: bool) -> None:
    (warning,) = handover_warnings([kaspi_order("A", NOW + offset)], NOW, TZ)
    assert (warning.minutes_left, warning.late) == (minutes, late)


def test_handover_sentences() -> None:
    soon, late = sorted(
        handover_warnings(
            [
                kaspi_order("101", NOW + timedelta(hours=2, minutes=15)),
                kaspi_order("102", NOW - timedelta(minutes=65)),
            ],
            NOW,
            TZ,
        ),
        key=lambda w: w.order_code,
    )
    assert soon.sentence_ru == (
        "Заказ 101: передайте в Kaspi Доставку до 12:15, 25 ноября — осталось 2 ч 15 мин."
    )
    assert soon.sentence_en == (
        "Order 101: hand it over to Kaspi Delivery by 12:15, 25 November — 2 h 15 min left."
    )
    assert late.sentence_ru == (
        "Заказ 102: срок передачи в Kaspi Доставку (08:55, 25 ноября) прошёл 1 ч 5 мин назад "
        "— передайте как можно скорее."
    )
    assert late.sentence_en == (
        "Order 102: the Kaspi Delivery handover deadline (08:55, 25 November) passed 1 h 5 min "
        "ago — hand it over as soon as possible."
    )


# --- acceptance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "deadline"),
    [
        (local(WED, 10), local(WED, 13)),
        (local(WED, 18), local(WED, 21)),  # ends exactly at the end of the day: stays there
        (local(WED, 19, 30), local(WED + timedelta(days=1), 10, 30)),  # 1.5 h + 1.5 h
        (local(WED, 20, 59), local(WED + timedelta(days=1), 11, 59)),  # 1 min + 2 h 59 min
        (local(WED, 21), local(WED + timedelta(days=1), 12)),  # created at closing
        (local(WED, 23, 30), local(WED + timedelta(days=1), 12)),
        (local(WED, 3), local(WED, 12)),  # before opening
        (local(WED, 8, 59, 30), local(WED, 12)),
        (local(WED, 9), local(WED, 12)),
    ],
)
def test_acceptance_deadline_counts_working_hours(created: datetime, deadline: datetime) -> None:
    assert acceptance_deadline(created, TZ) == deadline


def test_acceptance_deadline_skips_days_off_and_accepts_round_the_clock() -> None:
    weekdays = WarningRules(working_weekdays=frozenset(range(5)))  # Monday – Friday
    friday = date(2026, 11, 27)
    monday = date(2026, 11, 30)
    assert acceptance_deadline(local(friday, 20), TZ, weekdays) == local(monday, 11)
    always = WarningRules(work_day_start=time(0), work_day_end=time(0))
    assert acceptance_deadline(local(WED, 22), TZ, always) == local(WED + timedelta(days=1), 1)
    short = WarningRules(
        work_day_start=time(9), work_day_end=time(9, 15), working_weekdays=frozenset({0})
    )
    # 3 h of 15-minute Mondays: 12 Mondays; created Wednesday → the 12th Monday after.
    assert acceptance_deadline(local(WED, 12), TZ, short) == local(date(2027, 2, 15), 9, 15)


def test_acceptance_deadline_reads_utc_input() -> None:
    created = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)  # 19:30 in Almaty
    assert acceptance_deadline(created, TZ) == datetime(2026, 11, 26, 5, 30, tzinfo=UTC)


@settings(max_examples=200)
@given(st.integers(0, 7 * 24 * 60 - 1))
def test_acceptance_deadline_is_three_working_hours(minute_of_week: int) -> None:
    created = local(WED, 0) + timedelta(minutes=minute_of_week)
    deadline = acceptance_deadline(created, TZ)
    # Count the working minutes between the two, minute by minute.
    worked = 0
    moment = created
    while moment < deadline:
        local_time = (moment + timedelta(hours=5)).time()  # Almaty is UTC+5
        worked += time(9) <= local_time < time(21)
        moment += timedelta(minutes=1)
    assert worked == 180
    assert time(9) < (deadline + timedelta(hours=5)).time() <= time(21)


def test_acceptance_warnings_within_an_hour_or_overdue() -> None:
    orders = [
        # Created before 09:00: the clock starts at 09:00, so every deadline is 12:00.
        new_order("SOON", local(WED, 7, 59)),
        new_order("NEAR", local(WED, 8, 1)),
        new_order("AT", local(WED, 8)),
        new_order("OVERDUE", local(WED - timedelta(days=1), 18)),  # deadline yesterday 21:00
        Order(
            "DONE", NOW - timedelta(hours=3), "NEW", OrderStatus.ACCEPTED_BY_MERCHANT, Decimal(1)
        ),
    ]
    now = local(WED, 11, 10)
    found = acceptance_warnings(orders, now, TZ)
    # At 11:10 the 12:00 deadlines are 50 min off: within the hour.
    assert [(w.order_code, w.minutes_left) for w in found] == [
        ("OVERDUE", -(14 * 60 + 10)),
        ("AT", 50),
        ("NEAR", 50),
        ("SOON", 50),
    ]
    assert found[0].late and not found[1].late
    later = acceptance_warnings(orders, local(WED, 10, 59), TZ)
    assert [w.order_code for w in later] == ["OVERDUE"]


def test_acceptance_crossing_the_end_of_the_day_and_its_sentence() -> None:
    order = new_order("496149022", local(WED, 19, 30))
    now = local(WED + timedelta(days=1), 9, 45)
    (warning,) = acceptance_warnings([order], now, TZ)
    assert warning.deadline == local(WED + timedelta(days=1), 10, 30)
    assert warning.minutes_left == 45
    assert warning.sentence_ru == (
        "Заказ 496149022: примите до 10:30, 26 ноября — осталось 45 мин, иначе Kaspi отменит "
        "его как «Нет в наличии», и это ухудшит долю отмен."
    )
    assert warning.sentence_en == (
        "Order 496149022: accept it by 10:30, 26 November — 45 min left, or Kaspi cancels it "
        "as out of stock, which counts against your cancellation share."
    )
    # At 21:00 the evening before, the clock has stopped with 1.5 h still to go: no warning
    # though only 13.5 wall-clock hours remain.
    assert acceptance_warnings([order], local(WED, 22), TZ) == []


def test_early_warnings_merge_both_kinds_most_urgent_first() -> None:
    orders = [
        kaspi_order("H1", NOW + timedelta(minutes=30)),
        new_order("N1", local(WED, 7)),  # deadline 12:00
        kaspi_order("H2", NOW - timedelta(minutes=5)),
    ]
    found = early_warnings(orders, local(WED, 11, 30) - timedelta(hours=1, minutes=30), TZ)
    assert [(w.kind, w.order_code) for w in found] == [
        (WarningKind.HANDOVER, "H2"),
        (WarningKind.HANDOVER, "H1"),
    ]
    found = early_warnings(orders, local(WED, 11, 30), TZ)
    assert [w.order_code for w in found] == ["H2", "H1", "N1"]


@pytest.mark.parametrize(
    ("minutes", "ru", "en"),
    [(0, "0 мин", "0 min"), (45, "45 мин", "45 min"), (60, "1 ч", "1 h"),
     (135, "2 ч 15 мин", "2 h 15 min"), (-65, "1 ч 5 мин", "1 h 5 min"),
     (1440 + 190, "1 д 3 ч", "1 d 3 h")],
)  # fmt: skip
def test_duration_text(minutes: int, ru: str, en: str) -> None:
    assert (duration_text(minutes, ru=True), duration_text(minutes, ru=False)) == (ru, en)


def test_rules_and_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="must end after it starts"):
        WarningRules(work_day_start=time(21), work_day_end=time(9))
    with pytest.raises(ValueError, match="working_weekdays"):
        WarningRules(working_weekdays=frozenset())
    with pytest.raises(ValueError, match="aware"):
        handover_warnings([], datetime(2026, 11, 25, 10), TZ)
