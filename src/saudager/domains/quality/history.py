"""Every indicator for every local day of a range, in one vectorised pass, and the breaches.

``daily_series`` gives the numbers ``compute_indicators`` gives for each day (a property test
checks it on random facts) without calling it per day: each fact is bucketed once into local
days and becomes a +1 on the first day of the range it counts on and a −1 on the first day it no
longer does (its window has moved past it, or it was deleted or returned, whichever is first); a
cumulative sum over the days then gives every day's window counts at once. The cost is one pass
over the facts plus days × indicators, whatever the window lengths.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import polars as pl

from saudager.core.timewindows import local_midnight
from saudager.domains.quality.indicators import COUNT_COLUMNS, indicator_spec, placed_between
from saudager.domains.quality.types import (
    GONE_AT,
    SANCTIONED,
    Indicator,
    QualityRules,
    Status,
)

__all__ = ["SERIES_SCHEMA", "daily_series", "violations"]

#: The columns of ``daily_series``: one row per local day and indicator, sorted by day then
#: indicator. ``numerator``, ``denominator``, ``value`` and ``status`` are those of
#: ``compute_indicators`` for that day (``value`` null when there is nothing to divide).
SERIES_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "indicator": pl.String(),
    "numerator": pl.Int64(),
    "denominator": pl.Int64(),
    "value": pl.Decimal(38, 2),
    "status": pl.String(),
}

_UTC_US = pl.Datetime("us", "UTC")
_DAY_US = 86_400_000_000
_EPOCH = date(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
#: A pseudo-indicator carried through the same sums: the minimum-data rule's order count.
_MIN_DATA = "__min_data_orders__"


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


def _epoch_us(moment: datetime) -> int:
    delta = moment - _EPOCH_UTC
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _local_day_numbers(column: pl.Expr, lo: int, hi: int, tz: str) -> pl.Expr:
    """The local day (days since 1970-01-01) of each instant, clipped to days ``lo`` … ``hi``.

    An instant's local day is the day of the last local midnight at or before it: the very edges
    ``trailing_days`` uses. When every midnight of the range lies the same distance from UTC
    midnight (Almaty since March 2024) that is one integer division; otherwise (a zone change in
    the range) a binary search among the midnights.
    """
    midnights = [local_midnight(_EPOCH + timedelta(days=d), tz) for d in range(lo, hi + 1)]
    shifts = {_epoch_us(m) - (lo + i) * _DAY_US for i, m in enumerate(midnights)}
    clipped = column.clip(pl.lit(midnights[0], dtype=_UTC_US), pl.lit(midnights[-1], dtype=_UTC_US))
    if len(shifts) == 1:
        # midnight(d) = d · day + shift for every d, so t's day is floor((t − shift) / day).
        (shift,) = shifts
        return ((clipped.cast(pl.Int64) - shift) // _DAY_US).cast(pl.Int32)
    edges = pl.Series("edges", midnights, dtype=_UTC_US)
    return (pl.lit(edges).search_sorted(clipped, side="right").cast(pl.Int32) + (lo - 1)).cast(
        pl.Int32
    )


def _status_expr(indicator: Indicator, rules: QualityRules) -> pl.Expr:
    """``indicators.status_of`` for one indicator's rows, as exact integer comparisons."""
    num, den = pl.col("numerator"), pl.col("denominator")
    if indicator is Indicator.REVIEWS_BALANCE:
        return (
            pl.when(num + den == 0)
            .then(pl.lit(Status.NOT_ENOUGH_DATA.value))
            .when(num >= den)
            .then(pl.lit(Status.CRITICAL.value))
            .otherwise(pl.lit(Status.OK.value))
        )
    spec = indicator_spec(indicator, rules)
    crit = Fraction(spec.critical_mark)
    scaled = num * spec.scale
    if indicator is Indicator.RATING:
        # value < p/q  ⟺  num · q < p · den  (den > 0)
        good = Fraction(spec.good_level) if spec.good_level is not None else None
        warning = (
            scaled * good.denominator < den * good.numerator if good is not None else pl.lit(False)
        )
        return (
            pl.when(den < max(rules.rating_min_ratings, 1))
            .then(pl.lit(Status.NOT_ENOUGH_DATA.value))
            .when(scaled * crit.denominator < den * crit.numerator)
            .then(pl.lit(Status.CRITICAL.value))
            .when(warning)
            .then(pl.lit(Status.WARNING.value))
            .otherwise(pl.lit(Status.OK.value))
        )
    good = Fraction(spec.good_level) if spec.good_level is not None else None
    warning = (
        scaled * good.denominator > den * good.numerator if good is not None else pl.lit(False)
    )
    return (
        pl.when(den == 0)
        .then(pl.lit(Status.OK.value))
        .when(scaled * crit.denominator >= den * crit.numerator)
        .then(pl.lit(Status.CRITICAL.value))
        .when(warning)
        .then(pl.lit(Status.WARNING.value))
        .otherwise(pl.lit(Status.OK.value))
    )


def daily_series(
    facts: pl.DataFrame,
    first_day: date,
    last_day: date,
    tz: str,
    rules: QualityRules,
    *,
    violations_so_far: int = 0,
) -> pl.DataFrame:
    """Each indicator as of each local day ``first_day`` … ``last_day`` (``SERIES_SCHEMA``).

    Row (day, indicator) equals ``compute_indicators(facts, day, tz, rules,
    violations_so_far)[indicator]``. ``violations_so_far`` applies to every day: the series
    does not count its own breaches (``violations`` finds them; sanctions decide what they
    cost).
    """
    if last_day < first_day:
        raise ValueError(f"last_day {last_day} is before first_day {first_day}")
    first, last = _day_number(first_day), _day_number(last_day)
    lengths = [indicator_spec(ind, rules).window_days for ind in Indicator]
    min_data_length = rules.min_orders_window_days
    lo = first - max(*lengths, min_data_length) + 1  # the first day any window of the range has
    upper = local_midnight(last_day + timedelta(days=1), tz)
    # A first cut on the instants alone (cheap), then the indicator tests on what is left.
    span_start = local_midnight(_EPOCH + timedelta(days=lo), tz)
    lazy = placed_between(facts, span_start, upper, COUNT_COLUMNS).lazy()
    # Of those, keep each indicator's facts that can count on some day of the range: placed
    # from the first day of the first day's window to the end of the last day. (A looser lower
    # edge is harmless: a fact whose window ends before the range is dropped below.) The
    # indicator strings are compared once, into a small integer key; the rest tests the key.
    is_ = pl.col("indicator")
    key = pl.lit(None, dtype=pl.Int8)
    by_key = pl.col("key")
    earliest, length = pl.lit(None, dtype=_UTC_US), pl.lit(None, dtype=pl.Int32)
    for key_no, (ind, n) in enumerate(zip(Indicator, lengths, strict=True)):
        key = pl.when(is_ == str(ind)).then(pl.lit(key_no, dtype=pl.Int8)).otherwise(key)
        reach = max(n, min_data_length) if ind is Indicator.SELLER_CANCELLATIONS else n
        since = local_midnight(first_day - timedelta(days=reach - 1), tz)
        earliest = pl.when(by_key == key_no).then(pl.lit(since, dtype=_UTC_US)).otherwise(earliest)
        length = pl.when(by_key == key_no).then(pl.lit(n, dtype=pl.Int32)).otherwise(length)
    kept = (
        lazy.with_columns(key.alias("key"))
        .filter(by_key.is_not_null() & (pl.col("at") >= earliest))
        .select(
            by_key,
            length.alias("length"),
            "at",
            GONE_AT,
            pl.when(pl.col("numerator"))
            .then(pl.col("weight").cast(pl.Int64))
            .otherwise(0)
            .alias("numerator"),
            pl.col("denominator").cast(pl.Int64),
        )
    )
    # The minimum-data rule's orders: the cancellations' denominator facts, over their window.
    min_data_key = len(lengths)
    min_data = kept.filter(
        (pl.col("key") == list(Indicator).index(Indicator.SELLER_CANCELLATIONS))
        & (pl.col("denominator") > 0)
    ).with_columns(
        pl.lit(min_data_key, dtype=pl.Int8).alias("key"),
        pl.lit(min_data_length, dtype=pl.Int32).alias("length"),
        pl.lit(0, dtype=pl.Int64).alias("numerator"),
    )
    parts = [kept, min_data]
    rows = (
        pl.concat(parts)
        .with_columns(
            _local_day_numbers(pl.col("at"), lo, last + 1, tz).alias("placed"),
            # a missing gone_at never stops the fact: the range's end does
            _local_day_numbers(
                pl.col(GONE_AT).fill_null(pl.lit(upper, dtype=_UTC_US)), lo, last + 1, tz
            ).alias("gone"),
        )
        # A fact counts on days placed … stop − 1; within the range: start … stop − 1.
        .with_columns(
            pl.max_horizontal(pl.col("placed"), pl.lit(first, dtype=pl.Int32)).alias("start"),
            pl.min_horizontal(
                pl.col("placed") + pl.col("length"), pl.col("gone"), pl.lit(last + 1, pl.Int32)
            ).alias("stop"),
        )
        .filter(pl.col("start") < pl.col("stop"))
    )
    sums = [pl.col("numerator").sum(), pl.col("denominator").sum()]
    enters = rows.group_by("key", pl.col("start").alias("d")).agg(sums)
    leaves = (
        rows.filter(pl.col("stop") <= last)
        .group_by("key", pl.col("stop").alias("d"))
        .agg([(-s) for s in sums])
    )
    changes = (
        pl.concat([enters, leaves])
        .group_by("key", "d")
        .agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    )
    days = pl.LazyFrame({"d": pl.int_range(first, last + 1, dtype=pl.Int32, eager=True)})
    names = {i: str(ind) for i, ind in enumerate(Indicator)} | {min_data_key: _MIN_DATA}
    grid = pl.LazyFrame({"key": list(names)}, schema={"key": pl.Int8()}).join(days, how="cross")
    counts = (
        grid.join(changes, on=["key", "d"], how="left")
        .with_columns(pl.col("numerator", "denominator").fill_null(0))
        .sort("key", "d")
        .with_columns(pl.col("numerator", "denominator").cum_sum().over("key"))
        .with_columns(
            pl.col("key").replace_strict(names, return_dtype=pl.String).alias("indicator")
        )
        .collect()
    )
    orders = counts.filter(pl.col("indicator") == _MIN_DATA).select(
        "d", pl.col("denominator").alias("orders")
    )
    enough = (pl.col("orders") >= rules.min_orders_30_days) | pl.lit(
        violations_so_far >= rules.min_violations_for_data
    )
    status = pl.lit(None, dtype=pl.String)
    for ind in Indicator:
        status = (
            pl.when(pl.col("indicator") == str(ind))
            .then(_status_expr(ind, rules))
            .otherwise(status)
        )
    scale = pl.when(pl.col("indicator") == str(Indicator.RATING)).then(1).otherwise(100)
    num, den = pl.col("numerator"), pl.col("denominator")
    hundredths = (2 * num * scale * 100 + den) // (2 * den)
    return (
        counts.lazy()
        .filter(pl.col("indicator") != _MIN_DATA)
        .join(orders.lazy(), on="d", how="left")
        .select(
            (pl.lit(_EPOCH) + pl.duration(days=pl.col("d"))).cast(pl.Date).alias("day"),
            pl.col("indicator"),
            num,
            den,
            pl.when(den > 0)
            .then(hundredths.cast(pl.Decimal(38, 0)) * pl.lit(Decimal("0.01")))
            .cast(pl.Decimal(38, 2))
            .alias("value"),
            pl.when(enough)
            .then(status)
            .otherwise(pl.lit(Status.NOT_ENOUGH_DATA.value))
            .alias("status"),
        )
        .sort("day", "indicator")
        .collect()
        .cast(SERIES_SCHEMA)  # type: ignore[arg-type]
    )


def violations(series: pl.DataFrame) -> list[tuple[date, Indicator]]:
    """Days on which a sanctioned indicator's breach starts, oldest first.

    A breach starts on a CRITICAL day whose previous row of the same indicator in ``series``
    is not CRITICAL (OK, WARNING or NOT_ENOUGH_DATA), or that is the series' first day for it:
    start the series one day early to know whether a breach was already running. A run of
    critical days is one breach. REVIEWS_BALANCE brings no sanction and is ignored. Ties on a
    day are in ``SANCTIONED`` order.
    """
    order = {str(ind): i for i, ind in enumerate(SANCTIONED)}
    critical = pl.col("status") == Status.CRITICAL.value
    starts = (
        series.lazy()
        .filter(pl.col("indicator").is_in(list(order)))
        .sort("indicator", "day")
        .with_columns(critical.alias("critical"))
        .filter(
            pl.col("critical")
            & ~pl.col("critical").shift(1).over("indicator").fill_null(value=False)
        )
        .select("day", "indicator")
        .collect()
    )
    found = [(day, Indicator(ind)) for day, ind in starts.iter_rows()]
    return sorted(found, key=lambda pair: (pair[0], order[pair[1]]))
