"""The buyer messages pages of a shop, one section a page under a row of section links:

- ``/shops/{id}/messages`` — the outbox: every message queued, a page at a time (searched,
  sorted, filtered by state: ``web/paging.py``), its masked phone, state and delivery;
- ``/shops/{id}/messages/inbox`` — buyers' replies with their category and order, complaints
  waiting first; managers mark one resolved (a form posting to ``…/inbox/resolve``);
- ``/shops/{id}/messages/stats`` — the reporting service's figures for a period, each with its
  definition (``docs/messaging.md`` §8);
- the controls and the templates: ``messages_setup.py``.

Phones are masked everywhere (``core/masking``), in the buyer's text as well. Every page says
whether the shop's messages are on or paused. The pages are not kept in the page cache: the
outbox and the inbox change with every send and webhook, which do not move the shop's data
revision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

import saudager.web.pages.messages_texts  # noqa: F401  (registers the pages' texts)
from saudager.core.masking import mask_phone, redact_phones
from saudager.core.timewindows import zone
from saudager.domains.accounts.types import Role
from saudager.domains.messaging.inbox_ports import InboundRecord
from saudager.domains.messaging.records import OutboxMessage, OutboxState
from saudager.domains.messaging.templates import READY_APPROVED
from saudager.domains.messaging.triage import Category
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.pages.indicators import FIRST_DAY, LAST_DAY
from saudager.web.paging import Column, Table, page_rows
from saudager.web.security import PageError, Viewer

#: What a redirect after a form adds to a page's address (a one-time notice, not kept by links).
DONE_PARAMS = ("done", "n")
#: The notices a redirect may ask for, by the value of ``?done=``.
NOTICES = frozenset(
    {
        "resolved", "not_resolved", "paused", "resumed", "unchanged", "optout", "optout_known",
        "window", "default_window", "saved", "reset",
    }
)  # fmt: skip
#: Section links, in order: (key of the text, path after ``/shops/{id}/messages``).
SECTIONS = (
    ("outbox", ""),
    ("inbox", "/inbox"),
    ("stats", "/stats"),
    ("setup", "/setup"),
    ("templates", "/templates"),
)
#: Kinds of the ready approved templates by name, to name a template in the seller's words
#: (a message records its kind as its purpose; older rows and the statistics go by the name).
TEMPLATE_KINDS: dict[str, str] = {name: kind.value for kind, name in READY_APPROVED.items()}


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outbox message as the page shows it: the phone masked, the error too."""

    id: int
    order: str
    kind: str
    template: str
    phone: str
    state: str
    delivery: str | None
    attempts: int
    due: datetime
    created: datetime
    error: str | None
    purpose: str | None  # the message kind, when known


def outbox_row(message: OutboxMessage) -> OutboxRow:
    return OutboxRow(
        id=message.id, order=message.key.order_code, kind=message.key.kind,
        template=message.template, phone=mask_phone(message.to), state=message.state.value,
        delivery=message.delivery_status.value if message.delivery_status else None,
        attempts=message.attempts, due=message.due_at, created=message.created_at,
        error=redact_phones(message.last_error) if message.last_error else None,
        purpose=message.purpose or TEMPLATE_KINDS.get(message.template),
    )  # fmt: skip


#: The outbox: the newest first.
OUTBOX = Table(
    columns=(
        Column("order"),
        Column("kind"),
        Column("template"),
        Column("phone"),
        Column("state"),
        Column("delivery"),
        Column("attempts", desc_first=True),
        Column("due", desc_first=True),
        Column("created", desc_first=True),
        Column("error"),
    ),
    search=("order", "template", "phone", "error"),
    sort="created",
    desc=True,
    anchor="outbox",
)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """A buyer's message as the page shows it: the phone masked, in the text as well."""

    id: int
    phone: str
    text: str
    category: str
    order: str | None
    received: datetime
    resolved: datetime | None
    #: 0: a complaint waiting, 1: anything else waiting, 2: resolved.
    rank: int

    @property
    def waiting(self) -> bool:
        return self.resolved is None


def inbox_row(record: InboundRecord) -> InboxRow:
    category = record.triage.category
    waiting = record.resolved_at is None
    return InboxRow(
        id=record.id, phone=mask_phone(record.message.sender),
        text=redact_phones(record.message.text), category=category.value,
        order=record.order_code, received=record.message.at, resolved=record.resolved_at,
        rank=(0 if category is Category.COMPLAINT else 1) if waiting else 2,
    )  # fmt: skip


#: The inbox: complaints waiting first, then the rest waiting, then the resolved; the newest
#: first within each (the rows come so ordered).
INBOX = Table(
    columns=(
        Column("priority", value=lambda r: (r.rank, -r.received.timestamp())),
        Column("received", desc_first=True),
        Column("phone"),
        Column("category"),
        Column("order"),
        Column("text"),
        Column("status", value=lambda r: r.rank == 2),
    ),
    search=("text", "order", "phone"),
    sort="priority",
    anchor="inbox",
    presorted=True,
)


def notice(request: Request) -> dict[str, Any] | None:
    """The one-time notice a redirect after a form asked for (nothing if it does not read)."""
    done = request.query_params.get("done", "")
    if done not in NOTICES:
        return None
    count = request.query_params.get("n", "")
    return {"key": f"messages.done.{done}", "n": int(count) if count.isdigit() else 0}


def back_to(path: str, done: str, **more: object) -> RedirectResponse:
    """See the page again after a form, with its notice."""
    query = urlencode({"done": done, **{k: str(v) for k, v in more.items() if v != ""}})
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}{query}", status_code=303)


def section_page(
    web: Web,
    request: Request,
    viewer: Viewer,
    shop: Shop,
    role: Role,
    name: str,
    section: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A messages page: its section links, the kill switch's state and the notice around
    ``name``'s own content."""
    return web.page(
        request, viewer, name, shop=shop, role=role, status_code=status_code,
        section=section, sections=SECTIONS, base=f"/shops/{shop.id}/messages",
        setup=web.services.messaging_setup.setup(shop), can_edit=role.allows(Role.MANAGER),
        notice=notice(request), **context,
    )  # fmt: skip


def _day(raw: str | None) -> date | None:
    if raw is None or not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise PageError(400, "messages.stats.bad_day", value=raw[:40])
    return day


def period(shop: Shop, first: date | None, last: date | None) -> tuple[datetime | None, ...]:
    """The shop's local days ``first``…``last`` (both included) as ``[since, until)`` in UTC,
    as the API reads them."""
    tz = zone(shop.timezone)
    since = datetime.combine(first, time(), tz).astimezone(UTC) if first else None
    until = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC) if last else None
    return since, until


def add_routes(app: FastAPI, web: Web) -> None:
    services = web.services

    @app.get("/shops/{shop_id}/messages", response_class=HTMLResponse, include_in_schema=False)
    def messages_outbox(request: Request, shop_id: int, state: str | None = None) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)
        with services.store.reading() as tx:
            messages = tx.outbox_messages(shop.id)
        counts = Counter(m.state.value for m in messages)
        chosen = state if state in {s.value for s in OutboxState} else None
        rows = [outbox_row(m) for m in messages if chosen is None or m.state.value == chosen]
        path = f"/shops/{shop.id}/messages"
        table = page_rows(rows, OUTBOX, request.query_params, path, drop=DONE_PARAMS)
        return section_page(
            web, request, viewer, shop, role, "messages.html", "outbox", table=table,
            counts=counts, total=len(messages), chosen=chosen,
            states=[s.value for s in OutboxState], template_kinds=TEMPLATE_KINDS,
        )  # fmt: skip

    @app.get(
        "/shops/{shop_id}/messages/inbox", response_class=HTMLResponse, include_in_schema=False
    )
    def messages_inbox(request: Request, shop_id: int, waiting: str | None = None) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)
        with services.store.reading() as tx:
            records = tx.inbound_messages(shop.id)
        every = sorted(
            (inbox_row(r) for r in records), key=lambda r: (r.rank, -r.received.timestamp())
        )
        waiting_only = waiting == "1"
        rows = [r for r in every if r.waiting] if waiting_only else every
        path = f"/shops/{shop.id}/messages/inbox"
        table = page_rows(rows, INBOX, request.query_params, path, drop=DONE_PARAMS)
        return section_page(
            web, request, viewer, shop, role, "messages_inbox.html", "inbox", table=table,
            waiting_only=waiting_only, all_count=len(every),
            waiting_count=sum(r.waiting for r in every),
            complaints_waiting=sum(r.rank == 0 for r in every),
        )  # fmt: skip

    @app.post("/shops/{shop_id}/messages/inbox/resolve", include_in_schema=False)
    async def messages_resolve(request: Request, shop_id: int) -> Response:
        _, shop, _, form = await web.guard.page_post(request, shop_id, Role.MANAGER)
        raw = str(form.get("inbound", ""))
        done = raw.isdigit() and len(raw) < 19 and services.inbox.resolve(int(raw), shop.id)
        # Back to the inbox as it was shown: its search, order, page and filter.
        kept = {name: str(form.get(name, "")) for name in (*INBOX.params, "waiting")}
        query = urlencode({k: v for k, v in kept.items() if v})
        path = f"/shops/{shop.id}/messages/inbox" + (f"?{query}" if query else "")
        return back_to(path, "resolved" if done else "not_resolved")

    @app.get(
        "/shops/{shop_id}/messages/stats", response_class=HTMLResponse, include_in_schema=False
    )
    def messages_stats(
        request: Request, shop_id: int, first: str | None = None, last: str | None = None
    ) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)
        first_day, last_day = _day(first), _day(last)
        since, until = period(shop, first_day, last_day)
        report = services.reporting.report(shop.id, since, until)
        return section_page(
            web, request, viewer, shop, role, "messages_stats.html", "stats", report=report,
            conversion=report.conversion, first=first_day, last=last_day,
            template_kinds=TEMPLATE_KINDS,
        )  # fmt: skip
