"""Sales summary per period from costed lines (``docs/analytics.md``, "Summary").

Revenue is net of cancellations and returns; profit, margin and markup are over the lines whose
every cost is known, and the lines that are not are counted (``lines_missing_cost``) rather than
hidden. Money stays integer tiyn; ratios (margin, markup, shares) are ``Float64`` fractions
(0.25 = 25 %), null when there is nothing to divide by.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import polars as pl

from saudager.domains.analytics.types import COST_COLUMNS, SaleStatus

Granularity = Literal["day", "week", "month"] | None


_STATUSES = tuple(status.value for status in SaleStatus)

SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "period_start": pl.Date(),  # first day of the period, not before first_day
    "period_end": pl.Date(),  # last day of the period, not after last_day
    "revenue_tiyn": pl.Int64(),
    "orders": pl.Int64(),  # orders not cancelled
    **{f"orders_{status}": pl.Int64() for status in _STATUSES},
    "units": pl.Int64(),  # units net of cancellations and returns
    **{f"units_{status}": pl.Int64() for status in _STATUSES},
    "profit_tiyn": pl.Int64(),  # over lines with every cost known
    "margin": pl.Float64(),  # profit / revenue of those lines
    "markup": pl.Float64(),  # profit / purchase cost of those lines
    "average_order_tiyn": pl.Int64(),  # revenue / orders, half-up
    **{column: pl.Int64() for column in COST_COLUMNS},  # sums of the known costs
    # Advertising spent on days without a sale to carry it (taken off the profit).
    "advertising_unattached_tiyn": pl.Int64(),
    **{column.replace("_tiyn", "_share"): pl.Float64() for column in COST_COLUMNS},
    "lines_missing_cost": pl.Int64(),
    "revenue_missing_cost_tiyn": pl.Int64(),
}

_INTERVAL = {"day": "1d", "week": "1w", "month": "1mo"}


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return (
        pl.when(denominator != 0)
        .then(numerator.cast(pl.Float64) / denominator.cast(pl.Float64))
        .otherwise(None)
    )


def _calendar(first_day: date, last_day: date, granularity: Granularity) -> pl.DataFrame:
    if granularity is None:
        return pl.DataFrame({"_key": [first_day]}, schema={"_key": pl.Date()})
    interval = _INTERVAL[granularity]
    start = pl.Series([first_day]).dt.truncate(interval)[0]
    starts = pl.date_range(start, last_day, interval=interval, eager=True)
    return pl.DataFrame({"_key": starts}, schema={"_key": pl.Date()})


def summarize(
    costed: pl.DataFrame,
    first_day: date,
    last_day: date,
    granularity: Granularity,
    ad_spend: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per period (every period of ``[first_day, last_day]``, empty ones included) in
    ``SUMMARY_SCHEMA``. Lines belong to the period of their ``sale_day``; weeks are ISO weeks
    (Monday to Sunday), months calendar months; the first and last periods are cut to the range.

    ``ad_spend`` (``AD_SPEND_SCHEMA``): advertising spent on a day without a sale to carry it is
    not on any line; it is shown as ``advertising_unattached_tiyn`` and taken off the period's
    profit, so that no money spent disappears from the summary."""
    if granularity is not None and granularity not in _INTERVAL:
        raise ValueError(f"granularity {granularity!r}: expected day, week, month or None")
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    if granularity is None:
        key = pl.lit(first_day, pl.Date)
    else:
        key = pl.col("sale_day").dt.truncate(_INTERVAL[granularity])
    lines = costed.filter(pl.col("sale_day").is_between(first_day, last_day)).with_columns(_key=key)
    known = pl.col("profit_tiyn").is_not_null()
    status = pl.col("sale_status")
    code = pl.col("order_code")
    if lines["order_code"].null_count() == 0 and lines["order_code"].is_sorted():
        # Sorted by order code, an order's lines are together, and they share its day and
        # status: counting each order's first line counts distinct orders without hashing.
        lines = lines.with_columns(_first=(code != code.shift(1)).fill_null(True))

        def count_orders(where: pl.Expr) -> pl.Expr:
            return pl.col("_first").filter(where).sum().cast(pl.UInt32)
    else:

        def count_orders(where: pl.Expr) -> pl.Expr:
            return code.filter(where).n_unique()

    aggregates: list[pl.Expr] = [
        pl.col("net_revenue_tiyn").sum().alias("revenue_tiyn"),
        count_orders(status != SaleStatus.CANCELLED.value).alias("orders"),
        pl.col("net_quantity").sum().alias("units"),
        pl.col("profit_tiyn").sum().alias("profit_tiyn"),
        pl.col("net_revenue_tiyn").filter(known).sum().alias("_known_revenue"),
        pl.col("purchase_tiyn").filter(known).sum().alias("_known_purchase"),
        (~known).sum().cast(pl.Int64).alias("lines_missing_cost"),
        pl.col("net_revenue_tiyn").filter(~known).sum().alias("revenue_missing_cost_tiyn"),
        *[pl.col(column).sum().alias(column) for column in COST_COLUMNS],
    ]
    for value in _STATUSES:
        aggregates.append(count_orders(status == value).alias(f"orders_{value}"))
        aggregates.append(pl.col("quantity").filter(status == value).sum().alias(f"units_{value}"))
    grouped = lines.group_by("_key").agg(aggregates)
    table = _calendar(first_day, last_day, granularity).join(grouped, on="_key", how="left")
    money_and_counts = [
        name for name, dtype in SUMMARY_SCHEMA.items() if dtype == pl.Int64() and name in table
    ]
    table = table.with_columns(
        [pl.col(name).fill_null(0).cast(pl.Int64) for name in money_and_counts]
        + [pl.col("_known_revenue").fill_null(0), pl.col("_known_purchase").fill_null(0)]
    )
    if granularity is None:
        end: pl.Expr = pl.lit(last_day, pl.Date)
    else:
        end = pl.col("_key").dt.offset_by(_INTERVAL[granularity]).dt.offset_by("-1d")
    revenue = pl.col("revenue_tiyn")
    orders = pl.col("orders")
    table = table.with_columns(
        period_start=pl.max_horizontal(pl.col("_key"), pl.lit(first_day, pl.Date)),
        period_end=pl.min_horizontal(end, pl.lit(last_day, pl.Date)),
        margin=_ratio(pl.col("profit_tiyn"), pl.col("_known_revenue")),
        markup=_ratio(pl.col("profit_tiyn"), pl.col("_known_purchase")),
        average_order_tiyn=pl.when(orders > 0)
        .then((revenue * 2 + orders) // (orders * 2))
        .otherwise(None),
        **{column.replace("_tiyn", "_share"): _ratio(pl.col(column), revenue)
           for column in COST_COLUMNS},
    )  # fmt: skip
    unattached = _unattached_advertising(lines, ad_spend, first_day, last_day, granularity)
    table = table.join(unattached, on="_key", how="left").with_columns(
        pl.col("advertising_unattached_tiyn").fill_null(0).cast(pl.Int64)
    )
    table = table.with_columns(
        profit_tiyn=pl.col("profit_tiyn") - pl.col("advertising_unattached_tiyn"),
        margin=_ratio(
            pl.col("profit_tiyn") - pl.col("advertising_unattached_tiyn"), pl.col("_known_revenue")
        ),
        markup=_ratio(
            pl.col("profit_tiyn") - pl.col("advertising_unattached_tiyn"), pl.col("_known_purchase")
        ),
    )
    return table.sort("_key").select(
        [pl.col(name).cast(dtype) for name, dtype in SUMMARY_SCHEMA.items()]
    )


def _unattached_advertising(
    lines: pl.DataFrame,
    ad_spend: pl.DataFrame | None,
    first_day: date,
    last_day: date,
    granularity: Granularity,
) -> pl.DataFrame:
    """Per period: the spend of the period minus what the period's lines carry."""
    schema = {"_key": pl.Date(), "advertising_unattached_tiyn": pl.Int64()}
    if ad_spend is None or ad_spend.height == 0:
        return pl.DataFrame(schema=schema)
    key = (
        pl.lit(first_day, pl.Date)
        if granularity is None
        else pl.col("day").dt.truncate(_INTERVAL[granularity])
    )
    spent = (
        ad_spend.filter(pl.col("day").is_between(first_day, last_day))
        .with_columns(_key=key)
        .group_by("_key")
        .agg(pl.col("amount_tiyn").sum().alias("_spent"))
    )
    carried = lines.group_by("_key").agg(pl.col("advertising_tiyn").sum().alias("_carried"))
    return (
        spent.join(carried, on="_key", how="left")
        .with_columns(
            (pl.col("_spent") - pl.col("_carried").fill_null(0)).alias(
                "advertising_unattached_tiyn"
            )
        )
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )
