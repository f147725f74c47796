"""The outlook: facts leaving windows, the pace projection, recovery arithmetic and texts."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saudager.core.timewindows import local_midnight
from saudager.domains.quality.facts import facts_frame
from saudager.domains.quality.history import daily_series
from saudager.domains.quality.indicators import compute_indicators, status_of
from saudager.domains.quality.outlook import (
    classify,
    good_events_needed,
    is_critical,
    is_good,
    outlook,
    plural_ru,
    projected_breaches,
)
from saudager.domains.quality.types import (
    SANCTIONED,
    Fact,
    Indicator,
    QualityRules,
    RefKind,
    Status,
)

TZ = "Asia/Almaty"
RULES = QualityRules()
L = Indicator.LATE_HANDOVERS
C = Indicator.SELLER_CANCELLATIONS
R = Indicator.RATING


def at(day: date, hour: int = 12, minute: int = 0, micro: int = 0) -> datetime:
    """Local wall time in Almaty, as aware UTC."""
    return local_midnight(day, TZ) + timedelta(hours=hour, minutes=minute, microseconds=micro)


def handover(ref: str, when: datetime, *, late: bool = False) -> Fact:
    return Fact(L, RefKind.ORDER, ref, when, numerator=late, denominator=True)


def order(ref: str, when: datetime, *, cancelled: bool = False) -> Fact:
    return Fact(C, RefKind.ORDER, ref, when, numerator=cancelled, denominator=True)


def rating(ref: str, when: datetime, stars: int, gone_at: datetime | None = None) -> Fact:
    return Fact(R, RefKind.REVIEW, ref, when, True, True, weight=stars, gone_at=gone_at)


def daily_orders(first: date, days: int) -> list[Fact]:
    """One order a day: enough for the minimum-data rule while they are in the window."""
    return [order(f"O{i}", at(first + timedelta(days=i))) for i in range(days)]


# --- leaving the window ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("placed", "leaves_on"),
    [
        # The 30-day window of 1 Nov runs 3 Oct 00:00 – 1 Nov 24:00 local. A fact placed on
        # local day D counts on D … D+29 and leaves on its 31st day, D+30.
        (at(date(2026, 11, 1), 0, 0), date(2026, 12, 1)),  # the first instant of 1 Nov
        (at(date(2026, 11, 1), 23, 59, 59_999_999), date(2026, 12, 1)),  # its last instant
        (at(date(2026, 10, 31), 23, 59, 59_999_999), date(2026, 11, 30)),
        (at(date(2026, 10, 3), 0, 0), date(2026, 11, 2)),  # oldest in today's window: tomorrow
    ],
)
def test_a_bad_event_leaves_on_its_31st_day(placed: datetime, leaves_on: date) -> None:
    as_of = date(2026, 11, 1)
    facts = facts_frame(
        [handover("LATE", placed, late=True)]
        + [handover(f"H{i}", at(as_of - timedelta(days=i))) for i in range(3)]
    )
    result = outlook(facts, as_of, TZ, RULES, days=30)[L]
    leaving = result.leaving_bad
    assert [(day, event.ref) for day, event in leaving] == [(leaves_on, "LATE")]
    numerators = {as_of: result.today.numerator}
    numerators |= {d.day: d.if_nothing_new.numerator for d in result.days}
    assert (numerators[leaves_on - timedelta(days=1)], numerators[leaves_on]) == (
        Decimal(1),
        Decimal(0),
    )


def test_an_event_leaving_on_day_31_is_outside_a_30_day_outlook() -> None:
    as_of = date(2026, 11, 1)
    # Placed on as_of itself: counts on as_of … as_of+29, leaves on as_of+30 — the outlook's
    # 30th and last day. Day 31 of the outlook would be 2 December.
    facts = facts_frame([handover("LATE", at(as_of, 18), late=True)])
    result = outlook(facts, as_of, TZ, RULES, days=30)[L]
    assert result.days[-1].day == date(2026, 12, 1)
    assert [d for d, _ in result.leaving_bad] == [date(2026, 12, 1)]
    assert outlook(facts, as_of, TZ, RULES, days=29)[L].leaving_bad == []


def test_leaving_counts_good_facts_and_entering_reviews() -> None:
    as_of = date(2026, 11, 20)
    facts = facts_frame(
        [
            handover("A", at(date(2026, 10, 22)), late=True),
            handover("B", at(date(2026, 10, 22), 15)),
            handover("C", at(date(2026, 10, 22), 16)),
            # A review still in moderation: placed tomorrow, already known.
            rating("V", at(date(2026, 11, 21), 10), 2),
        ]
    )
    result = outlook(facts, as_of, TZ, RULES, days=5)
    first = result[L].days[0]
    assert first.day == date(2026, 11, 21)
    assert ([e.ref for e in first.leaving_bad], first.leaving_other) == (["A"], 2)
    assert result[R].days[0].entering == 1
    assert result[R].today.denominator == 0
    assert result[R].days[0].if_nothing_new.denominator == 1


def test_a_gone_fact_leaves_on_the_day_it_is_gone() -> None:
    as_of = date(2026, 11, 20)
    facts = facts_frame(
        [
            rating("KEEP", at(date(2026, 11, 1)), 5),
            rating("DELETED-LATER", at(date(2026, 11, 2)), 1, gone_at=at(date(2026, 11, 23), 9)),
            rating("DELETED", at(date(2026, 11, 3)), 1, gone_at=at(date(2026, 11, 10))),
        ]
    )
    result = outlook(facts, as_of, TZ, RULES, days=5)[R]
    assert result.today.denominator == 2  # the review deleted on 10 Nov no longer counts
    assert [(d, e.ref) for d, e in result.leaving_bad] == [(date(2026, 11, 23), "DELETED-LATER")]


# --- the two scenarios ----------------------------------------------------------------------


def paced_shop() -> tuple[date, list[Fact]]:
    """30 days of one handover and one order a day; the 3 oldest handovers were late."""
    as_of = date(2026, 11, 30)
    first = date(2026, 11, 1)
    handovers = [handover(f"H{i}", at(first + timedelta(days=i)), late=i < 3) for i in range(30)]
    return as_of, handovers + daily_orders(first, 30)


def test_nothing_new_and_pace_scenarios_by_hand() -> None:
    as_of, facts = paced_shop()
    result = outlook(facts_frame(facts), as_of, TZ, RULES, days=30)[L]
    # Today: 3 late of 30 = 10 % ≥ 10 %: critical.
    assert (result.today.value, result.today.status) == (Decimal("10.00"), Status.CRITICAL)
    # Pace: 3 late and 30 handovers in the last 30 days → 0.1 and 1 per day.
    assert (result.pace.numerator_per_day, result.pace.denominator_per_day) == (
        Fraction(1, 10),
        Fraction(1),
    )
    by_day = {d.day: d for d in result.days}
    # 1 Dec, nothing new: 1 Nov has left → 2 late of 29 = 6.90 %, warning.
    d1 = by_day[date(2026, 12, 1)]
    assert (d1.if_nothing_new.numerator, d1.if_nothing_new.denominator) == (
        Decimal(2),
        Decimal(29),
    )
    assert (d1.if_nothing_new.value, d1.if_nothing_new.status) == (Decimal("6.90"), Status.WARNING)
    # 1 Dec at the pace: 2 + 0.1 late of 29 + 1 = 2.1 / 30 = 7 %.
    assert (d1.at_pace.numerator, d1.at_pace.denominator) == (Decimal("2.10"), Decimal("30.00"))
    assert d1.at_pace.value == Decimal("7.00")
    # 29 Dec at the pace: known 0 late of 1 (30 Nov) + 29 days × pace = 2.9 / 30 = 9.67 %.
    d29 = by_day[date(2026, 12, 29)]
    assert (d29.at_pace.value, d29.at_pace.status) == (Decimal("9.67"), Status.WARNING)
    # 30 Dec: the window holds only paced days: 3 / 30 = 10 % — the pace breaches again.
    d30 = by_day[date(2026, 12, 30)]
    assert (d30.at_pace.value, d30.at_pace.status) == (Decimal("10.00"), Status.CRITICAL)
    assert result.first_breach_at_pace == date(2026, 12, 30)
    # Nothing new: the orders leave too; from 21 Dec fewer than 10 → not enough data.
    assert by_day[date(2026, 12, 20)].if_nothing_new.status is not Status.NOT_ENOUGH_DATA
    assert by_day[date(2026, 12, 21)].if_nothing_new.status is Status.NOT_ENOUGH_DATA
    assert result.first_breach_if_nothing_new is None
    assert projected_breaches({L: result}) == {L: date(2026, 12, 30)}
    assert projected_breaches({L: result}, at_pace=False) == {L: None}


def test_first_breach_while_still_critical_is_tomorrow() -> None:
    as_of = date(2026, 11, 20)
    facts = [handover(f"H{i}", at(date(2026, 11, 1 + i)), late=i in (4, 11)) for i in range(20)]
    result = outlook(facts_frame(facts + daily_orders(date(2026, 11, 1), 20)), as_of, TZ, RULES)
    assert result[L].first_breach_if_nothing_new == date(2026, 11, 21)


def test_every_sanctioned_indicator_is_there_even_without_facts() -> None:
    result = outlook(facts_frame([]), date(2026, 11, 20), TZ, RULES, days=3)
    assert list(result) == list(SANCTIONED)
    for item in result.values():
        assert item.today.status is Status.NOT_ENOUGH_DATA
        assert len(item.days) == 3
        assert item.recovery is None


@pytest.mark.parametrize("seed", range(6))
def test_nothing_new_agrees_with_daily_series_and_compute_indicators(seed: int) -> None:
    rng = random.Random(seed)
    as_of = date(2026, 11, 20)
    facts: list[Fact] = []
    for i in range(rng.randint(20, 120)):
        indicator = rng.choice(list(Indicator))
        placed = at(as_of - timedelta(days=rng.randint(-2, 100)), rng.randint(0, 23))
        gone = None
        if rng.random() < 0.2:
            gone = placed + timedelta(hours=rng.randint(1, 24 * 40))
        stars = rng.randint(1, 5)
        facts.append(
            Fact(
                indicator,
                RefKind.ORDER,
                f"F{i}",
                placed,
                numerator=True if indicator is R else rng.random() < 0.3,
                denominator=True if indicator is not C else rng.random() < 0.95,
                weight=stars if indicator is R else 1,
                gone_at=gone,
            )
        )
    frame = facts_frame(facts)
    violations = rng.choice([0, 3])
    result = outlook(frame, as_of, TZ, RULES, days=20, violations_so_far=violations)
    today = compute_indicators(frame, as_of, TZ, RULES, violations)
    series = daily_series(
        frame, as_of, as_of + timedelta(days=20), TZ, RULES, violations_so_far=violations
    )
    rows = {(r["day"], r["indicator"]): r for r in series.iter_rows(named=True)}
    for ind in SANCTIONED:
        item = result[ind]
        assert (item.today.numerator, item.today.denominator, item.today.status) == (
            Decimal(today[ind].numerator),
            Decimal(today[ind].denominator),
            today[ind].status,
        )
        assert item.today.value == today[ind].value
        for day in item.days:
            row = rows[(day.day, str(ind))]
            projected = day.if_nothing_new
            assert (projected.numerator, projected.denominator) == (
                row["numerator"],
                row["denominator"],
            )
            assert (projected.value, str(projected.status)) == (row["value"], row["status"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 80), st.integers(0, 23), st.booleans()), min_size=1, max_size=40
    )
)
def test_with_nothing_new_the_late_numerator_never_grows(
    handovers: list[tuple[int, int, bool]],
) -> None:
    as_of = date(2026, 11, 20)
    facts = [
        handover(f"H{i}", at(as_of - timedelta(days=back), hour), late=late)
        for i, (back, hour, late) in enumerate(handovers)
    ]
    result = outlook(facts_frame(facts), as_of, TZ, RULES, days=40)[L]
    numerators = [result.today.numerator] + [d.if_nothing_new.numerator for d in result.days]
    denominators = [result.today.denominator] + [d.if_nothing_new.denominator for d in result.days]
    assert all(a >= b for a, b in pairwise(numerators))
    assert all(a >= b for a, b in pairwise(denominators))
    # Every late handover in today's window is listed leaving on its 31st day (or never
    # within 40 days, which cannot happen for a 30-day window).
    late_now = sum(1 for back, _, late in handovers if late and back < 30)
    assert len(result.leaving_bad) == late_now
    assert result.days[-1].if_nothing_new.numerator == 0


# --- recovery arithmetic --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "num", "den", "below_mark", "good_level"),
    [
        # late 3 of 20 = 15 %: 3/31 = 9.68 % < 10 (3/30 = 10 % is not); 3/60 = 5 % ≤ 5.
        (L, 3, 20, 11, 40),
        # exactly at the mark: 3 of 100 cancelled = 3 % ≥ 3; one more order → 2.97 %.
        (C, 3, 100, 1, 200),
        # 1 of 30 = 3.33 %: 1/34 = 2.94 % (1/33 = 3.03 % is not); 1/100 = 1 %.
        (C, 1, 30, 4, 70),
        # warning only: 7 late of 100 = 7 %: already below the mark; 7/140 = 5 %.
        (L, 7, 100, 0, 40),
        # returns 1 of 40 = 2.5 %: 1/51 = 1.96 % (1/50 = 2 % is not); 1/100 = 1 %.
        (Indicator.QUALITY_RETURNS, 1, 40, 11, 60),
        # rating 3.5 of 10 ratings: (35 + 5n)/(10 + n) ≥ 4 ⇔ n ≥ 5; ≥ 4.6 ⇔ n ≥ 27.5 → 28.
        (R, 35, 10, 5, 28),
        # rating 4.3 of 10: fine for the mark; (43 + 5n)/(10 + n) ≥ 4.6 ⇔ n ≥ 7.5 → 8.
        (R, 43, 10, 0, 8),
        # nothing bad: nothing to do.
        (L, 0, 20, 0, 0),
    ],
)
def test_good_events_needed_by_hand(
    indicator: Indicator, num: int, den: int, below_mark: int, good_level: int
) -> None:
    assert good_events_needed(indicator, num, den, RULES, to_good_level=False) == below_mark
    assert good_events_needed(indicator, num, den, RULES, to_good_level=True) == good_level


def _after(indicator: Indicator, num: int, den: int, n: int) -> Fraction:
    if indicator is R:
        return Fraction(num + 5 * n, den + n)
    return Fraction(100 * num, den + n)


@settings(max_examples=300)
@given(
    st.sampled_from(list(SANCTIONED)),
    st.integers(0, 500),
    st.integers(1, 500),
    st.sampled_from([QualityRules(), QualityRules(cancellations_critical_from=Decimal(5))]),
)
def test_recovery_is_exact_one_fewer_is_not_enough(
    indicator: Indicator, num: int, den: int, rules: QualityRules
) -> None:
    # A rating's numerator is a sum of 1–5 stars over den ratings; a share's is at most den.
    num = min(max(num, den), 5 * den) if indicator is R else min(num, den)

    def reached(value: Fraction, to_good: bool) -> bool:
        if to_good:
            return is_good(indicator, value, rules)
        return not is_critical(indicator, value, rules)

    for to_good in (False, True):
        n = good_events_needed(indicator, num, den, rules, to_good_level=to_good)
        assert n is not None
        assert reached(_after(indicator, num, den, n), to_good)
        if n > 0:
            assert not reached(_after(indicator, num, den, n - 1), to_good)


def test_an_unreachable_good_level_is_none() -> None:
    rules = replace(RULES, late_good=Decimal(0))
    assert good_events_needed(L, 1, 10, rules, to_good_level=True) is None
    rules = replace(RULES, rating_good=Decimal(5))
    assert good_events_needed(R, 40, 10, rules, to_good_level=True) is None


@settings(max_examples=300)
@given(
    st.sampled_from(list(SANCTIONED)),
    st.integers(0, 300),
    st.integers(0, 300),
    st.booleans(),
)
def test_classify_agrees_with_status_of_on_whole_counts(
    indicator: Indicator, num: int, den: int, enough: bool
) -> None:
    assert classify(
        indicator, Fraction(num), Fraction(den), RULES, enough_orders=enough
    ) is status_of(indicator, num, den, RULES, enough_orders=enough)


# --- recovery in the outlook, and its sentences ---------------------------------------------


def test_recovery_waits_until_the_share_stays_below_the_mark() -> None:
    # 20 handovers, 1 … 20 Nov; late on 5 and 12 Nov: 2 of 20 = 10 %, critical.
    as_of = date(2026, 11, 20)
    facts = [handover(f"H{d}", at(date(2026, 11, d)), late=d in (5, 12)) for d in range(1, 21)]
    result = outlook(facts_frame(facts + daily_orders(date(2026, 11, 1), 20)), as_of, TZ, RULES)
    recovery = result[L].recovery
    assert recovery is not None
    assert (recovery.to_below_mark, recovery.to_good_level) == (1, 20)
    # Waiting: 5 Nov leaves on 5 Dec (1 late of 15 = 6.7 %), but as the good ones leave too it
    # is 1 of 10 = 10 % again on 10 Dec; only when 12 Nov leaves, on 12 Dec, does it stay there.
    by_day = {d.day: d.if_nothing_new for d in result[L].days}
    assert by_day[date(2026, 12, 5)].value == Decimal("6.67")
    assert by_day[date(2026, 12, 10)].value == Decimal("10.00")
    assert recovery.wait_below_mark == date(2026, 12, 12)
    assert recovery.wait_good_level == date(2026, 12, 12)
    assert recovery.sentence_en == (
        "Late handovers to Kaspi Delivery: 10\u00a0% (critical from 10\u00a0%, good level "
        "5\u00a0%). 1 more on-time handover takes it out of the violation zone, or wait until "
        "12 December. To the good level of 5\u00a0%: 20 more on-time handovers, or wait until "
        "12 December."
    )
    assert recovery.sentence_ru == (
        "Доля опозданий с передачей в Kaspi Доставку: 10\u00a0% (нарушение от 10\u00a0%, "
        "хороший уровень 5\u00a0%). Ещё 1 передача в срок выведет показатель из нарушения, "
        "или подождите до 12 декабря. До хорошего уровня 5\u00a0%: ещё 20 передач в срок, или "
        "подождите до 12 декабря."
    )


def test_rating_recovery_in_warning() -> None:
    as_of = date(2026, 11, 20)
    # 4, 4, 5 and 4 stars: 17 / 4 = 4.25, below the good level 4.6, above the mark.
    stars = {date(2026, 9, 1): 4, date(2026, 10, 1): 4, date(2026, 11, 1): 5, date(2026, 11, 2): 4}
    facts = [rating(f"V{i}", at(day), s) for i, (day, s) in enumerate(stars.items())]
    result = outlook(facts_frame(facts + daily_orders(date(2026, 11, 1), 20)), as_of, TZ, RULES)
    recovery = result[R].recovery
    assert recovery is not None
    assert recovery.status is Status.WARNING
    # (17 + 5n) / (4 + n) ≥ 4.6 ⇔ 0.4 n ≥ 1.4 ⇔ n ≥ 3.5 → 4.
    assert (recovery.to_below_mark, recovery.to_good_level) == (0, 4)
    assert recovery.wait_below_mark is None
    # Waiting: 1 Sep (4★) leaves on 30 Nov → 13/3 = 4.33; 1 Oct leaves on 30 Dec → 9/2 = 4.5;
    # 1 Nov (5★) leaves 30 Jan → 4.0; 2 Nov leaves 31 Jan → empty window.
    assert recovery.wait_good_level == date(2027, 1, 31)
    assert recovery.sentence_en == (
        "Rating: 4.25 (critical below 4.0, good level 4.6). To the good level of 4.6: "
        "4 more five-star ratings, or wait until 31 January."
    )
    assert recovery.sentence_ru == (
        "Рейтинг: 4,25 (нарушение ниже 4,0, хороший уровень 4,6). До хорошего уровня 4,6: "
        "ещё 4 оценки 5★, или подождите до 31 января."
    )


def test_rating_leaving_bad_are_negative_ratings() -> None:
    as_of = date(2026, 11, 20)
    facts = [rating("ONE", at(date(2026, 8, 25)), 1), rating("FOUR", at(date(2026, 8, 25)), 4)]
    result = outlook(facts_frame(facts), as_of, TZ, RULES, days=5)[R]
    # 90-day window of 20 Nov starts 23 Aug; 25 Aug leaves on 23 Nov.
    assert [(d, e.ref, e.weight) for d, e in result.leaving_bad] == [(date(2026, 11, 23), "ONE", 1)]
    assert next(d for d in result.days if d.day == date(2026, 11, 23)).leaving_other == 1


@pytest.mark.parametrize(
    ("count", "form"),
    [(1, "передача"), (2, "передачи"), (5, "передач"), (11, "передач"), (21, "передача"),
     (22, "передачи"), (112, "передач"), (0, "передач")],
)  # fmt: skip
def test_plural_ru(count: int, form: str) -> None:
    assert plural_ru(count, "передача", "передачи", "передач") == form


def test_outlook_refuses_an_empty_horizon_and_bad_frames() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        outlook(facts_frame([]), date(2026, 11, 20), TZ, RULES, days=0)
    with pytest.raises(ValueError, match="lacks columns"):
        outlook(facts_frame([]).drop("weight"), date(2026, 11, 20), TZ, RULES)


def test_utc_and_almaty_days_differ_at_the_edge() -> None:
    # 19:30 UTC on 31 Oct is 00:30 on 1 Nov in Almaty: the fact is placed on 1 Nov there.
    as_of = date(2026, 11, 1)
    late = handover("EDGE", datetime(2026, 10, 31, 19, 30, tzinfo=UTC), late=True)
    almaty = outlook(facts_frame([late]), as_of, TZ, RULES)[L].leaving_bad
    utc = outlook(facts_frame([late]), as_of, "UTC", RULES)[L].leaving_bad
    assert [d for d, _ in almaty] == [date(2026, 12, 1)]
    assert [d for d, _ in utc] == [date(2026, 11, 30)]
