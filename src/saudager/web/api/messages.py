"""``/api/v1/shops/{id}/messages…``: the outbox, the statistics, the inbox, and opt-outs the
seller records. Phones are always masked."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, Field

from saudager.core.masking import mask_phone
from saudager.core.timewindows import zone
from saudager.domains.accounts.types import Role
from saudager.domains.messaging.reporting import BadPhone, report_json
from saudager.domains.messaging.views import inbound_json, outbox_json
from saudager.web.api.shop_settings import REFUSED
from saudager.web.context import Web
from saudager.web.pages.indicators import FIRST_DAY, LAST_DAY

Day = Annotated[
    date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="A local day of the shop, 2000–2099.")
]


class NewOptOut(BaseModel):
    phone: str = Field(max_length=40, description="The buyer's phone, e.g. +77011234567.")


def add_routes(app: FastAPI, web: Web) -> None:
    services = web.services
    guard = web.guard

    @app.get("/api/v1/shops/{shop_id}/messages/outbox", tags=["messages"])
    def api_messages_outbox(request: Request, shop_id: int) -> dict[str, Any]:
        """The shop's outbox, oldest first, with each message's state and delivery."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        with services.store.reading() as tx:
            found = tx.outbox_messages(shop.id)
        return {"messages": [outbox_json(m) for m in found]}

    @app.get("/api/v1/shops/{shop_id}/messages/stats", tags=["messages"])
    def api_messages_stats(
        request: Request, shop_id: int, first: Day = None, last: Day = None
    ) -> dict[str, Any]:
        """Per-template counts and review conversion against the holdout, for the local days
        ``first``…``last`` (both included; default: all time)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        tz = zone(shop.timezone)
        since = datetime.combine(first, time(), tz).astimezone(UTC) if first else None
        until = (
            datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC) if last else None
        )
        return report_json(services.reporting.report(shop.id, since, until))

    @app.get("/api/v1/shops/{shop_id}/messages/inbox", tags=["messages"])
    def api_messages_inbox(request: Request, shop_id: int, waiting: bool = False) -> dict[str, Any]:
        """Buyers' messages matched to the shop, newest first (``waiting``: unresolved only)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        with services.store.reading() as tx:
            found = tx.inbound_messages(shop.id, waiting_only=waiting)
        return {"messages": [inbound_json(r) for r in found]}

    @app.post("/api/v1/shops/{shop_id}/messages/optouts", tags=["messages"], responses=REFUSED)
    def api_messages_opt_out(request: Request, shop_id: int, body: NewOptOut) -> dict[str, Any]:
        """Record that the buyer asked the shop to stop writing (manager); their queued
        messages are cancelled. 422 for a phone that is not a Kazakhstan mobile number."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        try:
            stored, added, cancelled = services.reporting.opt_out(shop.id, body.phone)
        except BadPhone as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return {
            "phone": mask_phone(stored.phone),
            "at": stored.at.isoformat(),
            "source": stored.source.value,
            "recorded": added,
            "cancelled": cancelled,
        }
