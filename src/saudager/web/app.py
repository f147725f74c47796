"""The web app factory. Nothing is built at import time; routes only call services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from saudager import __version__
from saudager.core.errors import NotFoundError
from saudager.core.timewindows import local_day
from saudager.domains.analytics import report_views
from saudager.domains.analytics import views as analytics_views
from saudager.domains.quality import views
from saudager.domains.quality.types import Indicator
from saudager.domains.shops.types import Shop
from saudager.wiring import Services

TEMPLATES = Path(__file__).parent / "templates"
ReportKind = Literal[
    "summary",
    "abc",
    "xyz",
    "matrix",
    "products",
    "tops",
    "profit-change",
    "unit-economics",
    "zhuma",
]


def _overview_json(services: Services) -> list[dict[str, Any]]:
    return [
        {
            "id": row.shop.id,
            "name": row.shop.name,
            "timezone": row.shop.timezone,
            "has_token": row.shop.has_token,
            "orders": row.orders,
            "last_sync": None
            if row.last_sync is None
            else {
                "status": row.last_sync.status,
                "started_at": row.last_sync.started_at.isoformat(),
                "finished_at": row.last_sync.finished_at.isoformat()
                if row.last_sync.finished_at
                else None,
                "orders_seen": row.last_sync.orders_seen,
                "orders_written": row.last_sync.orders_written,
                "error": row.last_sync.error,
            },
        }
        for row in services.shops.overview()
    ]


def create_app(services: Services) -> FastAPI:
    app = FastAPI(
        title="Saudager",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=str(TEMPLATES))

    @app.get("/health")
    def health() -> dict[str, str]:
        with services.store.transaction() as tx:
            tx.list_shops()  # proves the database answers
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/shops")
    def api_shops() -> dict[str, Any]:
        return {"shops": _overview_json(services)}

    def shop_or_404(shop_id: int) -> Shop:
        try:
            with services.store.transaction() as tx:
                return tx.get_shop(shop_id)
        except NotFoundError:
            raise HTTPException(status_code=404, detail=f"no shop {shop_id}") from None

    def day_or_today(shop: Shop, as_of: date | None) -> date:
        return as_of or local_day(datetime.now(UTC), shop.timezone)

    @app.get("/api/v1/shops/{shop_id}/quality")
    def api_quality(shop_id: int, as_of: date | None = None) -> dict[str, Any]:
        """The indicators (keyed by name), the sanction stage and Kaspi Жұма eligibility."""
        shop = shop_or_404(shop_id)
        return views.report_json(services.quality.report(shop, day_or_today(shop, as_of)))

    @app.get("/api/v1/shops/{shop_id}/quality/outlook")
    def api_quality_outlook(
        shop_id: int, as_of: date | None = None, days: int = Query(30, ge=1, le=90)
    ) -> dict[str, Any]:
        """Each indicator day by day ahead: if nothing new happens, and at the recent pace."""
        shop = shop_or_404(shop_id)
        day = day_or_today(shop, as_of)
        ahead = services.quality.outlook(shop, day, days)
        return {"as_of": day.isoformat(), "outlook": views.outlook_json(ahead)}

    @app.get("/api/v1/shops/{shop_id}/quality/warnings")
    def api_quality_warnings(shop_id: int) -> dict[str, Any]:
        """Orders to hand over or accept before Kaspi counts them against the shop."""
        shop = shop_or_404(shop_id)
        now = datetime.now(UTC)
        found = services.quality.warnings(shop, now)
        return {"now": now.isoformat(), "warnings": views.warnings_json(found)}

    @app.get("/api/v1/shops/{shop_id}/quality/history")
    def api_quality_history(
        shop_id: int, first: date | None = None, last: date | None = None
    ) -> dict[str, Any]:
        """Stored daily snapshots of every indicator (brought up to date first)."""
        shop = shop_or_404(shop_id)
        services.quality.report(shop, day_or_today(shop, last))
        return {"history": views.history_json(services.quality.history(shop, first, last))}

    @app.get("/api/v1/shops/{shop_id}/quality/{indicator}")
    def api_quality_explain(
        shop_id: int, indicator: Indicator, as_of: date | None = None
    ) -> dict[str, Any]:
        """One indicator with the exact orders, reviews and returns behind it."""
        shop = shop_or_404(shop_id)
        explanation = services.quality.explain(shop, indicator, day_or_today(shop, as_of))
        return views.explanation_json(explanation)

    @app.get("/api/v1/shops/{shop_id}/reports/{kind}")
    def api_report(
        shop_id: int,
        kind: ReportKind,
        first: Annotated[date | None, Query(alias="from")] = None,
        last: Annotated[date | None, Query(alias="to")] = None,
        by: Literal["revenue", "profit", "units"] = "revenue",
        granularity: Literal["day", "week", "month"] | None = None,
        target_margin: Decimal = Decimal("0.15"),
    ) -> dict[str, Any]:
        """A sales report; money as exact tenge strings (see docs/analytics.md)."""
        shop = shop_or_404(shop_id)
        today = local_day(datetime.now(UTC), shop.timezone)
        end = last or today - timedelta(days=1)
        period = (first or end - timedelta(days=29), end)
        if period[0] > period[1]:
            raise HTTPException(status_code=422, detail="'from' is after 'to'")
        try:
            tables = _report_tables(kind, shop, period, today, by, granularity, target_margin)
        except ValueError as exc:  # e.g. XYZ over a period without a whole week
            raise HTTPException(status_code=422, detail=str(exc)) from None
        extra: dict[str, Any] = {}
        if kind == "zhuma":
            # Whether the shop may take part at all: the quality module's verdict.
            extra["eligibility"] = views.zhuma_json(services.quality.report(shop, today).zhuma)
        return {
            "report": kind,
            "from": period[0].isoformat(),
            "to": period[1].isoformat(),
            **extra,
            **{name: analytics_views.frame_rows(frame) for name, frame in tables.items()},
        }

    def _report_tables(
        kind: str,
        shop: Shop,
        period: tuple[date, date],
        today: date,
        by: Literal["revenue", "profit", "units"],
        granularity: Literal["day", "week", "month"] | None,
        target_margin: Decimal,
    ) -> dict[str, pl.DataFrame]:
        service = services.analytics
        sales = service.sales(shop)
        tables: dict[str, pl.DataFrame]
        if kind == "summary":
            tables = {"summary": service.summary(sales, period, granularity)}
        elif kind == "abc":
            tables = {"abc": service.abc(sales, period, by)}
        elif kind == "xyz":
            tables = {"xyz": service.xyz(sales, period)}
        elif kind == "matrix":
            tables = {"matrix": service.matrix(sales, period, by)}
        elif kind == "products":
            tables = {"products": service.products(sales, period, None)}
        elif kind == "tops":
            tables = dict(service.tops(sales, period))
        elif kind == "profit-change":
            tables = {"profit_change": service.profit_change(sales, period, None).frame()}
        elif kind == "unit-economics":
            rows = service.unit_economics(sales, period[1], target_margin)
            tables = {"unit_economics": report_views.economics_frame(rows)}
        else:
            plan = service.zhuma(sales, today)
            tables = {}
            if plan.plan is not None:
                tables["stock_plan"] = plan.plan.frame()
            if plan.losses is not None:
                tables["unprofitable_at_zhuma"] = plan.losses.frame()
        return tables

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "shops.html", {"shops": _overview_json(services), "version": __version__}
        )

    return app
