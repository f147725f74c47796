"""``/api/v1/shops/{id}/products``: every SKU with its unit economics, and its purchase cost
set by a manager or owner (``PUT …/products/{sku}/cost``). Money as exact tenge strings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Body, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from saudager.core.timewindows import local_day
from saudager.domains.accounts.types import Role
from saudager.domains.analytics.report_views import (
    DEFAULT_TARGET_MARGIN,
    FIRST_DAY,
    LAST_DAY,
    reportable,
)
from saudager.domains.catalog.errors import CostInputError
from saudager.domains.catalog.logic import MAX_COST
from saudager.domains.catalog.views import cost_json, products_json
from saudager.web.context import Web


class PurchaseCost(BaseModel):
    """What one unit costs to buy, from a local day on."""

    model_config = ConfigDict(extra="forbid")

    cost: Decimal = Field(
        ge=0, le=MAX_COST, decimal_places=2, description='Tenge, e.g. 7500 or "7500.50".'
    )
    effective_from: date | None = Field(
        default=None, description="First local day of the cost; default: the shop's today."
    )


def _problem(loc: tuple[str, str], found: object, message: str = "") -> dict[str, Any]:
    """One problem, shaped as FastAPI's own validation errors."""
    text = message or f"{loc[1]}: expected a day from {FIRST_DAY} to {LAST_DAY}, got {found}"
    return {"loc": list(loc), "msg": text, "type": "value_error", "input": str(found)}


def add_routes(app: FastAPI, web: Web) -> None:
    catalog = web.services.catalog
    guard = web.guard

    @app.get("/api/v1/shops/{shop_id}/products", tags=["products"])
    def api_products(
        request: Request,
        shop_id: int,
        as_of: date | None = None,
        target_margin: Annotated[Decimal, Query(ge=0, lt=1)] = DEFAULT_TARGET_MARGIN,
    ) -> dict[str, Any]:
        """Every SKU of the catalog and of the sales with its purchase cost in effect and its
        unit economics over the 30 days ending ``as_of`` (default: yesterday); ``missing``
        names what is not known when the economics cannot be computed."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        day = as_of or local_day(datetime.now(UTC), shop.timezone) - timedelta(days=1)
        if not reportable(day):
            raise HTTPException(status_code=422, detail=[_problem(("query", "as_of"), day)])
        return products_json(catalog.products(shop, day, target_margin))

    @app.put("/api/v1/shops/{shop_id}/products/{sku:path}/cost", tags=["products"])
    def api_set_cost(
        request: Request, shop_id: int, sku: str, body: Annotated[PurchaseCost, Body()]
    ) -> dict[str, Any]:
        """Set the purchase cost of one SKU from a day on (a manager's or owner's right)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        day = body.effective_from or local_day(datetime.now(UTC), shop.timezone)
        try:
            stored = catalog.set_purchase_cost(shop, sku, body.cost, day)
        except CostInputError as exc:
            detail = [_problem(("body", p.field), p.found, str(p)) for p in exc.problems]
            raise HTTPException(status_code=422, detail=detail) from None
        return cost_json(stored)
