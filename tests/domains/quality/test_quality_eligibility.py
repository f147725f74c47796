"""Kaspi Жұма: criteria with margins, the verdict, and the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from saudager.domains.quality.eligibility import (
    DEFAULT_JUMA_CALENDAR,
    JumaEligibility,
    JumaWindow,
    Outcome,
    SellerStatement,
    Verdict,
    juma_eligibility,
    juma_timing,
    window_text,
)
from saudager.domains.quality.indicators import rounded_value
from saudager.domains.quality.types import Indicator, IndicatorValue, QualityRules, Status

RULES = QualityRules()
AS_OF = date(2026, 1, 20)
EDGE = datetime(2026, 1, 1, tzinfo=UTC)
ALL_YES = SellerStatement(takes_credit_two_months=True, sells_eligible_goods=True)


def value(indicator: Indicator, num: int, den: int, status: Status = Status.OK) -> IndicatorValue:
    return IndicatorValue(
        indicator=indicator,
        as_of=AS_OF,
        window_start=EDGE,
        window_end=EDGE,
        numerator=num,
        denominator=den,
        value=rounded_value(indicator, num, den),
        status=status,
        critical_mark=Decimal(0),
        good_level=None,
    )


def healthy(**override: IndicatorValue) -> dict[Indicator, IndicatorValue]:
    values = {
        Indicator.RATING: value(Indicator.RATING, 46, 10),  # 4.6
        Indicator.SELLER_CANCELLATIONS: value(Indicator.SELLER_CANCELLATIONS, 1, 100),  # 1 %
        Indicator.REVIEWS_BALANCE: value(Indicator.REVIEWS_BALANCE, 2, 9),
        Indicator.QUALITY_RETURNS: value(Indicator.QUALITY_RETURNS, 1, 100),  # 1 %
        Indicator.LATE_HANDOVERS: value(Indicator.LATE_HANDOVERS, 5, 100),  # 5 %
    }
    return values | {Indicator(k): v for k, v in override.items()}


def by_key(result: JumaEligibility) -> dict[str, tuple[Outcome, Decimal | None, Decimal | None]]:
    return {c.key: (c.outcome, c.value, c.margin) for c in result.criteria}


def test_all_good_is_eligible_with_margins() -> None:
    result = juma_eligibility(healthy(), AS_OF, RULES, ALL_YES)
    assert result.verdict is Verdict.ELIGIBLE
    assert by_key(result) == {
        "rating": (Outcome.PASS, Decimal("4.60"), Decimal("0.60")),
        "seller_cancellations": (Outcome.PASS, Decimal("1.00"), Decimal("2.00")),
        "reviews_balance": (Outcome.PASS, Decimal(2), Decimal(7)),
        "quality_returns": (Outcome.PASS, Decimal("1.00"), Decimal("1.00")),
        "late_handovers": (Outcome.PASS, Decimal("5.00"), Decimal("5.00")),
        "credit_payments": (Outcome.PASS, None, None),
        "eligible_goods": (Outcome.PASS, None, None),
    }
    assert result.sentence_en.startswith("Kaspi Жұма: every entry condition is met.")


@pytest.mark.parametrize(
    ("indicator", "num", "den", "outcome", "margin"),
    [
        (Indicator.RATING, 40, 10, Outcome.PASS, Decimal("0.00")),  # exactly 4: "at least 4"
        (Indicator.RATING, 399, 100, Outcome.FAIL, Decimal("-0.01")),
        (
            Indicator.SELLER_CANCELLATIONS,
            3,
            100,
            Outcome.FAIL,
            Decimal("0.00"),
        ),  # 3 %: the rules' mark
        (Indicator.SELLER_CANCELLATIONS, 29, 1000, Outcome.PASS, Decimal("0.10")),
        (Indicator.QUALITY_RETURNS, 2, 100, Outcome.FAIL, Decimal("0.00")),
        (Indicator.QUALITY_RETURNS, 1, 51, Outcome.PASS, Decimal("0.04")),
        (Indicator.LATE_HANDOVERS, 10, 100, Outcome.FAIL, Decimal("0.00")),
        (Indicator.LATE_HANDOVERS, 11, 100, Outcome.FAIL, Decimal("-1.00")),
        (Indicator.LATE_HANDOVERS, 99, 1000, Outcome.PASS, Decimal("0.10")),
    ],
)
def test_indicator_criteria_at_their_marks(
    indicator: Indicator, num: int, den: int, outcome: Outcome, margin: Decimal
) -> None:
    result = juma_eligibility(
        healthy(**{str(indicator): value(indicator, num, den)}), AS_OF, RULES, ALL_YES
    )
    got = by_key(result)[str(indicator)]
    assert (got[0], got[2]) == (outcome, margin)
    assert result.verdict is (Verdict.ELIGIBLE if outcome is Outcome.PASS else Verdict.NOT_ELIGIBLE)


def test_the_cancellation_mark_follows_the_rules() -> None:
    lenient = QualityRules(cancellations_critical_from=Decimal(5))
    values = healthy(seller_cancellations=value(Indicator.SELLER_CANCELLATIONS, 3, 100))
    assert (
        by_key(juma_eligibility(values, AS_OF, lenient, ALL_YES))["seller_cancellations"][0]
        is Outcome.PASS
    )


@pytest.mark.parametrize(
    ("negatives", "positives", "outcome"),
    [(2, 3, Outcome.PASS), (3, 3, Outcome.FAIL), (4, 3, Outcome.FAIL), (0, 1, Outcome.PASS)],
)
def test_negatives_must_be_fewer_than_positives(
    negatives: int, positives: int, outcome: Outcome
) -> None:
    values = healthy(reviews_balance=value(Indicator.REVIEWS_BALANCE, negatives, positives))
    got = by_key(juma_eligibility(values, AS_OF, RULES, ALL_YES))["reviews_balance"]
    assert got == (outcome, Decimal(negatives), Decimal(positives - negatives))


def test_unknown_is_not_checked_never_a_pass() -> None:
    values = healthy(rating=value(Indicator.RATING, 9, 2, Status.NOT_ENOUGH_DATA))
    result = juma_eligibility(values, AS_OF, RULES)
    outcomes = {k: v[0] for k, v in by_key(result).items()}
    assert outcomes["rating"] is Outcome.NOT_CHECKED
    assert outcomes["credit_payments"] is Outcome.NOT_CHECKED
    assert outcomes["eligible_goods"] is Outcome.NOT_CHECKED
    assert result.verdict is Verdict.NOT_CONFIRMED
    assert (
        "Not checked: Rating at least 4; Takes Kaspi credit payments for 2 months"
        in result.sentence_en
    )
    # a failure outweighs what is unknown
    values[Indicator.LATE_HANDOVERS] = value(Indicator.LATE_HANDOVERS, 20, 100)
    failing = juma_eligibility(values, AS_OF, RULES)
    assert failing.verdict is Verdict.NOT_ELIGIBLE
    assert failing.sentence_ru.startswith(
        "Kaspi Жұма: условия не выполнены — Опоздания с передачей ниже порога (20\u00a0%)."
    )


def test_no_handovers_is_a_pass_and_a_missing_indicator_is_not_checked() -> None:
    values = healthy(late_handovers=value(Indicator.LATE_HANDOVERS, 0, 0))
    del values[Indicator.QUALITY_RETURNS]
    got = by_key(juma_eligibility(values, AS_OF, RULES, ALL_YES))
    assert got["late_handovers"] == (Outcome.PASS, None, None)
    assert got["quality_returns"][0] is Outcome.NOT_CHECKED


@pytest.mark.parametrize(
    ("since", "outcome", "margin"),
    [
        (date(2025, 11, 20), Outcome.PASS, Decimal(0)),  # 2 months exactly on 20 January
        (date(2025, 11, 21), Outcome.FAIL, Decimal(-1)),
        (date(2025, 10, 1), Outcome.PASS, Decimal(50)),
    ],
)
def test_credit_payments_since_a_date(since: date, outcome: Outcome, margin: Decimal) -> None:
    statement = SellerStatement(credit_payments_since=since, sells_eligible_goods=True)
    got = by_key(juma_eligibility(healthy(), AS_OF, RULES, statement))["credit_payments"]
    assert (got[0], got[2]) == (outcome, margin)


def test_two_months_from_the_end_of_a_month() -> None:
    statement = SellerStatement(credit_payments_since=date(2025, 12, 31))
    result = juma_eligibility(healthy(), date(2026, 2, 28), RULES, statement)
    credit = next(c for c in result.criteria if c.key == "credit_payments")
    assert credit.outcome is Outcome.PASS  # 31 Dec + 2 months = 28 Feb (no 31 Feb)
    assert credit.note_en == "since 2025-12-31; 2 months on 2026-02-28"


# --- the calendar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "running", "ends_in", "next_start", "until_next"),
    [
        (date(2026, 2, 11), False, None, date(2026, 2, 12), 1),  # the day before
        (date(2026, 2, 12), True, 3, date(2026, 6, 11), 119),  # first day
        (date(2026, 2, 15), True, 0, date(2026, 6, 11), 116),  # last day: ends today
        (date(2026, 2, 16), False, None, date(2026, 6, 11), 115),  # the day after
        (date(2027, 2, 15), False, None, None, None),  # past the calendar
    ],
)
def test_timing_around_february_2026(
    as_of: date, running: bool, ends_in: int | None, next_start: date | None, until_next: int | None
) -> None:
    timing = juma_timing(as_of)
    assert (timing.current is not None, timing.ends_in_days) == (running, ends_in)
    assert (timing.next.start if timing.next else None, timing.days_until_next) == (
        next_start,
        until_next,
    )


def test_timing_sentences() -> None:
    first_day = juma_timing(date(2026, 2, 12))
    assert first_day.sentence_ru == (
        "Kaspi Жұма идёт сейчас (12–15 февраля 2026), закончится через 3 дня. "
        "Следующая Kaspi Жұма — 11–14 июня 2026 (даты предположительные), через 119 дней."
    )
    last_day = juma_timing(date(2026, 2, 15))
    assert last_day.sentence_en.startswith(
        "Kaspi Жұма is running now (12–15 February 2026), ends today."
    )
    assert juma_timing(date(2026, 2, 11)).sentence_en == (
        "The next Kaspi Жұма is 12–15 February 2026, tomorrow."
    )
    assert juma_timing(date(2027, 3, 1)).sentence_en == (
        "No next Kaspi Жұма in the calendar: add its dates."
    )


def test_calendar_of_pairs_and_only_february_2026_is_confirmed() -> None:
    timing = juma_timing(date(2026, 5, 30), [(date(2026, 5, 30), date(2026, 6, 2))])
    assert timing.current is not None and timing.ends_in_days == 3
    assert window_text(timing.current, ru=True) == "30 мая – 2 июня 2026"
    assert [w.assumed for w in DEFAULT_JUMA_CALENDAR] == [False, True, True, True]
    assert all(
        w.start.weekday() == 3 and (w.end - w.start).days == 3 for w in DEFAULT_JUMA_CALENDAR
    )
    with pytest.raises(ValueError, match="before it starts"):
        JumaWindow(date(2026, 6, 14), date(2026, 6, 11))
