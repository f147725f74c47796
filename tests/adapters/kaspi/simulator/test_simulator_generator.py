"""The generated shop: deterministic, internally consistent, and statistically like a real one."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saudager.adapters.kaspi.simulator import Shop, SimConfig, generate_shop
from saudager.adapters.kaspi.simulator.shoptime import (
    DAY,
    HANDOVER_DUE,
    HOUR,
    SUNDAY,
    WORK_CLOSE,
    WORK_OPEN,
    add_working_time,
    handover_deadline,
    weekday_of,
)
from saudager.adapters.kaspi.simulator.timeline import (
    KASPI_DELIVERIES,
    SELLER_REASONS,
    OrderPlan,
)

ALMATY_MS = 5 * HOUR  # UTC+5 since March 2024


def local_hour(epoch_ms: int) -> int:
    return ((epoch_ms + ALMATY_MS) % DAY) // HOUR


def local_date(epoch_ms: int) -> date:
    return datetime.fromtimestamp((epoch_ms + ALMATY_MS) / 1000, tz=UTC).date()


def is_late(order: OrderPlan) -> bool:
    assert order.handover_ms is not None
    assert order.handover_deadline_ms is not None
    return order.handover_ms > order.handover_deadline_ms


# ---- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_shop() -> None:
    end = datetime(2026, 2, 20, tzinfo=UTC)
    config = SimConfig(seed=42, start=end - timedelta(days=15), end=end)
    first, second = generate_shop(config), generate_shop(config)
    assert first.orders == second.orders
    assert first.reviews == second.reviews
    assert first.catalog == second.catalog


def test_another_seed_gives_another_shop() -> None:
    end = datetime(2026, 2, 20, tzinfo=UTC)
    first = generate_shop(SimConfig(seed=1, start=end - timedelta(days=5), end=end))
    second = generate_shop(SimConfig(seed=2, start=end - timedelta(days=5), end=end))
    assert [o.code for o in first.orders] != [o.code for o in second.orders]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2026, 1, 1)}, "aware"),
        ({"end": datetime(2025, 1, 1, tzinfo=UTC)}, "before"),
        ({"late_handover_share": 1.5}, "between 0 and 1"),
        ({"seller_cancel_share": 0.6, "buyer_cancel_share": 0.6}, "more than 1"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_a_bad_config_is_refused(change: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "seed": 1,
        "start": datetime(2026, 1, 1, tzinfo=UTC),
        "end": datetime(2026, 1, 10, tzinfo=UTC),
    }
    with pytest.raises(ValueError, match=message):
        SimConfig(**(values | change))  # type: ignore[arg-type]


# ---- consistency of every order ---------------------------------------------------------------


def test_every_timeline_is_consistent(year_shop: Shop) -> None:
    start_ms = int(year_shop.config.start.timestamp() * 1000)
    end_ms = int(year_shop.config.end.timestamp() * 1000)
    previous_code = 0
    for order in year_shop.orders:
        assert start_ms <= order.created_ms < end_ms
        assert order.code > previous_code
        assert len(str(order.code)) == 9
        previous_code = order.code
        assert order.created_ms <= order.approved_ms
        steps = [order.approved_ms, order.accepted_ms, order.assembled_ms, order.handover_ms]
        known = [s for s in steps if s is not None]
        assert known == sorted(known)
        if order.cancelled_ms is not None:
            assert order.cancellation_reason is not None
            assert order.completed_ms is None
            assert order.return_requested_ms is None
            if order.cancelling_ms is not None:
                assert order.cancelling_ms < order.cancelled_ms
        else:
            assert order.completed_ms is not None
            assert order.cancellation_reason is None
            assert order.accepted_ms is not None
            assert order.accepted_ms <= order.completed_ms
        if order.returned_ms is not None:
            assert order.completed_ms is not None
            assert order.return_requested_ms is not None
            assert order.completed_ms < order.return_requested_ms < order.returned_ms
            assert order.return_requested_ms - order.completed_ms <= 14 * DAY
            assert order.return_reason in ("quality", "other")
        if order.delivery in KASPI_DELIVERIES and order.accepted_ms is not None:
            deadline = order.handover_deadline_ms
            assert deadline is not None
            assert (deadline + ALMATY_MS) % DAY == HANDOVER_DUE
            assert weekday_of(deadline + ALMATY_MS) != SUNDAY
        else:
            assert order.handover_ms is None
        assert order.total_price == sum(q * p for _, q, p in order.lines)
        assert 1 <= len(order.lines) <= 3


def test_unaccepted_orders_are_cancelled_out_of_stock_within_three_working_hours(
    year_shop: Shop,
) -> None:
    never_accepted = [
        o
        for o in year_shop.orders
        if o.accepted_ms is None and o.cancellation_reason in SELLER_REASONS
    ]
    assert never_accepted
    for order in never_accepted:
        assert order.cancelled_ms is not None
        local = order.approved_ms + ALMATY_MS
        assert order.cancelled_ms + ALMATY_MS <= add_working_time(local, 3 * HOUR)


# ---- realism ----------------------------------------------------------------------------------


def test_size_of_the_shop(year_shop: Shop) -> None:
    per_day = len(year_shop.orders) / 365
    assert 140 <= per_day <= 185  # mean 150 plus the Жұма spikes
    assert len(year_shop.catalog.products) == 300
    categories = {p.category.code for p in year_shop.catalog.products}
    assert len(categories) >= 10
    assert all(c.startswith("Master - ") for c in categories)
    for product in year_shop.catalog.products:
        assert 1_000 <= product.price <= 500_000
        assert re.fullmatch(r"\d{9}", product.kaspi_code)


def _zhuma_near(day: date, shop: Shop) -> bool:
    return any(
        first - timedelta(days=7) <= day <= last + timedelta(days=7)
        for first, last in shop.config.zhuma_periods
    )


def test_weekly_rhythm(year_shop: Shop) -> None:
    per_day = Counter(local_date(o.created_ms) for o in year_shop.orders)
    by_weekday: dict[int, list[int]] = {}
    for day, count in per_day.items():
        if not _zhuma_near(day, year_shop):
            by_weekday.setdefault(day.weekday(), []).append(count)
    mean = {weekday: statistics.mean(counts) for weekday, counts in by_weekday.items()}
    assert mean[0] > mean[5] * 1.1  # Mondays busier than Saturdays
    assert min(mean, key=lambda weekday: mean[weekday]) == 5


def test_daily_rhythm_peaks_in_the_evening(year_shop: Shop) -> None:
    by_hour = Counter(local_hour(o.created_ms) for o in year_shop.orders)
    night = sum(by_hour[h] for h in (2, 3, 4, 5))
    evening = sum(by_hour[h] for h in (19, 20, 21, 22))
    assert night * 8 < evening
    assert max(by_hour, key=lambda hour: by_hour[hour]) in (19, 20, 21)


def test_zhuma_multiplies_sales(year_shop: Shop) -> None:
    per_day = Counter(local_date(o.created_ms) for o in year_shop.orders)
    usual = statistics.median(per_day[date(2026, 1, 1) + timedelta(days=i)] for i in range(30))
    assert per_day[date(2026, 2, 12)] >= 3 * usual
    assert per_day[date(2026, 2, 15)] >= 2 * usual


def test_late_handover_share_is_near_the_setting(year_shop: Shop) -> None:
    handed_over = [o for o in year_shop.orders if o.handover_ms is not None]
    late = sum(is_late(o) for o in handed_over) / len(handed_over)
    assert abs(late - year_shop.config.late_handover_share) < 0.01


def test_cancellation_and_return_shares(year_shop: Shop) -> None:
    orders = year_shop.orders
    seller = sum(o.cancellation_reason in SELLER_REASONS for o in orders) / len(orders)
    cancelled = sum(o.cancellation_reason is not None for o in orders) / len(orders)
    assert abs(seller - 0.02) < 0.004
    assert abs(cancelled - seller - 0.05) < 0.007
    completed = [o for o in orders if o.completed_ms is not None]
    returns = [o for o in completed if o.return_reason is not None]
    assert abs(len(returns) / len(completed) - 0.02) < 0.004
    quality = sum(o.return_reason == "quality" for o in returns) / len(returns)
    assert 0.3 < quality < 0.5


def test_ratings_are_j_shaped(year_shop: Shop) -> None:
    ratings = Counter(review.rating for review in year_shop.reviews)
    total = sum(ratings.values())
    completed = sum(o.completed_ms is not None for o in year_shop.orders)
    assert abs(total / completed - 0.35) < 0.02
    assert ratings[5] / total > 0.6
    assert ratings[1] > ratings[2]  # the J's hook
    assert ratings[5] > ratings[4] > ratings[3]
    assert 4.2 < statistics.mean(r.rating for r in year_shop.reviews) < 4.8
    for review in year_shop.reviews:
        assert 20 * HOUR <= review.approved_ms - review.created_ms <= 30 * HOUR


def test_a_fifth_of_the_range_brings_most_revenue(year_shop: Shop) -> None:
    revenue: Counter[int] = Counter()
    for order in year_shop.orders:
        for product_index, quantity, price in order.lines:
            revenue[product_index] += quantity * price
    ranked = sorted(revenue.values(), reverse=True)
    top_fifth = sum(ranked[: len(ranked) // 5]) / sum(ranked)
    assert 0.6 < top_fifth < 0.95


def test_buyers_look_kazakh_and_some_come_back(year_shop: Shop) -> None:
    for customer in year_shop.customers:
        assert re.fullmatch(r"7(0[0-8]|47|7[0-8])\d{7}", customer.phone)
    assert len({c.phone for c in year_shop.customers}) == len(year_shop.customers)
    per_customer = Counter(o.customer.index for o in year_shop.orders)
    repeat_orders = sum(n for n in per_customer.values() if n > 1)
    assert repeat_orders / len(year_shop.orders) > 0.15
    modes = Counter(o.delivery in KASPI_DELIVERIES for o in year_shop.orders)
    assert modes[True] > 0.7 * len(year_shop.orders)


# ---- the time rules -------------------------------------------------------------------------

local_instants = st.integers(min_value=1_700_000_000_000, max_value=1_900_000_000_000)


@given(local_instants, st.integers(min_value=0, max_value=30 * HOUR))
def test_working_time_lands_inside_working_hours(start: int, duration: int) -> None:
    end = add_working_time(start, duration)
    assert end >= start + duration
    assert WORK_OPEN <= end % DAY <= WORK_CLOSE


@given(local_instants, st.integers(min_value=0, max_value=3 * DAY))
def test_handover_deadline_is_a_dropoff_day_at_six(created: int, acceptance_delay: int) -> None:
    accepted = created + acceptance_delay
    deadline = handover_deadline(created, accepted)
    assert deadline % DAY == HANDOVER_DUE
    assert weekday_of(deadline) != SUNDAY
    assert deadline >= accepted + 2 * HOUR
    assert deadline - accepted <= 3 * DAY + 2 * HOUR
