"""``summarize``: per-period revenue, statuses, profit, ratios and missing costs by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from saudager.domains.analytics.summary import SUMMARY_SCHEMA, summarize
from saudager.domains.analytics.types import COSTED_LINES_SCHEMA

D = date


def costed(order: str, day: date, status: str = "received", **kw: Any) -> dict[str, Any]:
    qty: int = kw.pop("quantity", 1)
    net: int = kw.pop("net_quantity", 0 if status == "cancelled" else qty)
    price: int = kw.pop("unit_price_tiyn", 1_000)
    row: dict[str, Any] = dict.fromkeys(COSTED_LINES_SCHEMA)
    costs = {"purchase_tiyn": 400 * net, "commission_tiyn": 100 * net, "delivery_tiyn": 50 * net,
             "advertising_tiyn": 0, "tax_tiyn": 40 * net, "other_tiyn": 10 * net}  # fmt: skip
    costs.update({k: v for k, v in kw.items() if k in costs})
    revenue = price * net
    known = all(v is not None for v in costs.values())
    row.update(
        order_code=order, line_no=1, sku="S1", quantity=qty, unit_price_tiyn=price,
        sale_day=day, sale_status=status, net_quantity=net, net_revenue_tiyn=revenue,
        returned_quantity=qty - net if status != "cancelled" else 0,
        profit_tiyn=revenue - sum(v for v in costs.values() if v is not None) if known else None,
        **costs,
    )  # fmt: skip
    return row


ROWS = [
    costed("A", D(2026, 1, 5)),  # Monday: profit 400
    costed("B", D(2026, 1, 5), "cancelled"),
    costed("C", D(2026, 1, 11), "returned", quantity=2, net_quantity=1),  # Sunday: profit 400
    costed("D", D(2026, 1, 12), "delivering", quantity=3, purchase_tiyn=None),  # missing cost
    costed("E", D(2026, 2, 2)),
    costed("Z", D(2025, 12, 31)),  # outside the range
]
FRAME = pl.DataFrame(ROWS, schema=COSTED_LINES_SCHEMA)


def test_whole_range() -> None:
    out = summarize(FRAME, D(2026, 1, 1), D(2026, 2, 28), None)
    assert out.schema == pl.Schema(SUMMARY_SCHEMA)
    row = out.row(0, named=True)
    assert (row["period_start"], row["period_end"]) == (D(2026, 1, 1), D(2026, 2, 28))
    assert row["revenue_tiyn"] == 1_000 + 1_000 + 3_000 + 1_000
    assert row["orders"] == 4  # B cancelled
    assert [row[f"orders_{s}"] for s in ("delivering", "received", "returned", "cancelled")] == [
        1, 2, 1, 1,
    ]  # fmt: skip
    assert [row[f"units_{s}"] for s in ("delivering", "received", "returned", "cancelled")] == [
        3, 2, 2, 1,
    ]  # fmt: skip
    assert row["units"] == 1 + 1 + 3 + 1
    # profit over lines with every cost known: A, C, E → 400 each; D counted as missing
    assert row["profit_tiyn"] == 1_200
    assert row["lines_missing_cost"] == 1
    assert row["revenue_missing_cost_tiyn"] == 3_000
    assert row["margin"] == pytest.approx(1_200 / 3_000)
    assert row["markup"] == pytest.approx(1_200 / 1_200)
    assert row["average_order_tiyn"] == 1_500  # 6 000 / 4
    assert row["commission_share"] == pytest.approx(600 / 6_000)
    assert row["purchase_tiyn"] == 1_200  # known costs only: D's is missing


def test_iso_weeks_start_on_monday_and_empty_weeks_are_listed() -> None:
    out = summarize(FRAME, D(2026, 1, 1), D(2026, 1, 31), "week")
    # 1 Jan 2026 is a Thursday: its ISO week starts Monday 29 Dec, cut to 1 Jan
    assert out["period_start"].to_list() == [
        D(2026, 1, 1), D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19), D(2026, 1, 26),
    ]  # fmt: skip
    assert out["period_end"].to_list() == [
        D(2026, 1, 4), D(2026, 1, 11), D(2026, 1, 18), D(2026, 1, 25), D(2026, 1, 31),
    ]  # fmt: skip
    assert out["revenue_tiyn"].to_list() == [0, 2_000, 3_000, 0, 0]
    assert out["orders"].to_list() == [0, 2, 1, 0, 0]
    assert out["margin"][0] is None


@pytest.mark.parametrize(("granularity", "periods"), [("day", 59), ("month", 2)])
def test_days_and_months(granularity: str, periods: int) -> None:
    out = summarize(FRAME, D(2026, 1, 1), D(2026, 2, 28), granularity)  # type: ignore[arg-type]
    assert out.height == periods
    assert out["revenue_tiyn"].sum() == 6_000
    if granularity == "month":
        assert out["period_end"].to_list() == [D(2026, 1, 31), D(2026, 2, 28)]
        assert out["revenue_tiyn"].to_list() == [5_000, 1_000]


def test_orders_are_counted_alike_whether_the_lines_come_sorted_by_order_or_not() -> None:
    # Orders of several lines: sorted by code, orders are counted by their first lines; in any
    # other order, by distinct codes. Both must give the same counts.
    rows = [
        {**costed(order, day, status), "line_no": line}
        for order, day, status in (
            ("A", D(2026, 1, 5), "received"),
            ("B", D(2026, 1, 5), "cancelled"),
            ("C", D(2026, 1, 6), "returned"),
            ("D", D(2026, 1, 13), "delivering"),
        )
        for line in (1, 2, 3)
    ]
    in_order = pl.DataFrame(rows, schema=COSTED_LINES_SCHEMA)
    shuffled = in_order.sample(fraction=1.0, shuffle=True, seed=3)
    assert not shuffled["order_code"].is_sorted()
    for granularity in (None, "week"):
        a = summarize(in_order, D(2026, 1, 1), D(2026, 1, 31), granularity)  # type: ignore[arg-type]
        b = summarize(shuffled, D(2026, 1, 1), D(2026, 1, 31), granularity)  # type: ignore[arg-type]
        assert a.equals(b)
    whole = summarize(in_order, D(2026, 1, 1), D(2026, 1, 31), None).row(0, named=True)
    assert whole["orders"] == 3
    assert [whole[f"orders_{s}"] for s in ("delivering", "received", "returned", "cancelled")] == [
        1, 1, 1, 1,
    ]  # fmt: skip
