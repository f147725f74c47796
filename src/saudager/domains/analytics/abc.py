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
    in_period,
    ratio,
    sku_totals,
)

AbcBy = Literal["revenue", "profit", "units"]
MISSING = "—"

_VALUE_COLUMN: Mapping[str, str] = {
    "revenue": "revenue_tiyn",
    "profit": "profit_tiyn",
    "units": "units",
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


def _values(
    costed: pl.DataFrame, first_day: date, last_day: date, by: AbcBy
) -> dict[str, int | None]:
    if by not in _VALUE_COLUMN:
        raise ValueError(f"ABC by {by!r}: expected one of {', '.join(_VALUE_COLUMN)}")
    totals = sku_totals(costed, first_day, last_day)
    return dict(zip(totals["sku"], totals[_VALUE_COLUMN[by]], strict=True))


def abc_analysis(
    costed: pl.DataFrame,
    first_day: date,
    last_day: date,
    by: AbcBy = "revenue",
    a_bound: Decimal = Decimal("0.80"),
    b_bound: Decimal = Decimal("0.95"),
) -> pl.DataFrame:
    """The ABC classes of the SKUs sold in the period (``ABC_SCHEMA``), by ``by``."""
    a, b = _fraction(a_bound), _fraction(b_bound)
    if not 0 < a <= b <= 1:
        raise ValueError(f"ABC bounds must satisfy 0 < a ≤ b ≤ 1, got a={a_bound}, b={b_bound}")
    values = _values(costed, first_day, last_day, by)
    positive = sorted(
        ((sku, v) for sku, v in values.items() if v is not None and v > 0),
        key=lambda item: (-item[1], item[0]),
    )
    rest = sorted(
        ((sku, v) for sku, v in values.items() if v is not None and v <= 0),
        key=lambda item: (-item[1], item[0]),
    )
    missing = sorted(sku for sku, v in values.items() if v is None)
    total = sum(v for _, v in positive)
    rows: list[tuple[object, ...]] = []
    running = 0
    for sku, value in positive:
        before = Fraction(running, total)
        running += value
        cls = "A" if before < a else "B" if before < b else "C"
        rows.append((sku, value, ratio(value, total), ratio(running, total), cls))
    last = ratio(running, total) if total else Decimal(0)
    rows.extend((sku, value, Decimal(0), last, "C") for sku, value in rest)
    rows.extend((sku, None, None, None, MISSING) for sku in missing)
    return pl.DataFrame(rows, schema=ABC_SCHEMA, orient="row")


def iso_weeks(first_day: date, last_day: date) -> list[date]:
    """The Mondays of the ISO weeks lying entirely inside ``[first_day, last_day]``."""
    monday = first_day + timedelta(days=(7 - first_day.weekday()) % 7)
    weeks: list[date] = []
    while monday + timedelta(days=6) <= last_day:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


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
    x_bound, y_bound = _fraction(cv_x), _fraction(cv_y)
    if not 0 <= x_bound <= y_bound:
        raise ValueError(f"XYZ bounds must satisfy 0 ≤ X ≤ Y, got X={cv_x}, Y={cv_y}")
    weeks = iso_weeks(first_day, last_day)
    if not weeks:
        raise ValueError(
            f"XYZ needs at least one whole ISO week (Monday–Sunday) in {first_day}…{last_day}"
        )
    skus = sorted(set(in_period(costed, first_day, last_day)["sku"].to_list()))
    inside = in_period(costed, weeks[0], weeks[-1] + timedelta(days=6))
    weekly = (
        inside.with_columns(pl.col("sale_day").dt.truncate("1w").alias("week"))
        .group_by("sku", "week")
        .agg(pl.col("net_quantity").sum().alias("units"))
    )
    by_sku: dict[str, dict[date, int]] = {}
    for sku, week, units in weekly.iter_rows():
        by_sku.setdefault(sku, {})[week] = units
    n = len(weeks)
    rows: list[tuple[object, ...]] = []
    for sku in skus:
        series = [by_sku.get(sku, {}).get(week, 0) for week in weeks]
        total = sum(series)
        if total <= 0:
            rows.append((sku, n, total, total / n, None, "Z"))
            continue
        # CV² = (n·Σx² − (Σx)²) / (Σx)², exactly.
        cv2 = Fraction(n * sum(x * x for x in series) - total * total, total * total)
        cls = "X" if cv2 <= x_bound**2 else "Y" if cv2 <= y_bound**2 else "Z"
        rows.append((sku, n, total, total / n, sqrt(cv2), cls))
    return pl.DataFrame(rows, schema=XYZ_SCHEMA, orient="row")


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
    abc = abc_analysis(costed, first_day, last_day, by, a_bound, b_bound)
    xyz = xyz_analysis(costed, first_day, last_day, cv_x, cv_y)
    revenue = sku_totals(costed, first_day, last_day).select("sku", "revenue_tiyn")
    total_revenue = int(revenue["revenue_tiyn"].sum())
    joined = (
        abc.select("sku", pl.col("class").alias("abc"))
        .join(xyz.select("sku", pl.col("class").alias("xyz")), on="sku")
        .join(revenue, on="sku")
    )
    cells: dict[str, tuple[int, int]] = {}
    for _sku, a, x, rev in joined.iter_rows():
        count, money = cells.get(f"{a}{x}", (0, 0))
        cells[f"{a}{x}"] = (count + 1, money + rev)
    rows = []
    for cell, (ru, en) in RECOMMENDATIONS.items():
        count, money = cells.get(cell, (0, 0))
        share = ratio(money, total_revenue) if total_revenue else Decimal(0)
        rows.append((cell, cell[0], cell[1], count, money, share, ru, en))
    return pl.DataFrame(rows, schema=MATRIX_SCHEMA, orient="row")
