"""ABC, XYZ and the ABC × XYZ matrix on shops small enough to check on paper."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from analytics_costed_lines import frame, line

from saudager.domains.analytics.abc import (
    RECOMMENDATIONS,
    abc_analysis,
    abc_xyz_matrix,
    iso_weeks,
    xyz_analysis,
)

MON = date(2026, 1, 5)  # a Monday
FIRST, LAST = MON, date(2026, 1, 25)  # three whole ISO weeks


def rows(df: pl.DataFrame) -> list[tuple[object, ...]]:
    return list(df.iter_rows())


def shop() -> pl.DataFrame:
    """Revenues 7 000, 2 000, 600 and 400 ₸: cumulative 70 %, 90 %, 96 %, 100 %."""
    return frame(
        line("P1", MON, 7, 100_000, purchase=500_000),
        line("P2", MON, 2, 100_000, purchase=100_000),
        line("P3", MON, 3, 20_000, purchase=30_000),
        line("P4", MON, 2, 20_000, purchase=10_000),
    )


def test_abc_by_revenue_the_sku_crossing_80_percent_is_a() -> None:
    result = abc_analysis(shop(), FIRST, LAST)
    assert rows(result) == [
        ("P1", 700_000, Decimal("0.7"), Decimal("0.7"), "A"),
        ("P2", 200_000, Decimal("0.2"), Decimal("0.9"), "A"),  # 70 % before it: A
        ("P3", 60_000, Decimal("0.06"), Decimal("0.96"), "B"),  # 90 % before it: B
        ("P4", 40_000, Decimal("0.04"), Decimal("1"), "C"),  # 96 % before it: C
    ]


def test_abc_by_profit_and_units() -> None:
    # profits: P1 200 000, P2 100 000, P3 30 000, P4 30 000 (a tie, broken by SKU)
    # of 360 000: before 0, 55.6 %, 83.3 %, 91.7 %
    by_profit = abc_analysis(shop(), FIRST, LAST, by="profit")
    assert rows(by_profit.select("sku", "value", "class")) == [
        ("P1", 200_000, "A"),
        ("P2", 100_000, "A"),
        ("P3", 30_000, "B"),
        ("P4", 30_000, "B"),
    ]
    assert by_profit["cumulative_share"].to_list()[-1] == Decimal(1)
    by_units = abc_analysis(shop(), FIRST, LAST, by="units")
    # units 7, 3, 2, 2 of 14: before 0, 50, 71.4, 85.7 %
    assert rows(by_units.select("sku", "value", "class")) == [
        ("P1", 7, "A"),
        ("P3", 3, "A"),
        ("P2", 2, "A"),
        ("P4", 2, "B"),
    ]
    assert by_units["cumulative_share"].to_list()[-1] == Decimal(1)


def test_abc_cumulative_share_ends_at_exactly_one_with_thirds() -> None:
    df = frame(*(line(f"S{i}", MON, 1, 100) for i in range(3)))
    result = abc_analysis(df, FIRST, LAST)
    assert result["share"].to_list() == [Decimal("0.333333")] * 3
    assert result["cumulative_share"].to_list() == [
        Decimal("0.333333"),
        Decimal("0.666667"),
        Decimal("1"),
    ]
    # ties sorted by SKU; before: 0, 1/3, 2/3 → A, A, A
    assert result["sku"].to_list() == ["S0", "S1", "S2"]
    assert result["class"].to_list() == ["A", "A", "A"]


def test_abc_all_zero_values_are_c() -> None:
    df = frame(
        line("Z1", MON, 2, 100, status="cancelled"),
        line("Z2", MON, 1, 100, status="cancelled"),
    )
    result = abc_analysis(df, FIRST, LAST)
    assert rows(result) == [
        ("Z1", 0, Decimal(0), Decimal(0), "C"),
        ("Z2", 0, Decimal(0), Decimal(0), "C"),
    ]


def test_abc_by_profit_loss_makers_last_and_missing_cost_listed() -> None:
    df = frame(
        line("GOOD", MON, 1, 1000, purchase=400),  # profit 600
        line("LOSS", MON, 1, 1000, purchase=1300),  # profit −300
        line("ZERO", MON, 1, 1000, purchase=1000),  # profit 0
        line("NOCOST", MON, 1, 5000, purchase=None),  # profit unknown
    )
    result = abc_analysis(df, FIRST, LAST, by="profit")
    assert rows(result) == [
        ("GOOD", 600, Decimal(1), Decimal(1), "A"),
        ("ZERO", 0, Decimal(0), Decimal(1), "C"),
        ("LOSS", -300, Decimal(0), Decimal(1), "C"),
        ("NOCOST", None, None, None, "—"),
    ]
    # by revenue the SKU without a cost is ranked like any other
    assert abc_analysis(df, FIRST, LAST)["sku"].to_list()[0] == "NOCOST"


def test_abc_only_period_lines_and_bad_arguments() -> None:
    df = frame(line("IN", MON, 1, 100), line("OUT", date(2026, 2, 1), 5, 100))
    assert abc_analysis(df, FIRST, LAST)["sku"].to_list() == ["IN"]
    assert abc_analysis(frame(), FIRST, LAST).is_empty()
    with pytest.raises(ValueError, match="0 < a ≤ b ≤ 1"):
        abc_analysis(df, FIRST, LAST, a_bound=Decimal("0.9"), b_bound=Decimal("0.8"))
    with pytest.raises(ValueError, match="expected one of"):
        abc_analysis(df, FIRST, LAST, by="margin")  # type: ignore[arg-type]


def test_abc_custom_bounds() -> None:
    result = abc_analysis(shop(), FIRST, LAST, a_bound=Decimal("0.5"), b_bound=Decimal("0.9"))
    assert result["class"].to_list() == ["A", "B", "C", "C"]  # before: 0, 70, 90, 96 %


def weekly(sku: str, units: list[int]) -> list[dict[str, object]]:
    return [
        line(sku, date.fromordinal(MON.toordinal() + 7 * i + 2), u, 100)
        for i, u in enumerate(units)
        if u
    ]


def test_iso_weeks_only_whole_weeks_inside() -> None:
    assert iso_weeks(date(2026, 1, 1), date(2026, 1, 25)) == [
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
    ]
    assert iso_weeks(date(2026, 1, 6), date(2026, 1, 12)) == []


def test_xyz_classes_with_empty_weeks_and_exact_boundary() -> None:
    df = frame(
        *weekly("STEADY", [10, 10, 10]),  # cv 0 → X
        *weekly("NEAR", [11, 9, 10]),  # cv² = 6/900, cv 0.082 → X
        *weekly("SWING", [12, 8, 10]),  # cv² = 24/900, cv 0.163 → Y
        *weekly("GAP", [10, 0, 10]),  # an empty week counts as 0: cv² = 1/2 → Z
        *weekly("EDGE", [11, 9]),  # 11, 9 and an empty third week: cv² = 206/400 → Z
        line("DEAD", MON, 1, 100, status="cancelled"),  # no units at all → Z, cv null
        line("EARLY", date(2026, 1, 4), 5, 100),  # a partial week before: outside every week
    )
    result = xyz_analysis(df, date(2026, 1, 4), LAST)
    got = {r["sku"]: r for r in result.iter_rows(named=True)}
    assert got["STEADY"]["class"] == "X"
    assert got["STEADY"]["cv"] == 0
    assert got["NEAR"]["class"] == "X"
    assert got["SWING"]["class"] == "Y"
    assert got["SWING"]["cv"] == pytest.approx(0.163299, abs=1e-6)
    assert got["GAP"]["class"] == "Z"
    assert got["GAP"]["units"] == 20
    assert got["GAP"]["cv"] == pytest.approx(0.5**0.5)
    assert got["EDGE"]["class"] == "Z"  # 11, 9, 0 over three weeks
    assert got["DEAD"]["class"] == "Z"
    assert got["DEAD"]["cv"] is None
    assert got["EARLY"]["units"] == 0
    assert got["EARLY"]["class"] == "Z"
    assert set(result["weeks"].to_list()) == {3}


def test_xyz_cv_exactly_on_the_bound_is_x() -> None:
    # two weeks, 11 and 9: cv² = (2·202 − 400)/400 = 1/100, cv exactly 0.10 → X
    df = frame(*weekly("B", [11, 9]))
    result = xyz_analysis(df, MON, date(2026, 1, 18))
    assert result["class"].to_list() == ["X"]
    assert xyz_analysis(df, MON, date(2026, 1, 18), cv_x=0.099)["class"].to_list() == ["Y"]


def test_xyz_needs_a_whole_week() -> None:
    with pytest.raises(ValueError, match="whole ISO week"):
        xyz_analysis(frame(), date(2026, 1, 6), date(2026, 1, 11))


def test_abc_xyz_matrix_counts_shares_and_advice() -> None:
    df = frame(
        *weekly("P1", [10, 10, 10]),  # revenue 3 000 → AX
        *weekly("P2", [3, 0, 3]),  # revenue 600 → AZ
        *weekly("P3", [1, 1, 1]),  # revenue 300 → BX
        *weekly("P4", [1, 0, 0]),  # 100 → CZ
    )
    # revenues 3000, 600, 300, 100 of 4000: before 0, 75, 90, 97.5 % → A, A, B, C
    matrix = abc_xyz_matrix(df, MON, LAST)
    assert matrix["cell"].to_list() == list(RECOMMENDATIONS)
    cells = {r["cell"]: r for r in matrix.iter_rows(named=True)}
    assert (cells["AX"]["skus"], cells["AX"]["revenue_tiyn"]) == (1, 3000)
    assert cells["AX"]["revenue_share"] == Decimal("0.75")
    assert (cells["AZ"]["skus"], cells["AZ"]["revenue_share"]) == (1, Decimal("0.15"))
    assert (cells["BX"]["skus"], cells["BX"]["revenue_share"]) == (1, Decimal("0.075"))
    assert (cells["CZ"]["skus"], cells["CZ"]["revenue_share"]) == (1, Decimal("0.025"))
    assert sum(matrix["skus"].to_list()) == 4
    assert cells["CZ"]["recommendation_en"] == "Candidate to drop"
    assert "Жұма" in cells["AX"]["recommendation_ru"]
    assert all(matrix["recommendation_ru"].to_list()) and all(matrix["recommendation_en"])
