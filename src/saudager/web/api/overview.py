"""``/api/v1/shops/{id}/overview``: the shop at a glance, the same figures as its page."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request

from saudager.domains.dashboard import views
from saudager.web.context import Web
from saudager.web.pages.indicators import FIRST_DAY, LAST_DAY, moment_on


def add_routes(app: FastAPI, web: Web) -> None:
    dashboard = web.services.dashboard
    guard = web.guard

    @app.get("/api/v1/shops/{shop_id}/overview", tags=["overview"])
    def api_overview(
        request: Request,
        shop_id: int,
        as_of: Annotated[
            date | None,
            Query(ge=FIRST_DAY, le=LAST_DAY, description="A local day of the shop, 2000–2099."),
        ] = None,
    ) -> dict[str, Any]:
        """The four indicators with their 90-day trends, the orders to hand over or accept
        today, net revenue and profit of the last 7 and 30 days against the period before,
        and the next Kaspi Жұма with the shop's eligibility. ``as_of``: another local day of
        the shop (default: today), seen at the current local time of day."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        now = None if as_of is None else moment_on(shop, as_of)
        return views.overview_json(dashboard.overview(shop, now))
