"""``/api/v1/shops/{id}/messages/…``: each shop's messaging setup — its send window and
language, its own template wordings (checked when saved), previews with a real order, and its
kill switch. Anyone of the shop reads; managers and owners change."""

from __future__ import annotations

from datetime import time
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from saudager.core.errors import NotFoundError
from saudager.domains.accounts.types import Role
from saudager.domains.messaging.setup import SetupError
from saudager.domains.messaging.templates import Language, MessageKind, TemplateError
from saudager.domains.messaging.views import preview_json, setup_json, template_json
from saudager.web.api.shop_settings import REFUSED, LongText, Text
from saudager.web.context import Web

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such shop or order."}}


class SetupChange(BaseModel):
    """What to change; a field left out stays as it is."""

    window_start: time | None = Field(
        default=None, description="The send window's local opening, HH:MM (with window_end)."
    )
    window_end: time | None = Field(
        default=None, description="Its closing, HH:MM, excluded; before the start: past midnight."
    )
    default_window: bool = Field(
        default=False, description="True: back to the install's window (10:00–21:00 by default)."
    )
    language: Language | None = Field(default=None, description="The messages' language.")


class Wording(BaseModel):
    body: LongText = Field(description="The text with placeholders such as {order_code}.")
    approved_name: Text | None = Field(
        default=None,
        description="The WhatsApp template it is approved under; none: shop{id}_{kind}.",
    )


class PreviewAsk(BaseModel):
    kind: MessageKind
    language: Language
    body: LongText | None = Field(default=None, description="A wording to try; none: in force.")
    order: Text | None = Field(default=None, description="An order's code; none: the latest.")
    approved_name: Text | None = Field(
        default=None, description="The typed body's WhatsApp template name; none: shop{id}_{kind}."
    )


class Pause(BaseModel):
    reason: Text = Field(default="paused by the seller", description="Why, for the record.")


def refused(problems: list[str]) -> HTTPException:
    return HTTPException(status_code=422, detail=problems)


def add_routes(app: FastAPI, web: Web) -> None:
    setups = web.services.messaging_setup
    guard = web.guard

    @app.get("/api/v1/shops/{shop_id}/messages/setup", tags=["messages"])
    def api_messages_setup(request: Request, shop_id: int) -> dict[str, Any]:
        """The shop's send window (its own or the install's), language and kill switch."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        return setup_json(setups.setup(shop))

    @app.put("/api/v1/shops/{shop_id}/messages/setup", tags=["messages"], responses=REFUSED)
    def api_messages_setup_change(
        request: Request, shop_id: int, change: SetupChange
    ) -> dict[str, Any]:
        """Change the window and language (manager). 422 with every problem for a window that
        may not be set (equal ends, under an hour, seconds given); nothing is changed then."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        ends = (change.window_start, change.window_end)
        if (ends[0] is None) != (ends[1] is None):
            raise refused(["send window: give both window_start and window_end"])
        if change.default_window and ends[0] is not None:
            raise refused(["send window: give a window or default_window, not both"])
        try:
            if change.window_start is not None and change.window_end is not None:
                setups.set_window(shop, change.window_start, change.window_end)
            elif change.default_window:
                setups.use_default_window(shop)
        except SetupError as exc:
            raise refused(exc.problems) from None
        if change.language is not None:
            setups.set_language(shop, change.language)
        return setup_json(setups.setup(shop))

    @app.post("/api/v1/shops/{shop_id}/messages/pause", tags=["messages"])
    def api_messages_pause(request: Request, shop_id: int, body: Pause) -> dict[str, Any]:
        """Stop every message of the shop (manager): queued ones are cancelled as they come up."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        changed = setups.pause(shop, body.reason)
        return {**setup_json(setups.setup(shop)), "changed": changed}

    @app.post("/api/v1/shops/{shop_id}/messages/resume", tags=["messages"])
    def api_messages_resume(request: Request, shop_id: int) -> dict[str, Any]:
        """Turn the shop's messages on again (manager)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        changed = setups.resume(shop)
        return {**setup_json(setups.setup(shop)), "changed": changed}

    @app.get("/api/v1/shops/{shop_id}/messages/templates", tags=["messages"])
    def api_messages_templates(request: Request, shop_id: int) -> dict[str, Any]:
        """The wording in force for every kind and language: the shop's own or the ready one."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        return {"templates": [template_json(entry) for entry in setups.templates(shop)]}

    @app.put(
        "/api/v1/shops/{shop_id}/messages/templates/{kind}/{language}",
        tags=["messages"], responses=REFUSED,
    )  # fmt: skip
    def api_messages_template_save(
        request: Request, shop_id: int, kind: MessageKind, language: Language, wording: Wording
    ) -> dict[str, Any]:
        """Save the shop's own wording (manager). 422 with every problem (an unknown
        placeholder, a missing one, an incentive word…): nothing is stored then."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        try:
            saved = setups.save_template(shop, kind, language, wording.body, wording.approved_name)
            return template_json(saved)
        except TemplateError as exc:
            raise refused(exc.problems) from None

    @app.delete("/api/v1/shops/{shop_id}/messages/templates/{kind}/{language}", tags=["messages"])
    def api_messages_template_reset(
        request: Request, shop_id: int, kind: MessageKind, language: Language
    ) -> dict[str, Any]:
        """Back to the ready wording (manager)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id, Role.MANAGER)
        return {"reset": setups.reset_template(shop, kind, language)}

    @app.post(
        "/api/v1/shops/{shop_id}/messages/preview",
        tags=["messages"], responses={**REFUSED, **NOT_FOUND},
    )  # fmt: skip
    def api_messages_preview(request: Request, shop_id: int, ask: PreviewAsk) -> dict[str, Any]:
        """A wording filled for a real order, as the buyer would read it, and the approved
        template and parameters it is sent as. 422 for a wording with problems; 404 when the
        shop has no such order (or none yet)."""
        shop = guard.api_shop(guard.api_viewer(request), shop_id)
        try:
            found = setups.preview(
                shop, ask.kind, ask.language, ask.body, ask.order, ask.approved_name
            )
        except TemplateError as exc:
            raise refused(exc.problems) from None
        except NotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        return preview_json(found)
