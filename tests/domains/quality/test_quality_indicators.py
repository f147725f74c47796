"""compute_indicators and drilldown: window edges, minimum data, statuses, rounding.

Asia/Almaty is UTC+5: local midnight is 19:00 UTC the day before. As of 25 Aug 2026 the 30-day
windows run 27 Jul 00:00 → 25 Aug 23:59:59.999 local, the 90-day ones from 28 May.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest

from saudager.domains.quality.facts import facts_frame
from saudager.domains.quality.indicators import (
    compute_indicators,
    drilldown,
    event_counts,
    indicator_window,
    orders_for_min_data,
    rounded_value,
    status_of,
    window_facts,
)
from saudager.domains.quality.types import (
    Fact,
    Indicator,
    IndicatorValue,
    QualityRules,
    RefKind,
    Status,
)

TZ = "Asia/Almaty"
RULES = QualityRules()
AS_OF = date(2026, 8, 25)
MS = timedelta(milliseconds=1)
INSIDE = datetime(2026, 8, 10, 6, 0, tzinfo=UTC)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, ms: int = 0) -> datetime:
    """A local Almaty wall time (UTC+5) as aware UTC."""
    return datetime(y, m, d, hh, mm, ss, ms * 1000, tzinfo=UTC) - timedelta(hours=5)


def orders(n: int, at: datetime = INSIDE, prefix: str = "o") -> list[Fact]:
    """``n`` plain orders: SELLER_CANCELLATIONS denominator facts (what the minimum counts)."""
    return [
        Fact(Indicator.SELLER_CANCELLATIONS, RefKind.ORDER, f"{prefix}{i}", at, False, True)
        for i in range(n)
    ]


def cancellation(ref: str, at: datetime) -> Fact:
    return Fact(Indicator.SELLER_CANCELLATIONS, RefKind.ORDER, ref, at, True, True)


def rating(ref: str, stars: int, at: datetime = INSIDE, gone: datetime | None = None) -> Fact:
    return Fact(Indicator.RATING, RefKind.REVIEW, ref, at, True, True, stars, gone_at=gone)


def value_of(
    facts: list[Fact], indicator: Indicator, as_of: date = AS_OF, violations_so_far: int = 0
) -> IndicatorValue:
    frame = facts_frame(facts)
    return compute_indicators(frame, as_of, TZ, RULES, violations_so_far)[indicator]


# --- window edges -----------------------------------------------------------------------


def test_windows_match_kaspi_cabinet_edges() -> None:
    rating_window = indicator_window(Indicator.RATING, AS_OF, TZ, RULES)
    assert rating_window.start == datetime(2026, 5, 27, 19, 0, tzinfo=UTC)
    assert rating_window.last_instant == datetime(2026, 8, 25, 18, 59, 59, 999000, tzinfo=UTC)
    thirty = indicator_window(Indicator.SELLER_CANCELLATIONS, AS_OF, TZ, RULES)
    assert thirty.start == local(2026, 7, 27)
    assert thirty.end == local(2026, 8, 26)


@pytest.mark.parametrize(
    ("moment", "counts"),
    [
        pytest.param(local(2026, 7, 27, 23, 59, 59, 999), True, id="first-day-23:59:59.999"),
        pytest.param(local(2026, 7, 27), True, id="first-day-00:00"),
        pytest.param(local(2026, 7, 26, 23, 59, 59, 999), False, id="day-before-23:59:59.999"),
        pytest.param(local(2026, 8, 25, 23, 59, 59, 999), True, id="as-of-23:59:59.999"),
        pytest.param(local(2026, 8, 26), False, id="day-after-00:00"),
        # UTC midnight is not local midnight: 24 Aug 20:00 UTC is 25 Aug 01:00 local …
        pytest.param(datetime(2026, 8, 24, 20, 0, tzinfo=UTC), True, id="utc-24-aug-local-25"),
        # … and 25 Aug 20:00 UTC is already 26 Aug local: outside, though its UTC date is 25 Aug.
        pytest.param(datetime(2026, 8, 25, 20, 0, tzinfo=UTC), False, id="utc-25-aug-local-26"),
    ],
)
def test_window_edges_in_local_time(moment: datetime, counts: bool) -> None:
    value = value_of([*orders(10), cancellation("edge", moment)], Indicator.SELLER_CANCELLATIONS)
    assert value.numerator == int(counts)
    assert value.denominator == 10 + int(counts)


def test_day_thirty_counts_day_thirty_one_does_not() -> None:
    # Day 1 is the as-of day itself; day 30 is 27 Jul, day 31 is 26 Jul.
    day30 = local(2026, 8, 25, 12) - timedelta(days=29)
    day31 = local(2026, 8, 25, 12) - timedelta(days=30)
    assert day30 == local(2026, 7, 27, 12)
    facts = [*orders(10), cancellation("d30", day30), cancellation("d31", day31)]
    value = value_of(facts, Indicator.SELLER_CANCELLATIONS)
    assert (value.numerator, value.denominator) == (1, 11)
    bad = drilldown(
        facts_frame(facts), Indicator.SELLER_CANCELLATIONS, AS_OF, TZ, RULES, numerator_only=True
    )
    assert [f.ref for f in bad] == ["d30"]


def test_utc_midnight_event_belongs_to_the_next_local_day() -> None:
    event = cancellation("x", datetime(2026, 8, 24, 20, 0, tzinfo=UTC))  # 25 Aug 01:00 local
    facts = [*orders(10, local(2026, 8, 20)), event]
    assert value_of(facts, Indicator.SELLER_CANCELLATIONS, date(2026, 8, 24)).numerator == 0
    assert value_of(facts, Indicator.SELLER_CANCELLATIONS, date(2026, 8, 25)).numerator == 1
    counts = event_counts(facts_frame(facts), AS_OF, TZ, RULES)
    row = counts.filter(pl.col("indicator") == "seller_cancellations", pl.col("day") == AS_OF)
    assert row.select("leaves_on", "numerator", "denominator").rows() == [
        (date(2026, 9, 24), 1, 1)  # counts through 23 Sep, out as of 24 Sep
    ]


def test_ninety_day_rating_window_edges() -> None:
    facts = [
        *orders(10),
        rating("first", 5, local(2026, 5, 28, 23, 59, 59, 999)),
        rating("before", 1, local(2026, 5, 27, 23, 59, 59, 999)),
        rating("a", 5),
        rating("b", 4),
    ]
    value = value_of(facts, Indicator.RATING)
    assert (value.numerator, value.denominator) == (14, 3)
    assert value.value == Decimal("4.67")
    assert value.status is Status.OK
    assert value.details["stars_5"] == 2
    assert value.details["stars_4"] == 1
    assert value.details["stars_1"] == 0


# --- minimum data ---------------------------------------------------------------------


def test_nine_orders_is_not_enough_ten_is() -> None:
    bad = [cancellation(f"c{i}", INSIDE) for i in range(3)]
    nine = value_of([*orders(6), *bad], Indicator.SELLER_CANCELLATIONS)
    ten = value_of([*orders(7), *bad], Indicator.SELLER_CANCELLATIONS)
    assert nine.status is Status.NOT_ENOUGH_DATA
    assert nine.value == Decimal("33.33")  # the value is still there to show
    assert nine.details["min_data_orders"] == 9
    assert ten.status is Status.CRITICAL
    assert ten.value == Decimal("30.00")


def test_orders_older_than_thirty_days_do_not_make_the_minimum() -> None:
    facts = [*orders(9), *orders(5, local(2026, 7, 26, 23, 59), prefix="old")]
    assert orders_for_min_data(facts_frame(facts), AS_OF, TZ, RULES) == 9
    assert value_of(facts, Indicator.SELLER_CANCELLATIONS).status is Status.NOT_ENOUGH_DATA


def test_after_the_third_violation_few_orders_still_count() -> None:
    facts = [*orders(2), cancellation("c", INSIDE)]
    assert value_of(facts, Indicator.SELLER_CANCELLATIONS, violations_so_far=2).status is (
        Status.NOT_ENOUGH_DATA
    )
    assert value_of(facts, Indicator.SELLER_CANCELLATIONS, violations_so_far=3).status is (
        Status.CRITICAL
    )


def test_rating_needs_three_ratings_besides_the_orders() -> None:
    two = [*orders(10), rating("a", 1), rating("b", 1)]
    assert value_of(two, Indicator.RATING).status is Status.NOT_ENOUGH_DATA
    assert value_of(two, Indicator.RATING, violations_so_far=5).status is Status.NOT_ENOUGH_DATA
    three = [*two, rating("c", 1)]
    assert value_of(three, Indicator.RATING).status is Status.CRITICAL
    assert value_of(three[10:], Indicator.RATING).status is Status.NOT_ENOUGH_DATA  # no orders


# --- deleted reviews ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deleted", "counts"),
    [
        pytest.param(local(2026, 8, 20), False, id="deleted-before-as-of"),
        pytest.param(local(2026, 8, 25, 23, 59, 59, 999), False, id="deleted-on-as-of-day"),
        pytest.param(local(2026, 8, 26), True, id="deleted-after-as-of"),
        pytest.param(None, True, id="never-deleted"),
    ],
)
def test_deleted_review(deleted: datetime | None, counts: bool) -> None:
    facts = [*orders(10), rating("a", 5), rating("b", 5), rating("c", 5)]
    facts.append(rating("deleted", 1, gone=deleted))
    value = value_of(facts, Indicator.RATING)
    assert value.denominator == 3 + int(counts)
    in_drilldown = [
        f.ref for f in drilldown(facts_frame(facts), Indicator.RATING, AS_OF, TZ, RULES)
    ]
    assert ("deleted" in in_drilldown) is counts


# --- statuses and rounding ------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "num", "den", "status"),
    [
        (Indicator.SELLER_CANCELLATIONS, 3, 100, Status.CRITICAL),  # 3 % is the mark: ≥
        (Indicator.SELLER_CANCELLATIONS, 299, 10000, Status.WARNING),
        (Indicator.SELLER_CANCELLATIONS, 1, 100, Status.OK),  # exactly good
        (Indicator.SELLER_CANCELLATIONS, 101, 10000, Status.WARNING),
        (Indicator.SELLER_CANCELLATIONS, 0, 0, Status.OK),
        (Indicator.LATE_HANDOVERS, 10, 100, Status.CRITICAL),
        (Indicator.LATE_HANDOVERS, 5, 100, Status.OK),
        (Indicator.LATE_HANDOVERS, 6, 100, Status.WARNING),
        (Indicator.QUALITY_RETURNS, 2, 100, Status.CRITICAL),
        (Indicator.QUALITY_RETURNS, 15, 1000, Status.WARNING),
        (Indicator.QUALITY_RETURNS, 0, 0, Status.OK),
        (Indicator.RATING, 12, 3, Status.WARNING),  # 4.0 is not below 4.0
        (Indicator.RATING, 999, 250, Status.CRITICAL),  # 3.996: shown as 4.00, still below
        (Indicator.RATING, 23, 5, Status.OK),  # 4.6 exactly
        (Indicator.RATING, 229, 50, Status.WARNING),  # 4.58
        (Indicator.RATING, 10, 2, Status.NOT_ENOUGH_DATA),
        (Indicator.REVIEWS_BALANCE, 2, 2, Status.CRITICAL),
        (Indicator.REVIEWS_BALANCE, 1, 2, Status.OK),
        (Indicator.REVIEWS_BALANCE, 1, 0, Status.CRITICAL),
        (Indicator.REVIEWS_BALANCE, 0, 0, Status.NOT_ENOUGH_DATA),
    ],
)
def test_status_thresholds(indicator: Indicator, num: int, den: int, status: Status) -> None:
    assert status_of(indicator, num, den, RULES) is status
    assert status_of(indicator, num, den, RULES, enough_orders=False) is Status.NOT_ENOUGH_DATA


def test_the_looser_five_percent_reading_is_a_setting() -> None:
    loose = replace(RULES, cancellations_critical_from=Decimal(5))
    assert status_of(Indicator.SELLER_CANCELLATIONS, 4, 100, RULES) is Status.CRITICAL
    assert status_of(Indicator.SELLER_CANCELLATIONS, 4, 100, loose) is Status.WARNING


@pytest.mark.parametrize(
    ("indicator", "num", "den", "value"),
    [
        (Indicator.SELLER_CANCELLATIONS, 1, 800, Decimal("0.13")),  # 0.125: half up, not even
        (Indicator.SELLER_CANCELLATIONS, 1, 3, Decimal("33.33")),
        (Indicator.SELLER_CANCELLATIONS, 2, 3, Decimal("66.67")),
        (Indicator.SELLER_CANCELLATIONS, 0, 7, Decimal("0.00")),
        (Indicator.SELLER_CANCELLATIONS, 0, 0, None),
        (Indicator.RATING, 801, 200, Decimal("4.01")),  # 4.005
        (Indicator.RATING, 999, 250, Decimal("4.00")),
        (Indicator.REVIEWS_BALANCE, 1, 3, Decimal("33.33")),
        (Indicator.REVIEWS_BALANCE, 1, 0, None),
    ],
)
def test_rounding_half_up(indicator: Indicator, num: int, den: int, value: Decimal | None) -> None:
    assert rounded_value(indicator, num, den) == value
    if value is not None:
        assert str(value).count(".") == 1
        assert len(str(value).split(".")[1]) == 2


# --- drill-down -----------------------------------------------------------------------


def test_drilldown_is_newest_first_and_exact() -> None:
    facts = [
        *orders(8),
        cancellation("old", local(2026, 7, 28)),
        cancellation("new", local(2026, 8, 24)),
        cancellation("out", local(2026, 7, 20)),
    ]
    frame = facts_frame(facts)
    everything = drilldown(frame, Indicator.SELLER_CANCELLATIONS, AS_OF, TZ, RULES)
    assert len(everything) == 10
    assert [f.at for f in everything] == sorted((f.at for f in everything), reverse=True)
    bad = drilldown(frame, Indicator.SELLER_CANCELLATIONS, AS_OF, TZ, RULES, numerator_only=True)
    assert [f.ref for f in bad] == ["new", "old"]
    assert bad[0] == facts[9]
    one = drilldown(frame, Indicator.SELLER_CANCELLATIONS, AS_OF, TZ, RULES, limit=1)
    assert [f.ref for f in one] == ["new"]
    value = value_of(facts, Indicator.SELLER_CANCELLATIONS)
    assert value.details["numerator_facts"] == 2
    assert value.details["denominator_facts"] == 10
    assert window_facts(frame, Indicator.SELLER_CANCELLATIONS, AS_OF, TZ, RULES).height == 10


def test_frame_without_gone_at_column_is_accepted() -> None:
    frame = facts_frame([*orders(10), cancellation("c", INSIDE)]).drop("gone_at")
    value = compute_indicators(frame, AS_OF, TZ, RULES)[Indicator.SELLER_CANCELLATIONS]
    assert (value.numerator, value.denominator) == (1, 11)


def test_every_indicator_is_present_with_its_marks() -> None:
    values = compute_indicators(facts_frame(orders(10)), AS_OF, TZ, RULES)
    assert set(values) == set(Indicator)
    assert values[Indicator.RATING].critical_mark == Decimal("4.0")
    assert values[Indicator.RATING].good_level == Decimal("4.6")
    assert values[Indicator.LATE_HANDOVERS].critical_mark == Decimal(10)
    assert values[Indicator.REVIEWS_BALANCE].critical_mark == Decimal(100)
    assert values[Indicator.REVIEWS_BALANCE].good_level is None
    assert values[Indicator.LATE_HANDOVERS].value is None
    assert values[Indicator.LATE_HANDOVERS].status is Status.OK  # no handover: nothing late


def test_drilldown_limit_settles_ties_by_ref() -> None:
    same = local(2026, 8, 20, 10)
    facts = [
        *orders(10),
        cancellation("b", same),
        cancellation("c", same),
        cancellation("a", same),
        cancellation("older", same - MS),
    ]
    frame = facts_frame(facts)
    for limit, refs in ((1, ["a"]), (2, ["a", "b"]), (4, ["a", "b", "c", "older"]), (0, [])):
        page = drilldown(
            frame,
            Indicator.SELLER_CANCELLATIONS,
            AS_OF,
            TZ,
            RULES,
            numerator_only=True,
            limit=limit,
        )
        assert [f.ref for f in page] == refs


def test_rows_of_an_unknown_indicator_are_ignored() -> None:
    frame = pl.concat(
        [
            facts_frame([*orders(10), cancellation("c", INSIDE)]),
            facts_frame(orders(3)).with_columns(pl.lit("something_new").alias("indicator")),
        ]
    )
    value = compute_indicators(frame, AS_OF, TZ, RULES)[Indicator.SELLER_CANCELLATIONS]
    assert (value.numerator, value.denominator) == (1, 11)
    assert set(event_counts(frame, AS_OF, TZ, RULES)["indicator"]) == {"seller_cancellations"}
