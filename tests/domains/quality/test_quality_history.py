"""daily_series agrees with compute_indicators day by day; violations; window-sliding laws."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saudager.core.timewindows import local_day, local_midnight
from saudager.domains.orders.types import Order
from saudager.domains.quality.facts import build_facts, facts_frame
from saudager.domains.quality.history import SERIES_SCHEMA, daily_series, violations
from saudager.domains.quality.indicators import compute_indicators, indicator_spec
from saudager.domains.quality.types import (
    Fact,
    Indicator,
    QualityRules,
    RefKind,
    Status,
)

TZ = "Asia/Almaty"
RULES = QualityRules()
DAY_US = 86_400_000_000
RANK = {Status.NOT_ENOUGH_DATA: 0, Status.OK: 0, Status.WARNING: 1, Status.CRITICAL: 2}

# --- strategies --------------------------------------------------------------------------

ZONES = st.sampled_from(["Asia/Almaty", "UTC", "Europe/Berlin", "America/Sao_Paulo"])
# 10 Mar 2024 puts Almaty's change from UTC+6 to UTC+5 (1 Mar 2024) inside the windows.
BASES = st.sampled_from([date(2026, 8, 1), date(2024, 3, 10), date(2025, 10, 20)])
WINDOWS = st.sampled_from([1, 2, 3, 7, 30])


@st.composite
def instants(draw: st.DrawFn, base: date, tz: str, first: int, last: int) -> datetime:
    """An instant on a local day ``base + first`` … ``base + last``, edges often."""
    day = base + timedelta(days=draw(st.integers(first, last)))
    start = local_midnight(day, tz)
    length_us = (local_midnight(day + timedelta(days=1), tz) - start) // timedelta(microseconds=1)
    offset = draw(st.one_of(st.sampled_from([0, 1, length_us - 1]), st.integers(0, length_us - 1)))
    return start + timedelta(microseconds=offset)


@st.composite
def fact_lists(draw: st.DrawFn, base: date, tz: str) -> list[Fact]:
    facts = []
    for i in range(draw(st.integers(0, 40))):
        indicator = draw(st.sampled_from(list(Indicator)))
        at = draw(instants(base, tz, -12, 10))
        gone = draw(st.one_of(st.none(), instants(base, tz, -12, 14)))
        weight = draw(st.integers(1, 5)) if indicator is Indicator.RATING else 1
        facts.append(
            Fact(
                indicator,
                RefKind.ORDER,
                f"f{i}",
                at,
                numerator=draw(st.booleans()),
                denominator=draw(st.booleans()),
                weight=weight,
                gone_at=gone,
            )
        )
    return facts


@st.composite
def rule_sets(draw: st.DrawFn) -> QualityRules:
    return replace(
        RULES,
        rating_window_days=draw(WINDOWS),
        cancellations_window_days=draw(WINDOWS),
        late_window_days=draw(WINDOWS),
        returns_window_days=draw(WINDOWS),
        balance_window_days=draw(WINDOWS),
        min_orders_window_days=draw(WINDOWS),
        min_orders_30_days=draw(st.integers(0, 4)),
        rating_min_ratings=draw(st.integers(0, 3)),
        cancellations_good=draw(st.sampled_from([Decimal(1), Decimal("12.5"), Decimal(50)])),
    )


# --- series = compute_indicators, every day -----------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), tz=ZONES, base=BASES, rules=rule_sets(), violations_so_far=st.integers(0, 3))
def test_series_agrees_with_compute_indicators_every_day(
    data: st.DataObject, tz: str, base: date, rules: QualityRules, violations_so_far: int
) -> None:
    facts = data.draw(fact_lists(base, tz))
    frame = facts_frame(facts)
    first = base + timedelta(days=data.draw(st.integers(-3, 2)))
    last = first + timedelta(days=data.draw(st.integers(0, 6)))
    series = daily_series(frame, first, last, tz, rules, violations_so_far=violations_so_far)
    assert series.schema == pl.Schema(SERIES_SCHEMA)
    assert series.height == ((last - first).days + 1) * len(Indicator)
    rows = {(r["day"], r["indicator"]): r for r in series.iter_rows(named=True)}
    day = first
    while day <= last:
        values = compute_indicators(frame, day, tz, rules, violations_so_far)
        for indicator, value in values.items():
            row = rows[(day, str(indicator))]
            got = (row["numerator"], row["denominator"], row["value"], row["status"])
            want = (value.numerator, value.denominator, value.value, str(value.status))
            assert got == want, (day, indicator)
        day += timedelta(days=1)


def test_series_of_hand_made_facts() -> None:
    # 10 orders on 1 Aug and a seller-fault order on 3 Aug (local). A fact counts for 30 days:
    # the 1 Aug orders as of 1 … 30 Aug (they leave on 31 Aug), the 3 Aug one as of 3 Aug …
    # 1 Sep. From 31 Aug the shop has 1 order in 30 days: not enough data.
    orders = [_order(f"o{i}", _local(2026, 8, 1, 12)) for i in range(10)]
    bad = replace(_order("c", _local(2026, 8, 3, 9)), numerator=True)
    series = daily_series(
        facts_frame([*orders, bad]), date(2026, 8, 1), date(2026, 9, 2), TZ, RULES
    ).filter(pl.col("indicator") == "seller_cancellations")
    by_day = {r["day"]: r for r in series.iter_rows(named=True)}
    assert (by_day[date(2026, 8, 1)]["numerator"], by_day[date(2026, 8, 1)]["denominator"]) == (
        0,
        10,
    )
    assert by_day[date(2026, 8, 1)]["status"] == "ok"
    assert by_day[date(2026, 8, 3)]["value"] == Decimal("9.09")
    assert by_day[date(2026, 8, 3)]["status"] == "critical"
    assert by_day[date(2026, 8, 30)]["denominator"] == 11  # 1 Aug is day 30 of 30 Aug
    assert by_day[date(2026, 8, 31)]["denominator"] == 1  # the ten orders left
    assert by_day[date(2026, 8, 31)]["status"] == "not_enough_data"
    assert by_day[date(2026, 9, 1)]["numerator"] == 1  # 3 Aug is day 30 of 1 Sep
    assert by_day[date(2026, 9, 2)]["denominator"] == 0
    everything = daily_series(
        facts_frame([*orders, bad]), date(2026, 8, 1), date(2026, 9, 2), TZ, RULES
    )
    assert violations(everything) == [(date(2026, 8, 3), Indicator.SELLER_CANCELLATIONS)]


def test_series_needs_an_ordered_range() -> None:
    with pytest.raises(ValueError, match="before"):
        daily_series(facts_frame([]), date(2026, 8, 2), date(2026, 8, 1), TZ, RULES)


def test_series_accepts_a_frame_without_gone_at() -> None:
    frame = facts_frame([_order("o", _local(2026, 8, 1, 12))]).drop("gone_at")
    series = daily_series(frame, date(2026, 8, 1), date(2026, 8, 1), TZ, RULES)
    row = series.filter(pl.col("indicator") == "seller_cancellations").row(0, named=True)
    assert (row["numerator"], row["denominator"], row["status"]) == (0, 1, "not_enough_data")


# --- violations -------------------------------------------------------------------------


def _series(statuses: dict[Indicator, str]) -> pl.DataFrame:
    """A series whose statuses per day are given as letters: o ok, w warning, c critical, n."""
    letters = {"o": "ok", "w": "warning", "c": "critical", "n": "not_enough_data"}
    rows = [
        {
            "day": date(2026, 8, 1) + timedelta(days=i),
            "indicator": str(indicator),
            "numerator": 0,
            "denominator": 0,
            "value": None,
            "status": letters[letter],
        }
        for indicator, text in statuses.items()
        for i, letter in enumerate(text)
    ]
    return pl.DataFrame(rows, schema=SERIES_SCHEMA)


def test_violations_are_the_first_critical_day_of_each_run() -> None:
    series = _series(
        {
            Indicator.SELLER_CANCELLATIONS: "owcccoccnc",
            Indicator.RATING: "cccoooooow",  # critical on the series' first day: a start
            Indicator.LATE_HANDOVERS: "ooooocoooo",
            Indicator.REVIEWS_BALANCE: "cococococo",  # no sanction: ignored
        }
    )
    d = [date(2026, 8, 1) + timedelta(days=i) for i in range(10)]
    assert violations(series) == [
        (d[0], Indicator.RATING),
        (d[2], Indicator.SELLER_CANCELLATIONS),
        (d[5], Indicator.LATE_HANDOVERS),  # same day: SANCTIONED order
        (d[6], Indicator.SELLER_CANCELLATIONS),
        (d[9], Indicator.SELLER_CANCELLATIONS),  # not-enough-data broke the run
    ]


def test_no_violations_in_an_empty_series() -> None:
    assert violations(pl.DataFrame(schema=SERIES_SCHEMA)) == []


# --- laws of the sliding window ---------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data(), tz=ZONES, base=BASES, rules=rule_sets())
def test_moving_as_of_one_day_adds_the_entering_day_and_drops_the_leaving_day(
    data: st.DataObject, tz: str, base: date, rules: QualityRules
) -> None:
    facts = data.draw(fact_lists(base, tz))
    as_of = base + timedelta(days=data.draw(st.integers(-3, 8)))
    frame = facts_frame(facts)
    today = compute_indicators(frame, as_of, tz, rules)
    tomorrow = compute_indicators(frame, as_of + timedelta(days=1), tz, rules)
    end_today = local_midnight(as_of + timedelta(days=1), tz)
    end_tomorrow = local_midnight(as_of + timedelta(days=2), tz)
    for indicator in Indicator:
        width = indicator_spec(indicator, rules).window_days
        entering_day = as_of + timedelta(days=1)
        leaving_day = as_of - timedelta(days=width - 1)

        def total(chosen: list[Fact]) -> tuple[int, int]:
            return (
                sum(f.weight for f in chosen if f.numerator),
                sum(1 for f in chosen if f.denominator),
            )

        mine = [f for f in facts if f.indicator is indicator]
        # in the window through tomorrow; not gone by tomorrow's end
        entered = total(
            [
                f
                for f in mine
                if local_day(f.at, tz) == entering_day
                and (f.gone_at is None or f.gone_at >= end_tomorrow)
            ]
        )
        # counted today; its day leaves
        left = total(
            [
                f
                for f in mine
                if local_day(f.at, tz) == leaving_day
                and (f.gone_at is None or f.gone_at >= end_today)
            ]
        )
        # counted today, still in tomorrow's window, but deleted or returned during tomorrow
        vanished = total(
            [
                f
                for f in mine
                if leaving_day < local_day(f.at, tz) <= as_of
                and f.gone_at is not None
                and end_today <= f.gone_at < end_tomorrow
            ]
        )
        change = (
            tomorrow[indicator].numerator - today[indicator].numerator,
            tomorrow[indicator].denominator - today[indicator].denominator,
        )
        assert change == (
            entered[0] - left[0] - vanished[0],
            entered[1] - left[1] - vanished[1],
        ), indicator
        if not any(f.gone_at for f in mine):
            assert change == (entered[0] - left[0], entered[1] - left[1])


@settings(max_examples=60, deadline=None)
@given(
    lateness=st.lists(st.integers(-600, 600), max_size=40),
    hours=st.lists(st.integers(0, 24 * 29), min_size=40, max_size=40),
    extra_hour=st.integers(0, 24 * 29),
    extra_early=st.integers(0, 600),
)
def test_one_more_on_time_handover_never_raises_the_late_share(
    lateness: list[int], hours: list[int], extra_hour: int, extra_early: int
) -> None:
    as_of = date(2026, 8, 25)
    window_start = local_midnight(date(2026, 7, 27), TZ)

    def handover(code: str, at: datetime, late_minutes: int) -> Order:
        return Order(
            code=code,
            created_at=at - timedelta(hours=12),
            state="ARCHIVE",
            status="COMPLETED",
            total_price=Decimal(1000),
            is_kaspi_delivery=True,
            handed_over_at=at,
            handover_deadline=at - timedelta(minutes=late_minutes),
        )

    orders = [
        handover(f"o{i}", window_start + timedelta(hours=h), m)
        for i, (m, h) in enumerate(zip(lateness, hours, strict=False))
    ]
    extra = handover("extra", window_start + timedelta(hours=extra_hour), -extra_early)
    before = compute_indicators(build_facts(orders, [], [], RULES), as_of, TZ, RULES, 3)
    after = compute_indicators(build_facts([*orders, extra], [], [], RULES), as_of, TZ, RULES, 3)
    b, a = before[Indicator.LATE_HANDOVERS], after[Indicator.LATE_HANDOVERS]
    assert a.denominator == b.denominator + 1
    assert a.numerator == b.numerator
    if b.denominator:
        assert Fraction(a.numerator, a.denominator) <= Fraction(b.numerator, b.denominator)
        assert a.value is not None and b.value is not None and a.value <= b.value
    assert RANK[a.status] <= RANK[b.status]


# --- helpers ----------------------------------------------------------------------------


def _local(y: int, m: int, d: int, hh: int = 0) -> datetime:
    return datetime(y, m, d, hh, tzinfo=UTC) - timedelta(hours=5)


def _order(ref: str, at: datetime) -> Fact:
    return Fact(Indicator.SELLER_CANCELLATIONS, RefKind.ORDER, ref, at, False, True)


def test_day_numbers_match_local_days_around_almaty_zone_change() -> None:
    # Almaty moved from UTC+6 to UTC+5 at 29 Feb 2024 18:00 UTC: the clock went from 1 Mar 00:00
    # back to 29 Feb 23:00, so 29 Feb lasted 25 hours (18:00 UTC on 28 Feb to 19:00 UTC on
    # 29 Feb). The series must put each event on the day ``local_day`` says.
    events = [
        _order("a", datetime(2024, 2, 29, 17, 30, tzinfo=UTC)),  # 29 Feb 23:30 +06
        _order("b", datetime(2024, 2, 29, 18, 30, tzinfo=UTC)),  # 29 Feb 23:30 +05, again
        _order("c", datetime(2024, 2, 29, 19, 30, tzinfo=UTC)),  # 1 Mar 00:30 +05
    ]
    assert [local_day(e.at, TZ) for e in events] == [date(2024, 2, 29)] * 2 + [date(2024, 3, 1)]
    rules = replace(RULES, cancellations_window_days=1, min_orders_30_days=0)
    series = daily_series(facts_frame(events), date(2024, 2, 28), date(2024, 3, 2), TZ, rules)
    cancel = series.filter(pl.col("indicator") == "seller_cancellations")
    assert cancel["denominator"].to_list() == [0, 2, 1, 0]
    for day, expected in ((date(2024, 2, 29), 2), (date(2024, 3, 1), 1)):
        value = compute_indicators(facts_frame(events), day, TZ, rules)
        assert value[Indicator.SELLER_CANCELLATIONS].denominator == expected


def test_series_ignores_rows_of_an_unknown_indicator() -> None:
    known = facts_frame([_order(f"o{i}", _local(2026, 8, 1, 12)) for i in range(3)])
    frame = pl.concat([known, known.with_columns(pl.lit("something_new").alias("indicator"))])
    series = daily_series(frame, date(2026, 8, 1), date(2026, 8, 2), TZ, RULES)
    assert set(series["indicator"]) == {str(ind) for ind in Indicator}
    cancel = series.filter(pl.col("indicator") == "seller_cancellations")
    assert cancel["denominator"].to_list() == [3, 3]
