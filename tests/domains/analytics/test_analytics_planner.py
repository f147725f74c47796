"""The Kaspi Жұма planner: demand on in-stock days, the uplift, what to order, packers, losses."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl
import pytest
from analytics_costed_lines import frame, line
from hypothesis import given, settings
from hypothesis import strategies as st

from saudager.domains.analytics.planner import (
    PLAN_FRAME_SCHEMA,
    UNPROFITABLE_FRAME_SCHEMA,
    UpliftSource,
    stock_plan,
    unprofitable_at_zhuma,
)
from saudager.domains.analytics.types import SALES_LINES_SCHEMA, SaleStatus
from saudager.domains.quality.eligibility import JumaWindow

AS_OF = date(2026, 5, 31)
SALE = (date(2026, 6, 11), date(2026, 6, 14))  # 4 days
FEB = JumaWindow(date(2026, 2, 12), date(2026, 2, 15))


def _lines(rows: Iterable[tuple[str, date, int, int, str]]) -> pl.DataFrame:
    """(sku, day, quantity, unit price in tiyn, sale status) → one order per row."""
    costed = frame(
        *(
            line(sku, day, quantity, price, order=f"o{i}", status=status)
            for i, (sku, day, quantity, price, status) in enumerate(rows)
        )
    )
    return costed.with_columns(product_name=pl.format("Товар {}", "sku")).select(
        list(SALES_LINES_SCHEMA)
    )


def _daily(
    sku: str, first: date, last: date, quantity: int, price: int = 100_000
) -> list[tuple[str, date, int, int, str]]:
    days = (last - first).days + 1
    received = str(SaleStatus.RECEIVED)
    return [(sku, first + timedelta(days=i), quantity, price, received) for i in range(days)]


HISTORY_FIRST = AS_OF - timedelta(days=55)


def test_steady_seller_default_uplift() -> None:
    lines = _lines(_daily("A", HISTORY_FIRST, AS_OF, 2))
    plan = stock_plan(lines, {"A": 10}, SALE, AS_OF, previous_sales=())
    (a,) = plan.skus
    assert plan.uplift.source is UpliftSource.DEFAULT
    assert plan.uplift.factor == Decimal(3)
    assert a.in_stock_days == 56
    assert a.daily_demand == Decimal("2.00")
    assert a.expected_units == Decimal("24.00")  # 2 × 4 days × 3
    assert a.to_order == 14
    assert a.expected_revenue_tiyn == 24 * 100_000
    assert plan.sale_days == 4
    assert plan.history_first == HISTORY_FIRST
    assert plan.history_days_used == 56


def test_a_silence_is_a_stock_out_after_seven_days() -> None:
    # Sold 3 a day for 28 days, then nothing: in stock the 28 days and the 6 after the last sale.
    lines = _lines(_daily("A", HISTORY_FIRST, HISTORY_FIRST + timedelta(days=27), 3))
    (a,) = stock_plan(lines, {}, SALE, AS_OF, previous_sales=()).skus
    assert a.units_sold == 84
    assert a.in_stock_days == 34
    assert a.daily_demand == Decimal("2.47")  # 84 / 34
    assert a.expected_units == Decimal("29.65")  # 84 / 34 × 4 × 3 = 29.647…
    assert a.to_order == 30


def test_a_sale_just_before_the_window_counts_for_its_first_days() -> None:
    day = HISTORY_FIRST - timedelta(days=2)  # in stock on the window's first 5 days
    lines = _lines([("A", day, 1, 100, str(SaleStatus.RECEIVED))])
    (a,) = stock_plan(lines, {}, SALE, AS_OF, previous_sales=()).skus
    assert (a.units_sold, a.in_stock_days, a.expected_units) == (0, 5, Decimal("0.00"))


def test_unknown_stock_orders_the_whole_demand() -> None:
    lines = _lines(_daily("A", HISTORY_FIRST, AS_OF, 1) + _daily("B", HISTORY_FIRST, AS_OF, 1))
    plan = stock_plan(lines, {"A": None}, SALE, AS_OF, previous_sales=())
    by_sku = {p.sku: p for p in plan.skus}
    assert by_sku["A"].stock is None and not by_sku["A"].stock_known
    assert by_sku["A"].to_order == 12
    assert by_sku["B"].to_order == 12  # absent from the mapping: unknown too
    assert plan.unknown_stock == ("A", "B")
    assert plan.units_to_order == 24


def test_stock_above_demand_orders_nothing_and_unsold_skus_are_listed() -> None:
    lines = _lines(_daily("A", HISTORY_FIRST, AS_OF, 1))
    plan = stock_plan(lines, {"A": 500, "Z": 3}, SALE, AS_OF, previous_sales=())
    by_sku = {p.sku: p for p in plan.skus}
    assert by_sku["A"].to_order == 0
    z = by_sku["Z"]
    assert (z.units_sold, z.expected_units, z.to_order, z.unit_price_tiyn) == (
        0,
        Decimal("0.00"),
        0,
        None,
    )
    assert plan.skus[-1].sku == "Z"


def test_skus_sold_only_before_the_history_are_left_out() -> None:
    rows = _daily("A", HISTORY_FIRST, AS_OF, 1) + _daily(
        "OLD", date(2026, 1, 1), date(2026, 1, 5), 1
    )
    plan = stock_plan(_lines(rows), {"NEW": 0}, SALE, AS_OF, previous_sales=())
    assert [p.sku for p in plan.skus] == ["A", "NEW"]


def test_cancelled_lines_are_not_demand_returns_are() -> None:
    rows = _daily("A", HISTORY_FIRST, AS_OF, 1)
    rows += [("A", AS_OF, 50, 100_000, str(SaleStatus.CANCELLED))]
    rows += [("A", AS_OF, 1, 100_000, str(SaleStatus.RETURNED))]
    (a,) = stock_plan(_lines(rows), {}, SALE, AS_OF, previous_sales=()).skus
    assert a.units_sold == 57


def test_lines_after_as_of_are_ignored() -> None:
    rows = _daily("A", HISTORY_FIRST, AS_OF, 1) + _daily("A", AS_OF + timedelta(days=1), SALE[1], 9)
    (a,) = stock_plan(_lines(rows), {}, SALE, AS_OF, previous_sales=()).skus
    assert a.units_sold == 56


def test_exact_arithmetic_ceil() -> None:
    # 20 units over 3 in-stock days, 3 sale days, 1×: exactly 20, not 20.000…01 → 21.
    rows = [("A", AS_OF - timedelta(days=i), q, 100, "received") for i, q in enumerate((7, 7, 6))]
    lines = _lines(rows)
    (a,) = stock_plan(
        lines,
        {},
        (date(2026, 6, 1), date(2026, 6, 3)),
        AS_OF,
        history_days=3,
        uplift=Decimal(1),
        previous_sales=(),
    ).skus
    assert a.in_stock_days == 3
    assert a.to_order == 20


def test_measured_uplift_from_the_previous_zhuma() -> None:
    baseline = _daily("A", FEB.start - timedelta(days=28), FEB.start - timedelta(days=1), 2)
    during = _daily("A", FEB.start, FEB.end, 8)  # 4×
    usual = _daily("A", HISTORY_FIRST, AS_OF, 2)
    plan = stock_plan(_lines(baseline + during + usual), {}, SALE, AS_OF, previous_sales=(FEB,))
    assert plan.uplift.source is UpliftSource.MEASURED
    assert plan.uplift.previous_sale == FEB
    assert plan.uplift.factor == Decimal("4.00")
    assert plan.uplift.units_per_day_during == Decimal("8.00")
    assert plan.uplift.units_per_day_before == Decimal("2.00")
    assert plan.skus[0].expected_units == Decimal("32.00")  # 2 × 4 × 4


@pytest.mark.parametrize(
    ("during_qty", "factor", "raw"), [(14, "5.00", "7.00"), (1, "1.00", "0.50")]
)
def test_measured_uplift_is_clipped(during_qty: int, factor: str, raw: str) -> None:
    baseline = _daily("A", FEB.start - timedelta(days=28), FEB.start - timedelta(days=1), 2)
    during = _daily("A", FEB.start, FEB.end, during_qty)
    plan = stock_plan(_lines(baseline + during), {}, SALE, AS_OF, previous_sales=[FEB])
    assert plan.uplift.factor == Decimal(factor)
    assert plan.uplift.measured == Decimal(raw)


def test_no_measure_without_the_baseline_in_the_history() -> None:
    baseline = _daily("A", FEB.start - timedelta(days=20), FEB.start - timedelta(days=1), 2)
    during = _daily("A", FEB.start, FEB.end, 8)
    plan = stock_plan(_lines(baseline + during), {}, SALE, AS_OF, previous_sales=[FEB])
    assert plan.uplift.source is UpliftSource.DEFAULT
    assert plan.uplift.factor == Decimal(3)


def test_given_uplift_wins_and_default_is_configurable() -> None:
    lines = _lines(_daily("A", HISTORY_FIRST, AS_OF, 1))
    given_plan = stock_plan(lines, {}, SALE, AS_OF, uplift=Decimal("2.5"), previous_sales=())
    assert given_plan.uplift.source is UpliftSource.GIVEN
    assert given_plan.skus[0].expected_units == Decimal("10.00")
    default_plan = stock_plan(lines, {}, SALE, AS_OF, default_uplift=Decimal(2), previous_sales=())
    assert default_plan.skus[0].expected_units == Decimal("8.00")


def test_zhuma_days_in_the_history_are_not_usual_demand() -> None:
    window = JumaWindow(AS_OF - timedelta(days=20), AS_OF - timedelta(days=17))
    rows = [r for r in _daily("A", HISTORY_FIRST, AS_OF, 1) if r[1] not in window]
    rows += _daily("A", window.start, window.end, 10)
    plan = stock_plan(_lines(rows), {}, SALE, AS_OF, uplift=Decimal(1), previous_sales=[window])
    (a,) = plan.skus
    assert plan.history_days_used == 52
    assert (a.units_sold, a.in_stock_days, a.daily_demand) == (52, 52, Decimal("1.00"))


def test_best_sellers_first_by_expected_revenue() -> None:
    rows = _daily("cheap", HISTORY_FIRST, AS_OF, 10, price=50_000)  # 10 × 500 ₸ a day
    rows += _daily("dear", HISTORY_FIRST, AS_OF, 1, price=1_000_000)  # 1 × 10 000 ₸ a day
    rows += _daily("mid", HISTORY_FIRST, AS_OF, 1, price=200_000)
    plan = stock_plan(_lines(rows), {}, SALE, AS_OF, previous_sales=())
    assert [p.sku for p in plan.skus] == ["dear", "cheap", "mid"]


def test_latest_price_is_used() -> None:
    rows = _daily("A", HISTORY_FIRST, AS_OF - timedelta(days=1), 1, price=100_000)
    rows += [("A", AS_OF, 1, 120_000, "received")]
    (a,) = stock_plan(_lines(rows), {}, SALE, AS_OF, previous_sales=()).skus
    assert a.unit_price_tiyn == 120_000
    assert a.product_name == "Товар A"


def test_a_stocked_sku_unsold_lately_keeps_its_last_price_and_name() -> None:
    # The price and name of a SKU not sold in the history come from its older lines.
    old = date(2026, 1, 10)
    rows = [
        ("OLD", old, 1, 70_000, "received"),
        ("OLD", old + timedelta(days=1), 1, 80_000, "received"),
    ]
    rows += [("NULLS", old, 1, 90_000, "received"), ("NULLS", AS_OF, 1, 90_000, "received")]
    lines = _lines(rows).with_columns(
        product_name=pl.when(pl.col("sale_day") == AS_OF).then(None).otherwise("product_name"),
        unit_price_tiyn=pl.when(pl.col("sale_day") == AS_OF)
        .then(None)
        .otherwise("unit_price_tiyn"),
    )
    plan = stock_plan(lines, {"OLD": 2, "NULLS": 0}, SALE, AS_OF, previous_sales=())
    by_sku = {p.sku: p for p in plan.skus}
    assert (by_sku["OLD"].unit_price_tiyn, by_sku["OLD"].product_name) == (80_000, "Товар OLD")
    assert by_sku["OLD"].in_stock_days == 0
    # Sold lately, but with no price or name on those lines: the older ones are used.
    assert (by_sku["NULLS"].unit_price_tiyn, by_sku["NULLS"].product_name) == (
        90_000,
        "Товар NULLS",
    )
    assert by_sku["NULLS"].in_stock_days == 1


def _shown(value: Fraction) -> Decimal:
    """Exact fraction → Decimal to 0.01, as the planner shows it."""
    quotient = Decimal(value.numerator) / Decimal(value.denominator)
    return quotient.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=60, deadline=None)
@given(
    quantities=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12),
    uplift=st.sampled_from(
        [Decimal("0.01"), Decimal("1.37"), Decimal("4.18"), Decimal("3.14159265358979323846264338")]
    ),
    price=st.integers(min_value=1, max_value=10**10),
)
def test_figures_are_the_exact_fractions_shown_to_the_cent(
    quantities: list[int], uplift: Decimal, price: int
) -> None:
    # One sale every other day (each covers the next 6 days): in stock every day from the first.
    rows = [
        ("A", AS_OF - timedelta(days=2 * i), q, price, "received") for i, q in enumerate(quantities)
    ]
    (a,) = stock_plan(_lines(rows), {}, SALE, AS_OF, uplift=uplift, previous_sales=()).skus
    in_stock = 2 * (len(quantities) - 1) + 1
    daily = Fraction(sum(quantities), in_stock)
    expected = daily * 4 * Fraction(uplift)
    assert a.in_stock_days == in_stock
    assert repr(a.daily_demand) == repr(_shown(daily))
    assert repr(a.expected_units) == repr(_shown(expected))
    assert a.expected_revenue_tiyn == math.floor(expected * price + Fraction(1, 2))
    assert a.to_order == math.ceil(expected)


@pytest.mark.parametrize(("per_day", "packers"), [(25, 2), (26, 3), (0, 0)])
def test_packers_needed(per_day: int, packers: int) -> None:
    # per_day one-unit orders a day × 12: per_day × 12 orders a day during the sale.
    rows = [r for _ in range(per_day) for r in _daily("A", HISTORY_FIRST, AS_OF, 1)]
    plan = stock_plan(_lines(rows), {}, SALE, AS_OF, uplift=Decimal(12), previous_sales=())
    assert plan.packing.expected_orders_per_day == Decimal(per_day * 12)
    assert plan.packing.packers_needed == packers  # 300 / 150 = 2; 312 / 150 → 3


def test_units_per_order_lowers_orders() -> None:
    lines = _lines(_daily("A", HISTORY_FIRST, AS_OF, 2))  # 2 units per order
    plan = stock_plan(
        lines, {}, SALE, AS_OF, uplift=Decimal(1), previous_sales=(), orders_per_packer_per_day=100
    )
    assert plan.packing.units_per_order == Decimal("2.00")
    assert plan.packing.expected_orders_per_day == Decimal("1.00")
    assert plan.packing.packers_needed == 1
    assert plan.packing.orders_per_packer_per_day == 100


def test_frame_for_export() -> None:
    lines = _lines(_daily("A", HISTORY_FIRST, AS_OF, 2))
    frame = stock_plan(lines, {"A": 5, "B": None}, SALE, AS_OF, previous_sales=()).frame()
    assert frame.schema == pl.Schema(PLAN_FRAME_SCHEMA)
    assert frame["sku"].to_list() == ["A", "B"]
    assert frame["to_order"].to_list() == [19, 0]
    assert frame["stock"].to_list() == [5, None]
    assert frame["expected_units"].to_list() == [24.0, 0.0]


def test_empty_history() -> None:
    plan = stock_plan(_lines([]), {}, SALE, AS_OF)
    assert plan.skus == ()
    assert plan.packing.packers_needed == 0
    assert plan.uplift.source is UpliftSource.DEFAULT


@pytest.mark.parametrize(
    "kwargs",
    [
        {"history_days": 0},
        {"uplift": Decimal(0)},
        {"default_uplift": Decimal(-1)},
        {"orders_per_packer_per_day": 0},
        {"in_stock_lookback": 0},
    ],
)
def test_bad_parameters(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        stock_plan(_lines([]), {}, SALE, AS_OF, **kwargs)  # type: ignore[arg-type]


def test_negative_stock_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        stock_plan(_lines([]), {"A": -1}, SALE, AS_OF)


@settings(max_examples=60, deadline=None)
@given(
    sales=st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.integers(min_value=0, max_value=70),
            st.integers(min_value=1, max_value=5),
            st.integers(min_value=1, max_value=10).map(lambda n: n * 10_000),
        ),
        max_size=60,
    ),
    stock=st.dictionaries(
        st.sampled_from(["A", "B", "C", "D"]), st.none() | st.integers(min_value=0, max_value=50)
    ),
)
def test_plan_invariants(
    sales: list[tuple[str, int, int, int]], stock: dict[str, int | None]
) -> None:
    rows = [(sku, AS_OF - timedelta(days=ago), q, p, "received") for sku, ago, q, p in sales]
    plan = stock_plan(_lines(rows), stock, SALE, AS_OF, previous_sales=())
    revenues = [p.expected_revenue_tiyn for p in plan.skus]
    assert revenues == sorted(revenues, reverse=True)
    for p in plan.skus:
        assert p.to_order >= 0
        assert 0 <= p.in_stock_days <= 56
        needed = math.ceil(p.expected_units - Decimal("0.005"))  # expected is shown rounded
        have = p.stock or 0
        assert have + p.to_order >= needed
        if p.stock is not None and p.to_order > 0:
            assert p.stock + p.to_order <= math.ceil(p.expected_units + Decimal("0.005"))


# ---- unprofitable at Жұма --------------------------------------------------------------------


def test_unprofitable_from_a_mapping() -> None:
    losses = unprofitable_at_zhuma(
        ["A", "B", "C", "D", "A"],
        {"A": 5_000, "B": 0, "C": -2_000, "D": None},
        usual_profit_per_unit={"B": 30_000, "C": 10_000},
    )
    assert [u.sku for u in losses.unprofitable] == ["C", "B"]
    assert losses.unprofitable[0].usual_profit_per_unit_tiyn == 10_000
    assert losses.unprofitable[0].expected_loss_tiyn is None
    assert losses.unknown == ("D",)  # a missing cost is never taken as profitable


def test_unprofitable_from_a_callable_with_a_plan() -> None:
    rows = _daily("A", HISTORY_FIRST, AS_OF, 1) + _daily("B", HISTORY_FIRST, AS_OF, 2)
    plan = stock_plan(_lines(rows), {}, SALE, AS_OF, previous_sales=())
    profits = {"A": -10_000, "B": -6_000}
    losses = unprofitable_at_zhuma(plan, profits.__getitem__)
    # A: 12 units × −100 ₸ = −1 200 ₸; B: 24 × −60 ₸ = −1 440 ₸: B is worse.
    assert [(u.sku, u.expected_loss_tiyn) for u in losses.unprofitable] == [
        ("B", -144_000),
        ("A", -120_000),
    ]
    frame = losses.frame()
    assert frame.schema == pl.Schema(UNPROFITABLE_FRAME_SCHEMA)
    assert frame["expected_units"].to_list() == [24.0, 12.0]


def test_nothing_unprofitable() -> None:
    losses = unprofitable_at_zhuma([], {})
    assert losses.unprofitable == () and losses.unknown == ()
    assert losses.frame().height == 0
