"""``cost_lines``: every cost hand-computed (money in tiyn, 1 ₸ = 100 tiyn)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from saudager.domains.analytics.commission_defaults import COMMISSION_ROWS, default_commissions
from saudager.domains.analytics.costs import cost_lines, split_exact
from saudager.domains.analytics.rules import AnalyticsRules, DeliveryBand, DeliveryTariff
from saudager.domains.analytics.types import (
    AD_SPEND_SCHEMA,
    COMMISSION_SCHEMA,
    COSTED_LINES_SCHEMA,
    COSTS_SCHEMA,
    RETURNS_SCHEMA,
    SALES_LINES_SCHEMA,
)

D = date


def line(order: str, line_no: int = 1, **kw: Any) -> dict[str, Any]:
    day: date = kw.pop("sale_day", D(2026, 1, 15))
    qty: int = kw.pop("quantity", 1)
    price: int = kw.pop("unit_price_tiyn", 10_000_00)
    row: dict[str, Any] = {
        "order_code": order,
        "line_no": line_no,
        "sku": "S1",
        "product_name": "Товар",
        "category": "Cat",
        "quantity": qty,
        "unit_price_tiyn": price,
        "line_total_tiyn": qty * price,
        "order_total_tiyn": qty * price,
        "created_at": datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
        "sale_day": day,
        "state": "KASPI_DELIVERY",
        "status": "COMPLETED",
        "sale_status": "received",
        "completed_at": None,
        "cancelled_at": None,
        "payment_mode": "PREPAID",
        "is_kaspi_delivery": True,
        "order_delivery_cost_tiyn": 0,
        "weight_g": 1_000,
    }
    row.update(kw)
    return row


def frame(rows: list[dict[str, Any]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema)


COSTS = frame(
    [
        {"sku": "S1", "effective_from": D(2026, 1, 1), "purchase_cost_tiyn": 5_000_00},
        {"sku": "S1", "effective_from": D(2026, 2, 1), "purchase_cost_tiyn": 6_000_00},
    ],
    COSTS_SCHEMA,
)
FLAT_10 = frame(
    [{"category": "*", "payment_mode": "*", "effective_from": D(2020, 1, 1), "rate_bp": 1000,
      "source": "test"}],
    COMMISSION_SCHEMA,
)  # fmt: skip
NO_RETURNS = pl.DataFrame(schema=RETURNS_SCHEMA)
NO_ADS = pl.DataFrame(schema=AD_SPEND_SCHEMA)
RULES = AnalyticsRules(tax_bp=400, packaging_per_order_tiyn=100_00, other_per_order_tiyn=0)


def run(
    rows: list[dict[str, Any]],
    *,
    returns: pl.DataFrame = NO_RETURNS,
    costs: pl.DataFrame = COSTS,
    commissions: pl.DataFrame = FLAT_10,
    ads: pl.DataFrame = NO_ADS,
    rules: AnalyticsRules = RULES,
    tariff: DeliveryTariff | None = None,
) -> pl.DataFrame:
    out = cost_lines(
        frame(rows, SALES_LINES_SCHEMA), returns, costs, commissions, ads, rules,
        delivery_tariff=tariff,
    )  # fmt: skip
    assert out.schema == pl.Schema(COSTED_LINES_SCHEMA)
    return out


def test_one_line_every_cost_by_hand() -> None:
    # 2 units × 10 000 ₸, delivery 1 500 ₸, cost 5 000 ₸, commission 10 %, tax 4 %, packaging 100 ₸
    out = run([line("A", quantity=2, order_delivery_cost_tiyn=1_500_00)]).row(0, named=True)
    assert out["net_quantity"] == 2
    assert out["net_revenue_tiyn"] == 20_000_00
    assert out["purchase_tiyn"] == 10_000_00
    assert out["commission_tiyn"] == 2_000_00
    assert out["delivery_tiyn"] == 1_500_00
    assert out["advertising_tiyn"] == 0
    assert out["tax_tiyn"] == 800_00
    assert out["other_tiyn"] == 100_00
    assert out["profit_tiyn"] == 20_000_00 - 10_000_00 - 2_000_00 - 1_500_00 - 800_00 - 100_00


@pytest.mark.parametrize(
    ("day", "purchase"),
    [
        (D(2025, 12, 31), None),  # before any cost: missing, not 0
        (D(2026, 1, 1), 5_000_00),  # the day it takes effect
        (D(2026, 1, 31), 5_000_00),
        (D(2026, 2, 1), 6_000_00),  # the new cost, from its first day
        (D(2026, 3, 9), 6_000_00),
    ],
)
def test_purchase_cost_effective_on_the_sale_day(day: date, purchase: int | None) -> None:
    out = run([line("A", sale_day=day)]).row(0, named=True)
    assert out["purchase_tiyn"] == purchase
    assert (out["profit_tiyn"] is None) == (purchase is None)


def test_missing_cost_is_null_and_a_cancelled_line_costs_nothing() -> None:
    rows = [
        line("A", sku="NOCOST"),
        line("B", sku="NOCOST", sale_status="cancelled", status="CANCELLED"),
    ]
    out = run(rows)
    assert out["purchase_tiyn"].to_list() == [None, 0]
    assert out["profit_tiyn"][0] is None
    assert out["net_quantity"].to_list() == [1, 0]
    # the cancelled order: no revenue, no commission, no tax, no packaging, no delivery
    cancelled = out.row(1, named=True)
    assert [cancelled[c] for c in ("net_revenue_tiyn", "commission_tiyn", "tax_tiyn",
                                   "other_tiyn", "delivery_tiyn", "profit_tiyn")] == [0] * 6  # fmt: skip


def test_packaging_not_set_leaves_profit_missing() -> None:
    out = run([line("A")], rules=AnalyticsRules()).row(0, named=True)
    assert out["other_tiyn"] is None
    assert out["profit_tiyn"] is None


def test_return_after_the_period_reduces_net_quantity() -> None:
    returns = frame(
        [{"order_code": "A", "sku": "S1", "quantity": 1, "reason": "DEFECT",
          "returned_at": datetime(2026, 3, 5, tzinfo=UTC), "return_day": D(2026, 3, 5)}],
        RETURNS_SCHEMA,
    )  # fmt: skip
    out = run([line("A", quantity=3, sale_day=D(2026, 1, 10))], returns=returns).row(0, named=True)
    assert (out["returned_quantity"], out["net_quantity"]) == (1, 2)
    assert out["net_revenue_tiyn"] == 20_000_00
    assert out["purchase_tiyn"] == 10_000_00  # the returned unit goes back to stock
    assert out["commission_tiyn"] == 2_000_00


def test_returns_fill_lines_of_one_sku_in_line_order() -> None:
    returns = frame(
        [{"order_code": "A", "sku": "S1", "quantity": 3, "reason": None, "returned_at": None,
          "return_day": None}],
        RETURNS_SCHEMA,
    )  # fmt: skip
    out = run([line("A", 1, quantity=2), line("A", 2, quantity=2)], returns=returns)
    assert out["returned_quantity"].to_list() == [2, 1]
    assert out["net_quantity"].to_list() == [0, 1]


def test_delivery_and_packaging_split_by_line_total_sum_exactly() -> None:
    rows = [line("A", n, unit_price_tiyn=100, order_delivery_cost_tiyn=1000) for n in (1, 2, 3)]
    out = run(rows)
    assert out["delivery_tiyn"].to_list() == [334, 333, 333]
    assert out["other_tiyn"].to_list() == [3334, 3333, 3333]  # 100 ₸ packaging


def test_advertising_by_units_per_sku_and_by_revenue_per_day() -> None:
    rows = [
        line("A", 1, quantity=1, unit_price_tiyn=300),
        line("A", 2, quantity=2, unit_price_tiyn=100),
        line("B", 1, sku="S2", quantity=1, unit_price_tiyn=500),
        line("C", 1, sku="S1", sale_day=D(2026, 1, 16)),
    ]
    ads = frame(
        [
            {"day": D(2026, 1, 15), "sku": "S1", "campaign": "c1", "amount_tiyn": 100},
            {"day": D(2026, 1, 15), "sku": None, "campaign": "all", "amount_tiyn": 1_000},
        ],
        AD_SPEND_SCHEMA,
    )
    out = run(rows, ads=ads)
    # S1 spend 100 by units 1:2 → 33.3 / 66.7 → 33 + 1 (largest remainder goes to the 2-unit line)
    # day spend 1 000 by line totals 300:200:500 → 300, 200, 500
    assert out["advertising_tiyn"].to_list() == [33 + 300, 67 + 200, 500, 0]
    assert out["advertising_tiyn"].sum() == 1_100


def test_advertising_days_outside_the_spend_and_lines_not_in_day_order() -> None:
    # Spend on the 14th and 16th (none on the 15th); lines of the 13th, 15th and 17th take none,
    # whatever their order; a SKU's spend on a day it did not sell is carried by no line.
    rows = [
        line("A", 1, sale_day=D(2026, 1, 16), unit_price_tiyn=100),
        line("B", 1, sale_day=D(2026, 1, 13)),
        line("C", 1, sale_day=D(2026, 1, 14), unit_price_tiyn=100),
        line("D", 1, sale_day=D(2026, 1, 15)),
        line("E", 1, sale_day=D(2026, 1, 16), unit_price_tiyn=300),
        line("F", 1, sale_day=D(2026, 1, 17)),
    ]
    ads = frame(
        [
            {"day": D(2026, 1, 14), "sku": None, "campaign": "all", "amount_tiyn": 70},
            {"day": D(2026, 1, 16), "sku": None, "campaign": "all", "amount_tiyn": 10},
            {"day": D(2026, 1, 16), "sku": None, "campaign": "more", "amount_tiyn": 1},
            {"day": D(2026, 1, 15), "sku": "S9", "campaign": "c9", "amount_tiyn": 500},
        ],
        AD_SPEND_SCHEMA,
    )
    out = run(rows, ads=ads)
    # the 16th: 11 by line totals 100:300 → 2.75 / 8.25 → 2 + 1 (remainder .75 > .25) and 8
    assert out["advertising_tiyn"].to_list() == [3, 0, 70, 0, 8, 0]


@pytest.mark.parametrize(
    ("category", "mode", "day", "rate_bp"),
    [
        ("Cat", "PAY_WITH_CREDIT", D(2026, 1, 31), 800),  # the credit row is not yet in effect
        ("Cat", "PAY_WITH_CREDIT", D(2026, 2, 1), 1000),  # exact (category, mode)
        ("Cat", "PREPAID", D(2026, 2, 1), 800),  # (category, *)
        ("Cat", None, D(2026, 2, 1), 800),  # unknown mode: (category, *)
        ("Other", "PREPAID", D(2026, 2, 1), 1250),  # (*, *)
    ],
)
def test_commission_as_of_with_fallback(
    category: str, mode: str | None, day: date, rate_bp: int
) -> None:
    commissions = frame(
        [
            {"category": "Cat", "payment_mode": "PAY_WITH_CREDIT",
             "effective_from": D(2026, 2, 1), "rate_bp": 1000, "source": "t"},
            {"category": "Cat", "payment_mode": "*", "effective_from": D(2026, 1, 1),
             "rate_bp": 800, "source": "t"},
            {"category": "*", "payment_mode": "*", "effective_from": D(2026, 1, 1),
             "rate_bp": 1250, "source": "t"},
        ],
        COMMISSION_SCHEMA,
    )  # fmt: skip
    out = run(
        [line("A", category=category, payment_mode=mode, sale_day=day)], commissions=commissions
    )
    assert out["commission_tiyn"][0] == 10_000_00 * rate_bp // 10_000


@pytest.mark.parametrize(("price", "commission"), [(1005, 50), (1010, 51), (1030, 52)])
def test_commission_rounds_half_up_to_the_tiyn(price: int, commission: int) -> None:
    five = FLAT_10.with_columns(rate_bp=pl.lit(500, pl.Int64))
    out = run([line("A", unit_price_tiyn=price)], commissions=five)
    assert out["commission_tiyn"][0] == commission  # 50.25 → 50; 50.5 → 51; 51.5 → 52


def test_no_commission_row_at_all_is_missing() -> None:
    out = run([line("A")], commissions=pl.DataFrame(schema=COMMISSION_SCHEMA))
    assert out["commission_tiyn"][0] is None
    assert out["profit_tiyn"][0] is None


def test_delivery_from_the_tariff_when_kaspi_sends_none() -> None:
    tariff = DeliveryTariff(
        bands=(DeliveryBand(cost_tiyn=500_00, max_weight_g=3_000), DeliveryBand(cost_tiyn=900_00)),
        source="test",
    )
    rows = [
        line("A", 1, quantity=2, weight_g=1_000, order_delivery_cost_tiyn=None),  # 2 kg → 500 ₸
        line("B", 1, quantity=4, weight_g=1_000, order_delivery_cost_tiyn=None),  # 4 kg → 900 ₸
        line("C", 1, weight_g=None, order_delivery_cost_tiyn=None),  # unknown weight → 900 ₸
        line("D", 1, order_delivery_cost_tiyn=None, is_kaspi_delivery=False),  # unknown
    ]
    out = run(rows, tariff=tariff)
    assert out["delivery_tiyn"].to_list() == [500_00, 900_00, 900_00, None]


def test_default_commission_table_shape() -> None:
    table = default_commissions()
    assert table.schema == pl.Schema(COMMISSION_SCHEMA)
    assert ("*", "*") in {(r[0], r[1]) for r in COMMISSION_ROWS}
    assert table["source"].str.contains("Admjral/cube-demper-full").all()
    out = run([line("A", category="Украшения", sale_day=D(2026, 2, 1))], commissions=table)
    assert out["commission_tiyn"][0] == 1_550_00  # 15.5 % with VAT


@given(
    amount=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12),
)
def test_split_exact_always_sums_to_the_amount(amount: int, weights: list[int]) -> None:
    df = pl.DataFrame({"g": [1] * len(weights), "a": [amount] * len(weights), "w": weights})
    parts = split_exact(df, amount="a", weight="w", group=["g"], out="p")["p"].to_list()
    assert sum(parts) == amount
    assert all(p >= 0 for p in parts)
    total = sum(weights)
    if total:  # each part is within one tiyn of its exact share
        assert all(abs(p * total - amount * w) < total for p, w in zip(parts, weights, strict=True))


def largest_remainder(amount: int, weights: list[int]) -> list[int]:
    """The rule written out plainly: floors, then one tiyn each to the largest remainders,
    the earlier row first among equals; all-zero weights split equally."""
    if not any(weights):
        weights = [1] * len(weights)
    total = sum(weights)
    parts = [amount * w // total for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in order[: amount - sum(parts)]:
        parts[i] += 1
    return parts


def split_groups(groups: list[tuple[int, list[int]]], rng: random.Random) -> None:
    """split_exact over the groups, their rows interleaved, against ``largest_remainder``."""
    rows = [(g, amount, w, k) for g, (amount, ws) in enumerate(groups) for k, w in enumerate(ws)]
    # Groups interleave at random; each group's rows keep their order (ties go by it).
    shuffled = sorted(rows, key=lambda r: (r[3], rng.random()))
    df = pl.DataFrame(
        {"g": [r[0] for r in shuffled], "a": [r[1] for r in shuffled],
         "w": [r[2] for r in shuffled]},
        schema={"g": pl.Int64, "a": pl.Int64, "w": pl.Int64},
    )  # fmt: skip
    parts = split_exact(df, amount="a", weight="w", group=["g"], out="p")["p"].to_list()
    got: dict[int, list[int]] = {}
    for (g, *_), part in zip(shuffled, parts, strict=True):
        got.setdefault(g, []).append(part)
    for g, (amount, weights) in enumerate(groups):
        assert got[g] == largest_remainder(amount, weights), (amount, weights)


@given(
    groups=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10**12),
            st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12),
        ),
        min_size=1,
        max_size=8,
    ),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_split_exact_is_the_largest_remainder_rule(
    groups: list[tuple[int, list[int]]], seed: int
) -> None:
    split_groups(groups, random.Random(seed))


def test_split_exact_ranks_thousands_of_groups_together_the_same_way() -> None:
    # Beyond a couple of thousand groups to round up, they are ranked by one sort rather than
    # one by one: the same rule either way, ties included (small weights make many).
    rng = random.Random(5)
    groups = [
        (rng.randrange(0, 50_000), [rng.randrange(0, 4) for _ in range(rng.randrange(1, 13))])
        for _ in range(6_000)
    ]
    split_groups(groups, rng)
