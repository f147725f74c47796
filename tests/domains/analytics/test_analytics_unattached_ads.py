"""Advertising spent on a day with no sale to carry it still shows, and comes off the profit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from saudager.domains.analytics.costs import cost_lines
from saudager.domains.analytics.rules import AnalyticsRules
from saudager.domains.analytics.summary import summarize
from saudager.domains.analytics.types import (
    AD_SPEND_SCHEMA,
    COMMISSION_SCHEMA,
    COSTS_SCHEMA,
    RETURNS_SCHEMA,
    SALES_LINES_SCHEMA,
)


def test_spend_without_sales_is_shown_and_taken_off_the_profit() -> None:
    line = {name: None for name in SALES_LINES_SCHEMA} | {
        "order_code": "1", "line_no": 1, "sku": "KETTLE", "category": "Чайники", "quantity": 1,
        "unit_price_tiyn": 1_000_000, "line_total_tiyn": 1_000_000, "order_total_tiyn": 1_000_000,
        "created_at": datetime(2026, 3, 2, 5, 0, tzinfo=UTC), "sale_day": date(2026, 3, 2),
        "state": "ARCHIVE", "status": "COMPLETED", "sale_status": "received",
        "payment_mode": "PREPAID", "is_kaspi_delivery": True, "order_delivery_cost_tiyn": 50_000,
    }  # fmt: skip
    lines = pl.DataFrame([line], schema=SALES_LINES_SCHEMA)
    costs = pl.DataFrame([("KETTLE", date(2026, 1, 1), 600_000)], schema=COSTS_SCHEMA, orient="row")
    rates = pl.DataFrame(
        [("*", "*", date(2026, 1, 1), 1000, "test")], schema=COMMISSION_SCHEMA, orient="row"
    )
    ads = pl.DataFrame(
        [(date(2026, 3, 2), "KETTLE", None, 20_000), (date(2026, 3, 3), "KETTLE", None, 30_000)],
        schema=AD_SPEND_SCHEMA, orient="row",
    )  # fmt: skip
    rules = AnalyticsRules(packaging_per_order_tiyn=0, tax_bp=0)
    costed = cost_lines(lines, pl.DataFrame(schema=RETURNS_SCHEMA), costs, rates, ads, rules)
    [row] = summarize(costed, date(2026, 3, 1), date(2026, 3, 31), None, ads).iter_rows(named=True)
    # 10 000 ₸ − 6 000 purchase − 1 000 commission − 500 delivery − 200 ads on 2 March
    # − 300 spent on 3 March, when nothing sold.
    assert row["advertising_tiyn"] == 20_000
    assert row["advertising_unattached_tiyn"] == 30_000
    assert row["profit_tiyn"] == 1_000_000 - 600_000 - 100_000 - 50_000 - 20_000 - 30_000
    [by_day_3] = summarize(costed, date(2026, 3, 3), date(2026, 3, 3), "day", ads).iter_rows(
        named=True
    )
    assert (by_day_3["revenue_tiyn"], by_day_3["profit_tiyn"]) == (0, -30_000)
