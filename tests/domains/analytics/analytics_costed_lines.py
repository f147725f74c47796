"""Costed lines built by hand for the analytics tests (``COSTED_LINES_SCHEMA``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from saudager.domains.analytics.types import COSTED_LINES_SCHEMA


def line(
    sku: str,
    day: date,
    qty: int,
    price: int,
    *,
    order: str | None = None,
    status: str = "received",
    returned: int = 0,
    purchase: int | None = 0,
    commission: int | None = 0,
    delivery: int | None = 0,
    advertising: int | None = 0,
    tax: int | None = 0,
    other: int | None = 0,
) -> dict[str, object]:
    """One costed line; costs are totals for the line; profit derived (null when a cost is)."""
    net = 0 if status == "cancelled" else qty - returned
    costs = [purchase, commission, delivery, advertising, tax, other]
    revenue = price * net
    profit = None if any(c is None for c in costs) else revenue - sum(c or 0 for c in costs)
    return {
        "order_code": order or f"{sku}-{day.isoformat()}-{qty}-{status}",
        "line_no": 1,
        "sku": sku,
        "product_name": sku,
        "category": "cat",
        "quantity": qty,
        "unit_price_tiyn": price,
        "line_total_tiyn": price * qty,
        "order_total_tiyn": price * qty,
        "created_at": datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
        "sale_day": day,
        "state": "ARCHIVE",
        "status": "COMPLETED",
        "sale_status": status,
        "completed_at": None,
        "cancelled_at": None,
        "payment_mode": "PREPAID",
        "is_kaspi_delivery": True,
        "order_delivery_cost_tiyn": delivery,
        "weight_g": None,
        "returned_quantity": returned,
        "net_quantity": net,
        "net_revenue_tiyn": revenue,
        "purchase_tiyn": purchase,
        "commission_tiyn": commission,
        "delivery_tiyn": delivery,
        "advertising_tiyn": advertising,
        "tax_tiyn": tax,
        "other_tiyn": other,
        "profit_tiyn": profit,
    }


def frame(*lines: dict[str, object]) -> pl.DataFrame:
    return pl.DataFrame(list(lines), schema=COSTED_LINES_SCHEMA)
