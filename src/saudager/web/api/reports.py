"""``/api/v1/shops/{id}/reports/{kind}``: the sales reports, money as exact tenge strings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request

from saudager.core.timewindows import local_day
from saudager.domains.analytics import views as analytics_views
from saudager.domains.analytics.report_views import (
    DEFAULT_TARGET_MARGIN,
    ReportKind,
    build_report,
    period_of,
)
from saudager.domains.quality import views
from saudager.web.api.shop_settings import REFUSED
from saudager.web.context import Web


def add_routes(app: FastAPI, web: Web) -> None:
    @app.get("/api/v1/shops/{shop_id}/reports/{kind}", tags=["sales"], responses=REFUSED)
    def api_report(
        request: Request,
        shop_id: int,
        kind: ReportKind,
        first: Annotated[date | None, Query(alias="from")] = None,
        last: Annotated[date | None, Query(alias="to")] = None,
        by: Literal["revenue", "profit", "units"] = "revenue",
        granularity: Literal["day", "week", "month"] | None = None,
        target_margin: Decimal = DEFAULT_TARGET_MARGIN,
    ) -> dict[str, Any]:
        """A sales report; money as exact tenge strings (see docs/analytics.md)."""
        shop = web.guard.api_shop(web.guard.api_viewer(request), shop_id)
        today = local_day(datetime.now(UTC), shop.timezone)
        period = period_of(first, last, today)
        if period[0] > period[1]:
            raise HTTPException(status_code=422, detail="'from' is after 'to'")
        try:
            report = build_report(
                web.services.analytics, shop, kind, period, today,
                by=by, granularity=granularity, target_margin=target_margin,
            )  # fmt: skip
        except ValueError as exc:  # e.g. XYZ over a period without a whole week
            raise HTTPException(status_code=422, detail=str(exc)) from None
        extra: dict[str, Any] = {}
        if kind == "zhuma":
            # Whether the shop may take part at all: the quality module's verdict.
            extra["eligibility"] = views.zhuma_json(web.services.quality.report(shop, today).zhuma)
        return {
            "report": kind,
            "from": period[0].isoformat(),
            "to": period[1].isoformat(),
            **extra,
            **{name: analytics_views.frame_rows(frame) for name, frame in report.tables.items()},
        }
