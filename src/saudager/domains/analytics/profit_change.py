"""Why profit changed: the change of total profit between two periods, split into named parts
that add up to it exactly, in tiyn.

Per SKU and period: handed-over units ``g`` (net + returned units of lines not cancelled),
gross revenue ``GR`` (unit price × ``g``), revenue lost to returns ``RR`` = GR − net revenue,
and the costs purchase, commission, delivery, advertising, tax and other, so that
profit = GR − RR − costs. (``other`` is taken as whatever of the profit the other parts do not
explain, so the identity holds exactly even if a line's cost columns and profit disagree.)

The SKUs sold in both periods ("continuing", set C) are compared at period-a unit economics
(a Laspeyres-style bridge); write ``G = Σ_C g`` and, per SKU, ``k = g_b / g_a``:

- volume = P_a(C) × (G_b − G_a) / G_a — every continuing SKU grown at the shop's unit growth;
- mix = Σ_C P_a·k − P_a(C) × G_b / G_a — more of the more (or less) profitable SKUs;
- price = Σ_C (GR_b − GR_a·k) — the change of the average price per unit, on b's units;
- returns = −Σ_C (RR_b − RR_a·k); purchase cost, commission, delivery, advertising, tax and
  other = −Σ_C (cost_b − cost_a·k): the change per unit on b's units, with a minus sign (a cost
  that rose lowers profit).

These sum to P_b(C) − P_a(C) exactly in fractions. A SKU with units in b only is **new**: its
whole change P_b − P_a (including any a-period cost such as advertising before launch) is the
``new_products`` part; one with units in a only is **discontinued**: its change is the
``discontinued_products`` part. A SKU with no units in either period (only costs, say
advertising) puts each cost's change straight into that cost's part. Each part is rounded to
the nearest tiyn (half to even) and the few tiyn of rounding left are added to ``price``: the
parts add up exactly to the change, with no unexplained remainder.

SKUs whose profit is unknown (a missing cost) in either period are left out of both periods'
totals and listed in ``missing_cost_skus``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import polars as pl

from saudager.domains.analytics.products import Period, sku_totals_two_periods

_COSTS = ("purchase", "commission", "delivery", "advertising", "tax")

#: The parts, in the order they are shown, with their Russian and English names.
COMPONENTS: Mapping[str, tuple[str, str]] = {
    "volume": ("Объём продаж", "Volume"),
    "mix": ("Структура (микс)", "Mix"),
    "price": ("Цена", "Price"),
    "returns": ("Возвраты", "Returns"),
    "purchase_cost": ("Закупочная цена", "Purchase cost"),
    "commission": ("Комиссия Kaspi", "Kaspi commission"),
    "delivery": ("Доставка", "Delivery"),
    "advertising": ("Реклама", "Advertising"),
    "tax": ("Налог", "Tax"),
    "other": ("Прочие расходы", "Other costs"),
    "new_products": ("Новые товары", "New products"),
    "discontinued_products": ("Выбывшие товары", "Discontinued products"),
}
_COST_PART = {"purchase": "purchase_cost"} | {c: c for c in _COSTS if c != "purchase"}

#: ``ProfitChange.frame()``.
PROFIT_CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "component": pl.String(),
    "label_ru": pl.String(),
    "label_en": pl.String(),
    "amount_tiyn": pl.Int64(),
}


@dataclass(frozen=True, slots=True)
class ProfitChange:
    """Profit of period a and b (SKUs with known costs), the change and its parts (tiyn)."""

    profit_a_tiyn: int
    profit_b_tiyn: int
    components: Mapping[str, int]
    new_skus: tuple[str, ...] = ()
    discontinued_skus: tuple[str, ...] = ()
    missing_cost_skus: tuple[str, ...] = ()

    @property
    def change_tiyn(self) -> int:
        return self.profit_b_tiyn - self.profit_a_tiyn

    def frame(self) -> pl.DataFrame:
        """The parts as a table (``PROFIT_CHANGE_SCHEMA``), in ``COMPONENTS`` order."""
        rows = [(name, ru, en, self.components[name]) for name, (ru, en) in COMPONENTS.items()]
        return pl.DataFrame(rows, schema=PROFIT_CHANGE_SCHEMA, orient="row")


_PARTS = (*_COSTS, "other")
#: A SKU's figures in one period; ``other`` is whatever of the profit the other costs leave.
_FIGURES = ("units", "gross", "returns", *_PARTS, "profit")
#: The figures the continuing SKUs compare at period-a economics (figure_a · g_b / g_a).
_AT_A = ("profit", "gross", "returns", *_PARTS)


def _figures(totals: pl.DataFrame) -> pl.LazyFrame:
    """Per SKU of ``sku_totals``: ``known`` (whether its profit is) and ``_FIGURES``, in Int128
    so that no sum or product below can overflow."""
    costs = {c: pl.col(f"{c}_tiyn").fill_null(0).cast(pl.Int128) for c in _COSTS}
    revenue, profit = pl.col("revenue_tiyn").cast(pl.Int128), pl.col("profit_tiyn").cast(pl.Int128)
    gross = pl.col("gross_revenue_tiyn").cast(pl.Int128)
    return totals.lazy().select(
        "sku",
        profit.is_not_null().alias("known"),
        pl.col("handed_over_units").cast(pl.Int128).alias("units"),
        gross.alias("gross"),
        (gross - revenue).alias("returns"),
        *(value.alias(c) for c, value in costs.items()),
        (revenue - pl.sum_horizontal(costs.values()) - profit).alias("other"),
        profit.alias("profit"),
    )


def _exact_sum(denominators: list[int], numerators: list[int]) -> Fraction:
    """Σ numerator / denominator exactly, over one common denominator (their lcm): far cheaper
    than adding thousands of ``Fraction``s one by one, each time reducing by a gcd."""
    common = lcm(*denominators)
    pairs = zip(denominators, numerators, strict=True)
    return Fraction(sum(n * (common // d) for d, n in pairs), common)


def explain_profit_change(costed: pl.DataFrame, period_a: Period, period_b: Period) -> ProfitChange:
    """The change of profit from ``period_a`` to ``period_b``, split into ``COMPONENTS``."""
    totals_a, totals_b = sku_totals_two_periods(costed, period_a, period_b, orders=False)
    figures_a, figures_b = _figures(totals_a), _figures(totals_b)
    missing = pl.concat([figures_a, figures_b]).filter(~pl.col("known")).select("sku").unique()
    # A SKU absent from a period has every figure 0 there; one whose profit is unknown in either
    # period is left out of both.
    per_sku_query = (
        figures_a.join(figures_b, on="sku", how="full", coalesce=True, suffix="_b")
        .rename({f: f"{f}_a" for f in _FIGURES})
        .join(missing, on="sku", how="anti")
        .select("sku", *(pl.col(f"{f}_{side}").fill_null(0) for f in _FIGURES for side in "ab"))
        .sort("sku")
    )
    per_sku, missing_skus = pl.collect_all([per_sku_query, missing.sort("sku")])
    units_a, units_b = pl.col("units_a"), pl.col("units_b")
    continuing = (units_a > 0) & (units_b > 0)
    new = (units_b > 0) & ~continuing
    gone = (units_a > 0) & (units_b <= 0)
    idle = (units_a <= 0) & (units_b <= 0)  # no units either side: each change is its own part

    def change(figure: str) -> pl.Expr:
        return pl.col(f"{figure}_b") - pl.col(f"{figure}_a")

    sums = per_sku.select(
        change("profit").filter(new).sum().alias("new"),
        change("profit").filter(gone).sum().alias("gone"),
        *(change(f).filter(idle).sum().alias(f"idle_{f}") for f in ("gross", "returns", *_PARTS)),
        *(pl.col(f"{f}_b").filter(continuing).sum().alias(f"b_{f}") for f in _AT_A),
        pl.col("profit_a").filter(continuing).sum().alias("profit_a"),
        units_a.filter(continuing).sum().alias("units_a"),
        units_b.filter(continuing).sum().alias("units_b"),
        pl.col("profit_a").sum().alias("total_a"),
        pl.col("profit_b").sum().alias("total_b"),
    ).row(0, named=True)

    parts: dict[str, Fraction] = {name: Fraction(0) for name in COMPONENTS}
    parts["new_products"] += sums["new"]
    parts["discontinued_products"] += sums["gone"]
    parts["price"] += sums["idle_gross"]
    parts["returns"] -= sums["idle_returns"]
    for cost in _PARTS:
        parts[_COST_PART.get(cost, cost)] -= sums[f"idle_{cost}"]
    if sums["units_a"] > 0:  # some SKU is continuing
        # Σ_C figure_a · g_b / g_a: numerators summed per denominator g_a, then added exactly.
        at_a_sums = (
            per_sku.filter(continuing)
            .group_by("units_a")
            .agg((pl.col(f"{f}_a") * units_b).sum().alias(f) for f in _AT_A)
        )
        denominators = at_a_sums["units_a"].to_list()
        at_a = {f: _exact_sum(denominators, at_a_sums[f].to_list()) for f in _AT_A}
        g_a, g_b, profit_a = sums["units_a"], sums["units_b"], sums["profit_a"]
        parts["volume"] += Fraction(profit_a * (g_b - g_a), g_a)
        parts["mix"] += at_a["profit"] - Fraction(profit_a * g_b, g_a)
        parts["price"] += sums["b_gross"] - at_a["gross"]
        parts["returns"] -= sums["b_returns"] - at_a["returns"]
        for cost in _PARTS:
            parts[_COST_PART.get(cost, cost)] -= sums[f"b_{cost}"] - at_a[cost]
    total_a, total_b = sums["total_a"], sums["total_b"]
    rounded = {name: round(value) for name, value in parts.items()}
    rounded["price"] += (total_b - total_a) - sum(rounded.values())
    return ProfitChange(
        profit_a_tiyn=total_a,
        profit_b_tiyn=total_b,
        components=rounded,
        new_skus=tuple(per_sku.filter(new)["sku"].to_list()),
        discontinued_skus=tuple(per_sku.filter(gone)["sku"].to_list()),
        missing_cost_skus=tuple(missing_skus["sku"].to_list()),
    )
