"""Kaspi Жұма: may the shop take part, criterion by criterion, and when is the next one.

Entry (DOMAIN.md §4, seed 001): the seller takes Kaspi credit payments for 2 months, sells goods
that take part, and meets every quality indicator — rating ≥ 4, cancellations ≤ 3 %, negative
reviews fewer than positive ones, quality returns < 2 %, late handovers < 10 %.

The indicator criteria use the rules' marks, the same as the sanctions: a criterion fails
exactly when its indicator is past its mark. For cancellations that makes exactly 3.00 % a
failure: the Жұма page says "не может превышать 3 %" (≤ 3 %), Kaspi's 2026 quality page says
"меньше 3 %", and ``QualityRules.cancellations_critical_from`` keeps the stricter one.

What we cannot see is never a pass: an indicator Kaspi does not compute yet (too few orders or
ratings, no reviews at all) and a criterion the seller has not stated are "not checked", and the
verdict is then "not confirmed".

Жұма dates: Kaspi announces each one shortly before. DOMAIN.md gives only February 2026
(12–15 February) and "three times a year: February, June, November"; the other dates of
``DEFAULT_JUMA_CALENDAR`` are our assumption (Thursday to Sunday of the second full week, like
February 2026), marked ``assumed`` and said so in every text. Pass the real calendar when known.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from saudager.domains.quality.outlook import (
    MONTHS_EN,
    MONTHS_RU,
    critical_mark,
    exact_value,
    is_critical,
    number_text,
    plural_en,
    plural_ru,
    to_decimal,
)
from saudager.domains.quality.types import Indicator, IndicatorValue, QualityRules, Status

__all__ = [
    "DEFAULT_JUMA_CALENDAR",
    "Criterion",
    "JumaEligibility",
    "JumaTiming",
    "JumaWindow",
    "Outcome",
    "SellerStatement",
    "Verdict",
    "calendar_from_days",
    "juma_eligibility",
    "juma_timing",
]

_CREDIT_MONTHS = 2


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    NOT_CHECKED = "not_checked"  # we cannot know: shown as such, never as a pass


class Verdict(StrEnum):
    ELIGIBLE = "eligible"  # every criterion passes
    NOT_ELIGIBLE = "not_eligible"  # at least one fails
    NOT_CONFIRMED = "not_confirmed"  # none fails, some are not checked


@dataclass(frozen=True, slots=True)
class JumaWindow:
    """One Kaspi Жұма: its first and last local days (inclusive)."""

    start: date
    end: date
    assumed: bool = False  # our guess, not an announcement by Kaspi

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a Жұма cannot end ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


#: February 2026 is announced (DOMAIN.md §4); the others are assumed: replace them when Kaspi
#: announces the dates.
DEFAULT_JUMA_CALENDAR: tuple[JumaWindow, ...] = (
    JumaWindow(date(2026, 2, 12), date(2026, 2, 15)),
    JumaWindow(date(2026, 6, 11), date(2026, 6, 14), assumed=True),
    JumaWindow(date(2026, 11, 12), date(2026, 11, 15), assumed=True),
    JumaWindow(date(2027, 2, 11), date(2027, 2, 14), assumed=True),
)


@dataclass(frozen=True, slots=True)
class SellerStatement:
    """What the seller tells us and no API shows. ``None`` means "not stated"."""

    takes_credit_two_months: bool | None = None
    credit_payments_since: date | None = None  # when given, decides the credit criterion
    sells_eligible_goods: bool | None = None


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str  # "rating", "seller_cancellations", …, "credit_payments", "eligible_goods"
    name_ru: str
    name_en: str
    outcome: Outcome
    value: Decimal | None  # stars, percent, reviews, days
    mark: Decimal | None  # the threshold the value is compared with
    margin: Decimal | None  # how far on the passing side of the mark (negative: failing side)
    unit: str  # "★", "%", "reviews", "days", ""
    note_ru: str = ""
    note_en: str = ""


@dataclass(frozen=True, slots=True)
class JumaTiming:
    as_of: date
    current: JumaWindow | None  # running on as_of
    next: JumaWindow | None  # the first one starting after as_of
    days_until_next: int | None
    ends_in_days: int | None  # running: days from as_of to its last day (0: it ends today)

    @property
    def sentence_ru(self) -> str:
        return _timing_sentence(self, ru=True)

    @property
    def sentence_en(self) -> str:
        return _timing_sentence(self, ru=False)


@dataclass(frozen=True, slots=True)
class JumaEligibility:
    as_of: date
    verdict: Verdict
    criteria: tuple[Criterion, ...]
    timing: JumaTiming

    @property
    def failing(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.outcome is Outcome.FAIL)

    @property
    def not_checked(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.outcome is Outcome.NOT_CHECKED)

    @property
    def sentence_ru(self) -> str:
        return _eligibility_sentence(self, ru=True)

    @property
    def sentence_en(self) -> str:
        return _eligibility_sentence(self, ru=False)


def calendar_from_days(
    pairs: Iterable[JumaWindow | tuple[date, date]],
) -> tuple[JumaWindow, ...]:
    """Windows from settings' (first, last) pairs; a pair equal to one of our assumed defaults
    keeps its "assumed" mark, so that every sentence still says so. Windows pass through."""
    assumed = {(w.start, w.end) for w in DEFAULT_JUMA_CALENDAR if w.assumed}
    return tuple(
        w if isinstance(w, JumaWindow) else JumaWindow(w[0], w[1], assumed=tuple(w) in assumed)
        for w in pairs
    )


# ---- timing ----------------------------------------------------------------------------------


def _windows(calendar: Iterable[JumaWindow | tuple[date, date]]) -> list[JumaWindow]:
    windows = [w if isinstance(w, JumaWindow) else JumaWindow(w[0], w[1]) for w in calendar]
    return sorted(windows, key=lambda w: w.start)


def juma_timing(
    as_of: date, calendar: Iterable[JumaWindow | tuple[date, date]] = DEFAULT_JUMA_CALENDAR
) -> JumaTiming:
    """Whether a Жұма runs on local day ``as_of``, and how many days to the next one.

    ``calendar``: ``JumaWindow``s or ``(start, end)`` pairs of local dates, both inclusive.
    """
    windows = _windows(calendar)
    current = next((w for w in windows if as_of in w), None)
    upcoming = next((w for w in windows if w.start > as_of), None)
    return JumaTiming(
        as_of=as_of,
        current=current,
        next=upcoming,
        days_until_next=None if upcoming is None else (upcoming.start - as_of).days,
        ends_in_days=None if current is None else (current.end - as_of).days,
    )


# ---- criteria --------------------------------------------------------------------------------

_NAMES: Mapping[str, tuple[str, str]] = {
    "rating": ("Рейтинг не ниже 4", "Rating at least 4"),
    "seller_cancellations": ("Доля отмен не выше порога", "Cancellations below the mark"),
    "reviews_balance": (
        "Отрицательных отзывов меньше, чем положительных",
        "Fewer negative reviews than positive",
    ),
    "quality_returns": ("Возвраты по качеству ниже порога", "Quality returns below the mark"),
    "late_handovers": ("Опоздания с передачей ниже порога", "Late handovers below the mark"),
    "credit_payments": (
        "Оплата Kaspi Кредитом принимается 2 месяца",
        "Takes Kaspi credit payments for 2 months",
    ),
    "eligible_goods": ("Товары участвуют в акции", "Sells goods that take part"),
}

_NO_DATA_RU = "не проверено: Kaspi ещё не считает этот показатель (мало заказов или оценок)"
_NO_DATA_EN = "not checked: Kaspi does not compute this indicator yet (too few orders or ratings)"


def _criterion(
    key: str,
    outcome: Outcome,
    *,
    value: Decimal | None = None,
    mark: Decimal | None = None,
    margin: Decimal | None = None,
    unit: str = "",
    note_ru: str = "",
    note_en: str = "",
) -> Criterion:
    name_ru, name_en = _NAMES[key]
    return Criterion(key, name_ru, name_en, outcome, value, mark, margin, unit, note_ru, note_en)


def _indicator_criterion(
    indicator: Indicator, value: IndicatorValue | None, rules: QualityRules
) -> Criterion:
    key = str(indicator)
    mark = critical_mark(indicator, rules)
    unit = "★" if indicator is Indicator.RATING else "%"
    if value is None or value.status is Status.NOT_ENOUGH_DATA:
        return _criterion(
            key, Outcome.NOT_CHECKED, mark=mark, unit=unit, note_ru=_NO_DATA_RU, note_en=_NO_DATA_EN
        )
    exact = exact_value(indicator, Fraction(value.numerator), Fraction(value.denominator))
    if exact is None:  # a share with nothing to divide: nothing can be past the mark
        return _criterion(
            key,
            Outcome.PASS,
            mark=mark,
            unit=unit,
            note_ru="за 30 дней нет событий этого вида",
            note_en="no such events in the last 30 days",
        )
    fails = is_critical(indicator, exact, rules)
    # Positive margin: how far on the safe side (stars above the mark, points below it).
    distance = exact - Fraction(mark) if indicator is Indicator.RATING else Fraction(mark) - exact
    return _criterion(
        key,
        Outcome.FAIL if fails else Outcome.PASS,
        value=to_decimal(exact),
        mark=mark,
        margin=to_decimal(distance),
        unit=unit,
    )


def _balance_criterion(value: IndicatorValue | None) -> Criterion:
    key = str(Indicator.REVIEWS_BALANCE)
    if value is None or value.status is Status.NOT_ENOUGH_DATA:
        return _criterion(
            key,
            Outcome.NOT_CHECKED,
            unit="reviews",
            note_ru="не проверено: нет отзывов за 90 дней или мало заказов",
            note_en="not checked: no reviews in 90 days, or too few orders",
        )
    negatives, positives = value.numerator, value.denominator
    return _criterion(
        key,
        Outcome.PASS if negatives < positives else Outcome.FAIL,
        value=Decimal(negatives),
        mark=Decimal(positives),
        margin=Decimal(positives - negatives),
        unit="reviews",
        note_ru=f"отрицательных {negatives}, положительных {positives}",
        note_en=f"{negatives} negative, {positives} positive",
    )


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 December + 2 → 28 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def _credit_criterion(statement: SellerStatement, as_of: date) -> Criterion:
    key = "credit_payments"
    since = statement.credit_payments_since
    if since is not None:
        ready = _add_months(since, _CREDIT_MONTHS)
        waited = (as_of - ready).days
        return _criterion(
            key,
            Outcome.PASS if waited >= 0 else Outcome.FAIL,
            value=Decimal((as_of - since).days),
            margin=Decimal(waited),
            unit="days",
            note_ru=f"с {since:%d.%m.%Y}; 2 месяца — {ready:%d.%m.%Y}",
            note_en=f"since {since.isoformat()}; 2 months on {ready.isoformat()}",
        )
    if statement.takes_credit_two_months is None:
        return _criterion(
            key,
            Outcome.NOT_CHECKED,
            note_ru="не проверено: укажите, принимаете ли вы оплату Kaspi Кредитом 2 месяца",
            note_en="not checked: say whether you have taken Kaspi credit payments for 2 months",
        )
    return _criterion(key, Outcome.PASS if statement.takes_credit_two_months else Outcome.FAIL)


def _goods_criterion(statement: SellerStatement) -> Criterion:
    if statement.sells_eligible_goods is None:
        return _criterion(
            "eligible_goods",
            Outcome.NOT_CHECKED,
            note_ru="не проверено: список участвующих товаров — на guide.kaspi.kz",
            note_en="not checked: the list of goods that take part is on guide.kaspi.kz",
        )
    return _criterion(
        "eligible_goods", Outcome.PASS if statement.sells_eligible_goods else Outcome.FAIL
    )


def juma_eligibility(
    values: Mapping[Indicator, IndicatorValue],
    as_of: date,
    rules: QualityRules,
    statement: SellerStatement | None = None,
    calendar: Iterable[JumaWindow | tuple[date, date]] = DEFAULT_JUMA_CALENDAR,
) -> JumaEligibility:
    """Every entry criterion with its outcome and margin, the verdict, and the Жұма timing.

    ``values``: ``compute_indicators(...)`` as of ``as_of`` (the criteria use their exact
    numerators and denominators, compared with ``rules``' marks).
    """
    statement = statement or SellerStatement()
    criteria = (
        _indicator_criterion(Indicator.RATING, values.get(Indicator.RATING), rules),
        _indicator_criterion(
            Indicator.SELLER_CANCELLATIONS, values.get(Indicator.SELLER_CANCELLATIONS), rules
        ),
        _balance_criterion(values.get(Indicator.REVIEWS_BALANCE)),
        _indicator_criterion(
            Indicator.QUALITY_RETURNS, values.get(Indicator.QUALITY_RETURNS), rules
        ),
        _indicator_criterion(Indicator.LATE_HANDOVERS, values.get(Indicator.LATE_HANDOVERS), rules),
        _credit_criterion(statement, as_of),
        _goods_criterion(statement),
    )
    outcomes = {c.outcome for c in criteria}
    if Outcome.FAIL in outcomes:
        verdict = Verdict.NOT_ELIGIBLE
    elif Outcome.NOT_CHECKED in outcomes:
        verdict = Verdict.NOT_CONFIRMED
    else:
        verdict = Verdict.ELIGIBLE
    return JumaEligibility(as_of, verdict, criteria, juma_timing(as_of, calendar))


# ---- texts -----------------------------------------------------------------------------------


def window_text(window: JumaWindow, *, ru: bool) -> str:
    """``12–15 февраля 2026`` / ``12–15 February 2026``; across months ``30 мая – 2 июня 2026``."""
    months = MONTHS_RU if ru else MONTHS_EN
    s, e = window.start, window.end
    if (s.year, s.month) == (e.year, e.month):
        text = f"{s.day}–{e.day} {months[e.month - 1]} {e.year}"
    elif s.year == e.year:
        text = f"{s.day} {months[s.month - 1]} – {e.day} {months[e.month - 1]} {e.year}"
    else:
        text = f"{s.day} {months[s.month - 1]} {s.year} – {e.day} {months[e.month - 1]} {e.year}"
    if window.assumed:
        text += " (даты предположительные)" if ru else " (assumed dates)"
    return text


def _in_days_ru(days: int) -> str:
    if days == 0:
        return "сегодня"
    if days == 1:
        return "завтра"
    return f"через {days} {plural_ru(days, 'день', 'дня', 'дней')}"


def _in_days_en(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} {plural_en(days, 'day', 'days')}"


def _timing_sentence(timing: JumaTiming, *, ru: bool) -> str:
    parts: list[str] = []
    if timing.current is not None and timing.ends_in_days is not None:
        when = window_text(timing.current, ru=ru)
        if ru:
            ends = (
                "заканчивается сегодня"
                if timing.ends_in_days == 0
                else f"закончится {_in_days_ru(timing.ends_in_days)}"
            )
            parts.append(f"Kaspi Жұма идёт сейчас ({when}), {ends}.")
        else:
            ends = (
                "ends today"
                if timing.ends_in_days == 0
                else f"ends {_in_days_en(timing.ends_in_days)}"
            )
            parts.append(f"Kaspi Жұма is running now ({when}), {ends}.")
    if timing.next is not None and timing.days_until_next is not None:
        when = window_text(timing.next, ru=ru)
        if ru:
            parts.append(f"Следующая Kaspi Жұма — {when}, {_in_days_ru(timing.days_until_next)}.")
        else:
            parts.append(f"The next Kaspi Жұма is {when}, {_in_days_en(timing.days_until_next)}.")
    elif timing.current is None:
        parts.append(
            "В календаре нет следующей Kaspi Жұма: добавьте её даты."
            if ru
            else "No next Kaspi Жұма in the calendar: add its dates."
        )
    return " ".join(parts)


def _criterion_text(criterion: Criterion, *, ru: bool) -> str:
    name = criterion.name_ru if ru else criterion.name_en
    if criterion.value is not None and criterion.unit in ("%", "★"):
        value = number_text(criterion.value, ru=ru)
        percent = "\u00a0%" if criterion.unit == "%" else ""
        return f"{name} ({value}{percent})"
    return name


def _eligibility_sentence(result: JumaEligibility, *, ru: bool) -> str:
    failing = "; ".join(_criterion_text(c, ru=ru) for c in result.failing)
    unknown = "; ".join(_criterion_text(c, ru=ru) for c in result.not_checked)
    if ru:
        head = {
            Verdict.ELIGIBLE: "Kaspi Жұма: все условия участия выполнены.",
            Verdict.NOT_ELIGIBLE: f"Kaspi Жұма: условия не выполнены — {failing}.",
            Verdict.NOT_CONFIRMED: "Kaspi Жұма: нарушений нет, но не всё проверено.",
        }[result.verdict]
        tail = f" Не проверено: {unknown}." if unknown else ""
    else:
        head = {
            Verdict.ELIGIBLE: "Kaspi Жұма: every entry condition is met.",
            Verdict.NOT_ELIGIBLE: f"Kaspi Жұма: conditions not met — {failing}.",
            Verdict.NOT_CONFIRMED: "Kaspi Жұма: nothing fails, but not everything is checked.",
        }[result.verdict]
        tail = f" Not checked: {unknown}." if unknown else ""
    timing = _timing_sentence(result.timing, ru=ru)
    return f"{head}{tail} {timing}".strip()
