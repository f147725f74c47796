"""ABC (Pareto) and XYZ (steadiness of demand) analysis, and the ABC × XYZ matrix.

Exact rules (docs/analytics-abc-products.md has worked examples):

ABC — ``value`` per SKU is its net revenue, profit or net units in the period. SKUs with a
positive value are sorted by value descending, ties by SKU; ``share`` = value / total of the
positive values and ``cumulative_share`` = running total / that total, computed from integer
sums (never by adding rounded shares), so the last positive SKU has exactly 1. A SKU is **A**
while the cumulative share *before* it is below ``a_bound`` — the SKU that crosses 80 % is
still A —, **B** while it is below ``b_bound``, else **C**. SKUs with value ≤ 0 (nothing sold,
or loss-making by profit) follow, class C, share 0 and cumulative share that of the last
positive SKU. By profit, SKUs whose profit is unknown (a missing cost) come last with value,
shares null and class "—": listed, never dropped silently. Comparisons with the bounds are
exact (rational arithmetic); shares are shown with six decimals.

XYZ — per SKU, net units per ISO week (Monday–Sunday) for every week lying entirely inside the
period (a week without sales counts as 0; days of partial weeks at either end are left out).
CV = population standard deviation / mean. X when CV ≤ ``cv_x``, Y when CV ≤ ``cv_y``, else Z;
compared exactly (CV² against the bound², in fractions). A SKU with no units in those weeks is
Z with CV null.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import sqrt
from typing import Literal

import polars as pl

from saudager.domains.analytics.products import (
    RATIO_DTYPE,
    period_lines,
    ratio,
    ratio_expr,
    sum_or_null,
)

AbcBy = Literal["revenue", "profit", "units"]
MISSING = "—"

#: The line column each ``by`` sums.
_VALUE_COLUMN: Mapping[str, str] = {
    "revenue": "net_revenue_tiyn",
    "profit": "profit_tiyn",
    "units": "net_quantity",
}

ABC_SCHEMA: dict[str, pl.DataType] = {
    "sku": pl.String(),
    "value": pl.Int64(),
    "share": RATIO_DTYPE,
    "cumulative_share": RATIO_DTYPE,
    "class": pl.String(),
}

XYZ_SCHEMA: dict[str, pl.DataType] = {
    "sku": pl.String(),
    "weeks": pl.Int64(),
    "units": pl.Int64(),
    "mean_weekly_units": pl.Float64(),
    "cv": pl.Float64(),
    "class": pl.String(),
}

MATRIX_SCHEMA: dict[str, pl.DataType] = {
    "cell": pl.String(),
    "abc": pl.String(),
    "xyz": pl.String(),
    "skus": pl.Int64(),
    "revenue_tiyn": pl.Int64(),
    "revenue_share": RATIO_DTYPE,
    "recommendation_ru": pl.String(),
    "recommendation_en": pl.String(),
}

#: One short piece of advice per cell: (Russian, English).
RECOMMENDATIONS: Mapping[str, tuple[str, str]] = {
    "AX": (
        "Всегда держать в наличии; к Kaspi Жұма запас в 2–5 раз больше",
        "Keep always in stock; stock 2–5× for Kaspi Жұма",
    ),
    "AY": (
        "Держать запас с резервом на колебания; к Жұма запас в 2–3 раза больше",
        "Keep stock with a safety margin for swings; stock 2–3× for Жұма",
    ),
    "AZ": (
        "Ключевой, но непредсказуемый: заказывать чаще малыми партиями, следить за остатком",
        "Key but unpredictable: reorder often in small lots, watch the stock",
    ),
    "BX": (
        "Стабильный спрос: автоматическое пополнение, проверить цену и маржу",
        "Steady demand: routine reordering; check price and margin",
    ),
    "BY": (
        "Пополнять по прогнозу, держать умеренный резерв",
        "Reorder on forecast with a moderate safety stock",
    ),
    "BZ": (
        "Под заказ или малыми партиями; не затовариваться",
        "Order on demand or in small lots; avoid overstock",
    ),
    "CX": (
        "Минимальный запас; подумать о цене или комплекте с лидерами",
        "Minimal stock; consider the price or bundling with best sellers",
    ),
    "CY": (
        "Минимальный запас или под заказ; пересмотреть ассортимент",
        "Minimal stock or on order; review the range",
    ),
    "CZ": (
        "Кандидат на вывод из ассортимента",
        "Candidate to drop",
    ),
}


def _fraction(value: Decimal | float | Fraction) -> Fraction:
    if isinstance(value, float):
        return Fraction(str(value))  # 0.1 means one tenth, not its binary neighbour
    return Fraction(value)


def _value_expr(by: AbcBy) -> pl.Expr:
    """A SKU's ABC value, summed as ``sku_totals`` sums it (profit null when any line's is)."""
    if by not in _VALUE_COLUMN:
        raise ValueError(f"ABC by {by!r}: expected one of {', '.join(_VALUE_COLUMN)}")
    column = _VALUE_COLUMN[by]
    summed = sum_or_null(column) if by == "profit" else pl.col(column).sum()
    return summed.cast(pl.Int64).alias("value")


def _abc_classes(values: pl.DataFrame, a: Fraction, b: Fraction) -> pl.DataFrame:
    """``ABC_SCHEMA`` from one row per SKU with its ``value`` (null: unknown).

    Sorting by value descending with nulls last, ties by SKU, puts the positive values first,
    then the others, then the unknown ones, each in the order the rules ask for; so running
    totals over the sorted frame are the running totals of the positive values."""
    value = pl.col("value")
    positive = value > 0
    total = int(values.filter(positive)["value"].cast(pl.Int128).sum())
    # before < a·total ⇔ before < ⌈a·total⌉ for an integer ``before``: one exact threshold each.
    a_upto, b_upto = (
        pl.lit(-(-bound.numerator * total // bound.denominator), pl.Int128) for bound in (a, b)
    )
    last = ratio(total, total) if total else Decimal(0)
    running = pl.when(positive).then(value).otherwise(0).cast(pl.Int128).cum_sum()
    before = running - value
    ranked = values.sort(["value", "sku"], descending=[True, False], nulls_last=True).select(
        "sku",
        "value",
        pl.when(positive)
        .then(ratio_expr(value, pl.lit(total, pl.Int128)))
        .when(value.is_not_null())
        .then(pl.lit(Decimal(0), RATIO_DTYPE))
        .alias("share"),
        pl.when(positive)
        .then(ratio_expr(running, pl.lit(total, pl.Int128)))
        .when(value.is_not_null())
        .then(pl.lit(last, RATIO_DTYPE))
        .alias("cumulative_share"),
        pl.when(positive & (before < a_upto))
        .then(pl.lit("A"))
        .when(positive & (before < b_upto))
        .then(pl.lit("B"))
        .when(value.is_not_null())
        .then(pl.lit("C"))
        .otherwise(pl.lit(MISSING))
        .alias("class"),
    )
    return ranked.cast(ABC_SCHEMA)  # type: ignore[arg-type]


def _bounds(a_bound: Decimal, b_bound: Decimal) -> tuple[Fraction, Fraction]:
    a, b = _fraction(a_bound), _fraction(b_bound)
    if not 0 < a <= b <= 1:
        raise ValueError(f"ABC bounds must satisfy 0 < a ≤ b ≤ 1, got a={a_bound}, b={b_bound}")
    return a, b


def abc_analysis(
    costed: pl.DataFrame,
    first_day: date,
    last_day: date,
    by: AbcBy = "revenue",
    a_bound: Decimal = Decimal("0.80"),
    b_bound: Decimal = Decimal("0.95"),
) -> pl.DataFrame:
    """The ABC classes of the SKUs sold in the period (``ABC_SCHEMA``), by ``by``."""
    a, b = _bounds(a_bound, b_bound)
    value = _value_expr(by)
    values = period_lines(costed, first_day, last_day).group_by("sku").agg(value)
    return _abc_classes(values.collect(), a, b)


def iso_weeks(first_day: date, last_day: date) -> list[date]:
    """The Mondays of the ISO weeks lying entirely inside ``[first_day, last_day]``."""
    monday = first_day + timedelta(days=(7 - first_day.weekday()) % 7)
    weeks: list[date] = []
    while monday + timedelta(days=6) <= last_day:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _xyz_bounds(cv_x: Decimal | float, cv_y: Decimal | float) -> tuple[Fraction, Fraction]:
    x_bound, y_bound = _fraction(cv_x), _fraction(cv_y)
    if not 0 <= x_bound <= y_bound:
        raise ValueError(f"XYZ bounds must satisfy 0 ≤ X ≤ Y, got X={cv_x}, Y={cv_y}")
    return x_bound, y_bound


def _whole_weeks(first_day: date, last_day: date) -> list[date]:
    weeks = iso_weeks(first_day, last_day)
    if not weeks:
        raise ValueError(
            f"XYZ needs at least one whole ISO week (Monday–Sunday) in {first_day}…{last_day}"
        )
    return weeks


def _sku_weeks(lines: pl.LazyFrame, weeks: list[date], by: AbcBy | None) -> pl.DataFrame:
    """One row per SKU of ``lines``, sorted by SKU: ``units`` Σx and ``squares`` Σx² of its net
    units x per whole week (a week without sales adds nothing to either), and with ``by`` also
    its ABC ``value`` and its ``revenue`` over all of ``lines``.

    One pass over the lines grouped by SKU and week, then one over those groups by SKU. The
    days of the partial weeks at either end fall into two extra weeks, −1 and n, which count
    for ``value`` and ``revenue`` but not for Σx and Σx²; all sums are exact integers, so
    summing per week first changes nothing."""
    n = len(weeks)
    day = pl.col("sale_day")
    week = ((day - pl.lit(weeks[0], pl.Date)).dt.total_days() // 7).clip(-1, n).alias("_week")
    partial = [pl.col("net_quantity").sum().alias("_units")]
    if by is not None:
        partial.append(pl.col("net_revenue_tiyn").sum().alias("_revenue"))
        if by == "profit":
            partial += [
                pl.col("profit_tiyn").sum().alias("_profit"),
                pl.col("profit_tiyn").null_count().alias("_unknown"),
            ]
    # Zeroing the partial weeks before grouping, rather than filtering inside the aggregation,
    # keeps the sums on Polars' fast path.
    inside = pl.col("_week").is_between(0, n - 1)
    x = pl.when(inside).then(pl.col("_units")).otherwise(0).cast(pl.Int128)
    totals = [pl.col("_x").sum().alias("units"), pl.col("_x2").sum().alias("squares")]
    if by is not None:
        totals.append(pl.col("_revenue").sum().alias("revenue"))
        if by == "profit":
            profit = pl.col("_profit").sum()
            value = pl.when(pl.col("_unknown").sum() > 0).then(None).otherwise(profit)
        else:
            value = pl.col("_revenue" if by == "revenue" else "_units").sum()
        totals.append(value.cast(pl.Int64).alias("value"))
    return (
        lines.group_by("sku", week)
        .agg(partial)
        .with_columns(_x=x)
        .with_columns(_x2=pl.col("_x") * pl.col("_x"))
        .group_by("sku")
        .agg(totals)
        .sort("sku")
        .collect()
    )


def _xyz_classes(sums: pl.DataFrame, n: int, x_bound: Fraction, y_bound: Fraction) -> pl.DataFrame:
    """``XYZ_SCHEMA`` from ``_sku_weeks``, one SKU at a time on Python integers (a few
    milliseconds for 10,000 SKUs): the classes compare CV² with bound² by cross-multiplying, with
    no rounding, and int / int is correctly rounded as ``float(Fraction)`` is, so the mean and CV
    are the floats nearest the exact values."""
    x_num, x_den = x_bound.numerator**2, x_bound.denominator**2
    y_num, y_den = y_bound.numerator**2, y_bound.denominator**2
    means: list[float] = []
    cvs: list[float | None] = []
    classes: list[str] = []
    for total, squares in zip(sums["units"].to_list(), sums["squares"].to_list(), strict=True):
        means.append(total / n)
        if total <= 0:
            cvs.append(None)
            classes.append("Z")
            continue
        # CV² = (n·Σx² − (Σx)²) / (Σx)² = spread / scale, compared with bound² = num / den.
        spread, scale = n * squares - total * total, total * total
        cvs.append(sqrt(spread / scale))
        if spread * x_den <= x_num * scale:
            classes.append("X")
        else:
            classes.append("Y" if spread * y_den <= y_num * scale else "Z")
    return pl.DataFrame(
        {
            "sku": sums["sku"],
            "weeks": pl.repeat(n, sums.height, dtype=pl.Int64, eager=True),
            "units": sums["units"],
            "mean_weekly_units": means,
            "cv": cvs,
            "class": classes,
        },
        schema=XYZ_SCHEMA,
    )


def xyz_analysis(
    costed: pl.DataFrame,
    first_day: date,
    last_day: date,
    cv_x: Decimal | float = Decimal("0.10"),
    cv_y: Decimal | float = Decimal("0.25"),
) -> pl.DataFrame:
    """The XYZ classes of the SKUs sold in the period (``XYZ_SCHEMA``), sorted by SKU.

    Raises ``ValueError`` when no whole ISO week lies inside the period.
    """
    x_bound, y_bound = _xyz_bounds(cv_x, cv_y)
    weeks = _whole_weeks(first_day, last_day)
    sums = _sku_weeks(period_lines(costed, first_day, last_day), weeks, None)
    return _xyz_classes(sums, len(weeks), x_bound, y_bound)


def abc_xyz_matrix(
    costed: pl.DataFrame,
    first_day: date,
    last_day: date,
    by: AbcBy = "revenue",
    a_bound: Decimal = Decimal("0.80"),
    b_bound: Decimal = Decimal("0.95"),
    cv_x: Decimal | float = Decimal("0.10"),
    cv_y: Decimal | float = Decimal("0.25"),
) -> pl.DataFrame:
    """The nine ABC × XYZ cells (``MATRIX_SCHEMA``, AX, AY, … CZ, every cell even when empty):
    how many SKUs, their net revenue and its share of the period's net revenue of all SKUs, and
    what to do. SKUs with ABC class "—" (profit unknown) are in no cell, so the cells' revenue
    shares then add up to less than 1."""
    # The arguments are checked in the order abc_analysis and xyz_analysis check them, so a bad
    # call fails with the same message as either would give.
    a, b = _bounds(a_bound, b_bound)
    _value_expr(by)
    lines = period_lines(costed, first_day, last_day)
    x_bound, y_bound = _xyz_bounds(cv_x, cv_y)
    weeks = _whole_weeks(first_day, last_day)
    # ABC, XYZ and the revenue per SKU all come from one pass over the lines.
    sums = _sku_weeks(lines, weeks, by)
    abc = _abc_classes(sums.select("sku", "value"), a, b)
    xyz = _xyz_classes(sums, len(weeks), x_bound, y_bound)
    total_revenue = int(sums["revenue"].sum())
    cells = (
        abc.select("sku", pl.col("class").alias("abc"))
        .join(xyz.select("sku", pl.col("class").alias("xyz")), on="sku")
        .join(sums.select("sku", "revenue"), on="sku")
        .group_by(cell=pl.col("abc") + pl.col("xyz"))
        .agg(pl.len().alias("skus"), pl.col("revenue").sum())
    )
    found = {cell: (count, money) for cell, count, money in cells.iter_rows()}
    rows = []
    for cell, (ru, en) in RECOMMENDATIONS.items():
        count, money = found.get(cell, (0, 0))
        share = ratio(money, total_revenue) if total_revenue else Decimal(0)
        rows.append((cell, cell[0], cell[1], count, money, share, ru, en))
    return pl.DataFrame(rows, schema=MATRIX_SCHEMA, orient="row")
