"""Product statistics over two periods, sorting, and the tops, checked on paper."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from analytics_costed_lines import frame, line

from saudager.domains.analytics.products import (
    PRODUCT_STATS_SCHEMA,
    TOPS,
    product_stats,
    sort_by,
    tops,
)

JAN = (date(2026, 1, 1), date(2026, 1, 31))
FEB = (date(2026, 2, 1), date(2026, 2, 28))
D1, D2 = date(2026, 1, 10), date(2026, 2, 10)


def two_periods() -> pl.DataFrame:
    """P1 at 100 ₸ (10 000 tiyn), purchase 60 ₸, commission 10 %, delivery 15 ₸ a line.

    January: o1 3 received; o2 2 with 1 returned; o3 1 cancelled.
      units 4, orders 3, revenue 40 000, purchase 24 000, commission 4 000, delivery 3 000,
      profit 9 000, margin 22.5 %, markup 16 000/24 000 = 66.6667 %, returned 1 of 5 handed
      over (20 %), cancelled 1 of 3 orders, average price 10 000.
    February: o4 5 received at 90 ₸: revenue 45 000, purchase 30 000, commission 4 500,
      delivery 1 500, profit 9 000, margin 20 %, markup 50 %.
    P2 is sold in February only.
    """
    return frame(
        line("P1", D1, 3, 10_000, order="o1", purchase=18_000, commission=3_000, delivery=1_500),
        line(
            "P1",
            D1,
            2,
            10_000,
            order="o2",
            status="returned",
            returned=1,
            purchase=6_000,
            commission=1_000,
            delivery=1_500,
        ),
        line("P1", D1, 1, 10_000, order="o3", status="cancelled", purchase=0, commission=0),
        line("P1", D2, 5, 9_000, order="o4", purchase=30_000, commission=4_500, delivery=1_500),
        line("P2", D2, 1, 5_000, order="o5", purchase=1_000),
    )


def test_product_stats_by_hand() -> None:
    stats = product_stats(two_periods(), JAN, FEB)
    assert stats.schema == PRODUCT_STATS_SCHEMA
    p1 = stats.row(0, named=True)
    assert p1["sku"] == "P1"
    expected = {
        "units": (4, 5, 1),
        "orders": (3, 1, -2),
        "revenue_tiyn": (40_000, 45_000, 5_000),
        "profit_tiyn": (9_000, 9_000, 0),
        "margin": (Decimal("0.225"), Decimal("0.2"), Decimal("-0.025")),
        "markup": (Decimal("0.666667"), Decimal("0.5"), Decimal("-0.166667")),
        "returned_units": (1, 0, -1),
        "return_share": (Decimal("0.2"), Decimal(0), Decimal("-0.2")),
        "cancelled_orders": (1, 0, -1),
        "cancel_share": (Decimal("0.333333"), Decimal(0), Decimal("-0.333333")),
        "delivery_tiyn": (3_000, 1_500, -1_500),
        "avg_price_tiyn": (10_000, 9_000, -1_000),
    }
    for name, (a, b, delta) in expected.items():
        assert (p1[f"{name}_a"], p1[f"{name}_b"], p1[f"{name}_delta"]) == (a, b, delta), name


def test_product_stats_sku_in_one_period_only() -> None:
    p2 = product_stats(two_periods(), JAN, FEB).row(1, named=True)
    assert (p2["units_a"], p2["units_b"], p2["units_delta"]) == (0, 1, 1)
    assert (p2["revenue_tiyn_a"], p2["profit_tiyn_a"]) == (0, 0)
    assert p2["margin_a"] is None
    assert p2["margin_delta"] is None
    assert p2["margin_b"] == Decimal("0.8")
    assert p2["avg_price_tiyn_a"] is None


def test_product_stats_missing_cost_is_null_not_partial() -> None:
    df = frame(
        line("X", D1, 1, 1000, purchase=500),
        line("X", D1, 1, 1000, purchase=None),
    )
    x = product_stats(df, JAN, FEB).row(0, named=True)
    assert x["revenue_tiyn_a"] == 2000
    assert x["profit_tiyn_a"] is None
    assert x["margin_a"] is None
    assert x["markup_a"] is None
    assert x["profit_tiyn_delta"] is None


def test_sort_by_any_column_and_unknown_column() -> None:
    stats = product_stats(two_periods(), JAN, FEB)
    assert sort_by(stats, "revenue_tiyn_b")["sku"].to_list() == ["P1", "P2"]
    assert sort_by(stats, "revenue_tiyn_b", descending=False)["sku"].to_list() == ["P2", "P1"]
    # nulls last whichever the direction
    assert sort_by(stats, "margin_a", descending=False)["sku"].to_list() == ["P1", "P2"]
    with pytest.raises(ValueError, match=r"unknown column 'returns'.*returned_units_a"):
        sort_by(stats, "returns")


def shop() -> pl.DataFrame:
    """January, four SKUs:

    GOOD  2 × 1 000, purchase 800, commission 200 → profit 1 000, margin 50 %, markup 150 %
    ADS   1 × 1 000, purchase 600, advertising 700 → profit −300 (loss-making), markup 66.7 %
    CHEAP 2 × 300, purchase 800 → price below purchase cost, profit −200, markup −25 %
          plus 1 returned of 1 and 1 cancelled order
    NOCOST 1 × 5 000, purchase unknown
    """
    return frame(
        line("GOOD", D1, 2, 1000, purchase=800, commission=200),
        line("ADS", D1, 1, 1000, purchase=600, advertising=700),
        line("CHEAP", D1, 2, 300, purchase=800),
        line("CHEAP", D1, 1, 300, status="returned", returned=1, order="r1"),
        line("CHEAP", D1, 1, 300, status="cancelled", order="c1"),
        line("NOCOST", D1, 1, 5000, purchase=None),
    )


def test_tops_by_hand() -> None:
    result = tops(shop(), *JAN)
    assert list(result) == list(TOPS)
    skus = {name: f["sku"].to_list() for name, f in result.items()}
    assert skus == {
        "by_revenue": ["NOCOST", "GOOD", "ADS", "CHEAP"],
        "by_margin": ["GOOD", "ADS", "CHEAP"],  # 50 %, −30 %, −33.3 %
        "by_profit": ["GOOD", "CHEAP", "ADS"],
        "loss_making": ["ADS", "CHEAP"],
        "below_purchase_cost": ["CHEAP"],
        "most_returned": ["CHEAP"],
        "most_cancelled": ["CHEAP"],
        "highest_markup": ["GOOD", "ADS", "CHEAP"],
        "lowest_markup": ["CHEAP", "ADS", "GOOD"],
        "missing_cost": ["NOCOST"],
    }
    cheap = result["below_purchase_cost"].row(0, named=True)
    assert (cheap["avg_price_tiyn"], cheap["profit_tiyn"]) == (300, -200)
    assert (cheap["returned_units"], cheap["return_share"]) == (1, Decimal("0.333333"))
    assert (cheap["cancelled_orders"], cheap["cancel_share"]) == (1, Decimal("0.333333"))
    assert result["by_margin"]["margin"].to_list() == [
        Decimal("0.5"),
        Decimal("-0.3"),
        Decimal("-0.333333"),
    ]


def test_tops_limit_and_missing_cost_not_limited() -> None:
    df = frame(*(line(f"N{i}", D1, 1, 100 + i, purchase=None) for i in range(3)))
    result = tops(df, *JAN, n=2)
    assert result["by_revenue"]["sku"].to_list() == ["N2", "N1"]
    assert result["missing_cost"]["sku"].to_list() == ["N2", "N1", "N0"]
    assert result["by_profit"].is_empty()
    assert all(f.is_empty() for f in tops(frame(), *JAN).values())
