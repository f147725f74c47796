"""Unit economics, hand-computed; break-even and target prices exact at the boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saudager.domains.analytics.economics import lowest_price, per_sku, unit_economics
from saudager.domains.analytics.rules import AnalyticsRules
from saudager.domains.analytics.types import COMMISSION_SCHEMA, COSTS_SCHEMA


def profit(price: int, fixed: int, c: int, t: int) -> int:
    return price - fixed - (price * c + 5_000) // 10_000 - (price * t + 5_000) // 10_000


def test_by_hand() -> None:
    # 10 000 ₸; cost 5 000 ₸, commission 12.5 %, delivery 1 000 ₸, other 100 ₸, tax 4 %
    ue = unit_economics(
        1_000_000, 500_000, 1250, 100_000, 10_000, 400, target_margin=Decimal("0.1")
    )
    assert (ue.commission_tiyn, ue.tax_tiyn) == (125_000, 40_000)
    assert ue.profit_tiyn == 225_000
    assert ue.margin == Decimal("0.225")
    assert ue.markup == Decimal("0.45")
    # break-even: 610 000 / (1 − 0.165) = 730 538.9 tiyn → 7 306 ₸ (profit +0.51 ₸);
    # at 7 305 ₸ commission 913.13 ₸ and tax 292.20 ₸ make it −0.33 ₸
    assert ue.break_even_price_tiyn == 730_600
    assert profit(730_600, 610_000, 1250, 400) == 51
    assert profit(730_500, 610_000, 1250, 400) == -33
    # 10 % margin: 610 000 / 0.735 = 829 932 tiyn → 8 300 ₸ (830.50 ₸ ≥ 830 ₸); 8 299 ₸ falls short
    assert ue.target_price_tiyn == 830_000
    assert ue.juma is None  # Жұма rates not set


@pytest.mark.parametrize(
    ("fixed", "c", "t", "margin"),
    [
        (610_000, 1250, 400, Decimal(0)),
        (610_000, 1250, 400, Decimal("0.1")),
        (1, 1250, 400, Decimal(0)),
        (0, 1250, 400, Decimal(0)),
        (99_999, 730, 300, Decimal("0.25")),
        (5_000_000, 1550, 600, Decimal("0.05")),
        (123_457, 0, 0, Decimal(0)),
    ],
)
def test_lowest_price_is_exact_at_the_boundary(fixed: int, c: int, t: int, margin: Decimal) -> None:
    price = lowest_price(fixed, c, t, margin)
    assert price is not None and price % 100 == 0
    assert profit(price, fixed, c, t) >= margin * price
    if price >= 100:  # one tenge lower misses it
        assert profit(price - 100, fixed, c, t) < margin * (price - 100)


@given(
    fixed=st.integers(min_value=0, max_value=10**9),
    c=st.integers(min_value=0, max_value=3000),
    t=st.integers(min_value=0, max_value=1000),
)
def test_break_even_property(fixed: int, c: int, t: int) -> None:
    price = lowest_price(fixed, c, t, Decimal(0))
    assert price is not None
    assert profit(price, fixed, c, t) >= 0
    assert price == 0 or profit(price - 100, fixed, c, t) < 0


def test_unreachable_margin_is_none() -> None:
    assert lowest_price(1_000, 5000, 4000, Decimal("0.2")) is None


def test_juma_variant_raises_the_commission() -> None:
    rules = AnalyticsRules(juma_commission_uplift_bp=300, juma_instalment_fee_bp=500)
    ue = unit_economics(
        1_000_000, 500_000, 1250, 100_000, 10_000, 400, target_margin=Decimal(0), rules=rules
    )
    assert ue.juma is not None
    assert ue.juma.commission_bp == 2050
    assert ue.juma.commission_tiyn == 205_000
    assert ue.juma.profit_tiyn == 225_000 - 80_000
    # 610 000 / (1 − 0.245) = 807 947 tiyn → 8 080 ₸
    assert ue.juma.break_even_price_tiyn == 808_000
    assert ue.juma.juma is None


def test_per_sku_from_recent_prices_and_current_costs() -> None:
    costed = pl.DataFrame(
        {
            "sku": ["S1", "S1", "S1", "S2", "S3"],
            "category": ["Cat", "Cat", "Cat", "Cat", "Cat"],
            "sale_day": [date(2026, 1, 1), date(2026, 2, 20), date(2026, 3, 1),
                         date(2026, 3, 1), date(2026, 3, 1)],
            "net_quantity": [5, 1, 2, 1, 1],
            "net_revenue_tiyn": [5_000_000, 900_000, 2_100_000, 100_000, 100_000],
            "delivery_tiyn": [0, 90_000, 120_000, 0, 0],
            "other_tiyn": [0, 3_000, 3_000, 0, None],
        }
    )  # fmt: skip
    costs = pl.DataFrame(
        [("S1", date(2026, 1, 1), 400_000), ("S1", date(2026, 3, 2), 450_000),
         ("S3", date(2026, 1, 1), 50_000)],
        schema=COSTS_SCHEMA, orient="row",
    )  # fmt: skip
    commissions = pl.DataFrame(
        [("*", "*", date(2026, 1, 1), 1250, "t"), ("Cat", "*", date(2026, 2, 1), 1000, "t")],
        schema=COMMISSION_SCHEMA, orient="row",
    )  # fmt: skip
    rows = per_sku(
        costed, costs, commissions, AnalyticsRules(),
        as_of=date(2026, 3, 1), days=30, target_margin=Decimal("0.1"),
    )  # fmt: skip
    by_sku = {row.sku: row for row in rows}
    s1 = by_sku["S1"].economics
    assert s1 is not None
    # last 30 days: 3 units for 3 000 000 → 10 000 ₸; cost in effect on 1 March: 4 000 ₸
    assert s1.price_tiyn == 1_000_000
    assert s1.purchase_tiyn == 400_000
    assert s1.commission_bp == 1000  # the category's rate from 1 February
    assert s1.delivery_tiyn == 70_000  # 210 000 / 3
    assert s1.other_tiyn == 2_000  # 6 000 / 3
    assert s1.tax_bp == 400
    assert by_sku["S2"].missing == ("purchase",)
    assert by_sku["S3"].missing == ("other",)


MARGINS = [Decimal(0), Decimal("0.2"), Decimal("-0.1"), Decimal("0.95"), Decimal("0.1234567890123")]


def _half_up(total: int, units: int) -> int:
    return (total * 2 + units) // (units * 2)


@settings(max_examples=80, deadline=None)
@given(
    skus=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=5),  # units
            st.integers(min_value=0, max_value=10**9) | st.just(10**13),  # revenue
            st.integers(min_value=0, max_value=10**8) | st.just(10**12),  # purchase cost
            st.integers(min_value=0, max_value=3000),  # commission
            st.integers(min_value=0, max_value=10**6),  # delivery
            st.integers(min_value=0, max_value=10**5),  # other
        ),
        max_size=12,
    ),
    margin=st.sampled_from(MARGINS),
    juma=st.sampled_from([(None, None), (300, None), (300, 500)]),
)
def test_per_sku_is_unit_economics_of_each_sku(
    skus: list[tuple[int, int, int, int, int, int]],
    margin: Decimal,
    juma: tuple[int | None, int | None],
) -> None:
    # One line per SKU on as_of, with its own category and rate: for each SKU, per_sku gives
    # exactly what unit_economics gives for its inputs (huge amounts included).
    as_of = date(2026, 3, 1)
    names = [f"S{i:02}" for i in range(len(skus))]
    costed = pl.DataFrame(
        [(n, n, as_of, s[0], s[1], s[4], s[5]) for n, s in zip(names, skus, strict=True)],
        schema={"sku": pl.String, "category": pl.String, "sale_day": pl.Date,
                "net_quantity": pl.Int64, "net_revenue_tiyn": pl.Int64,
                "delivery_tiyn": pl.Int64, "other_tiyn": pl.Int64},
        orient="row",
    )  # fmt: skip
    costs = pl.DataFrame(
        [(n, as_of, s[2]) for n, s in zip(names, skus, strict=True)],
        schema=COSTS_SCHEMA, orient="row",
    )  # fmt: skip
    commissions = pl.DataFrame(
        [(n, "*", as_of, s[3], "t") for n, s in zip(names, skus, strict=True)],
        schema=COMMISSION_SCHEMA, orient="row",
    )  # fmt: skip
    rules = AnalyticsRules(juma_commission_uplift_bp=juma[0], juma_instalment_fee_bp=juma[1])
    rows = per_sku(costed, costs, commissions, rules, as_of=as_of, target_margin=margin)
    assert [r.sku for r in rows] == names
    for row, (units, revenue, purchase, rate, delivery, other) in zip(rows, skus, strict=True):
        expected = unit_economics(
            _half_up(revenue, units), purchase, rate, _half_up(delivery, units),
            _half_up(other, units), rules.tax_bp, target_margin=margin, rules=rules,
        )  # fmt: skip
        assert repr(row.economics) == repr(expected)
