"""The sanction ladder from the daily history: stages, dates, repeats, reconnection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import polars as pl
import pytest

from saudager.core.timewindows import local_midnight
from saudager.domains.quality.facts import facts_frame
from saudager.domains.quality.history import daily_series
from saudager.domains.quality.sanctions import (
    SanctionRules,
    SanctionStage,
    StagePeriod,
    facts_since_reconnection,
    sanction_state,
)
from saudager.domains.quality.types import Fact, Indicator, QualityRules, RefKind, Status

NONE = SanctionStage.NONE
FIRST = SanctionStage.FIRST_BLOCK
SECOND = SanctionStage.SECOND_BLOCK
FOREVER = SanctionStage.BLOCKED_INDEFINITELY
L = Indicator.LATE_HANDOVERS
C = Indicator.SELLER_CANCELLATIONS
R = Indicator.RATING

Spans = Mapping[Indicator, Sequence[tuple[date, date]]]


def series(first: date, last: date, critical: Spans, other: Status = Status.OK) -> pl.DataFrame:
    """Every indicator every day, ``other`` except on the inclusive critical spans."""
    rows = []
    day = first
    while day <= last:
        for ind in Indicator:
            spans = critical.get(ind, ())
            hit = any(a <= day <= b for a, b in spans)
            rows.append(
                {
                    "day": day,
                    "indicator": str(ind),
                    "status": str(Status.CRITICAL if hit else other),
                }
            )
        day += timedelta(days=1)
    return pl.DataFrame(rows, schema={"day": pl.Date, "indicator": pl.String, "status": pl.String})


def d(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


START = d(11, 1)


def test_no_violation_no_sanction() -> None:
    state = sanction_state(series(START, d(12, 31), {}), d(12, 31))
    assert (state.stage, state.since, state.until, state.violations) == (NONE, None, None, ())
    assert state.next_stage_if_breach is FIRST
    assert state.periods == (StagePeriod(NONE, START, None),)
    assert (
        state.sentence_en
        == "No sanctions and no violations. A first violation brings a 7-day block."
    )
    assert state.sentence_ru == (
        "Санкций нет, нарушений не было. Первое нарушение — блокировка на 7 дней."
    )


@pytest.mark.parametrize(
    ("as_of", "stage", "since", "until", "next_stage"),
    [
        (d(12, 2), NONE, None, None, FIRST),
        (d(12, 3), FIRST, d(12, 3), d(12, 10), SECOND),  # the violation day itself is blocked
        (d(12, 9), FIRST, d(12, 3), d(12, 10), SECOND),  # last blocked day
        (d(12, 10), NONE, d(12, 10), None, SECOND),  # lifted; recovered by then
        (d(12, 31), NONE, d(12, 10), None, SECOND),
    ],
)
def test_one_violation_then_recovery(
    as_of: date,
    stage: SanctionStage,
    since: date | None,
    until: date | None,
    next_stage: SanctionStage,
) -> None:
    history = series(START, d(12, 31), {L: [(d(12, 3), d(12, 6))]})
    state = sanction_state(history, as_of)
    assert (state.stage, state.since, state.until, state.next_stage_if_breach) == (
        stage,
        since,
        until,
        next_stage,
    )


def test_still_critical_when_the_block_lifts_climbs_the_ladder() -> None:
    # Late handovers critical from 3 December to 31 December: never recovers.
    history = series(START, d(1, 31, 2027), {L: [(d(12, 3), d(12, 31))]})
    state = sanction_state(history, d(1, 31, 2027))
    assert [(v.day, v.number, v.stage, v.at_block_end) for v in state.violations] == [
        (d(12, 3), 1, FIRST, False),
        (d(12, 10), 2, SECOND, True),  # the 7 more days start the day the first block lifts
        (d(12, 17), 3, FOREVER, True),
    ]
    assert (state.stage, state.since, state.until) == (FOREVER, d(12, 17), None)
    assert state.reconnect_from == d(1, 16, 2027)
    assert state.next_stage_if_breach is FOREVER
    assert state.periods == (
        StagePeriod(NONE, START, d(12, 3)),
        StagePeriod(FIRST, d(12, 3), d(12, 10)),
        StagePeriod(SECOND, d(12, 10), d(12, 17)),
        StagePeriod(FOREVER, d(12, 17), None),
    )
    assert state.violations_so_far == 3
    assert state.sentence_en == (
        "The shop is blocked indefinitely since 17 December (Late handovers to Kaspi Delivery). "
        "Orders placed before the block must still be delivered and returns handled. From "
        "16 January you may apply to be reconnected; every indicator then starts from zero."
    )
    assert state.sentence_ru.startswith(
        "Магазин заблокирован бессрочно с 17 декабря (доля опозданий с передачей в Kaspi "
        "Доставку). Заказы, оформленные до блокировки, нужно выдать"
    )


def test_without_the_block_end_check_only_new_crossings_count() -> None:
    rules = SanctionRules(still_critical_after_block_counts=False)
    history = series(START, d(12, 31), {L: [(d(12, 3), d(12, 20))], C: [(d(12, 25), d(12, 26))]})
    state = sanction_state(history, d(12, 31), rules)
    assert [(v.day, v.stage) for v in state.violations] == [(d(12, 3), FIRST), (d(12, 25), SECOND)]
    assert (state.stage, state.until) == (SECOND, d(1, 1, 2027))


def test_second_block_sentence_and_dates() -> None:
    history = series(START, d(12, 31), {L: [(d(12, 3), d(12, 4))], R: [(d(12, 20), d(12, 21))]})
    state = sanction_state(history, d(12, 22))
    assert (state.stage, state.since, state.until) == (SECOND, d(12, 20), d(12, 27))
    assert state.next_stage_if_breach is FOREVER
    assert state.sentence_ru == (
        "Магазин заблокирован на 7 дней: с 20 декабря по 26 декабря включительно (рейтинг). "
        "Заказы, оформленные до блокировки, нужно выдать, возвраты — обработать. Если показатель "
        "не исправится к концу блокировки, следующая ступень — бессрочная блокировка."
    )
    assert state.sentence_en == (
        "The shop is blocked for 7 days: 20 December to 26 December inclusive (Rating). Orders "
        "placed before the block must still be delivered and returns handled. If the indicator "
        "is still past its mark when the block ends, the next stage is an indefinite block."
    )


def test_two_indicators_crossing_on_one_day_are_one_violation() -> None:
    history = series(START, d(12, 31), {L: [(d(12, 3), d(12, 4))], C: [(d(12, 3), d(12, 5))]})
    state = sanction_state(history, d(12, 31))
    assert [(v.day, v.indicators) for v in state.violations] == [(d(12, 3), (C, L))]


def test_a_crossing_during_a_block_is_judged_when_the_block_lifts() -> None:
    # Late handovers cross on 3 Dec (one day); the rating crosses on 5 Dec, while blocked.
    crossing = {L: [(d(12, 3), d(12, 3))], R: [(d(12, 5), d(12, 9))]}
    recovered = sanction_state(series(START, d(12, 31), crossing), d(12, 31))
    assert [v.day for v in recovered.violations] == [d(12, 3)]  # rating fine again on 10 Dec
    crossing = {L: [(d(12, 3), d(12, 3))], R: [(d(12, 5), d(12, 10))]}
    still = sanction_state(series(START, d(12, 31), crossing), d(12, 31))
    assert [(v.day, v.indicators, v.at_block_end) for v in still.violations] == [
        (d(12, 3), (L,), False),
        (d(12, 10), (R,), True),
    ]


@pytest.mark.parametrize(
    ("window", "third_stage"),
    [
        (None, FOREVER),  # DOMAIN.md: the third violation, whenever
        (90, SECOND),  # the older page: only the last 90 days count; 1 Jan has aged out
    ],
)
def test_repeat_window(window: int | None, third_stage: SanctionStage) -> None:
    start = d(1, 1)
    spans = {C: [(d(1, 1), d(1, 2)), (d(3, 1), d(3, 2)), (d(4, 5), d(4, 6))]}
    history = series(start, d(4, 30), spans)
    state = sanction_state(history, d(4, 30), SanctionRules(repeat_window_days=window))
    assert [v.stage for v in state.violations] == [FIRST, SECOND, third_stage]


def test_repeat_window_edge_counts_the_day_itself() -> None:
    # 1 Jan and 1 Apr are 90 days apart: with a 90-day window (1 Apr and the 89 days before,
    # back to 2 Jan), 1 Jan no longer counts; with 91 days it does.
    spans = {C: [(d(1, 1), d(1, 1)), (d(4, 1), d(4, 1))]}
    history = series(d(1, 1), d(4, 30), spans)
    stages_90 = [
        v.stage
        for v in sanction_state(history, d(4, 30), SanctionRules(repeat_window_days=90)).violations
    ]
    stages_91 = [
        v.stage
        for v in sanction_state(history, d(4, 30), SanctionRules(repeat_window_days=91)).violations
    ]
    assert stages_90 == [FIRST, FIRST]
    assert stages_91 == [FIRST, SECOND]


def test_reconnection_resets_everything() -> None:
    history = series(START, d(2, 28, 2027), {L: [(d(12, 3), d(12, 31))]})
    blocked = sanction_state(history, d(1, 20, 2027))
    assert blocked.stage is FOREVER and blocked.reconnect_from == d(1, 16, 2027)
    state = sanction_state(history, d(2, 28, 2027), reconnected_on=d(1, 20, 2027))
    assert (state.stage, state.violations, state.violations_so_far) == (NONE, (), 0)
    assert state.next_stage_if_breach is FIRST
    assert state.periods == (StagePeriod(NONE, d(1, 20, 2027), None),)
    with pytest.raises(ValueError, match="after as_of"):
        sanction_state(history, d(1, 1, 2027), reconnected_on=d(1, 20, 2027))


def test_not_enough_data_and_the_reviews_balance_bring_no_sanction() -> None:
    history = series(START, d(12, 31), {Indicator.REVIEWS_BALANCE: [(d(12, 1), d(12, 31))]})
    assert sanction_state(history, d(12, 31)).violations == ()
    quiet = series(START, d(12, 31), {}, other=Status.NOT_ENOUGH_DATA)
    assert sanction_state(quiet, d(12, 31)).stage is NONE


def test_critical_on_the_first_day_of_the_series_is_a_crossing() -> None:
    history = series(START, d(11, 30), {L: [(START, d(11, 30))]})
    state = sanction_state(history, d(11, 5))
    assert [v.day for v in state.violations] == [START]


def test_from_facts_through_daily_series() -> None:
    tz = "Asia/Almaty"
    rules = QualityRules()
    # 20 orders, 1 … 20 Nov; 1 seller-fault cancellation on 10 Nov: 1 of 20 = 5 % ≥ 3 %.
    facts = [
        Fact(C, RefKind.ORDER, f"O{i}", local_midnight(d(11, i), tz) + timedelta(hours=12),
             numerator=i == 10, denominator=True)
        for i in range(1, 21)
    ]  # fmt: skip
    frame = facts_frame(facts)
    history = daily_series(frame, d(11, 1), d(12, 15), tz, rules)
    state = sanction_state(history, d(12, 15))
    # 10 Nov: 10 orders (the minimum) with 1 cancelled = 10 %: the first breach, 7 days.
    # 17 Nov, block lifted: 1 of 17 = 5.9 %, still critical: the second block, to 24 Nov.
    # 24 Nov: 1 of 20 = 5 %: still critical → blocked indefinitely.
    assert [(v.day, v.stage) for v in state.violations] == [
        (d(11, 10), FIRST),
        (d(11, 17), SECOND),
        (d(11, 24), FOREVER),
    ]
    # After reconnecting, the facts from before do not count any more.
    since = facts_since_reconnection(frame, d(12, 24), tz)
    assert since.height == 0
    assert facts_since_reconnection(frame, d(11, 20), tz)["ref"].to_list() == ["O20"]
