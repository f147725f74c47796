"""The outlook: where each sanctioned indicator goes over the next days, and how to recover.

Everything here is counts of facts in rolling windows (see ``types.py``), computed for days
*after* ``as_of`` under two scenarios:

- **if nothing new happens**: only the facts already known count. The windows slide forward one
  local day at a time; a fact placed on local day ``D`` counts in the windows of ``D`` to
  ``D + w - 1`` and leaves on day ``D + w`` (``w`` the indicator's window in days). Facts already
  known but placed after ``as_of`` (a review still in moderation) enter on their day.
- **at the recent pace**: the same, plus, for each projected day inside the window, the shop's
  average daily numerator and denominator over the ``pace_days`` whole local days ending with
  ``as_of`` (numerator sum / ``pace_days``, denominator count / ``pace_days``; fractional).

Recovery is exact arithmetic on today's numerator and denominator (integer ceilings), plus the
first day on which waiting alone gets there. ``docs/quality-outlook.md`` has worked examples.

Statuses are decided on exact fractions; values are shown rounded to 0.01.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

from saudager.domains.quality.indicators import IndicatorSpec, indicator_spec
from saudager.domains.quality.types import (
    FACTS_SCHEMA,
    GONE_AT,
    SANCTIONED,
    Indicator,
    QualityRules,
    Status,
)

_CENT = Decimal("0.01")
_PERCENT = Fraction(100)
_FIVE_STARS = 5

# ---------------------------------------------------------------------------------------------
# Text helpers shared by the quality texts (outlook, sanctions, eligibility, warnings).
# They would sit better in core once another domain needs them.
# ---------------------------------------------------------------------------------------------

#: Month names in the genitive ("3 декабря"), and in English.
MONTHS_RU = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def day_ru(day: date) -> str:
    """``3 декабря`` (the year only when asked for: sellers think in the coming weeks)."""
    return f"{day.day} {MONTHS_RU[day.month - 1]}"


def day_en(day: date) -> str:
    """``3 December``."""
    return f"{day.day} {MONTHS_EN[day.month - 1]}"


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    """The Russian noun form for ``count``: 1 передача, 2 передачи, 5 передач, 11 передач."""
    tail = abs(count) % 100
    if 11 <= tail <= 14:
        return many
    last = tail % 10
    if last == 1:
        return one
    if 2 <= last <= 4:
        return few
    return many


def plural_en(count: int, one: str, many: str) -> str:
    return one if abs(count) == 1 else many


def number_text(value: Decimal, *, ru: bool, min_places: int = 0) -> str:
    """Up to two decimals, trailing zeros dropped (down to ``min_places``); comma in Russian."""
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    text = f"{rounded:.2f}"
    while text.endswith("0") and len(text.split(".")[1]) > min_places:
        text = text[:-1]
    text = text.removesuffix(".")
    return text.replace(".", ",") if ru else text


# ---------------------------------------------------------------------------------------------
# Indicator arithmetic: the same definitions as ``indicators.py``, on exact fractions so that
# fractional (paced) counts can be classified too.
# ---------------------------------------------------------------------------------------------


def _spec(indicator: Indicator, rules: QualityRules) -> IndicatorSpec:
    if indicator not in SANCTIONED:
        raise ValueError(f"{indicator} is not a sanctioned indicator")
    return indicator_spec(indicator, rules)


def critical_mark(indicator: Indicator, rules: QualityRules) -> Decimal:
    """Rating: a value *below* this is critical; the shares: *at or above* it."""
    return _spec(indicator, rules).critical_mark


def good_level(indicator: Indicator, rules: QualityRules) -> Decimal:
    """Rating: at or above this is good; the shares: at or below it."""
    level = _spec(indicator, rules).good_level
    if level is None:  # pragma: no cover - every sanctioned indicator has one
        raise ValueError(f"{indicator} has no good level")
    return level


def exact_value(
    indicator: Indicator, numerator: Fraction, denominator: Fraction
) -> Fraction | None:
    """Stars (rating) or percent; ``None`` when there is nothing to divide."""
    if denominator <= 0:
        return None
    if indicator is Indicator.RATING:
        return numerator / denominator
    return numerator / denominator * _PERCENT


def is_critical(indicator: Indicator, value: Fraction, rules: QualityRules) -> bool:
    mark = Fraction(critical_mark(indicator, rules))
    return value < mark if indicator is Indicator.RATING else value >= mark


def is_good(indicator: Indicator, value: Fraction, rules: QualityRules) -> bool:
    level = Fraction(good_level(indicator, rules))
    return value >= level if indicator is Indicator.RATING else value <= level


def classify(
    indicator: Indicator,
    numerator: Fraction,
    denominator: Fraction,
    rules: QualityRules,
    *,
    enough_orders: bool,
) -> Status:
    """``indicators.status_of`` on fractions, so that paced (fractional) counts get a status.

    Same rules (a property test holds them equal on whole counts): NOT_ENOUGH_DATA without
    enough orders, or for the rating below ``rating_min_ratings`` ratings; an empty
    denominator of a share is OK; otherwise CRITICAL past the mark, WARNING past the good level.
    """
    if not enough_orders:
        return Status.NOT_ENOUGH_DATA
    if indicator is Indicator.RATING and denominator < max(rules.rating_min_ratings, 1):
        return Status.NOT_ENOUGH_DATA
    value = exact_value(indicator, numerator, denominator)
    if value is None:
        return Status.OK
    if is_critical(indicator, value, rules):
        return Status.CRITICAL
    if is_good(indicator, value, rules):
        return Status.OK
    return Status.WARNING


def to_decimal(value: Fraction) -> Decimal:
    """A fraction shown to 0.01 (half up), as the cockpit prints indicator values."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )


def good_events_needed(
    indicator: Indicator,
    numerator: int,
    denominator: int,
    rules: QualityRules,
    *,
    to_good_level: bool,
) -> int | None:
    """How many more good events bring the indicator below its mark (or to its good level).

    A good event is, for the percent indicators, one more denominator fact with no numerator
    (an order not cancelled by the seller, an on-time handover, a completed order not returned
    for quality); for the rating, one more five-star rating. Solved exactly: the smallest ``n``
    that reaches the target, so ``n - 1`` does not. ``0`` when already there; ``None`` when no
    number of good events can get there (a good level of 0 % with a bad event in the window).

    - percent, below the mark ``m`` (critical at ``≥ m``): ``100a/(b+n) < m`` ⇔
      ``n = ⌊100a/m⌋ + 1 − b``;
    - percent, to the good level ``g`` (good at ``≤ g``): ``100a/(b+n) ≤ g`` ⇔ ``n = ⌈100a/g⌉ − b``;
    - rating (sum ``S`` of ``c`` ratings) to the target ``t`` (≥ ``t``):
      ``(S+5n)/(c+n) ≥ t`` ⇔ ``n = ⌈(t·c − S)/(5 − t)⌉``.
    """
    if indicator not in SANCTIONED:
        raise ValueError(f"{indicator} has no recovery arithmetic")
    target = Fraction(
        good_level(indicator, rules) if to_good_level else critical_mark(indicator, rules)
    )
    a, b = numerator, denominator
    if indicator is Indicator.RATING:
        if b > 0 and Fraction(a, b) >= target:
            return 0
        if target >= _FIVE_STARS:
            return None  # five-star ratings can only approach five from below
        return max(0, math.ceil((target * b - a) / (_FIVE_STARS - target)))
    if a == 0:
        return 0
    bad_share = _PERCENT * a  # 100·a, the percent numerator
    if to_good_level:
        if target <= 0:
            return None
        return max(0, math.ceil(bad_share / target) - b)
    if target <= 0:
        return None
    return max(0, math.floor(bad_share / target) + 1 - b)


#: Names of the indicators as the cabinet and our CLI print them.
INDICATOR_NAMES_RU: Mapping[Indicator, str] = {
    Indicator.RATING: "Рейтинг",
    Indicator.SELLER_CANCELLATIONS: "Доля отмен по вине продавца",
    Indicator.LATE_HANDOVERS: "Доля опозданий с передачей в Kaspi Доставку",
    Indicator.QUALITY_RETURNS: "Доля возвратов по качеству",
    Indicator.REVIEWS_BALANCE: "Отрицательные и положительные отзывы",
}
INDICATOR_NAMES_EN: Mapping[Indicator, str] = {
    Indicator.RATING: "Rating",
    Indicator.SELLER_CANCELLATIONS: "Seller-fault cancellations",
    Indicator.LATE_HANDOVERS: "Late handovers to Kaspi Delivery",
    Indicator.QUALITY_RETURNS: "Quality returns",
    Indicator.REVIEWS_BALANCE: "Negative vs positive reviews",
}
#: The good event of each indicator: Russian (one, few, many) and English (one, many).
_GOOD_EVENT_RU: Mapping[Indicator, tuple[str, str, str]] = {
    Indicator.RATING: ("оценка 5★", "оценки 5★", "оценок 5★"),
    Indicator.SELLER_CANCELLATIONS: ("заказ без отмены", "заказа без отмены", "заказов без отмены"),
    Indicator.LATE_HANDOVERS: ("передача в срок", "передачи в срок", "передач в срок"),
    Indicator.QUALITY_RETURNS: (
        "завершённый заказ без возврата",
        "завершённых заказа без возврата",
        "завершённых заказов без возврата",
    ),
}
_GOOD_EVENT_EN: Mapping[Indicator, tuple[str, str]] = {
    Indicator.RATING: ("five-star rating", "five-star ratings"),
    Indicator.SELLER_CANCELLATIONS: (
        "order without a seller-fault cancellation",
        "orders without a seller-fault cancellation",
    ),
    Indicator.LATE_HANDOVERS: ("on-time handover", "on-time handovers"),
    Indicator.QUALITY_RETURNS: (
        "completed order without a quality return",
        "completed orders without a quality return",
    ),
}


def indicator_value_text(indicator: Indicator, value: Decimal, *, ru: bool) -> str:
    """``4,3`` for the rating, ``14,29 %`` for the shares."""
    if indicator is Indicator.RATING:
        return number_text(value, ru=ru, min_places=1)
    return f"{number_text(value, ru=ru)}\u00a0%"


def _more_good_events(indicator: Indicator, count: int, *, ru: bool) -> str:
    """``ещё 11 передач в срок`` / ``11 more on-time handovers``."""
    if ru:
        return f"ещё {count} {plural_ru(count, *_GOOD_EVENT_RU[indicator])}"
    return f"{count} more {plural_en(count, *_GOOD_EVENT_EN[indicator])}"


def _recovery_sentence(rec: Recovery, *, ru: bool) -> str:
    ind = rec.indicator
    value = "—" if rec.value is None else indicator_value_text(ind, rec.value, ru=ru)
    mark = indicator_value_text(ind, rec.critical_mark, ru=ru)
    good = indicator_value_text(ind, rec.good_level, ru=ru)
    rating = ind is Indicator.RATING
    if ru:
        zone = f"нарушение {'ниже' if rating else 'от'} {mark}"
        head = f"{INDICATOR_NAMES_RU[ind]}: {value} ({zone}, хороший уровень {good})."
    else:
        zone = f"critical {'below' if rating else 'from'} {mark}"
        head = f"{INDICATOR_NAMES_EN[ind]}: {value} ({zone}, good level {good})."
    parts = [head]
    if rec.status is Status.CRITICAL:
        parts.append(_step(ind, rec.to_below_mark, rec.wait_below_mark, None, ru=ru))
    parts.append(_step(ind, rec.to_good_level, rec.wait_good_level, good, ru=ru))
    return " ".join(parts)


def _step(
    indicator: Indicator, count: int | None, wait: date | None, good: str | None, *, ru: bool
) -> str:
    """One target: "N more good events, or wait until D" (the mark when ``good`` is None)."""
    if ru:
        if count is None:
            action = "хорошими событиями не достичь" + (f" уровня {good}" if good else "")
        elif good is None:
            more = _more_good_events(indicator, count, ru=True)
            verb = plural_ru(count, "выведет", "выведут", "выведут")
            action = f"{more} {verb} показатель из нарушения"
        else:
            action = f"до хорошего уровня {good}: {_more_good_events(indicator, count, ru=True)}"
        waiting = f", или подождите до {day_ru(wait)}" if wait is not None else ""
    else:
        if count is None:
            action = "no number of good events reaches " + (good or "the mark")
        elif good is None:
            more = _more_good_events(indicator, count, ru=False)
            action = f"{more} {plural_en(count, 'takes', 'take')} it out of the violation zone"
        else:
            action = f"to the good level of {good}: {_more_good_events(indicator, count, ru=False)}"
        waiting = f", or wait until {day_en(wait)}" if wait is not None else ""
    text = f"{action}{waiting}."
    return text[0].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Projection:
    """One indicator on one day under one scenario. Counts are whole if nothing new happens,
    fractional at the pace; ``value`` is rounded to 0.01, the status decided exactly."""

    numerator: Decimal  # RATING: sum of stars
    denominator: Decimal  # RATING: number of ratings
    value: Decimal | None
    status: Status


@dataclass(frozen=True, slots=True)
class LeavingEvent:
    """A bad fact that counts on the day before and no longer counts on the day it leaves."""

    ref_kind: str
    ref: str
    at: datetime  # aware UTC: what placed it in the window
    weight: int  # stars for a rating; 1 elsewhere
    note: str | None


@dataclass(frozen=True, slots=True)
class OutlookDay:
    day: date
    if_nothing_new: Projection
    at_pace: Projection
    leaving_bad: tuple[LeavingEvent, ...]  # oldest first
    leaving_other: int  # other facts leaving this day (good orders, 4–5★ ratings)
    entering: int  # facts already known, placed on this day (a review out of moderation)


@dataclass(frozen=True, slots=True)
class Pace:
    """The average day of the ``days`` local days ending with ``as_of``."""

    days: int
    numerator_per_day: Fraction
    denominator_per_day: Fraction


@dataclass(frozen=True, slots=True)
class Recovery:
    """How an indicator in WARNING or CRITICAL gets back below its mark and to its good level."""

    indicator: Indicator
    as_of: date
    status: Status
    value: Decimal | None
    numerator: int
    denominator: int
    critical_mark: Decimal
    good_level: Decimal
    to_below_mark: int | None  # good events; 0 when already below the mark
    to_good_level: int | None  # good events; None when unreachable
    wait_below_mark: date | None  # CRITICAL: from this day on below the mark, if nothing new
    wait_good_level: date | None  # from this day on at the good level, if nothing new

    @property
    def sentence_en(self) -> str:
        return _recovery_sentence(self, ru=False)

    @property
    def sentence_ru(self) -> str:
        return _recovery_sentence(self, ru=True)


@dataclass(frozen=True, slots=True)
class IndicatorOutlook:
    indicator: Indicator
    as_of: date
    window_days: int
    today: Projection
    pace: Pace
    days: tuple[OutlookDay, ...]  # as_of + 1 … as_of + horizon
    first_breach_if_nothing_new: date | None  # first projected CRITICAL day in the horizon
    first_breach_at_pace: date | None
    recovery: Recovery | None  # only for WARNING and CRITICAL today

    @property
    def leaving_bad(self) -> list[tuple[date, LeavingEvent]]:
        """Every bad event leaving within the horizon, with its day, in order."""
        return [(d.day, event) for d in self.days for event in d.leaving_bad]


# ---------------------------------------------------------------------------------------------
# The computation
# ---------------------------------------------------------------------------------------------

#: A pseudo-indicator carried through the same sums: the orders the minimum-data rule counts
#: (SELLER_CANCELLATIONS denominator facts, one per order at its creation, as ``indicators``).
_ORDERS = "__orders__"
_UTC_US = pl.Datetime("us", "UTC")


@dataclass(frozen=True, slots=True)
class _Counts:
    num: int = 0  # sum of numerator weights
    den: int = 0  # denominator facts
    rows: int = 0  # facts

    def __add__(self, other: _Counts) -> _Counts:
        return _Counts(self.num + other.num, self.den + other.den, self.rows + other.rows)

    def __sub__(self, other: _Counts) -> _Counts:
        return _Counts(self.num - other.num, self.den - other.den, self.rows - other.rows)


_NONE = _Counts()


@dataclass(frozen=True, slots=True)
class _Track:
    """One indicator's facts as changes: what enters and what leaves its window on each day.

    A fact placed on local day ``P`` counts on the as-of days ``P`` … ``stop − 1``, where
    ``stop = P + window`` or, earlier, the local day of its ``gone_at`` (a fact gone at
    ``g`` is out of every window ending after ``g``: the day ``g`` falls on is its first day out).
    """

    enters: dict[date, _Counts]
    leaves: dict[date, _Counts]

    def on(self, day: date) -> _Counts:
        """The window's counts as of ``day``."""
        total = _NONE
        for entered, counts in self.enters.items():
            if entered <= day:
                total += counts
        for left, counts in self.leaves.items():
            if left <= day:
                total -= counts
        return total

    def walk(self, first: date, last: date) -> list[_Counts]:
        """The counts as of each day ``first`` … ``last``, one pass."""
        current = self.on(first)
        result = [current]
        day = first
        while day < last:
            day += timedelta(days=1)
            current = current + self.enters.get(day, _NONE) - self.leaves.get(day, _NONE)
            result.append(current)
        return result

    @property
    def last_change(self) -> date | None:
        return max([*self.enters, *self.leaves], default=None)


def _changes(facts: pl.DataFrame, tz: str, rules: QualityRules) -> pl.LazyFrame:
    """Each sanctioned fact (and each order, under ``_ORDERS``) with its local ``placed`` day,
    the local day it stops counting, its numerator weight, denominator count and badness."""
    missing = set(FACTS_SCHEMA) - set(facts.columns)
    if missing:
        raise ValueError(f"facts frame lacks columns {sorted(missing)}")
    lengths = {str(ind): indicator_spec(ind, rules).window_days for ind in SANCTIONED}
    lengths[_ORDERS] = rules.min_orders_window_days
    lazy = facts.lazy()
    if GONE_AT not in facts.columns:
        lazy = lazy.with_columns(pl.lit(None, dtype=_UTC_US).alias(GONE_AT))
    keep = [*FACTS_SCHEMA, GONE_AT]
    orders = lazy.filter(
        (pl.col("indicator") == str(Indicator.SELLER_CANCELLATIONS)) & pl.col("denominator")
    ).with_columns(pl.lit(_ORDERS).alias("indicator"), pl.lit(value=False).alias("numerator"))
    sanctioned = lazy.filter(pl.col("indicator").is_in([str(i) for i in SANCTIONED]))
    weight = pl.col("weight").fill_null(1).cast(pl.Int64)
    # Bad facts are those in the numerator; for the rating, Kaspi's negative ratings (1–3★):
    # they are what pulls an average down towards the mark.
    bad = pl.col("numerator") & (
        (pl.col("indicator") != str(Indicator.RATING)) | (weight <= rules.negative_at_most)
    )
    placed = pl.col("at").dt.convert_time_zone(tz).dt.date()
    gone = pl.col(GONE_AT).dt.convert_time_zone(tz).dt.date()
    length = pl.col("indicator").replace_strict(lengths, return_dtype=pl.Int64)
    return (
        pl.concat([sanctioned.select(keep), orders.select(keep)])
        .with_columns(
            placed.alias("placed"),
            gone.alias("gone"),
            pl.min_horizontal(placed + pl.duration(days=length), gone).alias("stop"),
            pl.when(pl.col("numerator")).then(weight).otherwise(0).alias("num"),
            pl.col("denominator").cast(pl.Int64).alias("den"),
            bad.alias("bad"),
            weight.alias("weight"),
        )
        .filter(pl.col("stop") > pl.col("placed"))
    )


def _tracks(changes: pl.LazyFrame) -> dict[str, _Track]:
    sums = [pl.col("num").sum(), pl.col("den").sum(), pl.len().alias("rows")]
    enters = changes.group_by("indicator", pl.col("placed").alias("day")).agg(sums)
    leaves = changes.group_by("indicator", pl.col("stop").alias("day")).agg(sums)
    tracks: dict[str, _Track] = {}
    for frame, is_enter in ((enters.collect(), True), (leaves.collect(), False)):
        for indicator, day, num, den, rows in frame.iter_rows():
            track = tracks.setdefault(indicator, _Track({}, {}))
            target = track.enters if is_enter else track.leaves
            target[day] = _Counts(int(num), int(den), int(rows))
    return tracks


def _pace_counts(changes: pl.LazyFrame, as_of: date, pace_days: int) -> dict[str, _Counts]:
    """What each indicator's facts placed in the ``pace_days`` days ending with ``as_of`` add
    up to, leaving out those already gone by the end of ``as_of``."""
    first = as_of - timedelta(days=pace_days - 1)
    frame = (
        changes.filter(
            pl.col("placed").is_between(first, as_of)
            & (pl.col("gone").is_null() | (pl.col("gone") > as_of))
        )
        .group_by("indicator")
        .agg(pl.col("num").sum(), pl.col("den").sum(), pl.len())
        .collect()
    )
    return {ind: _Counts(int(n), int(d), int(r)) for ind, n, d, r in frame.iter_rows()}


def _leaving(
    changes: pl.LazyFrame, as_of: date, horizon: int
) -> dict[tuple[str, date], tuple[LeavingEvent, ...]]:
    """Bad facts whose last counting day is in ``as_of`` … ``as_of + horizon − 1``."""
    rows = (
        changes.filter(
            pl.col("bad")
            & pl.col("stop").is_between(as_of + timedelta(days=1), as_of + timedelta(days=horizon))
        )
        .sort("at", "ref")
        .select("indicator", "stop", "ref_kind", "ref", "at", "weight", "note")
        .collect()
    )
    leaving: dict[tuple[str, date], list[LeavingEvent]] = {}
    for indicator, stop, ref_kind, ref, at, weight, note in rows.iter_rows():
        event = LeavingEvent(ref_kind, ref, at, int(weight), note)
        leaving.setdefault((indicator, stop), []).append(event)
    return {key: tuple(events) for key, events in leaving.items()}


def _projection(
    indicator: Indicator,
    num: Fraction,
    den: Fraction,
    orders: Fraction,
    violations_so_far: int,
    rules: QualityRules,
) -> Projection:
    value = exact_value(indicator, num, den)
    enough = orders >= rules.min_orders_30_days or (
        violations_so_far >= rules.min_violations_for_data
    )
    return Projection(
        numerator=to_decimal(num),
        denominator=to_decimal(den),
        value=None if value is None else to_decimal(value),
        status=classify(indicator, num, den, rules, enough_orders=enough),
    )


def _reached(indicator: Indicator, counts: _Counts, rules: QualityRules, *, good: bool) -> bool:
    """Waiting alone has got there: by the numbers, and an empty window counts as there
    (nothing in it counts against the seller). The minimum-data rule is left out on purpose:
    "wait until" must not mean "wait until the shop has too few orders to be judged"."""
    value = exact_value(indicator, Fraction(counts.num), Fraction(counts.den))
    if value is None:
        return True
    return is_good(indicator, value, rules) if good else not is_critical(indicator, value, rules)


def _recovery(
    indicator: Indicator, as_of: date, today: Projection, now: _Counts, track: _Track,
    rules: QualityRules,
) -> Recovery:  # fmt: skip
    # Waiting alone lets good facts leave too, so a share can dip below the mark and cross it
    # again (2 late of 20 → 1 of 15 → 1 of 10). "Wait until D" must hold from D on: D is the day
    # after the last day not there, searched until every fact known today has left the window.
    last = max(as_of, track.last_change or as_of) + timedelta(days=1)
    first = as_of + timedelta(days=1)
    not_mark: date | None = None
    not_good: date | None = None
    for offset, counts in enumerate(track.walk(first, last)):
        day = first + timedelta(days=offset)
        if not _reached(indicator, counts, rules, good=False):
            not_mark = day
        if not _reached(indicator, counts, rules, good=True):
            not_good = day
    wait_mark = first if not_mark is None else not_mark + timedelta(days=1)
    wait_good = first if not_good is None else not_good + timedelta(days=1)
    critical = today.status is Status.CRITICAL
    return Recovery(
        indicator=indicator,
        as_of=as_of,
        status=today.status,
        value=today.value,
        numerator=now.num,
        denominator=now.den,
        critical_mark=critical_mark(indicator, rules),
        good_level=good_level(indicator, rules),
        to_below_mark=good_events_needed(indicator, now.num, now.den, rules, to_good_level=False),
        to_good_level=good_events_needed(indicator, now.num, now.den, rules, to_good_level=True),
        wait_below_mark=wait_mark if critical else None,
        wait_good_level=wait_good,
    )


def _first_critical(rows: list[OutlookDay], *, paced: bool) -> date | None:
    for row in rows:
        projection = row.at_pace if paced else row.if_nothing_new
        if projection.status is Status.CRITICAL:
            return row.day
    return None


def outlook(
    facts: pl.DataFrame,
    as_of: date,
    tz: str,
    rules: QualityRules,
    days: int = 30,
    *,
    violations_so_far: int = 0,
    pace_days: int = 30,
) -> dict[Indicator, IndicatorOutlook]:
    """The next ``days`` days of every sanctioned indicator, day by day, under both scenarios.

    ``facts``: a frame in ``FACTS_SCHEMA`` (``gone_at`` honoured when present). ``as_of``: the
    day of today's figures (its window ends with it, as in ``compute_indicators``).
    ``violations_so_far`` feeds the minimum-data rule and is not projected: a projected breach
    is reported, not counted.
    """
    if days < 1:
        raise ValueError("the outlook covers at least one day")
    if pace_days < 1:
        raise ValueError("the pace is measured over at least one day")
    changes = _changes(facts, tz, rules).collect().lazy()
    tracks = _tracks(changes)
    paces = _pace_counts(changes, as_of, pace_days)
    leaving = _leaving(changes, as_of, days)
    last = as_of + timedelta(days=days)

    orders_track = tracks.get(_ORDERS, _Track({}, {}))
    orders_per_day = Fraction(paces.get(_ORDERS, _NONE).den, pace_days)
    orders_window = rules.min_orders_window_days
    orders = orders_track.walk(as_of, last)  # index 0 is as_of

    result: dict[Indicator, IndicatorOutlook] = {}
    for indicator in SANCTIONED:
        width = indicator_spec(indicator, rules).window_days
        track = tracks.get(str(indicator), _Track({}, {}))
        recent = paces.get(str(indicator), _NONE)
        pace = Pace(pace_days, Fraction(recent.num, pace_days), Fraction(recent.den, pace_days))
        counts = track.walk(as_of, last)
        now = counts[0]
        today = _projection(
            indicator,
            Fraction(now.num),
            Fraction(now.den),
            Fraction(orders[0].den),
            violations_so_far,
            rules,
        )
        rows: list[OutlookDay] = []
        for ahead in range(1, days + 1):
            day = as_of + timedelta(days=ahead)
            known = counts[ahead]
            # Paced days after as_of still inside this day's window: min(ahead, width).
            extra = min(ahead, width)
            paced_orders = orders[ahead].den + orders_per_day * min(ahead, orders_window)
            bad = leaving.get((str(indicator), day), ())
            rows.append(
                OutlookDay(
                    day=day,
                    if_nothing_new=_projection(
                        indicator,
                        Fraction(known.num),
                        Fraction(known.den),
                        Fraction(orders[ahead].den),
                        violations_so_far,
                        rules,
                    ),
                    at_pace=_projection(
                        indicator,
                        known.num + pace.numerator_per_day * extra,
                        known.den + pace.denominator_per_day * extra,
                        paced_orders,
                        violations_so_far,
                        rules,
                    ),
                    leaving_bad=bad,
                    leaving_other=track.leaves.get(day, _NONE).rows - len(bad),
                    entering=track.enters.get(day, _NONE).rows,
                )
            )
        recovery = None
        if today.status in (Status.WARNING, Status.CRITICAL):
            recovery = _recovery(indicator, as_of, today, now, track, rules)
        result[indicator] = IndicatorOutlook(
            indicator=indicator,
            as_of=as_of,
            window_days=width,
            today=today,
            pace=pace,
            days=tuple(rows),
            first_breach_if_nothing_new=_first_critical(rows, paced=False),
            first_breach_at_pace=_first_critical(rows, paced=True),
            recovery=recovery,
        )
    return result


def projected_breaches(
    outlooks: Mapping[Indicator, IndicatorOutlook], *, at_pace: bool = True
) -> dict[Indicator, date | None]:
    """The first projected breach day of each indicator, as ``alerts.build_alerts`` takes it.

    At the pace by default: "if nothing new happens" is the floor of what can happen, the pace
    what usually does.
    """
    return {
        ind: o.first_breach_at_pace if at_pace else o.first_breach_if_nothing_new
        for ind, o in outlooks.items()
    }
