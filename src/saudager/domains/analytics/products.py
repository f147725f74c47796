"""Product statistics for two periods, and the per-product tops (DOMAIN.md §3).

Every figure is a sum over the costed lines (``COSTED_LINES_SCHEMA``) whose ``sale_day`` lies in
the period, both ends included. Definitions (docs/analytics-abc-products.md has worked examples):

- ``units``: net units sold (``net_quantity``: cancellations and returns removed);
- ``orders``: distinct orders holding the SKU, whatever their status;
- ``revenue_tiyn``: ``net_revenue_tiyn`` summed; ``profit_tiyn``: ``profit_tiyn`` summed, null
  when any line's profit is null (a cost is missing) — never a partial sum;
- ``margin`` = profit / revenue; ``markup`` = (revenue − purchase) / purchase (null when a figure
  is missing or the denominator is 0); both are fractions (0.25 = 25 %), six decimals;
- ``returned_units``: ``returned_quantity`` summed; ``return_share`` = returned units / units
  handed over (net + returned units of the lines not cancelled);
- ``cancelled_orders``: distinct cancelled orders; ``cancel_share`` = cancelled / orders;
- ``delivery_tiyn``: the seller's delivery cost, null when any line's is unknown;
- ``avg_price_tiyn`` = revenue / units, rounded half up to a tiyn.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import polars as pl

from saudager.domains.analytics.types import COST_COLUMNS, SaleStatus

Period = tuple[date, date]

#: Ratios (shares, margin, markup) are Decimal fractions with this many decimals.
RATIO_SCALE = 6
RATIO_DTYPE = pl.Decimal(precision=38, scale=RATIO_SCALE)
_QUANTUM = Decimal(1).scaleb(-RATIO_SCALE)
_SCALE: int = 10**RATIO_SCALE


#: Per-SKU totals of one period (``sku_totals``).
SKU_TOTALS_SCHEMA: dict[str, pl.DataType] = {
    "sku": pl.String(),
    "units": pl.Int64(),
    "handed_over_units": pl.Int64(),  # net + returned units of lines not cancelled
    "orders": pl.Int64(),
    "cancelled_orders": pl.Int64(),
    "returned_units": pl.Int64(),
    "revenue_tiyn": pl.Int64(),
    "gross_revenue_tiyn": pl.Int64(),  # unit price × handed-over units: before returns
    **{c: pl.Int64() for c in COST_COLUMNS},
    "profit_tiyn": pl.Int64(),
}

#: The ``SKU_TOTALS_SCHEMA`` columns that count distinct orders.
_ORDER_COUNTS = ("orders", "cancelled_orders")

_STAT_KINDS: dict[str, str] = {  # column → "int" (delta b − a) or "ratio" (delta in points)
    "units": "int",
    "orders": "int",
    "revenue_tiyn": "int",
    "profit_tiyn": "int",
    "margin": "ratio",
    "markup": "ratio",
    "returned_units": "int",
    "return_share": "ratio",
    "cancelled_orders": "int",
    "cancel_share": "ratio",
    "delivery_tiyn": "int",
    "avg_price_tiyn": "int",
}


def ratio(numerator: int | None, denominator: int | None) -> Decimal | None:
    """``numerator / denominator`` as a Decimal with six decimals (half even); null when either
    is null or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return _to_decimal(Fraction(numerator, denominator))


def _to_decimal(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)  # 28 digits, then quantized
    return exact.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)


def ratio_expr(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``ratio`` for a whole column: the same Decimal (six decimals, half even), null when either
    side is null or the denominator is 0.

    Computed on integers (Int128, so the scaling by 10⁶ cannot overflow) with the rounding done
    by hand: ``ratio``'s 28-digit division before quantizing never changes the result for Int64
    inputs (a quotient that is not a half-way point lies at least 1 / (2·10⁶·|d|) from one, far
    more than the 28-digit error), so both give the exactly rounded quotient."""
    scaled = numerator.cast(pl.Int128) * _SCALE
    den = pl.when(denominator != 0).then(denominator.cast(pl.Int128))
    # Floor division: scaled / den = quotient + rest / den with rest / den in [0, 1), rest having
    # den's sign; so rest / den > ½ ⇔ |2·rest| > |den|, and = ½ ⇔ 2·rest = den.
    quotient = scaled // den
    twice_rest = (scaled % den) * 2
    rounds_up = (twice_rest.abs() > den.abs()) | ((twice_rest == den) & (quotient % 2 == 1))
    digits = (quotient + rounds_up.cast(pl.Int128)).cast(pl.Decimal(38, 0))
    return (digits * pl.lit(_QUANTUM, RATIO_DTYPE)).cast(RATIO_DTYPE)


def _divide_half_up(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator (> 0) rounded half away from zero, as ``Decimal``'s
    ``ROUND_HALF_UP`` does; exact for the same reason as ``ratio_expr``."""
    num, den = numerator.cast(pl.Int128), denominator.cast(pl.Int128)
    quotient = num // den
    twice_rest = (num - quotient * den) * 2
    rounds_up = (twice_rest > den) | ((twice_rest == den) & (num >= 0))
    return (quotient + rounds_up.cast(pl.Int128)).cast(pl.Int64)


def sum_or_null(column: str) -> pl.Expr:
    """``column`` summed, or null when any of its values is: never a partial sum."""
    col = pl.col(column)
    return pl.when(col.null_count() > 0).then(None).otherwise(col.sum()).alias(column)


def in_period(costed: pl.DataFrame, first_day: date, last_day: date) -> pl.DataFrame:
    """The lines whose ``sale_day`` lies in ``[first_day, last_day]``."""
    if first_day > last_day:
        raise ValueError(f"period starts {first_day} after it ends {last_day}")
    return costed.filter(pl.col("sale_day").is_between(first_day, last_day, closed="both"))


def period_lines(costed: pl.DataFrame, first_day: date, last_day: date) -> pl.LazyFrame:
    """``in_period`` as a query: the lines are not copied, and a report that reads a few columns
    of the thirty only touches those."""
    if first_day > last_day:
        raise ValueError(f"period starts {first_day} after it ends {last_day}")
    return costed.lazy().filter(pl.col("sale_day").is_between(first_day, last_day, closed="both"))


def _totals_query(
    costed: pl.DataFrame, first_day: date, last_day: date, orders: bool = True
) -> pl.LazyFrame:
    lines = period_lines(costed, first_day, last_day)
    cancelled = pl.col("sale_status") == SaleStatus.CANCELLED.value
    returned = pl.col("returned_quantity").fill_null(0)
    handed = pl.when(cancelled).then(0).otherwise(pl.col("net_quantity") + returned)
    counts = [
        pl.col("order_code").n_unique().alias(_ORDER_COUNTS[0]),
        pl.col("order_code").filter(cancelled).n_unique().alias(_ORDER_COUNTS[1]),
    ]
    grouped = lines.group_by("sku").agg(
        pl.col("net_quantity").sum().alias("units"),
        handed.sum().alias("handed_over_units"),
        *(counts if orders else []),
        pl.when(cancelled).then(0).otherwise(returned).sum().alias("returned_units"),
        pl.col("net_revenue_tiyn").sum().alias("revenue_tiyn"),
        (pl.col("unit_price_tiyn") * handed).sum().alias("gross_revenue_tiyn"),
        *(sum_or_null(c) for c in COST_COLUMNS),
        sum_or_null("profit_tiyn"),
    )
    schema = {k: v for k, v in SKU_TOTALS_SCHEMA.items() if orders or k not in _ORDER_COUNTS}
    return grouped.cast(schema).select(list(schema)).sort("sku")  # type: ignore[arg-type]


def sku_totals(costed: pl.DataFrame, first_day: date, last_day: date) -> pl.DataFrame:
    """One row per SKU with a line in the period (``SKU_TOTALS_SCHEMA``), sorted by SKU."""
    return _totals_query(costed, first_day, last_day).collect()


def sku_totals_two_periods(
    costed: pl.DataFrame, a: Period, b: Period, orders: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``sku_totals`` of two periods, computed side by side; without ``orders`` the two order
    counts, which cost more than all the sums together (distinct order codes), are left out."""
    queries = [_totals_query(costed, *a, orders), _totals_query(costed, *b, orders)]
    totals_a, totals_b = pl.collect_all(queries)
    return totals_a, totals_b


def _stat_exprs() -> list[pl.Expr]:
    """Every figure of ``_STAT_KINDS``, from the ``SKU_TOTALS_SCHEMA`` columns of one period."""
    units, orders = pl.col("units"), pl.col("orders")
    revenue, purchase = pl.col("revenue_tiyn"), pl.col("purchase_tiyn")
    returned, cancelled = pl.col("returned_units"), pl.col("cancelled_orders")
    return [
        units,
        orders,
        revenue,
        pl.col("profit_tiyn"),
        ratio_expr(pl.col("profit_tiyn"), revenue).alias("margin"),
        ratio_expr(revenue.cast(pl.Int128) - purchase, purchase).alias("markup"),
        returned,
        ratio_expr(returned, pl.col("handed_over_units")).alias("return_share"),
        cancelled,
        ratio_expr(cancelled, orders).alias("cancel_share"),
        pl.col("delivery_tiyn"),
        pl.when(units > 0).then(_divide_half_up(revenue, units)).alias("avg_price_tiyn"),
    ]


#: The totals a SKU has in a period it did not sell in.
_EMPTY_PERIOD: dict[str, int] = {
    "units": 0,
    "orders": 0,
    "revenue_tiyn": 0,
    "profit_tiyn": 0,
    "purchase_tiyn": 0,
    "returned_units": 0,
    "handed_over_units": 0,
    "cancelled_orders": 0,
    "delivery_tiyn": 0,
}


def _stats_schema(suffixes: tuple[str, ...]) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = {"sku": pl.String()}
    for name, kind in _STAT_KINDS.items():
        for suffix in suffixes:
            schema[f"{name}{suffix}"] = RATIO_DTYPE if kind == "ratio" else pl.Int64()
    return schema


#: ``product_stats``: every figure for period a, period b and the change b − a.
PRODUCT_STATS_SCHEMA = _stats_schema(("_a", "_b", "_delta"))
#: ``period_stats``: every figure for one period (the columns the tops show).
PERIOD_STATS_SCHEMA = _stats_schema(("",))


def _stats_of(totals: pl.DataFrame, *extra: str) -> pl.DataFrame:
    """``PERIOD_STATS_SCHEMA`` (then the totals columns ``extra``) from ``sku_totals``."""
    stats = totals.select("sku", *_stat_exprs(), *extra)
    return stats.cast(PERIOD_STATS_SCHEMA)  # type: ignore[arg-type]


def period_stats(costed: pl.DataFrame, first_day: date, last_day: date) -> pl.DataFrame:
    """One row per SKU sold in the period with every figure (``PERIOD_STATS_SCHEMA``)."""
    return _stats_of(sku_totals(costed, first_day, last_day))


def _padded(skus: pl.DataFrame, totals: pl.DataFrame) -> pl.DataFrame:
    """``totals`` with a row of ``_EMPTY_PERIOD`` for every SKU of ``skus`` it lacks, sorted by
    SKU. The marker tells such a SKU from one whose profit is unknown (null there too)."""
    present = pl.col("_present").is_not_null()
    return (
        skus.join(totals.with_columns(_present=pl.lit(True)), on="sku", how="left")
        .with_columns(
            pl.when(present).then(pl.col(name)).otherwise(pl.lit(value, pl.Int64)).alias(name)
            for name, value in _EMPTY_PERIOD.items()
        )
        .sort("sku")
    )


def product_stats(costed: pl.DataFrame, period_a: Period, period_b: Period) -> pl.DataFrame:
    """Per SKU, each figure in period a, in period b, and the change b − a (``_delta``).

    A SKU sold in one period only has zeros in the other (ratios and the average price null).
    Deltas of ratios are in fractions (0.05 = 5 percentage points); a delta is null when either
    side is. Sorted by SKU; re-sort with ``sort_by``.
    """
    totals_a, totals_b = sku_totals_two_periods(costed, period_a, period_b)
    skus = pl.concat([totals_a.select("sku"), totals_b.select("sku")]).unique().sort("sku")
    # Both periods in one frame: one pass of the ratio expressions instead of two.
    stats = _stats_of(pl.concat([_padded(skus, totals_a), _padded(skus, totals_b)]))
    stats_a, stats_b = stats.head(skus.height), stats.tail(skus.height)
    columns = [stats_a["sku"]]
    for name in _STAT_KINDS:
        a, b = stats_a[name], stats_b[name]
        delta = (b - a).cast(PRODUCT_STATS_SCHEMA[f"{name}_delta"])
        columns += [a.alias(f"{name}_a"), b.alias(f"{name}_b"), delta.alias(f"{name}_delta")]
    return pl.DataFrame(columns)


def sort_by(frame: pl.DataFrame, column: str, descending: bool = True) -> pl.DataFrame:
    """``frame`` sorted by ``column`` (nulls last, ties by SKU); an unknown column is an error
    naming the columns there are."""
    if column not in frame.columns:
        known = ", ".join(frame.columns)
        raise ValueError(f"cannot sort by unknown column {column!r}; expected one of: {known}")
    keys = [column] + (["sku"] if "sku" in frame.columns and column != "sku" else [])
    return frame.sort(keys, descending=[descending, False][: len(keys)], nulls_last=True)


#: The lists ``tops`` returns, in this order.
TOPS = (
    "by_revenue",
    "by_margin",
    "by_profit",
    "loss_making",
    "below_purchase_cost",
    "most_returned",
    "most_cancelled",
    "highest_markup",
    "lowest_markup",
    "missing_cost",
)


def tops(
    costed: pl.DataFrame, first_day: date, last_day: date, n: int = 10
) -> dict[str, pl.DataFrame]:
    """The per-product tops of one period, each at most ``n`` rows of ``PERIOD_STATS_SCHEMA``.

    - ``by_revenue``, ``by_profit``, ``by_margin``, ``highest_markup``: largest first;
      ``lowest_markup``: smallest first;
    - ``loss_making``: profit < 0 (revenue below purchase cost plus commission, delivery,
      advertising, tax and other costs), largest loss first;
    - ``below_purchase_cost``: average unit price below the average unit purchase cost (revenue
      < purchase cost of the same units), largest gap first;
    - ``most_returned``: returned units > 0, most first; ``most_cancelled``: cancelled orders
      > 0, most first;
    - ``missing_cost``: every SKU whose profit is unknown (a cost is missing), by revenue — all
      of them, not ``n``; such SKUs are left out of the profit, margin and markup lists (and of
      the below-purchase-cost list when the purchase cost is what is missing).

    Ties are broken by SKU.
    """
    if n < 0:
        raise ValueError(f"n must be ≥ 0, got {n}")
    with_purchase = _stats_of(sku_totals(costed, first_day, last_day), "purchase_tiyn")
    stats = with_purchase.drop("purchase_tiyn")
    known = stats.filter(pl.col("profit_tiyn").is_not_null())
    gap = with_purchase.filter(
        pl.col("purchase_tiyn").is_not_null()
        & (pl.col("units") > 0)
        & (pl.col("revenue_tiyn") < pl.col("purchase_tiyn"))
    )
    gap = gap.sort(
        [pl.col("purchase_tiyn") - pl.col("revenue_tiyn"), pl.col("sku")],
        descending=[True, False],
    ).drop("purchase_tiyn")
    result = {
        "by_revenue": sort_by(stats, "revenue_tiyn"),
        "by_margin": sort_by(known.filter(pl.col("margin").is_not_null()), "margin"),
        "by_profit": sort_by(known, "profit_tiyn"),
        "loss_making": sort_by(known.filter(pl.col("profit_tiyn") < 0), "profit_tiyn", False),
        "below_purchase_cost": gap,
        "most_returned": sort_by(stats.filter(pl.col("returned_units") > 0), "returned_units"),
        "most_cancelled": sort_by(stats.filter(pl.col("cancelled_orders") > 0), "cancelled_orders"),
        "highest_markup": sort_by(known.filter(pl.col("markup").is_not_null()), "markup"),
        "lowest_markup": sort_by(known.filter(pl.col("markup").is_not_null()), "markup", False),
    }
    out = {name: frame.head(n) for name, frame in result.items()}
    out["missing_cost"] = sort_by(stats.filter(pl.col("profit_tiyn").is_null()), "revenue_tiyn")
    return out
