"""The frames every sales report is computed from. Money is integer tiyn (1 ₸ = 100 tiyn) in
``Int64`` columns — exact, and fast in Polars — and becomes ``Decimal`` tenge only at the border
(JSON, tables, exports). A cost that is not known is ``null``, never 0.

Input frames (built by the service from the store):

- ``SALES_LINES_SCHEMA``: one row per order line, with its order's fields repeated;
- ``RETURNS_SCHEMA``: returned units per order and SKU;
- ``COSTS_SCHEMA``: purchase cost per SKU with the local day it takes effect;
- ``COMMISSION_SCHEMA``: Kaspi's commission per category and payment mode, in basis points
  (1 % = 100 bp), from a local day on, with its source;
- ``AD_SPEND_SCHEMA``: advertising spend per local day and SKU (or a campaign without SKU).

``COSTED_LINES_SCHEMA`` is a sales line with every cost attached (``costs.cost_lines``); ABC,
product statistics, tops, the profit-change decomposition and the planner all read it.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

_UTC = pl.Datetime("us", "UTC")


class SaleStatus(StrEnum):
    """The four statuses sellers speak of (DOMAIN.md §3), from Kaspi's state and status."""

    DELIVERING = "delivering"  # accepted, on its way (or waiting to be handed over)
    RECEIVED = "received"  # COMPLETED
    RETURNED = "returned"  # RETURNED (or partly returned: see returned_quantity)
    CANCELLED = "cancelled"  # CANCELLED / CANCELLING


SALES_LINES_SCHEMA: dict[str, pl.DataType] = {
    "order_code": pl.String(),
    "line_no": pl.Int32(),
    "sku": pl.String(),
    "product_name": pl.String(),
    "category": pl.String(),
    "quantity": pl.Int64(),
    "unit_price_tiyn": pl.Int64(),
    "line_total_tiyn": pl.Int64(),
    "order_total_tiyn": pl.Int64(),
    "created_at": _UTC,
    "sale_day": pl.Date(),  # created_at's local day in the shop's zone
    "state": pl.String(),
    "status": pl.String(),
    "sale_status": pl.String(),  # a SaleStatus value
    "completed_at": _UTC,
    "cancelled_at": _UTC,
    "payment_mode": pl.String(),  # PREPAID | PAY_WITH_CREDIT | null
    "is_kaspi_delivery": pl.Boolean(),
    "order_delivery_cost_tiyn": pl.Int64(),  # Kaspi's deliveryCostForSeller for the order, or null
    "weight_g": pl.Int64(),  # the product's weight, or null
}

RETURNS_SCHEMA: dict[str, pl.DataType] = {
    "order_code": pl.String(),
    "sku": pl.String(),
    "quantity": pl.Int64(),
    "reason": pl.String(),
    "returned_at": _UTC,
    "return_day": pl.Date(),
}

COSTS_SCHEMA: dict[str, pl.DataType] = {
    "sku": pl.String(),
    "effective_from": pl.Date(),
    "purchase_cost_tiyn": pl.Int64(),
}

COMMISSION_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),  # Kaspi category title or code; "*" for every other category
    "payment_mode": pl.String(),  # PREPAID | PAY_WITH_CREDIT | "*"
    "effective_from": pl.Date(),
    "rate_bp": pl.Int64(),  # basis points of the line's price
    "source": pl.String(),
}

AD_SPEND_SCHEMA: dict[str, pl.DataType] = {
    "day": pl.Date(),
    "sku": pl.String(),  # null: a campaign's spend not tied to one SKU
    "campaign": pl.String(),
    "amount_tiyn": pl.Int64(),
}

#: Every cost of a costed line, in the order reports list them; a line's profit is its net
#: revenue less all of them.
COST_COLUMNS: tuple[str, ...] = (
    "purchase_tiyn",
    "commission_tiyn",
    "delivery_tiyn",
    "advertising_tiyn",
    "tax_tiyn",
    "other_tiyn",
)

#: A sales line with its costs. Every cost column is null when it is not known; ``profit_tiyn``
#: is null when any cost of the line is.
COSTED_LINES_SCHEMA: dict[str, pl.DataType] = {
    **SALES_LINES_SCHEMA,
    "returned_quantity": pl.Int64(),
    "net_quantity": pl.Int64(),  # 0 for cancelled lines
    "net_revenue_tiyn": pl.Int64(),  # price × net quantity: cancellations and returns removed
    "purchase_tiyn": pl.Int64(),
    "commission_tiyn": pl.Int64(),
    "delivery_tiyn": pl.Int64(),
    "advertising_tiyn": pl.Int64(),
    "tax_tiyn": pl.Int64(),
    "other_tiyn": pl.Int64(),  # packaging and per-order costs, shared among the order's lines
    "profit_tiyn": pl.Int64(),
}
