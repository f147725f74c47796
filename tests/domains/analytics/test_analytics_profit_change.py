"""Why profit changed: a worked example, returns, new and discontinued SKUs, and a property
test that the parts always add up exactly to the change."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from analytics_costed_lines import frame, line
from hypothesis import given, settings
from hypothesis import strategies as st

from saudager.domains.analytics.profit_change import COMPONENTS, explain_profit_change

JAN = (date(2026, 1, 1), date(2026, 1, 31))
FEB = (date(2026, 2, 1), date(2026, 2, 28))
D1, D2 = date(2026, 1, 10), date(2026, 2, 10)


def unit_line(
    sku: str, day: date, qty: int, price: int, purchase: int, commission: int
) -> dict[str, object]:
    return line(sku, day, qty, price, purchase=purchase * qty, commission=commission * qty)


def test_worked_example() -> None:
    """Continuing S1, S2; OLD sold in January only; NEW in February only.

    January: S1 10 × 1 000, purchase 600, commission 100 → 3 000; S2 10 × 500, purchase 400,
      commission 50 → 500; OLD 2 × 1 000, purchase 500 → 1 000. Total 4 500.
    February: S1 15 × 1 100, purchase 600, commission 110 → 5 850; S2 10 × 500, purchase 420,
      commission 50 → 300; NEW 1 × 2 000, purchase 1 000 → 1 000. Total 7 150.
    Continuing units 20 → 25, continuing January profit 3 500:
      volume 3 500 × 5/20 = 875; mix 3 000 × 1.5 + 500 × 1 − 3 500 × 25/20 = 625;
      price S1 16 500 − 10 000 × 1.5 = 1 500; purchase −(4 200 − 4 000) = −200 (S2);
      commission −(1 650 − 1 000 × 1.5) = −150 (S1); new +1 000; discontinued −1 000.
    """
    df = frame(
        unit_line("S1", D1, 10, 1000, 600, 100),
        unit_line("S2", D1, 10, 500, 400, 50),
        unit_line("OLD", D1, 2, 1000, 500, 0),
        unit_line("S1", D2, 15, 1100, 600, 110),
        unit_line("S2", D2, 10, 500, 420, 50),
        unit_line("NEW", D2, 1, 2000, 1000, 0),
    )
    result = explain_profit_change(df, JAN, FEB)
    assert (result.profit_a_tiyn, result.profit_b_tiyn, result.change_tiyn) == (4500, 7150, 2650)
    assert dict(result.components) == {
        "volume": 875,
        "mix": 625,
        "price": 1500,
        "returns": 0,
        "purchase_cost": -200,
        "commission": -150,
        "delivery": 0,
        "advertising": 0,
        "tax": 0,
        "other": 0,
        "new_products": 1000,
        "discontinued_products": -1000,
    }
    assert result.new_skus == ("NEW",)
    assert result.discontinued_skus == ("OLD",)
    table = result.frame()
    assert table["component"].to_list() == list(COMPONENTS)
    assert table["amount_tiyn"].sum() == 2650


def test_returns_and_the_purchase_cost_they_give_back() -> None:
    # January 10 sold at 1 000, purchase 600 each: profit 4 000.
    # February 10 handed over, 2 returned: revenue 8 000, purchase 8 × 600 → profit 3 200.
    df = frame(
        line("R", D1, 10, 1000, purchase=6000),
        line("R", D2, 10, 1000, status="returned", returned=2, purchase=4800),
    )
    result = explain_profit_change(df, JAN, FEB)
    assert result.change_tiyn == -800
    assert result.components["returns"] == -2000
    assert result.components["purchase_cost"] == 1200
    assert sum(result.components.values()) == -800


def test_rounding_left_over_goes_to_price() -> None:
    # Three SKUs, 3 units each in January, 1 in February: every part is in thirds.
    df = frame(
        *(line(s, D1, 3, 100 + i, purchase=1, advertising=i) for i, s in enumerate("ABC")),
        *(line(s, D2, 1, 100, purchase=1, delivery=1) for s in "ABC"),
    )
    result = explain_profit_change(df, JAN, FEB)
    assert sum(result.components.values()) == result.change_tiyn


def test_missing_cost_skus_left_out_and_listed() -> None:
    df = frame(
        line("K", D1, 1, 1000, purchase=500),
        line("K", D2, 1, 1200, purchase=500),
        line("M", D1, 1, 1000, purchase=500),
        line("M", D2, 1, 1000, purchase=None),
    )
    result = explain_profit_change(df, JAN, FEB)
    assert result.missing_cost_skus == ("M",)
    assert (result.profit_a_tiyn, result.profit_b_tiyn) == (500, 700)
    assert result.components["price"] == 200


def test_sku_with_costs_but_no_units() -> None:
    # only advertising, no sale, in both months: straight into advertising
    df = frame(
        line("AD", D1, 1, 1000, status="cancelled", advertising=300),
        line("AD", D2, 1, 1000, status="cancelled", advertising=500),
    )
    result = explain_profit_change(df, JAN, FEB)
    assert result.change_tiyn == -200
    assert result.components["advertising"] == -200


def test_empty() -> None:
    result = explain_profit_change(frame(), JAN, FEB)
    assert result.change_tiyn == 0
    assert set(result.components.values()) == {0}


cost = st.none() | st.integers(0, 50_000)


@st.composite
def random_line(draw: st.DrawFn) -> dict[str, object]:
    status = draw(st.sampled_from(["received", "returned", "cancelled", "delivering"]))
    qty = draw(st.integers(0, 7))
    returned = draw(st.integers(0, qty)) if status == "returned" else 0
    day = draw(st.sampled_from([D1, D2, D1 + timedelta(days=5), D2 + timedelta(days=3)]))
    return line(
        draw(st.sampled_from(["s1", "s2", "s3", "s4", "s5"])),
        day,
        qty,
        draw(st.integers(1, 100_000)),
        status=status,
        returned=returned,
        purchase=draw(cost),
        commission=draw(st.integers(0, 20_000)),
        delivery=draw(st.integers(0, 5_000)),
        advertising=draw(st.integers(0, 30_000)),
        tax=draw(st.integers(0, 3_000)),
        other=draw(st.integers(0, 1_000)),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(random_line(), max_size=25))
def test_parts_always_add_up_exactly(lines: list[dict[str, object]]) -> None:
    df = frame(*lines)
    result = explain_profit_change(df, JAN, FEB)
    assert sum(result.components.values()) == result.change_tiyn
    assert list(result.components) == list(COMPONENTS)
    known = df.filter(~pl.col("sku").is_in(list(result.missing_cost_skus)))
    jan = known.filter(pl.col("sale_day") < FEB[0])["profit_tiyn"].sum()
    feb = known.filter(pl.col("sale_day") >= FEB[0])["profit_tiyn"].sum()
    assert (result.profit_a_tiyn, result.profit_b_tiyn) == (jan, feb)
