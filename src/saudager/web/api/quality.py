"""``/api/v1/shops/{id}/quality…``: the indicators, their outlook, warnings and history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request

from saudager.core.timewindows import local_day
from saudager.domains.quality import views
from saudager.domains.quality.types import Indicator
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.pages.indicators import FIRST_DAY, LAST_DAY

#: A local day of the shop, within the days the pages may be asked about (outside them the
#: time-zone arithmetic of the windows would overflow).
Day = Annotated[
    date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="A local day of the shop, 2000–2099.")
]


def day_or_today(shop: Shop, as_of: date | None) -> date:
    return as_of or local_day(datetime.now(UTC), shop.timezone)


def add_routes(app: FastAPI, web: Web) -> None:
    quality = web.services.quality
    guard = web.guard

    @app.get("/api/v1/shops/{shop_id}/quality", tags=["quality"])
    def api_quality(request: Request, shop_id: int, as_of: Day = None) -> dict[str, Any]:
        """The indicators (keyed by name), the sanction stage and Kaspi Жұма eligibility."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        return views.report_json(quality.report(shop, day_or_today(shop, as_of)))

    @app.get("/api/v1/shops/{shop_id}/quality/outlook", tags=["quality"])
    def api_quality_outlook(
        request: Request,
        shop_id: int,
        as_of: Day = None,
        days: int = Query(30, ge=1, le=90),
    ) -> dict[str, Any]:
        """Each indicator day by day ahead: if nothing new happens, and at the recent pace."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        day = day_or_today(shop, as_of)
        ahead = quality.outlook(shop, day, days)
        return {"as_of": day.isoformat(), "outlook": views.outlook_json(ahead)}

    @app.get("/api/v1/shops/{shop_id}/quality/warnings", tags=["quality"])
    def api_quality_warnings(request: Request, shop_id: int) -> dict[str, Any]:
        """Orders to hand over or accept before Kaspi counts them against the shop."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        now = datetime.now(UTC)
        return {
            "now": now.isoformat(),
            "warnings": views.warnings_json(quality.warnings(shop, now)),
        }

    @app.get("/api/v1/shops/{shop_id}/quality/history", tags=["quality"])
    def api_quality_history(
        request: Request, shop_id: int, first: Day = None, last: Day = None
    ) -> dict[str, Any]:
        """Stored daily snapshots of every indicator (brought up to date first)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        quality.report(shop, day_or_today(shop, last))
        return {"history": views.history_json(quality.history(shop, first, last))}

    @app.get("/api/v1/shops/{shop_id}/quality/{indicator}", tags=["quality"])
    def api_quality_explain(
        request: Request, shop_id: int, indicator: Indicator, as_of: Day = None
    ) -> dict[str, Any]:
        """One indicator with the exact orders, reviews and returns behind it."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        explanation = quality.explain(shop, indicator, day_or_today(shop, as_of))
        return views.explanation_json(explanation)
