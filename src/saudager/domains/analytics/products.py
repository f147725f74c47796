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
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl

from saudager.domains.analytics.types import SaleStatus

Period = tuple[date, date]

#: Ratios (shares, margin, markup) are Decimal fractions with this many decimals.
RATIO_SCALE = 6
RATIO_DTYPE = pl.Decimal(precision=38, scale=RATIO_SCALE)
_QUANTUM = Decimal(1).scaleb(-RATIO_SCALE)

_COSTS = (
    "purchase_tiyn",
    "commission_tiyn",
    "delivery_tiyn",
    "advertising_tiyn",
    "tax_tiyn",
    "other_tiyn",
)

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
    **{c: pl.Int64() for c in _COSTS},
    "profit_tiyn": pl.Int64(),
}

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


def _sum_or_null(column: str) -> pl.Expr:
    col = pl.col(column)
    return pl.when(col.null_count() > 0).then(None).otherwise(col.sum()).alias(column)


def in_period(costed: pl.DataFrame, first_day: date, last_day: date) -> pl.DataFrame:
    """The lines whose ``sale_day`` lies in ``[first_day, last_day]``."""
    if first_day > last_day:
        raise ValueError(f"period starts {first_day} after it ends {last_day}")
    return costed.filter(pl.col("sale_day").is_between(first_day, last_day, closed="both"))


def sku_totals(costed: pl.DataFrame, first_day: date, last_day: date) -> pl.DataFrame:
    """One row per SKU with a line in the period (``SKU_TOTALS_SCHEMA``), sorted by SKU."""
    lines = in_period(costed, first_day, last_day)
    cancelled = pl.col("sale_status") == SaleStatus.CANCELLED.value
    returned = pl.col("returned_quantity").fill_null(0)
    handed = pl.when(cancelled).then(0).otherwise(pl.col("net_quantity") + returned)
    grouped = lines.group_by("sku").agg(
        pl.col("net_quantity").sum().alias("units"),
        handed.sum().alias("handed_over_units"),
        pl.col("order_code").n_unique().alias("orders"),
        pl.col("order_code").filter(cancelled).n_unique().alias("cancelled_orders"),
        pl.when(cancelled).then(0).otherwise(returned).sum().alias("returned_units"),
        pl.col("net_revenue_tiyn").sum().alias("revenue_tiyn"),
        (pl.col("unit_price_tiyn") * handed).sum().alias("gross_revenue_tiyn"),
        *(_sum_or_null(c) for c in _COSTS),
        _sum_or_null("profit_tiyn"),
    )
    return grouped.cast(SKU_TOTALS_SCHEMA).select(list(SKU_TOTALS_SCHEMA)).sort("sku")  # type: ignore[arg-type]


def _avg_price(revenue: int, units: int) -> int | None:
    if units <= 0:
        return None
    return int((Decimal(revenue) / Decimal(units)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _period_stats(row: dict[str, object]) -> dict[str, object]:
    def num(name: str) -> int | None:
        value = row.get(name)
        return value if isinstance(value, int) else None

    units = num("units") or 0
    revenue = num("revenue_tiyn") or 0
    profit = num("profit_tiyn")
    purchase = num("purchase_tiyn")
    orders = num("orders") or 0
    return {
        "units": units,
        "orders": orders,
        "revenue_tiyn": revenue,
        "profit_tiyn": profit,
        "margin": ratio(profit, revenue),
        "markup": None if purchase is None else ratio(revenue - purchase, purchase),
        "returned_units": num("returned_units") or 0,
        "return_share": ratio(num("returned_units") or 0, num("handed_over_units") or 0),
        "cancelled_orders": num("cancelled_orders") or 0,
        "cancel_share": ratio(num("cancelled_orders") or 0, orders),
        "delivery_tiyn": num("delivery_tiyn"),
        "avg_price_tiyn": _avg_price(revenue, units),
    }


_EMPTY_PERIOD: dict[str, object] = {
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


def period_stats(costed: pl.DataFrame, first_day: date, last_day: date) -> pl.DataFrame:
    """One row per SKU sold in the period with every figure (``PERIOD_STATS_SCHEMA``)."""
    rows = [
        {"sku": row["sku"], **_period_stats(row)}
        for row in sku_totals(costed, first_day, last_day).iter_rows(named=True)
    ]
    return pl.DataFrame(rows, schema=PERIOD_STATS_SCHEMA, orient="row")


def product_stats(costed: pl.DataFrame, period_a: Period, period_b: Period) -> pl.DataFrame:
    """Per SKU, each figure in period a, in period b, and the change b − a (``_delta``).

    A SKU sold in one period only has zeros in the other (ratios and the average price null).
    Deltas of ratios are in fractions (0.05 = 5 percentage points); a delta is null when either
    side is. Sorted by SKU; re-sort with ``sort_by``.
    """
    totals_a = {r["sku"]: r for r in sku_totals(costed, *period_a).iter_rows(named=True)}
    totals_b = {r["sku"]: r for r in sku_totals(costed, *period_b).iter_rows(named=True)}
    rows: list[dict[str, object]] = []
    for sku in sorted(totals_a.keys() | totals_b.keys()):
        a = _period_stats(totals_a.get(sku, _EMPTY_PERIOD))
        b = _period_stats(totals_b.get(sku, _EMPTY_PERIOD))
        row: dict[str, object] = {"sku": sku}
        for name in _STAT_KINDS:
            va, vb = a[name], b[name]
            row[f"{name}_a"] = va
            row[f"{name}_b"] = vb
            both = va is not None and vb is not None
            row[f"{name}_delta"] = vb - va if both else None  # type: ignore[operator]
        rows.append(row)
    return pl.DataFrame(rows, schema=PRODUCT_STATS_SCHEMA, orient="row")


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
    stats = period_stats(costed, first_day, last_day)
    purchase = sku_totals(costed, first_day, last_day).select("sku", "purchase_tiyn")
    known = stats.filter(pl.col("profit_tiyn").is_not_null())
    gap = stats.join(purchase, on="sku").filter(
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
