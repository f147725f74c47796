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

import polars as pl

from saudager.domains.analytics.products import Period, sku_totals

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


@dataclass(frozen=True, slots=True)
class _Sku:
    units: int
    gross: int
    returns: int
    costs: dict[str, int]
    profit: int


def _per_sku(totals: pl.DataFrame) -> tuple[dict[str, _Sku], set[str]]:
    known: dict[str, _Sku] = {}
    missing: set[str] = set()
    for row in totals.iter_rows(named=True):
        if row["profit_tiyn"] is None:
            missing.add(row["sku"])
            continue
        costs = {c: int(row[f"{c}_tiyn"] or 0) for c in _COSTS}
        revenue, gross = int(row["revenue_tiyn"]), int(row["gross_revenue_tiyn"])
        profit = int(row["profit_tiyn"])
        costs["other"] = revenue - sum(costs.values()) - profit
        known[row["sku"]] = _Sku(
            int(row["handed_over_units"]), gross, gross - revenue, costs, profit
        )
    return known, missing


_NONE = _Sku(0, 0, 0, {c: 0 for c in (*_COSTS, "other")}, 0)


def explain_profit_change(costed: pl.DataFrame, period_a: Period, period_b: Period) -> ProfitChange:
    """The change of profit from ``period_a`` to ``period_b``, split into ``COMPONENTS``."""
    a_all, missing_a = _per_sku(sku_totals(costed, *period_a))
    b_all, missing_b = _per_sku(sku_totals(costed, *period_b))
    missing = missing_a | missing_b
    skus = sorted((a_all.keys() | b_all.keys()) - missing)
    parts: dict[str, Fraction] = {name: Fraction(0) for name in COMPONENTS}
    continuing: list[tuple[_Sku, _Sku]] = []
    new: list[str] = []
    gone: list[str] = []
    for sku in skus:
        a, b = a_all.get(sku, _NONE), b_all.get(sku, _NONE)
        if a.units > 0 and b.units > 0:
            continuing.append((a, b))
        elif b.units > 0:
            new.append(sku)
            parts["new_products"] += b.profit - a.profit
        elif a.units > 0:
            gone.append(sku)
            parts["discontinued_products"] += b.profit - a.profit
        else:  # no units either side: each figure's change is its own part
            parts["price"] += b.gross - a.gross
            parts["returns"] -= b.returns - a.returns
            for cost, value in b.costs.items():
                parts[_COST_PART.get(cost, cost)] -= value - a.costs[cost]
    if continuing:
        units_a = sum(a.units for a, _ in continuing)
        units_b = sum(b.units for _, b in continuing)
        profit_a = sum(a.profit for a, _ in continuing)
        at_a_economics = sum(Fraction(a.profit * b.units, a.units) for a, b in continuing)
        parts["volume"] += Fraction(profit_a * (units_b - units_a), units_a)
        parts["mix"] += at_a_economics - Fraction(profit_a * units_b, units_a)
        for a, b in continuing:
            k = Fraction(b.units, a.units)
            parts["price"] += b.gross - a.gross * k
            parts["returns"] -= b.returns - a.returns * k
            for cost, value in b.costs.items():
                parts[_COST_PART.get(cost, cost)] -= value - a.costs[cost] * k
    total_a = sum(a_all[s].profit for s in skus if s in a_all)
    total_b = sum(b_all[s].profit for s in skus if s in b_all)
    rounded = {name: round(value) for name, value in parts.items()}
    rounded["price"] += (total_b - total_a) - sum(rounded.values())
    return ProfitChange(
        profit_a_tiyn=total_a,
        profit_b_tiyn=total_b,
        components=rounded,
        new_skus=tuple(new),
        discontinued_skus=tuple(gone),
        missing_cost_skus=tuple(sorted(missing)),
    )
