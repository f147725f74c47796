"""``/api/v1/me`` and ``/api/v1/shops``: who is asking and the shops they may see."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from saudager.domains.shops.service import ShopOverview
from saudager.web.context import Web


def shop_json(row: ShopOverview, role: str) -> dict[str, Any]:
    sync = row.last_sync
    return {
        "id": row.shop.id,
        "name": row.shop.name,
        "timezone": row.shop.timezone,
        "has_token": row.shop.has_token,
        "role": role,
        "orders": row.orders,
        "last_sync": None
        if sync is None
        else {
            "status": sync.status,
            "started_at": sync.started_at.isoformat(),
            "finished_at": sync.finished_at.isoformat() if sync.finished_at else None,
            "orders_seen": sync.orders_seen,
            "orders_written": sync.orders_written,
            "error": sync.error,
        },
    }


def add_routes(app: FastAPI, web: Web) -> None:
    accounts = web.services.accounts

    @app.get("/api/v1/me", tags=["accounts"])
    def api_me(request: Request) -> dict[str, Any]:
        """The user behind the token or session."""
        user = web.guard.api_viewer(request).user
        return {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "language": user.language,
        }

    @app.get("/api/v1/shops", tags=["shops"])
    def api_shops(request: Request) -> dict[str, Any]:
        """The shops the user is a member of, with their role, order count and last sync."""
        viewer = web.guard.api_viewer(request)
        roles = {shop.id: role.value for shop, role in accounts.shops_of(viewer.user.id)}
        rows = web.services.shops.overview(only=set(roles))
        return {"shops": [shop_json(row, roles[row.shop.id]) for row in rows]}
