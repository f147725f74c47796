"""Unit economics of one product: every cost per unit, profit, margin, markup, the break-even
price and the lowest price that keeps a target margin, plus its Kaspi Жұма variant
(``docs/analytics.md``, "Unit economics"). Integer tiyn; prices found are whole tenge.
"""

from __future__ import annotations

from collections.abc import Sequence
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


#: ``per_sku``'s inputs that can be missing, in the order ``SkuEconomics.missing`` names them.
_INPUTS = ("purchase", "commission", "delivery", "other")
_KNOWN = pl.all_horizontal(pl.col(name).is_not_null() for name in _INPUTS)


def _avg_per_unit(column: str) -> pl.Expr:
    known = pl.col(column).is_not_null()
    units = pl.col("net_quantity").filter(known).sum()
    total = pl.col(column).filter(known).sum()
    return pl.when(units > 0).then((total * 2 + units) // (units * 2)).otherwise(None)


def _rates_in_effect(commissions: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Per category (and "*"), the payment-mode-"*" rate in effect on ``as_of``: read once for
    every SKU rather than filtering the table for each."""
    return (
        commissions.filter((pl.col("payment_mode") == "*") & (pl.col("effective_from") <= as_of))
        .sort("effective_from")
        .group_by("category")
        .agg(_rate=pl.col("rate_bp").last())
    )


def _sku_inputs(
    costed: pl.DataFrame, costs: pl.DataFrame, commissions: pl.DataFrame, as_of: date, days: int
) -> pl.DataFrame:
    """One row per SKU sold in the window, by SKU: ``sku``, ``price`` and the ``_INPUTS``
    (null: not known). See ``per_sku``."""
    first = as_of - timedelta(days=days - 1)
    # Only the columns read: filtering all of them costs more than the rest of the report.
    columns = ("sku", "category", "sale_day", "net_quantity", "net_revenue_tiyn")
    recent = costed.select(*columns, "delivery_tiyn", "other_tiyn").filter(
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
    )
    current = (
        costs.filter(pl.col("effective_from") <= as_of)
        .sort("effective_from")
        .group_by("sku")
        .agg(_purchase=pl.col("purchase_cost_tiyn").last())
    )
    rates = _rates_in_effect(commissions, as_of)
    star = rates.filter(pl.col("category") == "*")["_rate"]
    # The category's rate, else the "*" rate (a null category joins no rate, so it gets "*").
    default_rate = pl.lit(star[0] if len(star) else None, dtype=pl.Int64)
    units = pl.col("_units")
    return (
        stats.join(current, on="sku", how="left")
        .join(rates, left_on="_category", right_on="category", how="left")
        .select(
            "sku",
            price=(pl.col("_revenue") * 2 + units) // (units * 2),
            purchase=pl.col("_purchase"),
            commission=pl.coalesce(pl.col("_rate"), default_rate),
            delivery=pl.col("_delivery"),
            other=pl.col("_other"),
        )
        .sort("sku")
    )


def _juma_raise_bp(rules: AnalyticsRules) -> int | None:
    """What ``unit_economics`` adds to the commission in Жұма mode; ``None``: no Жұма variant."""
    if rules.juma_commission_uplift_bp is None and rules.juma_instalment_fee_bp is None:
        return None
    return (rules.juma_commission_uplift_bp or 0) + (rules.juma_instalment_fee_bp or 0)


def _top(frame: pl.DataFrame, column: str) -> int:
    top = frame[column].max()
    return top if isinstance(top, int) else 0


def _checked(inputs: pl.DataFrame, rules: AnalyticsRules) -> bool:
    """Raise ``unit_economics``' error if it would be raised for any SKU with all its inputs;
    then whether the columns are small enough for Int64 arithmetic (always, for real prices:
    up to 10¹⁰ ₸ and 10 000 %). When not, each SKU goes through ``unit_economics``."""
    known = inputs.filter(_KNOWN)
    if known.is_empty():
        return True
    raised = _juma_raise_bp(rules) or 0
    lowest = known.select(pl.min_horizontal(pl.all().exclude("sku")).min()).item()
    least_rate = known["commission"].min()
    assert isinstance(least_rate, int)
    if lowest < 0 or rules.tax_bp < 0 or least_rate + raised < 0:
        raise ValueError("prices, costs and rates must not be negative")
    amount = max(_top(known, name) for name in ("price", "purchase", "delivery", "other"))
    rate = _top(known, "commission") + max(raised, 0) + rules.tax_bp
    return amount < 2**40 and rate < 2**20


def _charged(amount: pl.Expr, rate_bp: pl.Expr | int) -> pl.Expr:
    """``_bp_of`` on columns."""
    return (amount * rate_bp + _BP // 2) // _BP


def _economics_frame(inputs: pl.DataFrame, rules: AnalyticsRules) -> pl.DataFrame:
    """``unit_economics``' integer figures as columns, null for a SKU missing an input; the
    ``j_`` ones with the Жұма commission (equal to the others when no Жұма rate is set)."""
    price = pl.col("price")
    known = inputs.with_columns(
        fixed=pl.when(_KNOWN).then(pl.col("purchase") + pl.col("delivery") + pl.col("other")),
        j_commission=pl.when(_KNOWN).then(pl.col("commission") + (_juma_raise_bp(rules) or 0)),
        tax_tiyn=pl.when(_KNOWN).then(_charged(price, rules.tax_bp)),
    )
    with_charges = known.with_columns(
        commission_tiyn=_charged(price, pl.col("commission")),
        j_commission_tiyn=_charged(price, pl.col("j_commission")),
    )
    costs = pl.col("fixed") + pl.col("tax_tiyn")
    return with_charges.with_columns(
        profit=price - costs - pl.col("commission_tiyn"),
        j_profit=price - costs - pl.col("j_commission_tiyn"),
    )


def _settled_lowest_price(
    frame: pl.DataFrame, commission: str, tax_bp: int, margin: Decimal
) -> pl.Series:
    """``lowest_price`` of each row's ``fixed`` where its first estimate is already the answer
    — the usual case, as rounding moves the boundary by a tiyn or two. Null elsewhere (it would
    step, the margin is out of reach, or the numbers are too large for Int64): there
    ``lowest_price`` itself must be asked, so the two never disagree."""
    a, b = Fraction(margin).as_integer_ratio()
    top_fixed = _top(frame, "fixed")
    top_rate = _top(frame, commission) + tax_bp
    # Every product below is at most this (the estimate is at most fixed × 10 000 × b).
    bound = (top_fixed * _BP * b + top_fixed + 2 * _BP) * (top_rate + _BP) * (b + abs(a) + 1)
    if bound >= 2**62:
        return pl.Series("lowest", [None] * frame.height, dtype=pl.Int64)
    fixed, rate, share, estimate = pl.col("fixed"), pl.col("rate"), pl.col("share"), pl.col("e")
    # The estimate as a column: inlined in both tests below, Polars evaluates it again and again.
    estimated = frame.select(
        "fixed",
        rate=pl.col(commission),
        # lowest_price's share of the price left after commission, tax and margin, × 10 000 × b
        share=_BP * (b - a) - (pl.col(commission) + tax_bp) * b,
    ).with_columns(e=-((-fixed * (TENGE * b)) // share.clip(lower_bound=1)) * TENGE)

    def ok(price: pl.Expr) -> pl.Expr:
        profit = price - fixed - _charged(price, rate) - _charged(price, tax_bp)
        return profit * b >= price * a

    settled = (share > 0) & ok(estimate) & ~((estimate >= TENGE) & ok(estimate - TENGE))
    return estimated.select(lowest=pl.when(settled).then(estimate)).to_series()


def _lowest_prices(
    frame: pl.DataFrame, commission: str, tax_bp: int, margin: Decimal
) -> list[int | None]:
    """``lowest_price`` of every row with all its inputs (``None`` for the others)."""
    prices = _settled_lowest_price(frame, commission, tax_bp, margin)
    result = prices.to_list()
    fixed, rates = frame["fixed"], frame[commission]
    for i in (prices.is_null() & fixed.is_not_null()).arg_true().to_list():
        result[i] = lowest_price(fixed[i], rates[i], tax_bp, margin)
    return result


def _missing(values: Sequence[object]) -> tuple[str, ...]:
    """The names of the inputs (``_INPUTS`` order) that are unknown."""
    return tuple(name for name, value in zip(_INPUTS, values, strict=True) if value is None)


def _one_by_one(
    inputs: pl.DataFrame, rules: AnalyticsRules, target_margin: Decimal
) -> list[SkuEconomics]:
    """``per_sku`` by ``unit_economics`` itself, SKU by SKU: for amounts beyond Int64 columns."""
    result: list[SkuEconomics] = []
    for sku, price, *values in inputs.select("sku", "price", *_INPUTS).iter_rows():
        if None in values:
            result.append(SkuEconomics(sku, None, _missing(values)))
            continue
        purchase, commission, delivery, other = values
        economics = unit_economics(
            price, purchase, commission, delivery, other, rules.tax_bp,
            target_margin=target_margin, rules=rules,
        )  # fmt: skip
        result.append(SkuEconomics(sku, economics))
    return result


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
    delivery and other cost per unit over those days. Sorted by SKU.

    Each is what ``unit_economics`` gives, figured on columns for all SKUs at once."""
    inputs = _sku_inputs(costed, costs, commissions, as_of, days)
    if not _checked(inputs, rules):
        return _one_by_one(inputs, rules, target_margin)
    frame = _economics_frame(inputs, rules)
    tax = rules.tax_bp
    zero = Decimal(0)
    with_juma = _juma_raise_bp(rules) is not None
    columns = (
        "sku", "price", *_INPUTS,
        "fixed", "commission_tiyn", "tax_tiyn", "profit",
        "j_commission", "j_commission_tiyn", "j_profit",
    )  # fmt: skip
    result: list[SkuEconomics] = []
    for (
        sku, price, purchase, commission, delivery, other,
        fixed, commission_tiyn, tax_tiyn, profit,
        j_commission, j_commission_tiyn, j_profit,
        even, target, j_even, j_target,
    ) in zip(
        *(frame[name].to_list() for name in columns),
        _lowest_prices(frame, "commission", tax, zero),
        _lowest_prices(frame, "commission", tax, target_margin),
        _lowest_prices(frame, "j_commission", tax, zero),
        _lowest_prices(frame, "j_commission", tax, target_margin),
        strict=True,
    ):  # fmt: skip
        if fixed is None:
            missing = _missing((purchase, commission, delivery, other))
            result.append(SkuEconomics(sku, None, missing))
            continue
        # Positional, each Decimal made once: the objects are most of the time left.
        price_d = Decimal(price) if price else None
        purchase_d = Decimal(purchase) if purchase else None
        juma = None
        if with_juma:
            j_profit_d = Decimal(j_profit)
            juma = UnitEconomics(
                price, purchase, j_commission, j_commission_tiyn, delivery, other, tax, tax_tiyn,
                j_profit,
                j_profit_d / price_d if price_d else None,
                j_profit_d / purchase_d if purchase_d else None,
                j_even, target_margin, j_target,
            )  # fmt: skip
        profit_d = Decimal(profit)
        economics = UnitEconomics(
            price, purchase, commission, commission_tiyn, delivery, other, tax, tax_tiyn,
            profit,
            profit_d / price_d if price_d else None,
            profit_d / purchase_d if purchase_d else None,
            even, target_margin, target, juma,
        )  # fmt: skip
        result.append(SkuEconomics(sku, economics))
    return result


def profits_per_unit(
    costed: pl.DataFrame,
    costs: pl.DataFrame,
    commissions: pl.DataFrame,
    rules: AnalyticsRules,
    *,
    as_of: date,
    days: int = 30,
) -> tuple[dict[str, int | None], dict[str, int | None]]:
    """``per_sku``'s profit per unit of each SKU — as usual, and in Жұма mode — without the
    prices and ratios nobody reads then. ``None``: an input is missing, or (Жұма) Kaspi's Жұма
    rates are not set."""
    inputs = _sku_inputs(costed, costs, commissions, as_of, days)
    if not _checked(inputs, rules):
        rows = _one_by_one(inputs, rules, Decimal(0))
        juma = {r.sku: r.economics.juma if r.economics else None for r in rows}
        return (
            {r.sku: r.economics.profit_tiyn if r.economics else None for r in rows},
            {sku: unit.profit_tiyn if unit else None for sku, unit in juma.items()},
        )
    frame = _economics_frame(inputs, rules)
    skus = frame["sku"].to_list()
    usual = dict(zip(skus, frame["profit"].to_list(), strict=True))
    if _juma_raise_bp(rules) is None:
        return usual, dict.fromkeys(skus)
    return usual, dict(zip(skus, frame["j_profit"].to_list(), strict=True))
