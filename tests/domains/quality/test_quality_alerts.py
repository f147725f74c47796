"""Alert conditions, their keys and episodes, dedupe, and the texts in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from saudager.core.timewindows import trailing_days
from saudager.domains.quality.alerts import (
    Alert,
    AlertKind,
    AlertRules,
    HandoverRisk,
    Language,
    Run,
    Severity,
    alert_key,
    build_alerts,
    format_number,
    format_percent,
    new_alerts,
    parse_alert_key,
    run_start,
)
from saudager.domains.quality.types import Indicator, IndicatorValue, Status

SHOP = 7
NBSP = "\u00a0"
D0 = date(2026, 3, 10)
OK, WARN, CRIT, NED = Status.OK, Status.WARNING, Status.CRITICAL, Status.NOT_ENOUGH_DATA


def at(day: date, hour: int = 12) -> datetime:
    """Noon in Almaty (UTC+5) on ``day``."""
    return datetime(day.year, day.month, day.day, hour - 5, tzinfo=UTC)


def value(
    indicator: Indicator = Indicator.SELLER_CANCELLATIONS,
    status: Status = WARN,
    day: date = D0,
    numerator: int = 8,
    denominator: int = 400,
    pct: str = "2",
) -> IndicatorValue:
    marks = {
        Indicator.RATING: (Decimal("4.0"), Decimal("4.6"), 90),
        Indicator.SELLER_CANCELLATIONS: (Decimal("3"), Decimal("1"), 30),
        Indicator.LATE_HANDOVERS: (Decimal("10"), Decimal("5"), 30),
        Indicator.QUALITY_RETURNS: (Decimal("2"), Decimal("1"), 30),
        Indicator.REVIEWS_BALANCE: (Decimal("0"), None, 90),
    }
    mark, good, days = marks[indicator]
    window = trailing_days(day, days, "Asia/Almaty")
    return IndicatorValue(
        indicator=indicator, as_of=day, window_start=window.start, window_end=window.end,
        numerator=numerator, denominator=denominator, value=Decimal(pct), status=status,
        critical_mark=mark, good_level=good,
    )  # fmt: skip


def statuses(last_day: date, *days: Status) -> dict[date, Status]:
    """End-of-day statuses of the days before ``last_day``, oldest first."""
    first = last_day - timedelta(days=len(days))
    return {first + timedelta(days=i): status for i, status in enumerate(days)}


def sync(
    day: date,
    status: Status,
    past: dict[date, Status],
    *,
    indicator: Indicator = Indicator.SELLER_CANCELLATIONS,
    projected: dict[Indicator, date | None] | None = None,
    risks: list[HandoverRisk] | None = None,
    language: Language = Language.RU,
) -> list[Alert]:
    return build_alerts(
        SHOP, [value(indicator, status, day)], projected or {}, risks or [],
        as_of=at(day), history={indicator: past}, language=language, shop_name="Techno Life",
    )  # fmt: skip


class Log:
    """What an AlertLog keeps: the keys sent."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.sent: list[Alert] = []

    def run(self, candidates: list[Alert]) -> list[Alert]:
        fresh = new_alerts(candidates, self.keys)
        self.keys |= {a.key for a in fresh}
        self.sent += fresh
        return fresh


# ---- conditions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "severity"),
    [(WARN, AlertKind.WARNING, Severity.WARNING), (CRIT, AlertKind.CRITICAL, Severity.CRITICAL)],
)
def test_quality_alerts_indicator_zone(status: Status, kind: AlertKind, severity: Severity) -> None:
    [alert] = sync(D0, status, statuses(D0, OK, OK))
    assert (alert.kind, alert.severity, alert.indicator) == (
        kind,
        severity,
        Indicator.SELLER_CANCELLATIONS,
    )
    assert alert.key == f"7/{kind.value}/seller_cancellations/2026-03-10"
    assert alert.value == Decimal("2") and alert.critical_mark == Decimal("3")


@pytest.mark.parametrize("status", [OK, NED])
def test_quality_alerts_quiet_when_fine_or_unknown(status: Status) -> None:
    assert sync(D0, status, statuses(D0, WARN, CRIT)) == []


def test_quality_alerts_episode_is_the_day_the_zone_was_entered() -> None:
    [alert] = sync(D0, WARN, statuses(D0, OK, WARN, NED, CRIT, WARN))
    # OK on 5 Mar; 6 Mar warning, 7 Mar no data (neither ends nor starts), 8 critical, 9 warning.
    assert alert.episode == "2026-03-06"


def test_quality_alerts_run_start_without_a_bound() -> None:
    days = statuses(D0, WARN, WARN)
    assert run_start(D0, WARN, days, {WARN, CRIT}) == Run(date(2026, 3, 8), None)
    assert run_start(D0, WARN, {}, {WARN}) == Run(D0, None)
    with pytest.raises(ValueError, match="not in the zone"):
        run_start(D0, OK, days, {WARN})


def test_quality_alerts_projection_within_rule_days() -> None:
    rules = AlertRules(projection_days=7)
    projected: dict[Indicator, date | None] = {
        Indicator.LATE_HANDOVERS: D0 + timedelta(days=7),
        Indicator.QUALITY_RETURNS: D0 + timedelta(days=8),  # too far
        Indicator.RATING: None,
        Indicator.SELLER_CANCELLATIONS: D0 + timedelta(days=1),  # already critical
    }
    found = build_alerts(
        SHOP, [value(Indicator.SELLER_CANCELLATIONS, CRIT)], projected, [], as_of=at(D0),
        history={}, rules=rules,
    )  # fmt: skip
    assert [(a.kind, a.subject) for a in found] == [
        (AlertKind.CRITICAL, "seller_cancellations"),
        (AlertKind.PROJECTED, "late_handovers"),
    ]
    assert found[1].key == "7/projected/late_handovers/2026-03-17"
    assert found[1].breach_day == date(2026, 3, 17)


def test_quality_alerts_handover_within_horizon() -> None:
    risks = [
        HandoverRisk("790686780", at(D0, 16), 45),
        HandoverRisk("790686781", at(D0, 20), 480),  # beyond the 120-minute horizon
        HandoverRisk("790686782", at(D0, 10), -30),  # already late
    ]
    found = build_alerts(SHOP, [], {}, risks, as_of=at(D0))
    assert [(a.order_code, a.severity) for a in found] == [
        ("790686782", Severity.CRITICAL),
        ("790686780", Severity.WARNING),
    ]
    assert found[1].key == "7/handover/790686780/2026-03-10T11:00Z"


def test_quality_alerts_need_aware_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_alerts(SHOP, [], {}, [], as_of=datetime(2026, 3, 10, 12))
    naive = HandoverRisk("1", datetime(2026, 3, 10, 16), 30)
    with pytest.raises(ValueError, match="aware"):
        build_alerts(SHOP, [], {}, [naive], as_of=at(D0))


# ---- once per condition ----------------------------------------------------------------------


def test_quality_alerts_same_condition_twice_alerts_once() -> None:
    log = Log()
    history: dict[date, Status] = statuses(D0, OK)
    assert len(log.run(sync(D0, WARN, history))) == 1
    assert log.run(sync(D0, WARN, history)) == []  # the next sync, ten minutes later
    history[D0] = WARN
    assert log.run(sync(D0 + timedelta(days=1), WARN, history)) == []  # the next day
    assert new_alerts([*log.sent, *log.sent], set()) == log.sent  # duplicates in one batch


def test_quality_alerts_leave_and_reenter_alerts_twice() -> None:
    log = Log()
    day1, day2, day3 = D0, D0 + timedelta(days=1), D0 + timedelta(days=2)
    history = statuses(day1, OK)
    first = log.run(sync(day1, WARN, history))
    history[day1] = WARN
    assert log.run(sync(day2, OK, history)) == []
    history[day2] = OK
    second = log.run(sync(day3, WARN, history))
    assert len(first) == len(second) == 1
    assert first[0].key != second[0].key
    assert second[0].episode == day3.isoformat()


def test_quality_alerts_recomputed_history_does_not_repeat() -> None:
    """A deleted review or a late status change can move the run's first day earlier."""
    log = Log()
    assert len(log.run(sync(D0, WARN, statuses(D0, OK, OK)))) == 1
    revised = statuses(D0, OK, WARN)  # 9 Mar turns out to have been in the zone already
    [candidate] = sync(D0, WARN, revised)
    assert candidate.episode == "2026-03-09"
    assert log.run([candidate]) == []


def test_quality_alerts_gap_in_history_does_not_split_an_episode() -> None:
    """Days missing between the last OK day and today belong to the run for dedupe."""
    log = Log()
    past = {D0 - timedelta(days=9): OK}
    [first] = log.run(sync(D0, WARN, past))
    assert first.episode == D0.isoformat()
    assert run_start(D0, WARN, past, {WARN}) == Run(D0, date(2026, 3, 2))
    assert log.run(sync(D0 + timedelta(days=1), WARN, past)) == []


def test_quality_alerts_history_too_short_to_see_the_start() -> None:
    """A run reaching past the oldest day known is one episode however the history slides."""
    log = Log()
    assert len(log.run(sync(D0, WARN, statuses(D0, WARN, WARN)))) == 1
    later = D0 + timedelta(days=5)
    assert log.run(sync(later, WARN, statuses(later, WARN, WARN))) == []


def test_quality_alerts_critical_then_warning_is_not_news_but_a_new_breach_is() -> None:
    log = Log()
    history = statuses(D0, OK)
    assert [a.kind for a in log.run(sync(D0, CRIT, history))] == [AlertKind.CRITICAL]
    history[D0] = CRIT
    d1, d2, d3 = (D0 + timedelta(days=n) for n in (1, 2, 3))
    assert log.run(sync(d1, WARN, history)) == []  # better, still in the zone: no warning
    history[d1] = WARN
    history[d2] = WARN
    again = log.run(sync(d3, CRIT, history))
    assert [(a.kind, a.episode) for a in again] == [(AlertKind.CRITICAL, d3.isoformat())]


def test_quality_alerts_warning_then_critical_alerts_both() -> None:
    log = Log()
    history = statuses(D0, OK)
    log.run(sync(D0, WARN, history))
    history[D0] = WARN
    [critical] = log.run(sync(D0 + timedelta(days=1), CRIT, history))
    assert critical.kind is AlertKind.CRITICAL


def test_quality_alerts_projection_stands_until_its_day() -> None:
    log = Log()
    late = Indicator.LATE_HANDOVERS

    def run(day: date, breach: date | None) -> list[Alert]:
        return log.run(sync(day, OK, {}, indicator=late, projected={late: breach}))

    assert len(run(D0, D0 + timedelta(days=5))) == 1
    assert run(D0 + timedelta(days=1), D0 + timedelta(days=4)) == []  # shifted: same warning
    assert run(D0 + timedelta(days=2), None) == []
    assert run(D0 + timedelta(days=3), D0 + timedelta(days=6)) == []  # 15 Mar not yet come
    [again] = run(D0 + timedelta(days=6), D0 + timedelta(days=9))  # 15 Mar has passed
    assert again.episode == "2026-03-19"


def test_quality_alerts_handover_once_per_deadline() -> None:
    log = Log()
    deadline = at(D0, 16)

    def run(minutes: int, when: datetime = deadline) -> list[Alert]:
        return log.run(build_alerts(SHOP, [], {}, [HandoverRisk("790686780", when, minutes)],
                                    as_of=at(D0)))  # fmt: skip

    assert len(run(90)) == 1
    assert run(80) == [] and run(-5) == []
    assert len(run(100, deadline + timedelta(days=1))) == 1  # rescheduled: a new condition


def test_quality_alerts_keys_round_trip_and_foreign_keys_are_ignored() -> None:
    key = alert_key(7, AlertKind.HANDOVER, "790686780", "2026-03-10T11:00Z")
    assert parse_alert_key(key) == (7, AlertKind.HANDOVER, "790686780", "2026-03-10T11:00Z")
    assert parse_alert_key("something/else") is None
    assert parse_alert_key("x/warning/rating/2026-03-10") is None
    [alert] = sync(D0, WARN, statuses(D0, OK))
    assert new_alerts(
        [alert], {"garbage", "7/nokind/rating/1", "8/warning/seller_cancellations/2026-03-10"}
    ) == [alert]


# ---- texts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "ru", "en"),
    [
        (Decimal("3.25"), "3,25", "3.25"),
        (Decimal("3"), "3", "3"),
        (Decimal("4.0"), "4", "4"),
        (Decimal("3.255"), "3,26", "3.26"),
        (Decimal("12345.5"), f"12{NBSP}345,5", "12,345.5"),
        (Decimal("-0.5"), "-0,5", "-0.5"),
        (1000000, f"1{NBSP}000{NBSP}000", "1,000,000"),
        (Decimal("0.001"), "0", "0"),
    ],
)
def test_quality_alerts_numbers_for_kazakhstan(number: Decimal | int, ru: str, en: str) -> None:
    assert format_number(number, Language.RU) == ru
    assert format_number(number, Language.EN) == en


def test_quality_alerts_percent_format() -> None:
    assert format_percent(Decimal("3.25"), Language.RU) == f"3,25{NBSP}%"
    assert format_percent(Decimal("3.25"), Language.EN) == "3.25%"


def test_quality_alerts_critical_text_in_russian() -> None:
    current = value(Indicator.SELLER_CANCELLATIONS, CRIT, numerator=13, denominator=400, pct="3.25")
    [alert] = build_alerts(SHOP, [current], {}, [], as_of=at(D0), shop_name="Techno Life")
    assert alert.language is Language.RU
    assert (
        alert.title == f"«Techno Life»: Доля отмен по вине продавца за порогом Kaspi — 3,25{NBSP}%"
    )
    assert f"3,25{NBSP}% — порог Kaspi (3{NBSP}%) пройден" in alert.text
    assert "всего заказов: 400 (за 30 дн.)" in alert.text and "по вине продавца: 13" in alert.text
    assert "заблокировать магазин на 7 дней" in alert.text
    assert "Что делать: обновите остатки" in alert.text


def test_quality_alerts_critical_text_in_english() -> None:
    current = value(Indicator.SELLER_CANCELLATIONS, CRIT, numerator=13, denominator=400, pct="3.25")
    [alert] = build_alerts(SHOP, [current], {}, [], as_of=at(D0), language=Language.EN)
    assert alert.title == "shop #7: Seller-fault cancellations past Kaspi's mark — 3.25%"
    assert "3.25% — past Kaspi's mark (3%)" in alert.text
    assert "13 of 400 orders cancelled through the seller's fault in 30 days" in alert.text
    assert "What to do: update stock levels" in alert.text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (Language.RU, ["Рейтинг: 4,35 — в жёлтой зоне", "хороший уровень — от 4,6",
                       "порог Kaspi — ниже 4", f"Оценок: 1{NBSP}234 (за 90 дн.)"]),
        (Language.EN, ["Rating: 4.35 — in the warning zone", "good is 4.6 or more",
                       "Kaspi's mark is below 4", "From 1,234 ratings in 90 days"]),
    ],
)  # fmt: skip
def test_quality_alerts_rating_warning_text(language: Language, expected: list[str]) -> None:
    current = value(Indicator.RATING, WARN, numerator=5368, denominator=1234, pct="4.35")
    [alert] = build_alerts(SHOP, [current], {}, [], as_of=at(D0), language=language)
    for part in expected:
        assert part in alert.text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (Language.RU, ["пройдёт порог Kaspi (10\u00a0%) через 4 дн. — 14.03.2026",
                       "Сейчас: 8\u00a0%; передано с опозданием: 12, всего передано: 150"]),
        (Language.EN, ["will cross Kaspi's mark (10%) in 4 days, on 14 March 2026",
                       "Now: 8%; 12 of 150 handovers late in 30 days."]),
    ],
)  # fmt: skip
def test_quality_alerts_projection_text(language: Language, expected: list[str]) -> None:
    current = value(Indicator.LATE_HANDOVERS, OK, numerator=12, denominator=150, pct="8")
    [alert] = build_alerts(
        SHOP, [current], {Indicator.LATE_HANDOVERS: date(2026, 3, 14)}, [], as_of=at(D0),
        language=language,
    )  # fmt: skip
    for part in expected:
        assert part in alert.text


@pytest.mark.parametrize(
    ("language", "minutes", "expected"),
    [
        (
            Language.RU,
            105,
            "Заказ 790686780 нужно передать в доставку до 16:00 10.03 — осталось 1 ч 45 мин",
        ),
        (Language.EN, 45, "Order 790686780 must be handed over by 16:00 on 10 Mar — 45 min left"),
        (Language.RU, -60, "Срок передачи заказа 790686780 прошёл в 16:00 10.03 (1 ч назад)"),
        (Language.EN, -60, "passed at 16:00 on 10 Mar (1 h ago)"),
    ],
)
def test_quality_alerts_handover_text(language: Language, minutes: int, expected: str) -> None:
    late = value(Indicator.LATE_HANDOVERS, OK, pct="4")
    [alert] = build_alerts(
        SHOP, [late], {}, [HandoverRisk("790686780", at(D0, 16), minutes)], as_of=at(D0),
        language=language,
    )  # fmt: skip
    assert expected in alert.text
    assert ("4\u00a0%" if language is Language.RU else "4%") in alert.text


def test_quality_alerts_reviews_balance_text() -> None:
    current = value(Indicator.REVIEWS_BALANCE, CRIT, numerator=5, denominator=4, pct="0")
    [ru] = build_alerts(SHOP, [current], {}, [], as_of=at(D0))
    [en] = build_alerts(SHOP, [current], {}, [], as_of=at(D0), language=Language.EN)
    assert "негативных 5, позитивных 4" in ru.title and "Kaspi Жұма" in ru.text
    assert "5 negative, 4 positive" in en.title and "Kaspi Жұма" in en.text


def test_quality_alerts_every_indicator_has_texts() -> None:
    for indicator in Indicator:
        for status in (WARN, CRIT):
            for language in Language:
                [alert] = build_alerts(SHOP, [value(indicator, status)], {}, [], as_of=at(D0),
                                       language=language)  # fmt: skip
                assert alert.title and alert.text
                assert ("Что делать" if language is Language.RU else "What to do") in alert.text


def test_quality_alerts_history_from_a_daily_series() -> None:
    import polars as pl

    from saudager.domains.quality.alerts import statuses_by_day

    series = pl.DataFrame(
        {
            "day": [date(2026, 3, 8), date(2026, 3, 8), date(2026, 3, 9)],
            "indicator": ["rating", "late_handovers", "rating"],
            "numerator": [1, 2, 3],
            "denominator": [4, 5, 6],
            "status": ["ok", "warning", "warning"],
        }
    )
    assert statuses_by_day(series) == {
        Indicator.RATING: {date(2026, 3, 8): OK, date(2026, 3, 9): WARN},
        Indicator.LATE_HANDOVERS: {date(2026, 3, 8): WARN},
    }
