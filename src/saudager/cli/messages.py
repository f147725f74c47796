"""``saudager messages``: buyer messages — preview a template with a real order, the outbox,
and one dispatch pass."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from saudager.cli import messages_setup as setup_commands
from saudager.cli.context import fail, services_of
from saudager.cli.output import console, print_json
from saudager.core.errors import SaudagerError
from saudager.core.masking import mask_phone
from saudager.core.phones import normalize_kz_phone
from saudager.core.timewindows import zone
from saudager.domains.messaging.records import OutboxState
from saudager.domains.messaging.reporting import BadPhone, report_json
from saudager.domains.messaging.templates import Language, MessageKind, TemplateError
from saudager.domains.messaging.views import outbox_json, preview_json
from saudager.jobs.dispatch import dispatch_messages_now
from saudager.settings import load_settings

messages_app = typer.Typer(
    no_args_is_help=True, help="Buyer messages over WhatsApp: preview, outbox, dispatch."
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _choice(value: str, allowed: type[MessageKind] | type[Language], what: str) -> Any:
    try:
        return allowed(value)
    except ValueError:
        names = ", ".join(item.value for item in allowed)
        raise fail(f"unknown {what} {value!r}: expected one of {names}") from None


@messages_app.command("preview")
def preview(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="Shop name or id.")],
    order: Annotated[str | None, typer.Argument(help="The order's code; none: the latest.")] = None,
    kind: Annotated[str, typer.Option(help="Which message.")] = MessageKind.ORDER_RECEIVED.value,
    language: Annotated[str, typer.Option(help="ru, kk or en.")] = Language.RU.value,
    text: Annotated[
        str | None, typer.Option(help="A wording to try instead of the one in force.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The message a buyer would read for a real order (the shop's own wording, else the
    ready one, or --text), and what goes to the Cloud API."""
    chosen_kind: MessageKind = _choice(kind, MessageKind, "message kind")
    chosen_language: Language = _choice(language, Language, "language")
    with services_of(ctx) as services:
        found = services.shop(shop)
        try:
            shown = services.messaging_setup.preview(
                found, chosen_kind, chosen_language, text, order
            )
        except TemplateError as exc:
            raise fail("\n".join(exc.problems)) from exc
        with services.store.reading() as tx:
            stored = tx.get_order(found.id, shown.order_code)
        phone = mask_phone(stored.customer_phone or "") if stored else ""
    if as_json:
        print_json({**preview_json(shown), "kind": chosen_kind.value, "to": phone})
        return
    console.print(
        f"[bold]{escape(shown.provider_template)}[/bold] ({shown.language}) → {phone}, "
        f"order {escape(shown.order_code)}"
    )
    console.print(escape(shown.text))
    console.print(
        f"[dim]body parameters: {escape(', '.join(shown.body_parameters))}[/dim]", highlight=False
    )
    if shown.button_url_parameter:
        console.print(
            f"[dim]button parameter: {escape(shown.button_url_parameter)}[/dim]", highlight=False
        )


@messages_app.command("outbox")
def outbox(
    ctx: typer.Context,
    shop: Annotated[str | None, typer.Argument(help="Shop name or id (default: all).")] = None,
    state: Annotated[str | None, typer.Option(help="Only messages in this state.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The messages of the outbox, oldest first, with their state and delivery (phones masked)."""
    wanted: OutboxState | None = None
    if state is not None:
        try:
            wanted = OutboxState(state)
        except ValueError:
            names = ", ".join(s.value for s in OutboxState)
            raise fail(f"unknown state {state!r}: expected one of {names}") from None
    with services_of(ctx) as services:
        shop_id = services.shop(shop).id if shop is not None else None
        with services.store.reading() as tx:
            rows = [outbox_json(m) for m in tx.outbox_messages(shop_id, wanted)]
    if as_json:
        print_json({"messages": rows})
        return
    table = Table("id", "order", "kind", "to", "state", "delivery", "tries", "due", "error")
    for row in rows:
        table.add_row(
            str(row["id"]), row["order"], row["kind"], row["to"], row["state"],
            row["delivery"] or "", str(row["attempts"]), row["due_at"][:16],
            escape(row["error"] or ""),
        )  # fmt: skip
    console.print(table)


@messages_app.command("plan")
def plan_messages(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="Shop name or id.")],
    as_json: JsonOption = False,
) -> None:
    """Queue the messages the shop's recent orders call for (the worker does this after each
    sync when messaging.enabled is on); running it again adds nothing."""
    with services_of(ctx) as services:
        added = services.planning.plan_shop(services.shop(shop))
    rows = [
        {"order": m.key.order_code, "slot": m.key.kind, "template": m.template,
         "to": mask_phone(m.to)}
        for m in added
    ]  # fmt: skip
    if as_json:
        print_json({"queued": rows})
        return
    console.print(f"Queued {len(rows)} message(s).")
    for row in rows:
        console.print(f"  {row['order']} {row['slot']} {row['template']} → {row['to']}")


@messages_app.command("dispatch")
def dispatch(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """One dispatch pass now: reconcile old claims, then send every due message once."""
    config = ctx.find_root().params.get("config")
    try:
        result = dispatch_messages_now(load_settings(config))
    except SaudagerError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json(result)
    else:
        console.print(", ".join(f"{key} {value}" for key, value in result.items()))


def _day(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{what} {value!r} is not a date such as 2026-08-25") from None


@messages_app.command("stats")
def stats(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="Shop name or id.")],
    first: Annotated[str | None, typer.Option("--from", help="First day (shop-local).")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day (shop-local).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Per template: sent, delivered, read, failed, replies, complaints, opt-outs; and review
    conversion of the review requests against the holdout (default: all time)."""
    start, end = _day(first, "--from"), _day(last, "--to")
    if start is not None and end is not None and start > end:
        raise fail(f"--from {start} is after --to {end}")
    with services_of(ctx) as services:
        found = services.shop(shop)
        tz = zone(found.timezone)
        since = datetime.combine(start, time(), tz).astimezone(UTC) if start else None
        until = (
            datetime.combine(end + timedelta(days=1), time(), tz).astimezone(UTC) if end else None
        )
        report = services.reporting.report(found.id, since, until)
    if as_json:
        print_json(report_json(report))
        return
    table = Table(
        "template", "sent", "delivered", "read", "failed", "replied", "complaints", "opt-outs"
    )
    for row in report.templates:
        table.add_row(
            escape(row.template), str(row.sent), str(row.delivered), str(row.read),
            str(row.failed), str(row.replied), str(row.complaints), str(row.opt_outs),
        )  # fmt: skip
    console.print(table)
    c = report.conversion
    console.print(
        f"Review requests: {c.messaged_reviews}/{c.messaged_orders} reviewed; "
        f"holdout: {c.holdout_reviews}/{c.holdout_orders}.",
        highlight=False,
    )
    if c.difference is not None and c.interval is not None:
        low, high = c.interval
        console.print(
            f"Difference {c.difference:+.1%} (95 % interval {low:+.1%} … {high:+.1%}).",
            highlight=False,
        )
    else:
        console.print("Difference: not enough delivered orders yet.", highlight=False)


@messages_app.command("optout")
def optout(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="Shop name or id.")],
    phone: Annotated[str, typer.Argument(help="The buyer's phone, e.g. +7 701 123 45 67.")],
) -> None:
    """Record that a buyer asked the shop to stop writing (by phone, in the Kaspi chat…): no
    shop on the business number writes to them again; their queued messages are cancelled."""
    if normalize_kz_phone(phone) is None:
        raise fail(f"{phone!r} is not a Kazakhstan mobile number such as +77011234567")
    with services_of(ctx) as services:
        found = services.shop(shop)
        try:
            stored, added, cancelled = services.reporting.opt_out(found.id, phone)
        except BadPhone as exc:
            raise fail(str(exc)) from None
    masked = mask_phone(stored.phone)
    if added:
        console.print(f"Opted out {masked}; {cancelled} queued message(s) cancelled.")
    else:
        console.print(f"{masked} had opted out already.")


@messages_app.command("optouts")
def optouts(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The buyers who opted out of the business number, oldest first (phones masked)."""
    with services_of(ctx) as services:
        found = services.reporting.opt_outs()
    rows: list[dict[str, Any]] = [
        {"phone": mask_phone(o.phone), "at": o.at.isoformat(), "source": o.source.value,
         "shop_id": o.shop_id}
        for o in found
    ]  # fmt: skip
    if as_json:
        print_json({"opt_outs": rows})
        return
    table = Table("phone", "at", "source", "shop")
    for row in rows:
        table.add_row(row["phone"], row["at"][:16], row["source"], str(row["shop_id"] or ""))
    console.print(table)


messages_app.command("pause")(setup_commands.pause)
messages_app.command("resume")(setup_commands.resume)
messages_app.command("window")(setup_commands.window)
messages_app.command("language")(setup_commands.language)
messages_app.command("templates")(setup_commands.templates)
messages_app.command("template")(setup_commands.template)
messages_app.command("template-reset")(setup_commands.template_reset)
messages_app.command("numbers")(setup_commands.numbers)
messages_app.command("number-resume")(setup_commands.number_resume)
