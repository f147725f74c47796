"""Unit economics of one product: every cost per unit, profit, margin, markup, the break-even
price and the lowest price that keeps a target margin, plus its Kaspi Жұма variant
(``docs/analytics.md``, "Unit economics"). Integer tiyn; prices found are whole tenge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import polars as pl

from saudager.domains.analytics.rules import AnalyticsRules

TENGE = 100  # tiyn
_BP = 10_000


def _bp_of(amount_tiyn: int, rate_bp: int) -> int:
    """``amount × rate / 10 000`` rounded half-up to the tiyn (amounts are not negative)."""
    return (amount_tiyn * rate_bp + _BP // 2) // _BP


@dataclass(frozen=True, slots=True)
class UnitEconomics:
    price_tiyn: int
    purchase_tiyn: int
    commission_bp: int
    commission_tiyn: int
    delivery_tiyn: int
    other_tiyn: int
    tax_bp: int
    tax_tiyn: int
    profit_tiyn: int
    margin: Decimal | None  # profit / price
    markup: Decimal | None  # profit / purchase cost
    #: Lowest whole-tenge price at which profit ≥ 0 (one tenge lower loses money); ``None``
    #: when commission and tax take the whole price.
    break_even_price_tiyn: int | None
    target_margin: Decimal
    #: Lowest whole-tenge price at which profit / price ≥ target margin; ``None``: unreachable.
    target_price_tiyn: int | None
    #: The same with Kaspi Жұма's raised commission and instalment fee (``None``: not set).
    juma: UnitEconomics | None = None


def _profit(price: int, fixed: int, commission_bp: int, tax_bp: int) -> int:
    return price - fixed - _bp_of(price, commission_bp) - _bp_of(price, tax_bp)


def lowest_price(fixed_tiyn: int, commission_bp: int, tax_bp: int, margin: Decimal) -> int | None:
    """The lowest whole-tenge price ``p`` with ``profit(p) ≥ margin × p``, where profit is
    ``p − fixed − commission(p) − tax(p)`` with commission and tax rounded half-up to the tiyn
    exactly as they are charged. Solves ``p × (1 − c − t − m) = fixed``, rounds up to the tenge,
    then steps by one tenge to the exact boundary. ``None`` when ``c + t + m ≥ 1``."""
    m = Fraction(margin)
    share = 1 - Fraction(commission_bp + tax_bp, _BP) - m
    if share <= 0:
        return None

    def ok(price: int) -> bool:
        return _profit(price, fixed_tiyn, commission_bp, tax_bp) >= m * price

    estimate = max(Fraction(fixed_tiyn) / share, Fraction(0))
    price = -(-estimate.numerator // (estimate.denominator * TENGE)) * TENGE  # ceil to tenge
    while not ok(price):
        price += TENGE
    while price - TENGE >= 0 and ok(price - TENGE):
        price -= TENGE
    return price


def unit_economics(
    price_tiyn: int,
    purchase_tiyn: int,
    commission_bp: int,
    delivery_tiyn: int,
    other_tiyn: int,
    tax_bp: int,
    *,
    target_margin: Decimal,
    rules: AnalyticsRules | None = None,
) -> UnitEconomics:
    """Per-unit economics at ``price_tiyn``. With ``rules`` whose Жұма commission uplift or
    instalment fee is set, ``juma`` holds the same computed with the commission raised by both."""
    if min(price_tiyn, purchase_tiyn, commission_bp, delivery_tiyn, other_tiyn, tax_bp) < 0:
        raise ValueError("prices, costs and rates must not be negative")
    fixed = purchase_tiyn + delivery_tiyn + other_tiyn
    commission = _bp_of(price_tiyn, commission_bp)
    tax = _bp_of(price_tiyn, tax_bp)
    profit = price_tiyn - fixed - commission - tax
    juma: UnitEconomics | None = None
    if rules is not None and (
        rules.juma_commission_uplift_bp is not None or rules.juma_instalment_fee_bp is not None
    ):
        raised = (
            commission_bp
            + (rules.juma_commission_uplift_bp or 0)
            + (rules.juma_instalment_fee_bp or 0)
        )
        juma = unit_economics(
            price_tiyn, purchase_tiyn, raised, delivery_tiyn, other_tiyn, tax_bp,
            target_margin=target_margin,
        )  # fmt: skip
    return UnitEconomics(
        price_tiyn=price_tiyn,
        purchase_tiyn=purchase_tiyn,
        commission_bp=commission_bp,
        commission_tiyn=commission,
        delivery_tiyn=delivery_tiyn,
        other_tiyn=other_tiyn,
        tax_bp=tax_bp,
        tax_tiyn=tax,
        profit_tiyn=profit,
        margin=Decimal(profit) / Decimal(price_tiyn) if price_tiyn else None,
        markup=Decimal(profit) / Decimal(purchase_tiyn) if purchase_tiyn else None,
        break_even_price_tiyn=lowest_price(fixed, commission_bp, tax_bp, Decimal(0)),
        target_margin=target_margin,
        target_price_tiyn=lowest_price(fixed, commission_bp, tax_bp, target_margin),
        juma=juma,
    )


@dataclass(frozen=True, slots=True)
class SkuEconomics:
    sku: str
    economics: UnitEconomics | None  # None when an input is missing (see ``missing``)
    missing: tuple[str, ...] = ()  # "price", "purchase", "commission", "delivery", "other"


def _avg_per_unit(column: str) -> pl.Expr:
    known = pl.col(column).is_not_null()
    units = pl.col("net_quantity").filter(known).sum()
    total = pl.col(column).filter(known).sum()
    return pl.when(units > 0).then((total * 2 + units) // (units * 2)).otherwise(None)


def _rates_in_effect(commissions: pl.DataFrame, as_of: date) -> dict[str, int]:
    """Per category (and "*"), the payment-mode-"*" rate in effect on ``as_of``: read once for
    every SKU rather than filtering the table for each."""
    latest = (
        commissions.filter((pl.col("payment_mode") == "*") & (pl.col("effective_from") <= as_of))
        .sort("effective_from")
        .group_by("category")
        .agg(pl.col("rate_bp").last())
    )
    return {category: int(rate) for category, rate in latest.iter_rows()}


def _commission_bp(rates: dict[str, int], category: str | None) -> int | None:
    """The category's rate, else the "*" rate."""
    if category is not None and category in rates:
        return rates[category]
    return rates.get("*")


def per_sku(
    costed: pl.DataFrame,
    costs: pl.DataFrame,
    commissions: pl.DataFrame,
    rules: AnalyticsRules,
    *,
    as_of: date,
    target_margin: Decimal,
    days: int = 30,
) -> list[SkuEconomics]:
    """Unit economics of every SKU sold (net units > 0) in the ``days`` local days ending with
    ``as_of``: its average net price (half-up to the tiyn), its purchase cost in effect on
    ``as_of``, the commission for its category on ``as_of`` (payment mode "*"), and its average
    delivery and other cost per unit over those days. Sorted by SKU."""
    first = as_of - timedelta(days=days - 1)
    recent = costed.filter(
        pl.col("sale_day").is_between(first, as_of) & (pl.col("net_quantity") > 0)
    )
    stats = (
        recent.sort("sale_day")
        .group_by("sku")
        .agg(
            _units=pl.col("net_quantity").sum(),
            _revenue=pl.col("net_revenue_tiyn").sum(),
            _category=pl.col("category").last(),
            _delivery=_avg_per_unit("delivery_tiyn"),
            _other=_avg_per_unit("other_tiyn"),
        )
        .sort("sku")
    )
    current = (
        costs.filter(pl.col("effective_from") <= as_of)
        .sort("effective_from")
        .group_by("sku")
        .agg(_purchase=pl.col("purchase_cost_tiyn").last())
    )
    stats = stats.join(current, on="sku", how="left")
    rates = _rates_in_effect(commissions, as_of)
    result: list[SkuEconomics] = []
    for row in stats.iter_rows(named=True):
        units: int = row["_units"]
        price = (row["_revenue"] * 2 + units) // (units * 2)
        inputs: dict[str, int | None] = {
            "purchase": row["_purchase"],
            "commission": _commission_bp(rates, row["_category"]),
            "delivery": row["_delivery"],
            "other": row["_other"],
        }
        missing = tuple(name for name, value in inputs.items() if value is None)
        if missing:
            result.append(SkuEconomics(row["sku"], None, missing))
            continue
        purchase, commission, delivery, other = (int(inputs[k] or 0) for k in inputs)
        economics = unit_economics(
            price, purchase, commission, delivery, other, rules.tax_bp,
            target_margin=target_margin, rules=rules,
        )  # fmt: skip
        result.append(SkuEconomics(row["sku"], economics))
    return result
