"""Kaspi Жұма planner: how many units of each SKU to have, how many packers, what sells at a loss.

Pure: frames and plain values in, dataclasses (and a frame for export) out; no clock, no IO.
The exact rules, with a worked example, are in ``docs/analytics-zhuma-exports.md``. In short:

- **Demand that counts**: units of every line that is not cancelled (delivering, received and
  returned lines all took a unit off the shelf), on its ``sale_day``.
- **History**: the ``history_days`` local days ending with ``as_of``, *without* the days of any
  Жұма (the calendar's and the planned sale's own): a sale's days are not usual demand.
- **In-stock days**: Saudager keeps no stock history yet, so a stock-out can only be inferred
  from silence. A day counts as in stock for a SKU when the SKU sold at least once in the
  ``in_stock_lookback`` days (default 7) ending with that day. A SKU that sells every few days is
  "in stock" all window long; one that went silent for three weeks is "out of stock" for all but
  the first 6 days of the silence, so a stock-out does not drag its demand down. The rule leans
  high for SKUs that sell less than once a week (their rate is taken over at most 7 days per
  sale) — for stocking before a sale, erring up on slow sellers costs a few units.
- **Daily demand** = units in the history ÷ in-stock days of the history (0 when none).
- **Uplift**: the one given; else measured on the shop's own previous Жұма — shop-wide units per
  day during it ÷ units per day in the 28 days before it, clipped to 1–5× — when the lines cover
  those 28 days and both figures are positive; else ``default_uplift`` (3×, DOMAIN.md §4 "up to
  5×").
- **Expected units** = daily demand × sale days × uplift (exact fractions, shown to 0.01);
  **to order** = max(0, ⌈expected⌉ − stock); stock unknown (``None`` or not in the mapping):
  shown as unknown, the whole ⌈expected⌉ to order.
- **Rows**: every SKU in ``stock``, and every SKU with an in-stock day in the history (one
  that sold only before it is left out).
- **Order**: by expected revenue (expected units × the SKU's latest unit price) descending.
- **Packing**: expected orders per day = expected units per sale day ÷ the history's units per
  order; packers = ⌈orders per day ÷ orders per packer per day⌉ (default 150; DOMAIN.md §4 says
  one packer assembles 100–300).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

import polars as pl

from saudager.domains.analytics.types import SaleStatus
from saudager.domains.quality.eligibility import DEFAULT_JUMA_CALENDAR, JumaWindow

__all__ = [
    "PLAN_FRAME_SCHEMA",
    "UNPROFITABLE_FRAME_SCHEMA",
    "Packing",
    "SkuPlan",
    "StockPlan",
    "UnprofitableSku",
    "Uplift",
    "UpliftSource",
    "ZhumaLosses",
    "stock_plan",
    "unprofitable_at_zhuma",
]

#: Days before a previous Жұма whose demand is its baseline when measuring the uplift.
UPLIFT_BASELINE_DAYS = 28
UPLIFT_MIN = Fraction(1)
UPLIFT_MAX = Fraction(5)

_CENT = Decimal("0.01")


class UpliftSource(StrEnum):
    GIVEN = "given"  # passed by the caller (the seller's own figure)
    MEASURED = "measured"  # from the shop's previous Жұма
    DEFAULT = "default"  # no previous Жұма in the history: the default (3×)


@dataclass(frozen=True, slots=True)
class Uplift:
    factor: Decimal  # the multiple used
    source: UpliftSource
    previous_sale: JumaWindow | None = None  # measured: the Жұма it was measured on
    measured: Decimal | None = None  # measured: before clipping to 1–5×
    units_per_day_during: Decimal | None = None
    units_per_day_before: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SkuPlan:
    sku: str
    product_name: str | None
    units_sold: int  # in the history (Жұма days excluded)
    in_stock_days: int  # of the history, by the rule in the module docstring
    daily_demand: Decimal  # units per in-stock day, to 0.01
    expected_units: Decimal  # during the sale, to 0.01
    unit_price_tiyn: int | None  # the latest price seen (None: never sold)
    expected_revenue_tiyn: int  # 0 without a price
    stock: int | None  # None: unknown
    to_order: int

    @property
    def stock_known(self) -> bool:
        return self.stock is not None


@dataclass(frozen=True, slots=True)
class Packing:
    expected_orders_per_day: Decimal  # to 0.01
    units_per_order: Decimal | None  # the history's; None: no orders in it (then 1 is assumed)
    orders_per_packer_per_day: int
    packers_needed: int


#: The plan as a frame for export (one row per SKU, best sellers first).
PLAN_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "sku": pl.String(),
    "product_name": pl.String(),
    "units_sold": pl.Int64(),
    "in_stock_days": pl.Int64(),
    "daily_demand": pl.Float64(),  # units, not money: shown to 0.01
    "expected_units": pl.Float64(),
    "unit_price_tiyn": pl.Int64(),
    "expected_revenue_tiyn": pl.Int64(),
    "stock": pl.Int64(),  # null: unknown
    "stock_known": pl.Boolean(),
    "to_order": pl.Int64(),
}


@dataclass(frozen=True, slots=True)
class StockPlan:
    as_of: date
    sale: JumaWindow
    sale_days: int
    history_first: date  # the history window (its Жұма days excluded)
    history_last: date
    history_days_used: int  # days of the window left after excluding Жұма days
    uplift: Uplift
    skus: tuple[SkuPlan, ...]  # best sellers (by expected revenue) first
    packing: Packing

    @property
    def unknown_stock(self) -> tuple[str, ...]:
        return tuple(p.sku for p in self.skus if p.stock is None)

    @property
    def units_to_order(self) -> int:
        return sum(p.to_order for p in self.skus)

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {
                    "sku": p.sku,
                    "product_name": p.product_name,
                    "units_sold": p.units_sold,
                    "in_stock_days": p.in_stock_days,
                    "daily_demand": float(p.daily_demand),
                    "expected_units": float(p.expected_units),
                    "unit_price_tiyn": p.unit_price_tiyn,
                    "expected_revenue_tiyn": p.expected_revenue_tiyn,
                    "stock": p.stock,
                    "stock_known": p.stock_known,
                    "to_order": p.to_order,
                }
                for p in self.skus
            ],
            schema=PLAN_FRAME_SCHEMA,
        )


# ---- helpers ---------------------------------------------------------------------------------


def _window(value: JumaWindow | tuple[date, date]) -> JumaWindow:
    return value if isinstance(value, JumaWindow) else JumaWindow(value[0], value[1])


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _dec(value: Fraction, quantum: Decimal = _CENT) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


_ZERO_CENTS = Decimal("0.00")  # _dec(Fraction(0))

#: Below this numerator ``_cents`` can skip the Fraction (see there).
_CENTS_EXACT_BELOW = 10**25


def _cents(numerator: int, denominator: int) -> Decimal:
    """``_dec(Fraction(numerator, denominator))`` with integers only. ``_dec`` rounds twice (to
    28 digits, then half-up to the cent), but for a numerator below 10²⁵ the first rounding
    moves the value by less than its distance to any half-cent (≥ 1 / (200 × denominator)), so
    one exact half-up rounding gives the same Decimal."""
    if not 0 <= numerator < _CENTS_EXACT_BELOW:
        return _dec(Fraction(numerator, denominator))
    return Decimal((200 * numerator + denominator) // (2 * denominator)).scaleb(-2)


def _demand(
    lines: pl.DataFrame,
    first: date | None,
    last: date,
    *columns: str,
    skus: list[str] | None = None,
) -> pl.DataFrame:
    """``columns`` of the lines (of ``skus`` only, when given) that took units off the shelf on
    the local days ``first`` (None: from the start) to ``last``: every status but cancelled."""
    day = pl.col("sale_day")
    # Few columns, the most selective test first: each filter copies what it keeps.
    read = lines.select(list(dict.fromkeys(("sale_day", "sale_status", "quantity", *columns))))
    if skus is not None:
        read = read.filter(pl.col("sku").is_in(skus))
    return read.filter(day <= last if first is None else day.is_between(first, last)).filter(
        (pl.col("sale_status") != str(SaleStatus.CANCELLED)) & pl.col("quantity").is_not_null()
    )


def _measure_uplift(
    lines: pl.DataFrame,
    sale: JumaWindow,
    as_of: date,
    previous_sales: Iterable[JumaWindow | tuple[date, date]],
    default: Decimal,
) -> Uplift:
    fallback = Uplift(factor=default, source=UpliftSource.DEFAULT)
    past = sorted(
        (w for w in map(_window, previous_sales) if w.end < sale.start and w.end <= as_of),
        key=lambda w: w.start,
    )
    if not past:
        return fallback
    previous = past[-1]  # the latest one: the shop as it is now
    baseline_first = previous.start - timedelta(days=UPLIFT_BASELINE_DAYS)
    if _demand(lines, None, baseline_first).is_empty():  # the history starts after it
        return fallback
    around = _demand(lines, baseline_first, previous.end)
    previous_length = (previous.end - previous.start).days + 1
    during_units = int(around.filter(pl.col("sale_day") >= previous.start)["quantity"].sum())
    before_units = int(around.filter(pl.col("sale_day") < previous.start)["quantity"].sum())
    during = Fraction(during_units, previous_length)
    before = Fraction(before_units, UPLIFT_BASELINE_DAYS)
    if during <= 0 or before <= 0:
        return fallback
    raw = during / before
    factor = min(max(raw, UPLIFT_MIN), UPLIFT_MAX)
    return Uplift(
        factor=_dec(factor),
        source=UpliftSource.MEASURED,
        previous_sale=previous,
        measured=_dec(raw),
        units_per_day_during=_dec(during),
        units_per_day_before=_dec(before),
    )


def _usual_runs(usual_days: list[date], first: date) -> list[tuple[int, int]]:
    """The usual days as runs of day numbers from ``first``, ``[start, end)``."""
    runs: list[tuple[int, int]] = []
    for day in sorted(usual_days):
        i = (day - first).days
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _usual_days_covered(start: pl.Expr, end: pl.Expr, runs: list[tuple[int, int]]) -> pl.Expr:
    """How many usual days ``[start, end)`` holds (a few runs: the history less its Жұма days)."""
    parts = [
        (pl.min_horizontal(end, pl.lit(last)) - pl.max_horizontal(start, pl.lit(run_first))).clip(
            lower_bound=0
        )
        for run_first, last in runs
    ]
    return pl.sum_horizontal(parts) if parts else pl.lit(0, dtype=pl.Int64)


#: The latest price and name that are not null, on lines sorted by time.
_LAST_SEEN = (
    pl.col("unit_price_tiyn").drop_nulls().last().alias("price"),
    pl.col("product_name").drop_nulls().last().alias("name"),
)


def _sku_history(
    recent: pl.DataFrame, first: date, usual_days: list[date], lookback: int, order: list[str]
) -> pl.DataFrame:
    """Per SKU in ``recent`` (its demand lines from ``first``, ``lookback − 1`` days before the
    history, to ``as_of``): ``units`` sold on usual days, ``in_stock`` usual days (module
    docstring), and the latest ``price`` and ``name``.

    In-stock days are counted per sale, not per day of the history: a sale on day ``s`` covers
    ``s`` to ``s + lookback − 1``, less what the SKU's previous sale already covered. A second
    sale on the same day adds nothing, so sales need no de-duplication. Sales before ``first``
    cover no day of the history."""
    per_sku = (
        recent.sort(order, maintain_order=True)
        .group_by("sku")
        .agg(
            *_LAST_SEEN,
            units=pl.col("quantity").filter(pl.col("sale_day").is_in(usual_days)).sum(),
            day=(pl.col("sale_day") - first).dt.total_days(),  # in time order
        )
    )
    # One flat column of sale days, SKU after SKU: shifts there are cheap, in groups they are not.
    row, day = pl.col("row"), pl.col("day")
    previous_end = pl.when(row == row.shift()).then(day.shift() + lookback)
    covered = _usual_days_covered(
        pl.max_horizontal(day, previous_end), day + lookback, _usual_runs(usual_days, first)
    )
    in_stock = (
        per_sku.select("day", row=pl.int_range(pl.len()))
        .explode("day")
        .select("row", days=covered)
        .group_by("row", maintain_order=True)
        .agg(pl.col("days").sum())
    )
    return per_sku.select("sku", "units", "price", "name").with_columns(in_stock=in_stock["days"])


def _last_seen(demand: pl.DataFrame, order: list[str]) -> dict[str, tuple[int | None, str | None]]:
    """Per SKU, the latest price and name that are not null."""
    latest = demand.sort(order, maintain_order=True).group_by("sku").agg(*_LAST_SEEN)
    return {sku: (price, name) for sku, price, name in latest.iter_rows()}


# ---- the plan --------------------------------------------------------------------------------


def stock_plan(
    lines: pl.DataFrame,
    stock: Mapping[str, int | None],
    sale: JumaWindow | tuple[date, date],
    as_of: date,
    *,
    history_days: int = 56,
    uplift: Decimal | None = None,
    default_uplift: Decimal = Decimal(3),
    previous_sales: Iterable[JumaWindow | tuple[date, date]] = DEFAULT_JUMA_CALENDAR,
    orders_per_packer_per_day: int = 150,
    in_stock_lookback: int = 7,
) -> StockPlan:
    """The units of each SKU to have for the sale, what to order, and the packers needed.

    ``lines``: ``SALES_LINES_SCHEMA`` (or any frame with its ``order_code``, ``sku``,
    ``product_name``, ``quantity``, ``unit_price_tiyn``, ``sale_day`` and ``sale_status``).
    ``stock``: units on hand per SKU; ``None`` or absent: unknown. ``sale``: its first and last
    local days. ``uplift``: the seller's own multiple (skips the measurement).
    """
    window = _window(sale)
    if history_days <= 0:
        raise ValueError("history_days must be positive")
    if in_stock_lookback <= 0:
        raise ValueError("in_stock_lookback must be positive")
    if orders_per_packer_per_day <= 0:
        raise ValueError("orders_per_packer_per_day must be positive")
    if uplift is not None and uplift <= 0:
        raise ValueError("uplift must be positive")
    if default_uplift <= 0:
        raise ValueError("default_uplift must be positive")
    for sku, units in stock.items():
        if units is not None and units < 0:
            raise ValueError(f"stock of {sku!r} cannot be negative ({units})")

    calendar = [_window(w) for w in previous_sales]

    history_first = as_of - timedelta(days=history_days - 1)
    sale_windows = [*calendar, window]
    usual_days = [d for d in _days(history_first, as_of) if not any(d in w for w in sale_windows)]

    chosen = (
        Uplift(factor=uplift, source=UpliftSource.GIVEN)
        if uplift is not None
        else _measure_uplift(lines, window, as_of, calendar, default_uplift)
    )
    factor = Fraction(chosen.factor)
    sale_days = (window.end - window.start).days + 1

    # Only sales from here on can put a day of the history in stock (a sale during a Жұма too).
    cover_first = history_first - timedelta(days=in_stock_lookback - 1)
    order = ["sale_day", "created_at" if "created_at" in lines.columns else "sale_day"]
    seen = ("sku", "unit_price_tiyn", "product_name", *order)
    recent = _demand(lines, cover_first, as_of, "order_code", *seen)
    history = _sku_history(recent, cover_first, usual_days, in_stock_lookback, order)
    seen_skus, units_sold, in_stock_days, prices, names = (
        history[name].to_list() for name in ("sku", "units", "in_stock", "price", "name")
    )
    in_stock_by_sku = {s: n for s, n in zip(seen_skus, in_stock_days, strict=True) if n}
    units_by_sku = dict(zip(seen_skus, units_sold, strict=True))
    last_seen = dict(zip(seen_skus, zip(prices, names, strict=True), strict=True))
    # Rows: a SKU with an in-stock day, or in ``stock`` (one that sold only before is left out).
    skus = in_stock_by_sku.keys() | stock.keys()
    # The latest price or name may be older than the recent lines: look back for those only.
    older = [s for s in skus if None in last_seen.get(s, (None, None))]
    if older:
        earlier = _demand(lines, None, cover_first - timedelta(days=1), *seen, skus=older)
        before = _last_seen(earlier, order)
        for sku in older:
            price, name = last_seen.get(sku, (None, None))
            old_price, old_name = before.get(sku, (None, None))
            last_seen[sku] = (
                old_price if price is None else price,
                old_name if name is None else name,
            )

    in_history = recent.filter(pl.col("sale_day").is_in(usual_days))
    # Expected units = units × sale days × factor / in-stock days, kept as integers n / d.
    # Revenues are compared, and expected units summed, exactly over one common denominator.
    per_unit, per_day = sale_days * factor.numerator, factor.denominator
    common = math.lcm(*in_stock_by_sku.values()) * per_day
    ranked: list[tuple[int, Decimal, str, SkuPlan]] = []
    total_numerator = 0
    for sku in skus:
        units = units_by_sku.get(sku, 0)
        unit_price, name = last_seen.get(sku, (None, None))
        on_hand = stock.get(sku)
        in_stock = in_stock_by_sku.get(sku)
        if in_stock is None:  # in ``stock`` only: no demand
            plan = SkuPlan(sku, name, units, 0, _ZERO_CENTS, _ZERO_CENTS, unit_price, 0, on_hand, 0)
            ranked.append((0, _ZERO_CENTS, sku, plan))
            continue
        n, d = units * per_unit, in_stock * per_day
        scale = common // d
        total_numerator += n * scale
        revenue = 0 if unit_price is None else n * unit_price  # × 1/d
        needed = -(-n // d)
        expected = _cents(n, d)
        plan = SkuPlan(
            sku, name, units, in_stock, _cents(units, in_stock), expected, unit_price,
            (2 * revenue + d) // (2 * d),  # half up
            on_hand,
            needed if on_hand is None else max(0, needed - on_hand),
        )  # fmt: skip
        ranked.append((-revenue * scale, -expected, sku, plan))
    ranked.sort()
    total_expected = Fraction(total_numerator, common)

    history_units = int(in_history["quantity"].sum()) if not in_history.is_empty() else 0
    history_orders = in_history["order_code"].n_unique() if not in_history.is_empty() else 0
    per_order = Fraction(history_units, history_orders) if history_orders else None
    orders_per_day = total_expected / sale_days / (per_order or 1)
    packers = math.ceil(orders_per_day / orders_per_packer_per_day)

    return StockPlan(
        as_of=as_of,
        sale=window,
        sale_days=sale_days,
        history_first=history_first,
        history_last=as_of,
        history_days_used=len(usual_days),
        uplift=chosen,
        skus=tuple(plan for *_, plan in ranked),
        packing=Packing(
            expected_orders_per_day=_dec(orders_per_day),
            units_per_order=None if per_order is None else _dec(per_order),
            orders_per_packer_per_day=orders_per_packer_per_day,
            packers_needed=packers,
        ),
    )


# ---- what sells at a loss during Жұма --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnprofitableSku:
    sku: str
    profit_per_unit_tiyn: int  # in Жұма mode: ≤ 0
    usual_profit_per_unit_tiyn: int | None  # outside Жұма, when given
    expected_units: Decimal | None  # from the plan, when given
    expected_loss_tiyn: int | None  # profit per unit × expected units (≤ 0)


#: ``ZhumaLosses.frame()``: one row per SKU that makes no profit during Жұма, worst first.
UNPROFITABLE_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "sku": pl.String(),
    "profit_per_unit_tiyn": pl.Int64(),
    "usual_profit_per_unit_tiyn": pl.Int64(),
    "expected_units": pl.Float64(),
    "expected_loss_tiyn": pl.Int64(),
}


@dataclass(frozen=True, slots=True)
class ZhumaLosses:
    unprofitable: tuple[UnprofitableSku, ...]  # profit per unit ≤ 0 in Жұма mode, worst first
    unknown: tuple[str, ...]  # profit not known (a cost is missing): never taken as profitable

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            [
                {
                    "sku": u.sku,
                    "profit_per_unit_tiyn": u.profit_per_unit_tiyn,
                    "usual_profit_per_unit_tiyn": u.usual_profit_per_unit_tiyn,
                    "expected_units": None if u.expected_units is None else float(u.expected_units),
                    "expected_loss_tiyn": u.expected_loss_tiyn,
                }
                for u in self.unprofitable
            ],
            schema=UNPROFITABLE_FRAME_SCHEMA,
        )


ProfitSource = Mapping[str, int | None] | Callable[[str], int | None]


def _lookup(source: ProfitSource) -> Callable[[str], int | None]:
    return source.get if isinstance(source, Mapping) else source


def unprofitable_at_zhuma(
    skus: StockPlan | Iterable[str],
    zhuma_profit_per_unit: ProfitSource,
    *,
    usual_profit_per_unit: ProfitSource | None = None,
) -> ZhumaLosses:
    """The SKUs whose profit per unit (integer tiyn) in Жұма mode is ≤ 0.

    ``zhuma_profit_per_unit``: a mapping or a callable SKU → profit per unit with the raised
    Жұма commission (``None``: not known). Pass a ``StockPlan`` to get each SKU's expected loss
    over the sale. Worst first: by expected loss, then by profit per unit.
    """
    rows: list[tuple[str, Decimal | None]]
    if isinstance(skus, StockPlan):
        rows = [(p.sku, p.expected_units) for p in skus.skus]
    else:
        rows = [(sku, None) for sku in dict.fromkeys(skus)]
    zhuma_profit = _lookup(zhuma_profit_per_unit)
    usual_profit = None if usual_profit_per_unit is None else _lookup(usual_profit_per_unit)
    losing: list[UnprofitableSku] = []
    unknown: list[str] = []
    for sku, units in rows:
        profit = zhuma_profit(sku)
        if profit is None:
            unknown.append(sku)
            continue
        if profit > 0:
            continue
        loss = (
            None
            if units is None
            else int((units * profit).to_integral_value(rounding=ROUND_HALF_UP))
        )
        usual = None if usual_profit is None else usual_profit(sku)
        losing.append(UnprofitableSku(sku, profit, usual, units, loss))
    losing.sort(
        key=lambda u: (
            u.expected_loss_tiyn if u.expected_loss_tiyn is not None else 0,
            u.profit_per_unit_tiyn,
            u.sku,
        )
    )
    return ZhumaLosses(tuple(losing), tuple(unknown))
