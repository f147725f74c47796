"""Every cost of every sales line: ``cost_lines`` turns ``SALES_LINES_SCHEMA`` into
``COSTED_LINES_SCHEMA``. Pure Polars, integer tiyn throughout; the rules are in
``docs/analytics.md`` ("Costs").

Splits of one amount among several lines (an order's delivery, a day's advertising, an order's
packaging) use the largest-remainder method, so the parts always sum exactly to the amount.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from saudager.domains.analytics.rules import AnalyticsRules, DeliveryTariff
from saudager.domains.analytics.types import (
    AD_SPEND_SCHEMA,
    COMMISSION_SCHEMA,
    COSTED_LINES_SCHEMA,
    COSTS_SCHEMA,
    RETURNS_SCHEMA,
    SALES_LINES_SCHEMA,
    SaleStatus,
)

_ROW = "_row"
_CANCELLED = SaleStatus.CANCELLED.value


def _conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The schema's columns, in order, with its types (missing columns are an error)."""
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def half_up_bp(amount: pl.Expr, rate_bp: pl.Expr | int) -> pl.Expr:
    """``amount × rate / 10 000`` rounded half away from zero to the tiyn (null stays null)."""
    rate = rate_bp.cast(pl.Int64) if isinstance(rate_bp, pl.Expr) else pl.lit(rate_bp, pl.Int64)
    product = amount.cast(pl.Int64) * rate  # < 2^63 for any price × quantity × rate we meet
    rounded = (
        pl.when(product >= 0)
        .then((product + 5_000) // 10_000)
        .otherwise(pl.lit(0, pl.Int64) - ((pl.lit(0, pl.Int64) - product + 5_000) // 10_000))
    )
    return rounded.cast(pl.Int64)


def split_exact(
    frame: pl.DataFrame, *, amount: str, weight: str, group: Sequence[str], out: str
) -> pl.DataFrame:
    """Split ``amount`` (the same value on every row of a group) among the group's rows in
    proportion to ``weight``, in whole tiyn, by largest remainder: the parts sum exactly to the
    amount. Ties in the remainder go to the earlier row (frame order). Null or negative weights
    count as 0; a group whose weights are all 0 is split equally. A null amount gives null parts.
    """
    keys = list(group)
    tmp = ["_w", "_a", "_tot", "_base", "_rem", "_left", "_rank"]
    result = frame.with_columns(
        _w=pl.col(weight).fill_null(0).clip(lower_bound=0).cast(pl.Int128),
        _a=pl.col(amount).cast(pl.Int128),
    )
    result = result.with_columns(_tot=pl.col("_w").sum().over(keys))
    result = result.with_columns(
        _w=pl.when(pl.col("_tot") == 0).then(pl.lit(1, pl.Int128)).otherwise(pl.col("_w"))
    ).with_columns(_tot=pl.col("_w").sum().over(keys))
    result = result.with_columns(_base=(pl.col("_a") * pl.col("_w")) // pl.col("_tot"))
    result = result.with_columns(
        _rem=pl.col("_a") * pl.col("_w") - pl.col("_base") * pl.col("_tot"),
        _left=pl.col("_a") - pl.col("_base").sum().over(keys),
    )
    result = result.with_columns(
        _rank=pl.col("_rem").rank("ordinal", descending=True).over(keys).cast(pl.Int128)
    )
    result = result.with_columns(
        (
            pl.when(pl.col("_a").is_null())
            .then(None)
            .otherwise(pl.col("_base") + (pl.col("_rank") <= pl.col("_left")).cast(pl.Int128))
        )
        .cast(pl.Int64)
        .alias(out)
    )
    return result.drop(tmp)


def _returned(lines: pl.DataFrame, returns: pl.DataFrame) -> pl.DataFrame:
    """Returned units per line: an order's returns of a SKU fill its lines in line order."""
    totals = returns.group_by("order_code", "sku").agg(_ret=pl.col("quantity").sum())
    result = lines.join(totals, on=["order_code", "sku"], how="left").sort(
        "order_code", "sku", "line_no", _ROW
    )
    before = pl.col("quantity").cum_sum().over("order_code", "sku") - pl.col("quantity")
    returned = (pl.col("_ret").fill_null(0) - before).clip(lower_bound=0)
    result = result.with_columns(
        returned_quantity=pl.min_horizontal(returned, pl.col("quantity")).cast(pl.Int64)
    )
    net = (
        pl.when(pl.col("sale_status") == _CANCELLED)
        .then(pl.lit(0, pl.Int64))
        .otherwise(pl.col("quantity") - pl.col("returned_quantity"))
    )
    return (
        result.with_columns(net_quantity=net)
        .with_columns(net_revenue_tiyn=pl.col("unit_price_tiyn") * pl.col("net_quantity"))
        .drop("_ret")
        .sort(_ROW)
    )


def _purchase(lines: pl.DataFrame, costs: pl.DataFrame) -> pl.DataFrame:
    """Cost effective on the sale day (latest ``effective_from <= sale_day``) × net quantity.
    Zero net units cost 0 even when the cost is unknown; otherwise an unknown cost is null."""
    right = costs.select("sku", "effective_from", "purchase_cost_tiyn").sort("effective_from")
    joined = lines.sort("sale_day").join_asof(
        right,
        left_on="sale_day",
        right_on="effective_from",
        by="sku",
        strategy="backward",
        check_sortedness=False,  # sorted on the key above; groups make Polars unable to tell
    )
    purchase = (
        pl.when(pl.col("net_quantity") == 0)
        .then(pl.lit(0, pl.Int64))
        .otherwise(pl.col("purchase_cost_tiyn") * pl.col("net_quantity"))
    )
    return (
        joined.with_columns(purchase_tiyn=purchase)
        .drop("effective_from", "purchase_cost_tiyn")
        .sort(_ROW)
    )


def _commission(lines: pl.DataFrame, commissions: pl.DataFrame) -> pl.DataFrame:
    """Rate for (category, payment mode) effective on the sale day, falling back to
    (category, "*"), ("*", payment mode), ("*", "*"); applied to net revenue, half-up."""
    right = commissions.select(
        pl.col("category").alias("_cat"),
        pl.col("payment_mode").alias("_pm"),
        "effective_from",
        "rate_bp",
    ).sort("effective_from")
    star = pl.lit("*", pl.String)
    variants = (
        (pl.col("category"), pl.col("payment_mode")),
        (pl.col("category"), star),
        (star, pl.col("payment_mode")),
        (star, star),
    )
    result = lines
    rate_cols: list[str] = []
    for index, (category, mode) in enumerate(variants):
        name = f"_rate{index}"
        rate_cols.append(name)
        matched = (
            result.select(_ROW, "sale_day", _cat=category, _pm=mode)
            .sort("sale_day")
            .join_asof(
                right,
                left_on="sale_day",
                right_on="effective_from",
                by=["_cat", "_pm"],
                strategy="backward",
                check_sortedness=False,
            )
            .select(_ROW, pl.col("rate_bp").alias(name))
        )
        result = result.join(matched, on=_ROW, how="left")
    rate = pl.coalesce(*[pl.col(name) for name in rate_cols])
    return (
        result.with_columns(commission_tiyn=half_up_bp(pl.col("net_revenue_tiyn"), rate))
        .drop(rate_cols)
        .sort(_ROW)
    )


def _delivery(lines: pl.DataFrame, tariff: DeliveryTariff) -> pl.DataFrame:
    """Kaspi's delivery cost for the order, else 0 for a cancelled order, else the tariff for a
    Kaspi-delivered order (by total weight and order total), else null; split by line total."""
    orders = lines.group_by("order_code").agg(
        _given=pl.col("order_delivery_cost_tiyn").first(),
        _cancelled=(pl.col("sale_status") == _CANCELLED).all(),
        _kaspi=pl.col("is_kaspi_delivery").first(),
        _weight=pl.when(pl.col("weight_g").is_null().any())
        .then(None)
        .otherwise((pl.col("weight_g") * pl.col("quantity")).sum()),
        _total=pl.col("order_total_tiyn").first(),
    )
    tariffed = [
        tariff.cost_for(weight, total) if kaspi else None
        for weight, total, kaspi in zip(
            orders["_weight"].to_list(),
            orders["_total"].to_list(),
            orders["_kaspi"].to_list(),
            strict=True,
        )
    ]
    orders = orders.with_columns(_tariff=pl.Series(tariffed, dtype=pl.Int64)).select(
        "order_code",
        _order_delivery=pl.when(pl.col("_given").is_not_null())
        .then(pl.col("_given"))
        .when(pl.col("_cancelled"))
        .then(pl.lit(0, pl.Int64))
        .otherwise(pl.col("_tariff")),
    )
    result = lines.join(orders, on="order_code", how="left").sort(_ROW)
    result = split_exact(
        result,
        amount="_order_delivery",
        weight="line_total_tiyn",
        group=["order_code"],
        out="delivery_tiyn",
    )
    return result.drop("_order_delivery")


def _advertising(lines: pl.DataFrame, ad_spend: pl.DataFrame) -> pl.DataFrame:
    """A SKU's spend on a day shared among that day's lines of the SKU by units ordered; spend
    without a SKU shared among all the day's lines by line total. Cancelled lines take their
    share: the money was spent on them."""
    per_sku = (
        ad_spend.filter(pl.col("sku").is_not_null())
        .group_by("day", "sku")
        .agg(_sku_spend=pl.col("amount_tiyn").sum())
    )
    per_day = (
        ad_spend.filter(pl.col("sku").is_null())
        .group_by("day")
        .agg(_day_spend=pl.col("amount_tiyn").sum())
    )
    result = (
        lines.join(per_sku, left_on=["sale_day", "sku"], right_on=["day", "sku"], how="left")
        .join(per_day, left_on="sale_day", right_on="day", how="left")
        .sort(_ROW)
    )
    result = split_exact(
        result, amount="_sku_spend", weight="quantity", group=["sale_day", "sku"], out="_ad_sku"
    )
    result = split_exact(
        result, amount="_day_spend", weight="line_total_tiyn", group=["sale_day"], out="_ad_day"
    )
    return result.with_columns(
        advertising_tiyn=pl.col("_ad_sku").fill_null(0) + pl.col("_ad_day").fill_null(0)
    ).drop("_sku_spend", "_day_spend", "_ad_sku", "_ad_day")


def _other(lines: pl.DataFrame, rules: AnalyticsRules) -> pl.DataFrame:
    """Packaging and other per-order costs, per order not cancelled, split by line total.
    Packaging not set (``None``) leaves the cost — and so the profit — missing."""
    if rules.packaging_per_order_tiyn is None:
        per_order: pl.Expr = pl.lit(None, pl.Int64)
    else:
        per_order = pl.lit(rules.packaging_per_order_tiyn + rules.other_per_order_tiyn, pl.Int64)
    cancelled = (pl.col("sale_status") == _CANCELLED).all().over("order_code")
    result = lines.with_columns(
        _order_other=pl.when(cancelled).then(pl.lit(0, pl.Int64)).otherwise(per_order)
    )
    result = split_exact(
        result,
        amount="_order_other",
        weight="line_total_tiyn",
        group=["order_code"],
        out="other_tiyn",
    )
    return result.drop("_order_other")


def cost_lines(
    lines: pl.DataFrame,
    returns: pl.DataFrame,
    costs: pl.DataFrame,
    commissions: pl.DataFrame,
    ad_spend: pl.DataFrame,
    rules: AnalyticsRules,
    *,
    delivery_tariff: DeliveryTariff | None = None,
) -> pl.DataFrame:
    """Every sales line with its net quantity, net revenue and every cost, in
    ``COSTED_LINES_SCHEMA``, in the input's order. A cost that is not known is null, and so is
    the line's profit."""
    tariff = rules.delivery_tariff if delivery_tariff is None else delivery_tariff
    base = _conform(lines, SALES_LINES_SCHEMA).with_row_index(_ROW)
    result = _returned(base, _conform(returns, RETURNS_SCHEMA))
    result = _purchase(result, _conform(costs, COSTS_SCHEMA))
    result = _commission(result, _conform(commissions, COMMISSION_SCHEMA))
    result = _delivery(result, tariff)
    result = _advertising(result, _conform(ad_spend, AD_SPEND_SCHEMA))
    result = result.with_columns(tax_tiyn=half_up_bp(pl.col("net_revenue_tiyn"), rules.tax_bp))
    result = _other(result, rules)
    cost_columns = [
        "purchase_tiyn",
        "commission_tiyn",
        "delivery_tiyn",
        "advertising_tiyn",
        "tax_tiyn",
        "other_tiyn",
    ]
    profit = pl.col("net_revenue_tiyn")
    for column in cost_columns:
        profit = profit - pl.col(column)
    result = result.with_columns(profit_tiyn=profit)
    return _conform(result.sort(_ROW), COSTED_LINES_SCHEMA)
