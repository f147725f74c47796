"""The web app factory. Nothing is built at import time; routes only call services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from saudager import __version__
from saudager.wiring import Services

TEMPLATES = Path(__file__).parent / "templates"


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

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "shops.html", {"shops": _overview_json(services), "version": __version__}
        )

    return app
