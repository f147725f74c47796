"""The controls and the wordings of a shop's buyer messages (``messages.py`` has the rest):

- ``/shops/{id}/messages/setup`` — the kill switch (pause with a reason, resume), the send
  window and the language of the messages, and an opt-out the seller records for a buyer who
  asked by phone or in the Kaspi chat; each a plain form (``…/pause``, ``…/resume``,
  ``…/window``, ``…/optout``) for managers and owners, redirecting back with a notice, or
  showing the page again with the error next to its field and what was typed kept;
- ``/shops/{id}/messages/templates`` — the wording in force of every kind and language, own or
  ready, with the placeholders legend;
- ``/shops/{id}/messages/templates/{kind}/{language}`` — one wording: edit and save (refused
  with every problem named and nothing stored), back to the ready one, and a preview with a
  real order of the shop (the wording in force at first; the typed one on "Preview", which
  anybody who may see the shop may ask for: it changes nothing).

All of it through ``MessagingSetupService`` and ``ReportingService.opt_out``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

import saudager.web.pages.messages_texts  # noqa: F401  (registers the pages' texts)
from saudager.core.errors import NotFoundError
from saudager.core.masking import mask_phone
from saudager.domains.accounts.types import Role
from saudager.domains.messaging.consent import OptOut
from saudager.domains.messaging.reporting import BadPhone
from saudager.domains.messaging.setup import Preview, SetupError, default_approved_name
from saudager.domains.messaging.templates import (
    PLACEHOLDERS,
    Language,
    MessageKind,
    TemplateError,
)
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.pages.messages import DONE_PARAMS, back_to, section_page
from saudager.web.paging import Column, Table, page_rows
from saudager.web.security import PageError, Viewer

#: The most a typed body may be before it is even checked (the check's own limit is lower).
MAX_TYPED = 8_000
#: An order number typed for a preview is at most this long.
MAX_ORDER_CODE = 40
#: WhatsApp's own limit on a template's name.
MAX_APPROVED_NAME = 512


#: The shop's opt-outs: the latest first. The phone is masked before anything sees it.
OPT_OUTS = Table(
    columns=(
        Column("at", desc_first=True),
        Column("phone", value=lambda o: mask_phone(o.phone)),
        Column("source", value=lambda o: o.source.value),
    ),
    search=("phone",),
    sort="at",
    desc=True,
    prefix="opt_",
    anchor="optouts",
)


def shop_opt_outs(every: list[OptOut], shop_id: int) -> list[OptOut]:
    """The opt-outs that came through this shop: its buyers' replies and its own records. The
    business number may serve other tenants' shops, whose buyers this shop must not see."""
    return [o for o in every if o.shop_id == shop_id]


def _time(raw: str) -> time | None:
    """``HH:MM`` (or ``HH:MM:SS``, as some browsers send) as a time; ``None`` if it does not
    read."""
    text = raw.strip()
    if not text or len(text) > 8:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def _language(raw: str) -> Language | None:
    return next((lang for lang in Language if lang.value == raw), None)


def add_routes(app: FastAPI, web: Web) -> None:
    services = web.services
    setup_service = services.messaging_setup

    def setup_page(
        request: Request,
        viewer: Viewer,
        shop: Shop,
        role: Role,
        *,
        status_code: int = 200,
        errors: Mapping[str, Any] | None = None,
        entered: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        opt_outs = shop_opt_outs(services.reporting.opt_outs(), shop.id)
        path = f"/shops/{shop.id}/messages/setup"
        params = request.query_params if request.method == "GET" else {}
        return section_page(
            web, request, viewer, shop, role, "messages_setup.html", "setup",
            status_code=status_code, errors=errors or {}, entered=entered or {},
            wording_languages=list(Language),
            opt_outs=page_rows(opt_outs, OPT_OUTS, params, path, drop=DONE_PARAMS),
            mask_phone=mask_phone,
        )  # fmt: skip

    @app.get(
        "/shops/{shop_id}/messages/setup", response_class=HTMLResponse, include_in_schema=False
    )
    def messages_setup(request: Request, shop_id: int) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)
        return setup_page(request, viewer, shop, role)

    @app.post("/shops/{shop_id}/messages/pause", include_in_schema=False)
    async def messages_pause(request: Request, shop_id: int) -> Response:
        _, shop, _, form = await web.guard.page_post(request, shop_id, Role.MANAGER)
        reason = " ".join(str(form.get("reason", "")).split())[:200]
        changed = setup_service.pause(shop, reason)
        return back_to(f"/shops/{shop.id}/messages/setup", "paused" if changed else "unchanged")

    @app.post("/shops/{shop_id}/messages/resume", include_in_schema=False)
    async def messages_resume(request: Request, shop_id: int) -> Response:
        _, shop, _, _ = await web.guard.page_post(request, shop_id, Role.MANAGER)
        changed = setup_service.resume(shop)
        return back_to(f"/shops/{shop.id}/messages/setup", "resumed" if changed else "unchanged")

    @app.post("/shops/{shop_id}/messages/optout", include_in_schema=False)
    async def messages_opt_out(request: Request, shop_id: int) -> Response:
        viewer, shop, role, form = await web.guard.page_post(request, shop_id, Role.MANAGER)
        phone = str(form.get("phone", ""))[:40]
        try:
            _, added, cancelled = services.reporting.opt_out(shop.id, phone)
        except BadPhone:
            return setup_page(
                request, viewer, shop, role, status_code=400,
                errors={"phone": phone}, entered={"phone": phone},
            )  # fmt: skip
        done = "optout" if added else "optout_known"
        return back_to(f"/shops/{shop.id}/messages/setup", done, n=cancelled)

    @app.post("/shops/{shop_id}/messages/window", include_in_schema=False)
    async def messages_window(request: Request, shop_id: int) -> Response:
        viewer, shop, role, form = await web.guard.page_post(request, shop_id, Role.MANAGER)
        path = f"/shops/{shop.id}/messages/setup"
        if form.get("use_default"):
            setup_service.use_default_window(shop)
            return back_to(path, "default_window")
        entered = {name: str(form.get(name, ""))[:40] for name in ("start", "end", "language")}
        start, end = _time(entered["start"]), _time(entered["end"])
        language = _language(entered["language"])
        errors: dict[str, Any] = {}
        if start is None:
            errors["start"] = entered["start"]
        if end is None:
            errors["end"] = entered["end"]
        if start is not None and end is not None:
            try:
                # The window first: a refused window stores nothing, the language included.
                setup_service.set_window(shop, start, end)
            except SetupError as exc:
                errors["window"] = exc.problems
        if errors:
            return setup_page(
                request, viewer, shop, role, status_code=400, errors=errors, entered=entered
            )
        if language is not None:  # a form without one keeps the language set
            setup_service.set_language(shop, language)
        return back_to(path, "window")

    # ---- templates

    @app.get(
        "/shops/{shop_id}/messages/templates",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def messages_templates(request: Request, shop_id: int) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)
        return section_page(
            web, request, viewer, shop, role, "messages_templates.html", "templates",
            entries=setup_service.templates(shop), placeholders=PLACEHOLDERS,
        )  # fmt: skip

    def template_page(
        request: Request,
        viewer: Viewer,
        shop: Shop,
        role: Role,
        kind: MessageKind,
        language: Language,
        *,
        status_code: int = 200,
        body: str | None = None,
        approved_name: str | None = None,
        order_code: str = "",
        problems: list[str] | None = None,
        preview_body: str | None = None,
    ) -> HTMLResponse:
        """The edit page of one wording: ``body`` as typed (else the one in force), and a
        preview of ``preview_body`` (else of the wording in force) unless it has problems."""
        entry = next(
            e for e in setup_service.templates(shop) if e.kind is kind and e.language is language
        )
        preview: Preview | None = None
        no_order: str | None = None
        preview_problems: list[str] = []
        if not problems:
            try:
                preview = setup_service.preview(
                    shop, kind, language, body=preview_body, order_code=order_code or None,
                    approved_name=approved_name or None if preview_body is not None else None,
                )  # fmt: skip
            except TemplateError as exc:
                preview_problems = exc.problems
            except NotFoundError:
                no_order = order_code
        return section_page(
            web, request, viewer, shop, role, "messages_template.html", "templates",
            status_code=status_code, entry=entry, kind=kind, wording_language=language,
            body=entry.body if body is None else body, order_code=order_code,
            approved_name=(entry.provider_template if entry.own else "")
            if approved_name is None else approved_name,
            default_approved=default_approved_name(shop.id, kind),
            problems=problems or preview_problems, preview=preview, no_order=no_order,
            placeholders=PLACEHOLDERS,
        )  # fmt: skip

    @app.get(
        "/shops/{shop_id}/messages/templates/{kind}/{language}",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def messages_template(
        request: Request, shop_id: int, kind: MessageKind, language: Language
    ) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)
        return template_page(request, viewer, shop, role, kind, language)

    @app.post("/shops/{shop_id}/messages/templates/{kind}/{language}", include_in_schema=False)
    async def messages_template_post(
        request: Request, shop_id: int, kind: MessageKind, language: Language
    ) -> Response:
        # A preview changes nothing: whoever may see the shop may ask for one.
        viewer, shop, role, form = await web.guard.page_post(request, shop_id, Role.VIEWER)
        action = str(form.get("action", "preview"))
        body = str(form.get("body", ""))[:MAX_TYPED].replace("\r\n", "\n")
        order_code = str(form.get("order_code", "")).strip()[:MAX_ORDER_CODE]
        approved_name = str(form.get("approved_name", "")).strip()[:MAX_APPROVED_NAME]
        path = f"/shops/{shop.id}/messages/templates/{kind.value}/{language.value}"
        if action in {"save", "reset"} and not role.allows(Role.MANAGER):
            raise PageError(403, "error.forbidden", role=f"role.{Role.MANAGER.value}")
        if action == "reset":
            return back_to(
                path, "reset" if setup_service.reset_template(shop, kind, language) else "unchanged"
            )
        if action == "save":
            try:
                setup_service.save_template(
                    shop, kind, language, body, approved_name=approved_name or None
                )
            except TemplateError as exc:
                return template_page(
                    request, viewer, shop, role, kind, language, status_code=400, body=body,
                    approved_name=approved_name, order_code=order_code, problems=exc.problems,
                )  # fmt: skip
            return back_to(path, "saved")
        return template_page(
            request, viewer, shop, role, kind, language, body=body, approved_name=approved_name,
            order_code=order_code, preview_body=body,
        )  # fmt: skip
