"""The products view as JSON-ready data: money as exact tenge strings, ratios as decimal
strings, dates ISO (the shape of ``domains.analytics.views``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from saudager.domains.analytics.economics import UnitEconomics
from saudager.domains.analytics.views import tenge
from saudager.domains.catalog.types import ProductCost, ProductEconomics, ProductsView


def _ratio(value: object) -> str | None:
    return None if value is None else str(value)


def cost_json(cost: ProductCost) -> dict[str, Any]:
    return {
        "sku": cost.sku,
        "purchase_cost": str(cost.purchase_cost.quantize(Decimal("0.01"))),
        "effective_from": cost.effective_from.isoformat(),
    }


def economics_json(unit: UnitEconomics | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {
        "price": tenge(unit.price_tiyn),
        "purchase": tenge(unit.purchase_tiyn),
        "commission": tenge(unit.commission_tiyn),
        "commission_bp": unit.commission_bp,
        "delivery": tenge(unit.delivery_tiyn),
        "other": tenge(unit.other_tiyn),
        "tax": tenge(unit.tax_tiyn),
        "profit": tenge(unit.profit_tiyn),
        "margin": _ratio(unit.margin),
        "markup": _ratio(unit.markup),
        "break_even_price": tenge(unit.break_even_price_tiyn),
        "target_margin": _ratio(unit.target_margin),
        "target_price": tenge(unit.target_price_tiyn),
        "zhuma": economics_json(unit.juma),
    }


def product_json(row: ProductEconomics) -> dict[str, Any]:
    return {
        "sku": row.sku,
        "name": row.name,
        "category": row.category,
        "stock": row.stock,
        "in_catalog": row.in_catalog,
        "purchase_cost": None if row.cost is None else cost_json(row.cost),
        "economics": economics_json(row.economics),
        "missing": list(row.missing),
    }


def products_json(view: ProductsView) -> dict[str, Any]:
    return {
        "as_of": view.as_of.isoformat(),
        "from": view.first_day.isoformat(),
        "target_margin": str(view.target_margin),
        "last_sale_day": None if view.last_sale_day is None else view.last_sale_day.isoformat(),
        "products": [product_json(row) for row in view.rows],
    }
