"""Every cost of every sales line: ``cost_lines`` turns ``SALES_LINES_SCHEMA`` into
``COSTED_LINES_SCHEMA``. Pure Polars, integer tiyn throughout; the rules are in
``docs/analytics.md`` ("Costs").

Splits of one amount among several lines (an order's delivery, a day's advertising, an order's
packaging) use the largest-remainder method, so the parts always sum exactly to the amount.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from saudager.domains.analytics.rules import AnalyticsRules, DeliveryTariff
from saudager.domains.analytics.segments import (
    IntArray,
    Segments,
    dense_group_id,
    ints,
    known,
    nullable,
    segments_of,
)
from saudager.domains.analytics.types import (
    AD_SPEND_SCHEMA,
    COMMISSION_SCHEMA,
    COST_COLUMNS,
    COSTED_LINES_SCHEMA,
    COSTS_SCHEMA,
    RETURNS_SCHEMA,
    SALES_LINES_SCHEMA,
    SaleStatus,
)

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


def _half_up_bp_array(amount: IntArray, rate_bp: IntArray) -> IntArray:
    """``half_up_bp`` on arrays."""
    product = amount * rate_bp
    magnitude = (np.abs(product) + 5_000) // 10_000
    result: IntArray = np.where(product >= 0, magnitude, -magnitude)
    return result


def split_exact(
    frame: pl.DataFrame, *, amount: str, weight: str, group: Sequence[str], out: str
) -> pl.DataFrame:
    """Split ``amount`` (the same value on every row of a group) among the group's rows in
    proportion to ``weight``, in whole tiyn, by largest remainder: the parts sum exactly to the
    amount. Ties in the remainder go to the earlier row (frame order). Null or negative weights
    count as 0; a group whose weights are all 0 is split equally. A null amount gives null parts.
    """
    work = frame.select(
        _g=dense_group_id(list(group)),
        _a=pl.col(amount).cast(pl.Int64),
        _w=pl.col(weight).cast(pl.Int64).fill_null(0).clip(lower_bound=0),
    )
    return frame.with_columns(_split(work).alias(out))


def _split(work: pl.DataFrame) -> pl.Series:
    """``split_exact`` on a frame of ``_g`` (dense group id), ``_a`` (amount, the same on each
    of the group's rows), ``_w`` (weight ≥ 0): the parts, in the frame's order."""
    segments = Segments.of(ints(work["_g"]))
    amount = work["_a"]
    parts, parts_known = segments.split(
        segments.first(ints(amount)), segments.first(known(amount)), ints(work["_w"])
    )
    return nullable(parts, parts_known)


def _scatter(height: int, rows: pl.Series, values: pl.Series) -> pl.Series:
    """A column of ``height`` zeros with ``values`` at ``rows``."""
    column = np.zeros(height, dtype=np.int64)
    column[rows.to_numpy()] = values.to_numpy()
    return pl.Series(column)


def _returned(lines: pl.DataFrame, returns: pl.DataFrame) -> pl.DataFrame:
    """Returned units per line: an order's returns of a SKU fill its lines in line order."""
    totals = returns.group_by("order_code", "sku").agg(_ret=pl.col("quantity").sum())
    # Few lines have returns: the filling runs on those alone.
    touched = (
        lines.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("_at"),
            "order_code",
            "sku",
            "line_no",
            "quantity",
        )
        .join(totals, on=["order_code", "sku"], how="inner")
        .sort("order_code", "sku", "line_no", "_at")
    )
    before = pl.col("quantity").cum_sum().over("order_code", "sku") - pl.col("quantity")
    filled = touched.select(
        "_at",
        pl.min_horizontal((pl.col("_ret") - before).clip(lower_bound=0), pl.col("quantity"))
        .cast(pl.Int64)
        .alias("_returned"),
    )
    returned = _scatter(lines.height, filled["_at"], filled["_returned"])
    net = (
        pl.when(pl.col("sale_status") == _CANCELLED)
        .then(pl.lit(0, pl.Int64))
        .otherwise(pl.col("quantity") - pl.col("returned_quantity"))
    )
    return (
        lines.with_columns(returned_quantity=returned)
        .with_columns(net_quantity=net)
        .with_columns(net_revenue_tiyn=pl.col("unit_price_tiyn") * pl.col("net_quantity"))
    )


def _in_line_order(frame: pl.DataFrame, column: str) -> pl.Series:
    """``column`` of a frame carrying ``_at`` (the line's position), back in line order."""
    return frame.sort("_at")[column]


def _purchase(lines: pl.DataFrame, costs: pl.DataFrame) -> pl.DataFrame:
    """Cost effective on the sale day (latest ``effective_from <= sale_day``) × net quantity.
    Zero net units cost 0 even when the cost is unknown; otherwise an unknown cost is null."""
    right = costs.select("sku", "effective_from", "purchase_cost_tiyn").sort("effective_from")
    joined = (
        lines.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_at"), "sale_day", "sku")
        .sort("sale_day")
        .join_asof(
            right,
            left_on="sale_day",
            right_on="effective_from",
            by="sku",
            strategy="backward",
            check_sortedness=False,  # sorted on the key above; groups make Polars unable to tell
        )
    )
    unit_cost = _in_line_order(joined, "purchase_cost_tiyn")
    purchase = (
        pl.when(pl.col("net_quantity") == 0)
        .then(pl.lit(0, pl.Int64))
        .otherwise(unit_cost * pl.col("net_quantity"))
    )
    return lines.with_columns(purchase_tiyn=purchase)


def _commission(lines: pl.DataFrame, commissions: pl.DataFrame) -> pl.DataFrame:
    """Rate for (category, payment mode) effective on the sale day, falling back to
    (category, "*"), ("*", payment mode), ("*", "*"); applied to net revenue, half-up."""
    right = commissions.select(
        pl.col("category").alias("_cat"),
        pl.col("payment_mode").alias("_pm"),
        "effective_from",
        "rate_bp",
    ).sort("effective_from")
    # Rates change only on the table's effective days, so the lines fall into a few periods and a
    # few dozen (category, mode) pairs: the rate is found for each pair and period (on the
    # period's first day) and looked up by number, not joined on a million day keys.
    changes = right["effective_from"].unique().sort()
    period = changes.search_sorted(lines["sale_day"], side="right").cast(pl.Int64)
    pair_keys = ["category", "payment_mode"]
    pairs = lines.select(pair_keys).unique().with_row_index("_pair")
    pair = (
        lines.select(pair_keys)
        .join(pairs, on=pair_keys, how="left", nulls_equal=True, maintain_order="left")["_pair"]
        .cast(pl.Int64)
    )
    periods = len(changes) + 1  # period 0: before the first effective day, no rate
    combos = pairs.join(
        pl.DataFrame({"_period": range(1, periods), "sale_day": changes}), how="cross"
    ).sort("sale_day")
    star = pl.lit("*", pl.String)
    variants = (
        (pl.col("category"), pl.col("payment_mode")),
        (pl.col("category"), star),
        (star, pl.col("payment_mode")),
        (star, star),
    )
    rate_cols: list[str] = []
    for index, (category, mode) in enumerate(variants):
        name = f"_rate{index}"
        rate_cols.append(name)
        matched = (
            combos.with_columns(_cat=category, _pm=mode)
            .join_asof(
                right,
                left_on="sale_day",
                right_on="effective_from",
                by=["_cat", "_pm"],
                strategy="backward",
                check_sortedness=False,
            )
            .select(pl.col("rate_bp").alias(name))
        )
        combos = combos.with_columns(matched)
    table = np.zeros(len(pairs) * periods, dtype=np.int64)
    table_known = np.zeros(len(pairs) * periods, dtype=bool)
    found = combos.select(
        slot=pl.col("_pair").cast(pl.Int64) * periods + pl.col("_period"),
        rate=pl.coalesce(*[pl.col(name) for name in rate_cols]),
    ).drop_nulls()
    table[found["slot"].to_numpy()] = found["rate"].to_numpy()
    table_known[found["slot"].to_numpy()] = True
    slot = ints(pair) * periods + ints(period)
    revenue = lines["net_revenue_tiyn"]
    commission = _half_up_bp_array(ints(revenue), table[slot])
    return lines.with_columns(
        commission_tiyn=nullable(commission, table_known[slot] & known(revenue))
    )


def _tariff(tariff: DeliveryTariff, weight: pl.Expr, total: pl.Expr) -> pl.Expr:
    """``DeliveryTariff.cost_for`` as an expression: the first band that fits, else null."""
    cost: pl.Expr = pl.lit(None, pl.Int64)
    for band in reversed(tariff.bands):
        fits = pl.lit(True)
        if band.max_weight_g is not None:
            fits = fits & weight.is_not_null() & (weight <= band.max_weight_g)
        if band.max_order_total_tiyn is not None:
            fits = fits & total.is_not_null() & (total <= band.max_order_total_tiyn)
        cost = pl.when(fits.fill_null(False)).then(pl.lit(band.cost_tiyn, pl.Int64)).otherwise(cost)
    return cost


def _order_costs(
    lines: pl.DataFrame, tariff: DeliveryTariff, rules: AnalyticsRules
) -> pl.DataFrame:
    """Delivery and packaging/other costs per order, each split among its lines by line total.

    Delivery: Kaspi's cost for the order, else 0 for a cancelled order, else the tariff for a
    Kaspi-delivered order (by total weight and order total), else null. Packaging and other
    per-order costs: per order not cancelled; packaging not set (``None``) leaves the cost — and
    so the profit — missing."""
    orders = segments_of(lines["order_code"])
    weight_g = lines["weight_g"]
    line_weight = ints(weight_g) * ints(lines["quantity"])
    first = {
        name: (orders.first(ints(lines[name])), orders.first(known(lines[name])))
        for name in ("order_delivery_cost_tiyn", "order_total_tiyn")
    }
    kaspi = lines["is_kaspi_delivery"]
    per_order = pl.DataFrame(
        {
            "_cancelled": orders.all((lines["sale_status"] == _CANCELLED).to_numpy()),
            "_weight": nullable(orders.sum(line_weight), ~orders.any(~known(weight_g))),
            "_given": nullable(*first["order_delivery_cost_tiyn"]),
            "_total": nullable(*first["order_total_tiyn"]),
            "_kaspi": pl.Series(orders.first(kaspi.fill_null(False).to_numpy()))
            .to_frame()
            .select(pl.when(pl.Series(orders.first(known(kaspi)))).then(pl.first()))
            .to_series(),
        }
    )
    if rules.packaging_per_order_tiyn is None:
        other_cost: pl.Expr = pl.lit(None, pl.Int64)
    else:
        other_cost = pl.lit(rules.packaging_per_order_tiyn + rules.other_per_order_tiyn, pl.Int64)
    amounts = per_order.select(
        _delivery=pl.when(pl.col("_given").is_not_null())
        .then(pl.col("_given"))
        .when(pl.col("_cancelled"))
        .then(pl.lit(0, pl.Int64))
        .when(pl.col("_kaspi"))
        .then(_tariff(tariff, pl.col("_weight"), pl.col("_total")))
        .otherwise(pl.lit(None, pl.Int64)),
        _other=pl.when(pl.col("_cancelled")).then(pl.lit(0, pl.Int64)).otherwise(other_cost),
    )
    weight = ints(lines["line_total_tiyn"].clip(lower_bound=0))
    delivery_split, other_split = orders.split_each(
        [(ints(amounts[name]), known(amounts[name])) for name in ("_delivery", "_other")], weight
    )
    return lines.with_columns(
        delivery_tiyn=nullable(*delivery_split), other_tiyn=nullable(*other_split)
    )


def _advertising(lines: pl.DataFrame, ad_spend: pl.DataFrame) -> pl.DataFrame:
    """A SKU's spend on a day shared among that day's lines of the SKU by units ordered; spend
    without a SKU shared among all the day's lines by line total. Cancelled lines take their
    share: the money was spent on them."""
    spent = np.zeros(lines.height, dtype=np.int64)
    per_sku = (
        ad_spend.filter(pl.col("sku").is_not_null())
        .group_by("day", "sku")
        .agg(_a=pl.col("amount_tiyn").sum())
        .with_row_index("_g")  # numbers the (day, SKU) groups for the split
    )
    if per_sku.height:
        # Only the lines of a SKU advertised that day share its spend: the few advertised SKUs'
        # lines are picked out first, and only they are matched on (day, SKU).
        advertised = lines["sku"].is_in(per_sku["sku"].unique().implode())
        narrow = lines.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("_at"), "sale_day", "sku", "quantity"
        ).filter(advertised)
        by_sku = narrow.join(
            per_sku, left_on=["sale_day", "sku"], right_on=["day", "sku"], how="inner",
            maintain_order="left",
        )  # fmt: skip
        parts = _split(
            by_sku.select(
                _g=pl.col("_g").cast(pl.Int64),
                _a="_a",
                _w=pl.col("quantity").fill_null(0).clip(lower_bound=0),
            )
        )
        spent[by_sku["_at"].to_numpy()] += parts.to_numpy()
    per_day = (
        ad_spend.filter(pl.col("sku").is_null()).group_by("day").agg(_a=pl.col("amount_tiyn").sum())
    )
    if per_day.height:
        # Days are integers: the day's spend is found by position, not by a join.
        spend_days = ints(per_day["day"].to_physical())
        first = int(spend_days.min())
        by_day = np.zeros(int(spend_days.max()) - first + 1, dtype=np.int64)
        has_spend = np.zeros(len(by_day), dtype=bool)
        by_day[spend_days - first] = ints(per_day["_a"])  # a sum: never null
        has_spend[spend_days - first] = True
        sale_day = lines["sale_day"].to_physical()
        slot = ints(sale_day) - first
        inside = known(sale_day) & (slot >= 0) & (slot < len(by_day))
        rows = np.flatnonzero(inside)
        rows = rows[has_spend[slot[rows]]]
        days = Segments.of(slot[rows])
        amount = days.first(by_day[slot[rows]])
        weight = ints(lines["line_total_tiyn"]).clip(min=0)[rows]
        day_parts, _ = days.split(amount, np.ones(len(amount), dtype=bool), weight)
        spent[rows] += day_parts
    return lines.with_columns(advertising_tiyn=pl.Series(spent))


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
    # Each step adds columns computed on a narrow selection and keeps the lines in place:
    # sorting or joining the whole frame would move every column of a million rows.
    result = _returned(_conform(lines, SALES_LINES_SCHEMA), _conform(returns, RETURNS_SCHEMA))
    result = _purchase(result, _conform(costs, COSTS_SCHEMA))
    result = _commission(result, _conform(commissions, COMMISSION_SCHEMA))
    result = _order_costs(result, tariff, rules)
    result = _advertising(result, _conform(ad_spend, AD_SPEND_SCHEMA))
    result = result.with_columns(tax_tiyn=half_up_bp(pl.col("net_revenue_tiyn"), rules.tax_bp))
    profit = pl.col("net_revenue_tiyn")
    for column in COST_COLUMNS:
        profit = profit - pl.col(column)
    result = result.with_columns(profit_tiyn=profit)
    return _conform(result, COSTED_LINES_SCHEMA)
